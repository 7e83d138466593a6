package exec

import (
	"errors"
	"fmt"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/types"
)

// ErrInvalidTimestamp stops a query whose source has
// ThrowOnInvalidTimestamp set when a record's timestamp cannot be extracted.
var ErrInvalidTimestamp = errors.New("exec: invalid timestamp")

// source turns a fetch's records into batches of the source schema: key
// and value decoded by their formats, header columns, ROWTIME from the
// record timestamp or the TIMESTAMP column, and the row metadata.
//
// The value is decoded straight into the batch builder's Arrow columns
// (DecodeInto). Everything that can reject a record (the key, the
// timestamp) is decided before the value is appended, because a builder
// cannot take back half a row. A source with a TIMESTAMP column decodes the
// value into a row of Go values first (DecodeRow), since ROWTIME must be
// known, and valid, before the row is appended.
type source struct {
	spec    *SourceSpec
	tc      *TaskContext
	maxRows int
	bb      *types.BatchBuilder

	keyDec  format.Decoder
	keyCols []int // schema positions of the key columns
	keyRow  []any

	valDec  format.Decoder
	valCols []int
	valOut  []*types.ColumnBuilder
	valRow  []any

	hdrCols []int
	hdrKeys []string

	// rec, when set, is the fast path for sources without header or
	// TIMESTAMP columns: the format package decodes key and value in one
	// call with typed key columns.
	rec *format.RecordDecoder

	// tsKey/tsVal locate the TIMESTAMP column in the key or value row
	// (-1 when it is elsewhere or absent).
	tsKey, tsVal int
	tsParse      functions.ScalarFunc
	tsArgs       []any
}

// newSource compiles the source's serdes for one task.
func newSource(spec *SourceSpec, tc *TaskContext, maxRows int) (*source, error) {
	s := &source{
		spec: spec, tc: tc, maxRows: maxRows, tsKey: -1, tsVal: -1,
		bb: types.NewBatchBuilder(batchAllocator, spec.Schema),
	}
	var err error
	if len(spec.Key.Columns) > 0 {
		if s.keyDec, s.keyCols, err = s.decoder(spec.Key, true); err != nil {
			return nil, err
		}
	}
	if len(spec.Value.Columns) > 0 {
		if s.valDec, s.valCols, err = s.decoder(spec.Value, false); err != nil {
			return nil, err
		}
		if s.valOut, err = format.BuildersFor(s.bb, spec.Value.Columns); err != nil {
			return nil, fmt.Errorf("exec: source %s: %w", spec.Topic, err)
		}
	}
	for pos, key := range spec.HeaderColumns {
		s.hdrCols = append(s.hdrCols, pos)
		s.hdrKeys = append(s.hdrKeys, key)
	}
	if tc := spec.TimestampColumn; tc >= 0 && tc < spec.Schema.Len() {
		for i, p := range s.keyCols {
			if p == tc {
				s.tsKey = i
			}
		}
		for i, p := range s.valCols {
			if p == tc {
				s.tsVal = i
			}
		}
		if s.tsKey < 0 && s.tsVal < 0 {
			return nil, fmt.Errorf("exec: source %s: timestamp column %s is neither a key nor a value column",
				spec.Topic, spec.Schema.Columns[tc].Name)
		}
		if spec.Schema.Columns[tc].Type.Kind == types.String && spec.TimestampFormat != "" {
			call, err := functions.Builtins().Resolve("PARSE_TIMESTAMP", functions.TypeArgs(types.StringType, types.StringType))
			if err != nil {
				return nil, fmt.Errorf("exec: source %s: %w", spec.Topic, err)
			}
			if s.tsParse, err = call.Scalar(); err != nil {
				return nil, fmt.Errorf("exec: source %s: %w", spec.Topic, err)
			}
			s.tsArgs = []any{nil, spec.TimestampFormat}
		}
	}
	if len(s.hdrCols) == 0 && s.tsKey < 0 && s.tsVal < 0 && spec.Key.Format != "" && spec.Value.Format != "" && spec.Window == nil {
		ko, vo := spec.Key.Options, spec.Value.Options
		ko.Key = true
		s.rec, err = format.NewRecordDecoder(s.bb, format.SourceOptions{
			KeyFormat: spec.Key.Format, ValueFormat: spec.Value.Format, KeyOptions: ko, ValueOptions: vo,
		})
		if err != nil {
			return nil, fmt.Errorf("exec: source %s: %w", spec.Topic, err)
		}
	}
	return s, nil
}

