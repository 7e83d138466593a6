package exec

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/types"
)

// TestSinkWindowedKeys: a windowed sink appends the window to each key as
// ksqlDB encodes it (the start; a session's end then start), the source
// side reads the same bounds back, and every window of a key goes to the
// partition of the key without its window (Kafka Streams'
// WindowedStreamPartitioner), so a key's windows stay together.
func TestSinkWindowedKeys(t *testing.T) {
	s := types.MustSchema(
		types.Column{Name: "K", Type: types.StringType, Key: true},
		types.Column{Name: "V", Type: types.StringType},
		types.Column{Name: "$WINDOWSTART", Type: types.BigintType},
		types.Column{Name: "$WINDOWEND", Type: types.BigintType})
	rows := [][]any{
		{"alpha", "x", int64(1000), int64(2000)},
		{"alpha", "y", int64(5000), int64(6000)},
		{"beta", "z", int64(1000), int64(1500)},
		{"gamma", "w", int64(0), int64(0)},
		{"delta", "v", int64(7000), int64(9000)},
	}
	const parts = 4
	for _, tc := range []struct {
		name    string
		session bool
		sizeMs  int64
		keyLen  func(base int) int
	}{
		{name: "time", sizeMs: 1000, keyLen: func(base int) int { return base + 8 }},
		{name: "session", session: true, keyLen: func(base int) int { return base + 16 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bb := types.NewBatchBuilder(nil, s)
			for i, r := range rows {
				if err := bb.AppendRow(types.RowMeta{Offset: int64(i), Partition: 3}, r); err != nil {
					t.Fatal(err)
				}
			}
			b, err := bb.NewBatch()
			if err != nil {
				t.Fatal(err)
			}
			defer b.Release()
			free := make(chan *outBuf, 1)
			free <- &outBuf{parts: make([][]broker.Record, parts)}
			sk, err := newSink(&SinkSpec{Topic: "out", Partitions: parts, TimestampColumn: -1,
				KeyColumns: []int{0}, Key: SerdeSpec{Format: format.Kafka, Columns: s.Columns[:1], Options: format.Options{Key: true}},
				ValueColumns: []int{1}, Value: SerdeSpec{Format: format.JSON, Columns: s.Columns[1:2]},
				Windowed: true, WindowStartColumn: 2, SessionWindowed: tc.session, WindowEndColumn: 3},
				s, &TaskContext{QueryID: "Q", Topic: "in", Log: &memProcessingLog{}}, free)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := sk.add(context.Background(), b); err != nil || n != len(rows) {
				t.Fatalf("added %d, %v", n, err)
			}
			out := sk.take()
			w := &SourceWindow{Session: tc.session, SizeMs: tc.sizeMs}
			seen := 0
			for p, recs := range out.parts {
				for _, rec := range recs {
					seen++
					inner, start, end, err := w.split(rec.Key)
					if err != nil {
						t.Fatalf("partition %d key %x: %v", p, rec.Key, err)
					}
					var row []any
					for _, r := range rows {
						if r[0] == string(inner) && r[2] == start {
							row = r
						}
					}
					if row == nil {
						t.Fatalf("partition %d: key %q start %d is no input row", p, inner, start)
					}
					if len(rec.Key) != tc.keyLen(len(inner)) {
						t.Errorf("key %q: %d bytes, want %d", inner, len(rec.Key), tc.keyLen(len(inner)))
					}
					wantEnd := row[3].(int64)
					if !tc.session {
						wantEnd = start + tc.sizeMs
					}
					if end != wantEnd {
						t.Errorf("key %q start %d: end %d, want %d", inner, start, end, wantEnd)
					}
					if want := int(broker.PartitionForKey(inner, parts)); p != want {
						t.Errorf("key %q start %d in partition %d, want %d (its key without the window)", inner, start, p, want)
					}
					if tc.session {
						if got := int64(binary.BigEndian.Uint64(rec.Key[len(inner):])); got != row[3].(int64) {
							t.Errorf("session key %q: end %d first, want %d", inner, got, row[3])
						}
					}
				}
			}
			if seen != len(rows) {
				t.Fatalf("%d records, want %d", seen, len(rows))
			}
		})
	}
}
