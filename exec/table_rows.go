package exec

import (
	"encoding/binary"
	"errors"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/types"
)

// errRowDecode reports a stored table row that does not decode.
var errRowDecode = errors.New("exec: aggregate state: undecodable table row")

// The two layouts of a stored table row. Both start with the row's
// ROWTIME (8 bytes) and end with its JSON encoding; in between they keep
// the row's ROWPARTITION (4) and ROWOFFSET (8), so that a retraction
// sees the pseudo columns its add saw.
//
// The aggregation over a table (tableState) writes storedRowMarker after
// ROWTIME: rows stored before the marker existed go straight from
// ROWTIME to the JSON, which never starts with the marker's byte, and
// still decode (taking the update's partition and offset). The
// regrouping stage (regroupTask) was born with the pseudo columns and
// writes them without a marker. Each keeps its layout, so that the rows
// in existing stores and changelogs stay readable.
const (
	storedRowMarker = 0xFF
	storedRowMeta   = 8 + 1 + 4 + 8
	storedRowHeader = 8 + 4 + 8
)

// tableRowCodec turns a table's current rows to and from the bytes its
// store keeps, for the two stages that keep them: the aggregation over a
// table and the regrouping stage. One piece, so that both read and write
// the same JSON with the same errors.
type tableRowCodec struct {
	// marked selects the aggregation's layout (storedRowMarker, legacy
	// rows without it); otherwise the regrouping stage's.
	marked bool
	enc    format.Encoder
	dec    *source
	// cols are the positions of the input's columns, all of them.
	cols []int
}

// newTableRowCodec compiles the JSON codec of input's rows for one task.
// changelog names the decoder (its errors mention the topic). Errors are
// returned bare: the caller says which stage's codec failed.
func newTableRowCodec(tc *TaskContext, input *types.Schema, changelog string, marked bool) (*tableRowCodec, error) {
	c := &tableRowCodec{marked: marked}
	cols := make([]types.Column, len(input.Columns))
	for i, col := range input.Columns {
		cols[i] = types.Column{Name: col.Name, Type: col.Type}
		c.cols = append(c.cols, i)
	}
	serde := SerdeSpec{Format: format.JSON, Columns: cols}
	var err error
	if c.enc, err = encoder(serde, false); err != nil {
		return nil, err
	}
	schema, err := types.NewSchema(cols...)
	if err != nil {
		return nil, err
	}
	if c.dec, err = newSource(&SourceSpec{Topic: changelog, Schema: schema, Value: serde, TimestampColumn: -1}, tc, 1); err != nil {
		return nil, err
	}
	return c, nil
}

// close releases the decoder's batch builder.
func (c *tableRowCodec) close() { c.dec.close() }

// encode appends row i of in, stored with m's pseudo columns, to dst.
func (c *tableRowCodec) encode(dst []byte, in *types.Batch, i int, m types.RowMeta) ([]byte, error) {
	dst = binary.BigEndian.AppendUint64(dst, uint64(m.Rowtime))
	if c.marked {
		dst = append(dst, storedRowMarker)
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(m.Partition))
	dst = binary.BigEndian.AppendUint64(dst, uint64(m.Offset))
	return c.enc.EncodeBatchRow(dst, in, c.cols, i)
}

// decode turns a stored row back into its columns followed by its
// ROWTIME, ROWPARTITION and ROWOFFSET, appended to row[:0]. A legacy row
// (no marker) takes m's partition and offset, those of the update. The
// values may point into the returned batch: release it once they have
// been used.
func (c *tableRowCodec) decode(stored []byte, m types.RowMeta, row []any) (*types.Batch, []any, error) {
	data, part, off, ok := c.split(stored, m)
	if !ok {
		return nil, row, errRowDecode
	}
	b, err := c.dec.decode([]broker.Record{{Value: data}})
	if err != nil {
		return nil, row, err
	}
	if b == nil || b.NumRows() != 1 {
		if b != nil {
			b.Release()
		}
		return nil, row, errRowDecode
	}
	row = b.Row(0, row[:0])
	row = append(row, int64(binary.BigEndian.Uint64(stored)), part, off)
	return b, row, nil
}

// split separates a stored row's pseudo columns from its JSON.
func (c *tableRowCodec) split(stored []byte, m types.RowMeta) (data []byte, part int32, off int64, ok bool) {
	if !c.marked {
		if len(stored) < storedRowHeader {
			return nil, 0, 0, false
		}
		return stored[storedRowHeader:], int32(binary.BigEndian.Uint32(stored[8:])), int64(binary.BigEndian.Uint64(stored[12:])), true
	}
	if len(stored) < 8 {
		return nil, 0, 0, false
	}
	if len(stored) >= storedRowMeta && stored[8] == storedRowMarker {
		return stored[storedRowMeta:], int32(binary.BigEndian.Uint32(stored[9:])), int64(binary.BigEndian.Uint64(stored[13:])), true
	}
	return stored[8:], m.Partition, m.Offset, true
}

// tableRowGroup returns the store key and values of row's group, or nil
// when where filters the row out or a grouping value is NULL (ksqlDB
// drops the row). Errors go to tc's processing log unless tc is nil (a
// version already checked when it was added).
func tableRowGroup(tc *TaskContext, in *types.Batch, i int, where Evaluator, groupBy []Evaluator, row []any) ([]byte, []any) {
	report := func(err error) {
		if tc != nil {
			tc.reportRowError(in, i, err)
		}
	}
	if where != nil {
		v, err := where.Eval(row)
		if err != nil {
			report(err)
			return nil, nil
		}
		if b, ok := v.(bool); !ok || !b {
			return nil, nil
		}
	}
	var key []byte
	vals := make([]any, 0, len(groupBy))
	for _, g := range groupBy {
		v, err := g.Eval(row)
		if err != nil {
			report(err)
			return nil, nil
		}
		if v == nil {
			report(errors.New("exec: group-by column with NULL value"))
			return nil, nil
		}
		vals = append(vals, v)
		key = appendKeyValue(key, v)
	}
	return key, vals
}
