package brokertest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
)

// testCompactDelete checks the compact,delete policy: segments past
// retention go even when they hold a key's latest record (old windows of a
// windowed changelog), and what remains is compacted. (A transaction
// marker carries the time it was written, so it keeps its segment as
// long as a record of that time would.)
func testCompactDelete(t *testing.T, h Harness) {
	if h.Cleanup == nil {
		t.Skip("no Cleanup")
	}
	l := open(t, h)
	a := newTopic(t, l, broker.TopicConfig{CleanupPolicy: broker.CleanupCompactDelete, RetentionMs: 3_600_000, SegmentBytes: 1024, DeleteRetentionMs: 1})
	p := tp(a, 0)
	d, err := l.DescribeTopic(ctx(t), a)
	if err != nil {
		t.Fatal(err)
	}
	if d.Config.CleanupPolicy != broker.CleanupCompactDelete {
		t.Fatalf("described cleanup.policy %q", d.Config.CleanupPolicy)
	}
	if _, err := l.Append(ctx(t), p, []broker.Record{{Value: []byte("keyless")}}); !errors.Is(err, broker.ErrInvalidRecord) {
		t.Errorf("keyless record on a compact,delete topic: %v", err)
	}
	old := time.Now().Add(-2 * time.Hour).UnixMilli()
	pad := strings.Repeat("p", 150)
	for round := 0; round < 3; round++ {
		for k := 0; k < 5; k++ {
			mustAppend(t, l, p, broker.Record{Key: []byte(fmt.Sprintf("old%d", k)), Value: []byte(pad), Timestamp: old})
		}
	}
	// Old filler after them, so that the segment where fresh records begin
	// holds none of the keys above.
	for i := 0; i < 12; i++ {
		mustAppend(t, l, p, broker.Record{Key: []byte("filler"), Value: []byte(pad), Timestamp: old})
	}
	latest := map[string]string{}
	for round := 0; round < 4; round++ {
		for k := 0; k < 4; k++ {
			key, v := fmt.Sprintf("new%d", k), fmt.Sprintf("r%d%s", round, pad)
			mustAppend(t, l, p, broker.Record{Key: []byte(key), Value: []byte(v)})
			latest[key] = v
		}
	}
	h.Cleanup(t, l)
	got := readAll(t, l, p, broker.OffsetEarliest, broker.ReadCommitted)
	final := map[string]string{}
	for _, r := range got {
		if strings.HasPrefix(string(r.key), "old") {
			t.Fatalf("record of %s past retention survived (offset %d)", r.key, r.offset)
		}
		final[string(r.key)] = string(r.value)
	}
	for k, v := range latest {
		if final[k] != v {
			t.Errorf("key %s: %.4q after cleanup, want %.4q", k, final[k], v)
		}
	}
	if len(got) >= 16 {
		t.Errorf("%d of 16 fresh records left: nothing compacted", len(got))
	}
	d, _ = l.DescribeTopic(ctx(t), a)
	off := mustAppend(t, l, p, rec("new0", "after"))
	if pi := d.Partitions[0]; pi.StartOffset == 0 || off != pi.EndOffset {
		t.Fatalf("after cleanup: %+v, next append at %d", pi, off)
	}
}