func (s *source) decoder(sd SerdeSpec, key bool) (format.Decoder, []int, error) {
	f, err := format.Lookup(sd.Format)
	if err != nil {
		return nil, nil, fmt.Errorf("exec: source %s: %w", s.spec.Topic, err)
	}
	opts := sd.Options
	opts.Key = key
	dec, err := f.NewDecoder(sd.Columns, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("exec: source %s: %w", s.spec.Topic, err)
	}
	pos := make([]int, len(sd.Columns))
	for i, c := range sd.Columns {
		if pos[i] = s.spec.Schema.Index(c.Name); pos[i] < 0 {
			return nil, nil, fmt.Errorf("exec: source %s: serde column %s not in the schema", s.spec.Topic, c.Name)
		}
	}
	return dec, pos, nil
}

func (s *source) close() { s.bb.Release() }

// badRecord sends a record that cannot become a row to the processing log.
func (s *source) badRecord(r *broker.Record, kind string, err error, data []byte) {
	s.tc.Log.Record(ProcessingError{
		QueryID: s.tc.QueryID, Topic: s.spec.Topic, Partition: r.Partition, Offset: r.Offset,
		Kind: kind, Message: err.Error(), Err: err, Record: append([]byte(nil), data...),
	})
}

// decode turns records into one batch; nil when every record was bad.
func (s *source) decode(recs []broker.Record) (*types.Batch, error) {
	s.bb.Reserve(len(recs))
	// Keys are kept in the row metadata past this fetch, so they are copied
	// into one arena per batch rather than one allocation per row.
	keyBytes := 0
	for i := range recs {
		keyBytes += len(recs[i].Key)
	}
	arena := make([]byte, 0, keyBytes)
	if s.rec != nil {
		for i := range recs {
			r := &recs[i]
			key := r.Key
			if key != nil {
				n := len(arena)
				arena = append(arena, key...)
				key = arena[n:len(arena):len(arena)]
			}
			meta := types.RowMeta{Rowtime: r.Timestamp, Partition: r.Partition, Offset: r.Offset}
			if err := s.rec.Append(key, r.Value, meta); err != nil {
				s.badRecord(r, "deserialization", err, r.Value)
			}
		}
		if s.bb.Len() == 0 {
			return nil, nil
		}
		return s.bb.NewBatch()
	}
	for i := range recs {
		r := &recs[i]
		var keyVals []any
		key := r.Key
		var wstart, wend any
		if w := s.spec.Window; w != nil && key != nil {
			inner, start, end, err := w.split(key)
			if err != nil {
				s.badRecord(r, "deserialization", err, r.Key)
				continue
			}
			key, wstart, wend = inner, start, end
		}
		if s.keyDec != nil {
			row, err := s.keyDec.DecodeRow(key, s.keyRow)
			if err != nil {
				s.badRecord(r, "deserialization", err, r.Key)
				continue
			}
			if row != nil {
				s.keyRow = row
			}
			keyVals = row
		}
		meta := types.RowMeta{Rowtime: r.Timestamp, Partition: r.Partition, Offset: r.Offset}
		if s.tsKey >= 0 || s.tsVal >= 0 {
			ok, err := s.decodeSlow(r, keyVals, &meta)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		} else if s.valDec != nil {
			ok, err := s.valDec.DecodeInto(r.Value, s.valOut)
			if err != nil {
				s.badRecord(r, "deserialization", err, r.Value)
				continue
			}
			if !ok {
				s.nullValue(&meta)
			}
		} else if r.Value == nil {
			meta.Change = types.Delete
		}
		if err := s.appendKeyAndHeaders(r, keyVals); err != nil {
			return nil, err
		}
		if w := s.spec.Window; w != nil {
			if err := s.bb.Col(w.StartColumn).AppendValue(wstart); err != nil {
				return nil, fmt.Errorf("exec: source %s: WINDOWSTART: %w", s.spec.Topic, err)
			}
			if err := s.bb.Col(w.EndColumn).AppendValue(wend); err != nil {
				return nil, fmt.Errorf("exec: source %s: WINDOWEND: %w", s.spec.Topic, err)
			}
		}
		if r.Key != nil {
			n := len(arena)
			arena = append(arena, r.Key...)
			meta.Key = arena[n:len(arena):len(arena)]
		}
		s.bb.AppendMeta(meta)
	}
	if s.bb.Len() == 0 {
		return nil, nil
	}
	return s.bb.NewBatch()
}

// nullValue appends NULL value columns for a record whose value is null
// (a tombstone). The row still flows, marked Delete: ksqlDB passes such
// stream records through and writes a null value at the sink, and a
// table takes it as a delete.
func (s *source) nullValue(meta *types.RowMeta) {
	for _, b := range s.valOut {
		b.AppendNull()
	}
	meta.Change = types.Delete
}

