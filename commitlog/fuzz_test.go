package commitlog

import (
	"testing"

	"github.com/sluicedb/sluice/broker"
)

// FuzzDecodeRecords feeds arbitrary batch bodies to the record decoder,
// which must reject them with an error, never panic or read out of bounds:
// a checksum protects against accidents, not against a crafted file.
func FuzzDecodeRecords(f *testing.F) {
	b, _ := appendBatch(nil, batchMeta{producerID: -1, baseSeq: -1, now: 1}, []broker.Record{
		{Key: []byte("k"), Value: []byte("v"), Headers: []broker.Header{{Key: "h", Value: []byte("x")}}},
		{Key: nil, Value: nil},
	})
	f.Add(b)
	f.Add(b[:batchHeaderSize+3])
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := parseHeader(data)
		if err != nil || int(h.length) > len(data) || h.length < batchHeaderSize {
			return
		}
		recs, _, err := decodeRecords(data, nil, nil)
		if err == nil && len(recs) != int(h.recordCount) {
			t.Fatalf("decoded %d records, header says %d", len(recs), h.recordCount)
		}
	})
}
