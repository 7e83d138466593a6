package exec

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/types"
)

// sink encodes a task's output rows into records for the output topic.
// At the end of a fetch the task takes the encoded records (take) and hands
// them to its appender, one append per output partition.
//
// Encoded bytes go to the arena of the current output buffer; pending
// records hold offsets into it (not slices, which the arena's growth would
// invalidate) and become broker.Records only in take.
type sink struct {
	spec   *SinkSpec
	tc     *TaskContext
	keyEnc format.Encoder
	valEnc format.Encoder
	// free supplies output buffers (the appender recycles them); cur is the
	// one being filled and arena aliases cur.arena while filling.
	free  chan *outBuf
	cur   *outBuf
	arena []byte
	// pending[p] are the records waiting for output partition p.
	pending [][]pendingRecord
	count   int
	// headersOf returns the headers of the input record at an offset of
	// the current fetch: Kafka Streams forwards them to the output, and
	// ksqlDB's results carry them.
	headersOf func(offset int64) []broker.Header
	// rowBuf is reused to read the key of a null-value record.
	rowBuf []any
}

// pendingRecord locates an encoded record in the arena; a negative start
// means a null key or value.
type pendingRecord struct {
	kStart, kEnd int
	// kBase ends the key without its window (kEnd for unwindowed keys):
	// the part a windowed key is partitioned on.
	kBase        int
	vStart, vEnd int
	ts           int64
	headers      []broker.Header // copies
}

func newSink(spec *SinkSpec, schema *types.Schema, tc *TaskContext, free chan *outBuf) (*sink, error) {
	s := &sink{spec: spec, tc: tc, pending: make([][]pendingRecord, max(spec.Partitions, 1)), free: free}
	var err error
	if len(spec.KeyColumns) > 0 {
		if s.keyEnc, err = encoder(spec.Key, true); err != nil {
			return nil, fmt.Errorf("exec: sink %s: %w", spec.Topic, err)
		}
	}
	if len(spec.ValueColumns) > 0 {
		if s.valEnc, err = encoder(spec.Value, false); err != nil {
			return nil, fmt.Errorf("exec: sink %s: %w", spec.Topic, err)
		}
	}
	for _, c := range append(append([]int(nil), spec.KeyColumns...), spec.ValueColumns...) {
		if c < 0 || c >= schema.Len() {
			return nil, fmt.Errorf("exec: sink %s: column %d outside the output schema", spec.Topic, c)
		}
	}
	if tcol := spec.TimestampColumn; tcol >= schema.Len() {
		return nil, fmt.Errorf("exec: sink %s: timestamp column %d outside the output schema", spec.Topic, tcol)
	}
	return s, nil
}

func encoder(sd SerdeSpec, key bool) (format.Encoder, error) {
	f, err := format.Lookup(sd.Format)
	if err != nil {
		return nil, err
	}
	opts := sd.Options
	opts.Key = key
	return f.NewEncoder(sd.Columns, opts)
}

func (s *sink) empty() bool { return s.count == 0 }

// reset drops what was not taken (the transaction it belonged to is being
// aborted).
func (s *sink) reset() {
	for p := range s.pending {
		s.pending[p] = s.pending[p][:0]
	}
	s.arena, s.count = s.arena[:0], 0
}

