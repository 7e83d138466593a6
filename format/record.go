package format

import (
	"github.com/sluicedb/sluice/types"
)

// stager is the two-phase form of DecodeInto the built-in decoders share:
// stage decodes a record without touching any builder, commit appends the
// staged row. RecordDecoder uses it to make a record's key and value one
// atomic append.
type stager interface {
	stage(data []byte) (bool, error)
	commit(out []*types.ColumnBuilder)
}

// rowStager adapts a Decoder that only offers the public interface (a
// format registered from outside, such as a future AVRO) by staging
// through DecodeRow.
type rowStager struct {
	d   Decoder
	row []any
	out []any
}

func (r *rowStager) stage(data []byte) (bool, error) {
	row, err := r.d.DecodeRow(data, r.row)
	if err != nil || row == nil {
		r.out = nil
		return false, err
	}
	r.row, r.out = row, row
	return true, nil
}

func (r *rowStager) commit(out []*types.ColumnBuilder) {
	for i, v := range r.out {
		if err := out[i].AppendValue(v); err != nil {
			out[i].AppendNull() // a decoder that returns ill-typed values; keep the row aligned
		}
	}
}

func stagerFor(d Decoder) stager {
	if s, ok := d.(stager); ok {
		return s
	}
	return &rowStager{d: d}
}

// SourceOptions describe how a source's records map to its schema.
type SourceOptions struct {
	KeyFormat, ValueFormat   string
	KeyOptions, ValueOptions Options
}

// RecordDecoder decodes whole records, key and value, into a batch builder
// whose schema is the source's: key columns from the key bytes, value
// columns from the value bytes, HEADERS columns left NULL for the caller.
// A record is appended completely or not at all.
//
// A record whose value is null (no bytes, or a null the value format
// reads as the whole value) is appended with NULL value columns and
// types.Delete. For a table that is a tombstone; a stream carries it on as
// a null row, which ksqlDB forwards through SELECT * and drops in WHERE
// and GROUP BY (see the corpus's null.json), so the decision belongs to
// the operators, not here.
type RecordDecoder struct {
	bb               *types.BatchBuilder
	key, value       stager
	keyOut, valueOut []*types.ColumnBuilder
	headerOut        []*types.ColumnBuilder
}

// NewRecordDecoder validates both formats against the schema of bb and
// builds the decoders.
func NewRecordDecoder(bb *types.BatchBuilder, opts SourceOptions) (*RecordDecoder, error) {
	var keyCols, valueCols []types.Column
	var headerOut []*types.ColumnBuilder
	for i, c := range bb.Schema().Columns {
		switch {
		case c.Key:
			keyCols = append(keyCols, c)
		case c.Headers:
			headerOut = append(headerOut, bb.Col(i))
		default:
			valueCols = append(valueCols, c)
		}
	}
	kopts, vopts := opts.KeyOptions, opts.ValueOptions
	kopts.Key, vopts.Key = true, false
	if err := Validate(opts.KeyFormat, keyCols, kopts); err != nil {
		return nil, err
	}
	if err := Validate(opts.ValueFormat, valueCols, vopts); err != nil {
		return nil, err
	}
	kf, _ := Lookup(opts.KeyFormat)
	vf, _ := Lookup(opts.ValueFormat)
	kd, err := kf.NewDecoder(keyCols, kopts)
	if err != nil {
		return nil, err
	}
	vd, err := vf.NewDecoder(valueCols, vopts)
	if err != nil {
		return nil, err
	}
	keyOut, err := BuildersFor(bb, keyCols)
	if err != nil {
		return nil, err
	}
	valueOut, err := BuildersFor(bb, valueCols)
	if err != nil {
		return nil, err
	}
	return &RecordDecoder{bb: bb, key: stagerFor(kd), value: stagerFor(vd), keyOut: keyOut, valueOut: valueOut,
		headerOut: headerOut}, nil
}

// Append decodes one record and appends it with meta. A *DecodeError
// leaves the builder unchanged. The key bytes are kept as the row's
// RowMeta.Key without copying, so the caller must not reuse them while the
// batch lives.
func (d *RecordDecoder) Append(key, value []byte, meta types.RowMeta) error {
	vok, err := d.value.stage(value)
	if err != nil {
		return err
	}
	kok, err := d.key.stage(key)
	if err != nil {
		return err
	}
	if kok {
		d.key.commit(d.keyOut)
	} else {
		for _, b := range d.keyOut {
			b.AppendNull()
		}
	}
	if vok {
		d.value.commit(d.valueOut)
	} else {
		for _, b := range d.valueOut {
			b.AppendNull()
		}
		meta.Change = types.Delete
	}
	for _, b := range d.headerOut {
		b.AppendNull()
	}
	meta.Key = key
	d.bb.AppendMeta(meta)
	return nil
}