// decodeSlow decodes the value into Go values to find ROWTIME before
// appending. It returns false for a record that goes to the processing log.
func (s *source) decodeSlow(r *broker.Record, keyVals []any, meta *types.RowMeta) (bool, error) {
	var vals []any
	if s.valDec != nil {
		row, err := s.valDec.DecodeRow(r.Value, s.valRow)
		if err != nil {
			s.badRecord(r, "deserialization", err, r.Value)
			return false, nil
		}
		if row != nil {
			s.valRow = row
		}
		vals = row
	}
	var tsv any
	switch {
	case s.tsKey >= 0 && keyVals != nil:
		tsv = keyVals[s.tsKey]
	case s.tsVal >= 0 && vals != nil:
		tsv = vals[s.tsVal]
	}
	ts, err := s.rowtime(tsv)
	if err != nil {
		if s.spec.ThrowOnInvalidTimestamp {
			// Kafka Streams' wording, which ksqlDB users and its tests know.
			return false, fmt.Errorf("%w: Fatal user code error in TimestampExtractor callback for record %s/%d@%d: %v",
				ErrInvalidTimestamp, s.spec.Topic, r.Partition, r.Offset, err)
		}
		s.badRecord(r, "deserialization", err, r.Value)
		return false, nil
	}
	meta.Rowtime = ts
	if s.valDec == nil {
		return true, nil
	}
	if vals == nil {
		s.nullValue(meta)
		return true, nil
	}
	for i, v := range vals {
		if err := types.CheckValue(v, s.spec.Value.Columns[i].Type); err != nil {
			s.badRecord(r, "deserialization", err, r.Value)
			return false, nil
		}
	}
	for i, v := range vals {
		if err := s.valOut[i].AppendValue(v); err != nil {
			return false, fmt.Errorf("exec: source %s: %w", s.spec.Topic, err)
		}
	}
	return true, nil
}

// rowtime converts the TIMESTAMP column's value to milliseconds. A NULL
// or negative timestamp rejects the record, as Kafka Streams' skipping
// timestamp extractor does.
func (s *source) rowtime(v any) (int64, error) {
	var ts int64
	switch x := v.(type) {
	case nil:
		return 0, fmt.Errorf("exec: timestamp column %s is null", s.spec.Schema.Columns[s.spec.TimestampColumn].Name)
	case types.Timestamp:
		ts = int64(x)
	case int64:
		ts = x
	case int32:
		ts = int64(x)
	case string:
		if s.tsParse != nil {
			s.tsArgs[0] = x
			out, err := s.tsParse(s.tsArgs)
			if err != nil {
				return 0, err
			}
			t, ok := out.(types.Timestamp)
			if !ok {
				return 0, fmt.Errorf("exec: cannot parse timestamp %q", x)
			}
			ts = int64(t)
		} else {
			t, err := types.ParseTimestamp(x)
			if err != nil {
				return 0, err
			}
			ts = int64(t)
		}
	default:
		return 0, fmt.Errorf("exec: timestamp column of type %T", v)
	}
	if ts < 0 {
		return 0, fmt.Errorf("exec: negative timestamp %d", ts)
	}
	return ts, nil
}

// appendKeyAndHeaders fills the key and header columns of the row.
func (s *source) appendKeyAndHeaders(r *broker.Record, keyVals []any) error {
	for i, p := range s.keyCols {
		var v any
		if keyVals != nil {
			v = keyVals[i]
		}
		if err := s.bb.Col(p).AppendValue(v); err != nil {
			return fmt.Errorf("exec: source %s: key: %w", s.spec.Topic, err)
		}
	}
	for i, p := range s.hdrCols {
		col := s.spec.Schema.Columns[p]
		var v any
		if key := s.hdrKeys[i]; key == "" {
			list := make([]any, len(r.Headers))
			for j, h := range r.Headers {
				// A null header value stays NULL, not empty BYTES.
				var hv any
				if h.Value != nil {
					hv = append([]byte{}, h.Value...)
				}
				list[j] = &types.Struct{Type: col.Type.Elem, Values: []any{h.Key, hv}}
			}
			v = list
		} else {
			// The last header with the key wins, as in ksqlDB's HEADER('k').
			for j := len(r.Headers) - 1; j >= 0; j-- {
				if r.Headers[j].Key == key {
					if r.Headers[j].Value != nil {
						v = append([]byte{}, r.Headers[j].Value...)
					}
					break
				}
			}
		}
		if err := s.bb.Col(p).AppendValue(v); err != nil {
			return fmt.Errorf("exec: source %s: header column %s: %w", s.spec.Topic, col.Name, err)
		}
	}
	return nil
}
