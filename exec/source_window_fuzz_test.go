package exec

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/types"
)

// FuzzWindowedKey: a windowed sink's record key (the key, then a
// session's end, then the start) split by the source gives back the key
// and the bounds, lands in the partition of the key without its window,
// and any bytes a source reads (another producer's key) either are too
// short for the window or split into parts that make up exactly the key.
func FuzzWindowedKey(f *testing.F) {
	f.Add("alpha", int64(1000), int64(2000), false, int64(1000), []byte("k\x00\x00\x00\x00\x00\x00\x03\xe8"))
	f.Add("", int64(-1), int64(-1), true, int64(0), []byte{1, 2, 3})
	f.Add("\xff\x00é", int64(-1<<63), int64(1<<63-1), true, int64(1<<63-1), []byte{})
	schema := types.MustSchema(
		types.Column{Name: "K", Type: types.StringType, Key: true},
		types.Column{Name: "V", Type: types.StringType},
		types.Column{Name: "$WINDOWSTART", Type: types.BigintType},
		types.Column{Name: "$WINDOWEND", Type: types.BigintType})
	const parts = 3
	f.Fuzz(func(t *testing.T, key string, start, end int64, session bool, size int64, raw []byte) {
		w := &SourceWindow{Session: session, SizeMs: size}
		// Arbitrary bytes from the topic.
		n := 8
		if session {
			n = 16
		}
		inner, s, e, err := w.split(raw)
		if (err != nil) != (len(raw) < n) {
			t.Fatalf("split %x (session %v): %v", raw, session, err)
		}
		if err == nil {
			tail := binary.BigEndian.AppendUint64(nil, uint64(s))
			if session {
				tail = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, uint64(e)), uint64(s))
			} else if e != s+size {
				t.Fatalf("split %x: end %d, start %d + size %d", raw, e, s, size)
			}
			if !bytes.Equal(append(append([]byte(nil), inner...), tail...), raw) {
				t.Fatalf("split %x into %x, %d, %d", raw, inner, s, e)
			}
		}

		// The sink's encoding, read back.
		bb := types.NewBatchBuilder(nil, schema)
		if err := bb.AppendRow(types.RowMeta{Partition: 0}, []any{key, "v", start, end}); err != nil {
			t.Fatal(err)
		}
		b, err := bb.NewBatch()
		if err != nil {
			t.Fatal(err)
		}
		defer b.Release()
		free := make(chan *outBuf, 1)
		free <- &outBuf{parts: make([][]broker.Record, parts)}
		sk, err := newSink(&SinkSpec{Topic: "out", Partitions: parts, TimestampColumn: -1,
			KeyColumns: []int{0}, Key: SerdeSpec{Format: format.Kafka, Columns: schema.Columns[:1], Options: format.Options{Key: true}},
			ValueColumns: []int{1}, Value: SerdeSpec{Format: format.JSON, Columns: schema.Columns[1:2]},
			Windowed: true, WindowStartColumn: 2, SessionWindowed: session, WindowEndColumn: 3},
			schema, &TaskContext{QueryID: "Q", Topic: "in", Log: &memProcessingLog{}}, free)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := sk.add(context.Background(), b); err != nil || n != 1 {
			t.Fatalf("key %q: added %d, %v", key, n, err)
		}
		out := sk.take()
		seen := 0
		for p, recs := range out.parts {
			for _, rec := range recs {
				seen++
				inner, s, e, err := w.split(rec.Key)
				if err != nil || string(inner) != key || s != start {
					t.Fatalf("key %q start %d: record key %x splits into %q, %d (%v)", key, start, rec.Key, inner, s, err)
				}
				wantEnd := end
				if !session {
					wantEnd = start + size
				}
				if e != wantEnd {
					t.Fatalf("key %q: end %d, want %d", key, e, wantEnd)
				}
				if want := int(broker.PartitionForKey(inner, parts)); p != want {
					t.Fatalf("key %q in partition %d, want %d", key, p, want)
				}
			}
		}
		if seen != 1 {
			t.Fatalf("key %q: %d records", key, seen)
		}
	})
}
