package exec

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/internal/golden"
)

// checkGolden compares got with testdata/exec/name, or rewrites it.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("..", "testdata", "exec", name), got)
}

// TestHotPipelineGolden pins the exact records the hot query writes for a
// small input, with bad records mixed in: keys, values, output partitions,
// timestamps and headers, per partition in order. Offsets are left out:
// transaction markers take offsets, and how many depends on commit timing.
func TestHotPipelineGolden(t *testing.T) {
	l := openLog(t, t.TempDir())
	defer l.Close()
	createTopic(t, l, "readings", 1, broker.DurabilityNone)
	createTopic(t, l, "hot", 3, broker.DurabilityNone)
	var recs []broker.Record
	for i := 0; i < 24; i++ {
		r := reading(i)
		switch i {
		case 5:
			r.Value = []byte(`{"id":5,"temp":"warm"}`) // wrong type: processing log
		case 9:
			r.Value = nil // null value: dropped by WHERE
		case 13:
			r.Headers = []broker.Header{{Key: "trace", Value: []byte("abc")}}
		case 17:
			r.Value = []byte(`{"id":17,"temp":99.5}`) // missing fields are NULL
		}
		recs = append(recs, r)
	}
	if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "readings"}, recs); err != nil {
		t.Fatal(err)
	}
	plog := &memProcessingLog{}
	rt := NewRuntime(l, RuntimeOptions{ProcessingLog: plog})
	defer rt.Close()
	q, err := rt.Start(context.Background(), hotSpec(t, "Q", "readings", "hot", 1, 3))
	if err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, q)
	stop(t, q)
	var b strings.Builder
	for _, r := range readAll(t, l, "hot") {
		fmt.Fprintf(&b, "p%d key=%s ts=%d value=%s", r.Partition, r.Key, r.Timestamp, r.Value)
		if r.Headers != "" {
			fmt.Fprintf(&b, " headers=%s", r.Headers)
		}
		b.WriteByte('\n')
	}
	for _, e := range plog.all() {
		fmt.Fprintf(&b, "processing log: %s %s/%d@%d: %s\n", e.Kind, e.Topic, e.Partition, e.Offset, e.Message)
	}
	checkGolden(t, "hot_pipeline.golden", b.String())
}