// ensureBuf gets an output buffer to fill; it waits while all of them are
// with the appender, which is the task's back-pressure.
func (s *sink) ensureBuf(ctx context.Context) error {
	if s.cur != nil {
		return nil
	}
	select {
	case s.cur = <-s.free:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.arena = s.cur.arena[:0]
	return nil
}

// add encodes the rows of b. Rows that cannot be encoded go to the
// processing log. It returns the number of records added.
func (s *sink) add(ctx context.Context, b *types.Batch) (int, error) {
	if err := s.ensureBuf(ctx); err != nil {
		return 0, err
	}
	n := b.NumRows()
	added := 0
	var tsCol []int64
	if c := s.spec.TimestampColumn; c >= 0 {
		switch b.Schema().Columns[c].Type.Kind {
		case types.Bigint, types.TimestampKind:
			tsCol = b.Int64s(c)
		default:
			return 0, fmt.Errorf("exec: sink %s: timestamp column must be BIGINT or TIMESTAMP", s.spec.Topic)
		}
	}
	rowtimes := b.Rowtimes()
	for i := 0; i < n; i++ {
		mark := len(s.arena)
		r := pendingRecord{kStart: -1, vStart: -1}
		m := b.Meta(i)
		if s.keyEnc != nil {
			var out []byte
			var err error
			if len(s.spec.NullKeysWithoutValue) > 0 && m.Change == types.Delete {
				out, err = s.keyEnc.EncodeRow(s.arena, s.keyWithoutValue(b, i))
			} else {
				out, err = s.keyEnc.EncodeBatchRow(s.arena, b, s.spec.KeyColumns, i)
			}
			if err != nil {
				s.arena = s.arena[:mark]
				s.badRow(b, i, err)
				continue
			}
			if out != nil {
				r.kStart, r.kEnd, s.arena = mark, len(out), out
				r.kBase = r.kEnd
			}
			if s.spec.Windowed && out != nil {
				// ksqlDB's windowed keys: the key, then the window start
				// as 8 big-endian bytes; a session's end comes first.
				if s.spec.SessionWindowed {
					s.arena = binary.BigEndian.AppendUint64(s.arena, uint64(b.Int64s(s.spec.WindowEndColumn)[i]))
				}
				s.arena = binary.BigEndian.AppendUint64(s.arena, uint64(b.Int64s(s.spec.WindowStartColumn)[i]))
				r.kEnd = len(s.arena)
			}
		}
		if s.valEnc != nil && m.Change != types.Delete && m.Change != types.UpdateBefore {
			start := len(s.arena)
			out, err := s.valEnc.EncodeBatchRow(s.arena, b, s.spec.ValueColumns, i)
			if err != nil {
				s.arena = s.arena[:mark]
				s.badRow(b, i, err)
				continue
			}
			if out != nil {
				r.vStart, r.vEnd, s.arena = start, len(out), out
			}
		}
		r.ts = rowtimes[i]
		if tsCol != nil {
			// A NULL or negative TIMESTAMP drops the row, as Kafka
			// Streams' timestamp extractors do.
			if b.IsNull(s.spec.TimestampColumn, i) || tsCol[i] < 0 {
				s.arena = s.arena[:mark]
				s.badRow(b, i, fmt.Errorf("exec: sink %s: invalid timestamp in column %s", s.spec.Topic,
					b.Schema().Columns[s.spec.TimestampColumn].Name))
				continue
			}
			r.ts = tsCol[i]
		}
		if s.headersOf != nil {
			r.headers = copyHeaders(s.headersOf(m.Offset))
		}
		p := s.partition(r, m.Partition)
		s.pending[p] = append(s.pending[p], r)
		s.count++
		added++
	}
	return added, nil
}

// keyWithoutValue is the key of row i of a null-value record: the key
// columns, with those in NullKeysWithoutValue set to NULL.
func (s *sink) keyWithoutValue(b *types.Batch, i int) []any {
	s.rowBuf = b.Row(i, s.rowBuf)
	key := make([]any, len(s.spec.KeyColumns))
	for j, c := range s.spec.KeyColumns {
		key[j] = s.rowBuf[c]
	}
	for _, j := range s.spec.NullKeysWithoutValue {
		key[j] = nil
	}
	return key
}

// partition picks the output partition the way Kafka's default partitioner
// does for keyed records (murmur2 of the key bytes, made positive, modulo
// the partition count), so that ksqlDB and Kafka clients agree on where a
// key lives. A windowed key is partitioned on its key without the window,
// as Kafka Streams' WindowedStreamPartitioner does for ksqlDB's windowed
// sinks: every window of a key lands in the key's partition. Keyless
// records stay on the input partition's number, which is stable across
// restarts and keeps each input partition's order.
func (s *sink) partition(r pendingRecord, inPart int32) int {
	n := len(s.pending)
	if r.kStart < 0 {
		return int(inPart) % n
	}
	return int(broker.PartitionForKey(s.arena[r.kStart:r.kBase], n))
}

func (s *sink) badRow(b *types.Batch, i int, err error) {
	m := b.Meta(i)
	s.tc.Log.Record(ProcessingError{
		QueryID: s.tc.QueryID, Topic: s.tc.Topic, Partition: m.Partition, Offset: m.Offset,
		Kind: "serialization", Message: err.Error(), Err: err,
	})
}

// take returns the encoded records as an output buffer for the appender
// and starts a new one.
func (s *sink) take() *outBuf {
	buf := s.cur
	buf.arena = s.arena
	for p, pend := range s.pending {
		recs := buf.parts[p][:0]
		for _, r := range pend {
			rec := broker.Record{Timestamp: r.ts, Headers: r.headers}
			if r.kStart >= 0 {
				rec.Key = s.arena[r.kStart:r.kEnd:r.kEnd]
			}
			if r.vStart >= 0 {
				rec.Value = s.arena[r.vStart:r.vEnd:r.vEnd]
			}
			recs = append(recs, rec)
		}
		buf.parts[p] = recs
	}
	buf.n = s.count
	s.cur, s.arena = nil, nil
	s.reset()
	return buf
}

// copyHeaders copies headers out of a fetch buffer; nil for none.
func copyHeaders(hs []broker.Header) []broker.Header {
	if len(hs) == 0 {
		return nil
	}
	out := make([]broker.Header, len(hs))
	for i, h := range hs {
		out[i].Key = strings.Clone(h.Key)
		if h.Value != nil {
			out[i].Value = append([]byte{}, h.Value...)
		}
	}
	return out
}
