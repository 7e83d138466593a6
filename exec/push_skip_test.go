package exec

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/types"
)

// TestPushSkipRow: rows the receiver skips do not count towards the LIMIT,
// so LIMIT n still ends after n delivered rows, and the query does not fail.
func TestPushSkipRow(t *testing.T) {
	l := openLog(t, t.TempDir())
	defer l.Close()
	createTopic(t, l, "readings", 4, broker.DurabilityNone)
	produce(t, l, "readings", 4, 0, 1000)
	rt := NewRuntime(l, RuntimeOptions{})
	defer rt.Close()

	var mu sync.Mutex
	delivered, skipped := 0, 0
	q, err := rt.StartPush(context.Background(), pushSpec(t, 10), func(row []any, m types.RowMeta) error {
		mu.Lock()
		defer mu.Unlock()
		if m.Offset%2 == 0 {
			skipped++
			return ErrSkipRow
		}
		delivered++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-q.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("push query with LIMIT did not end")
	}
	mu.Lock()
	defer mu.Unlock()
	if delivered != 10 || skipped == 0 || q.Err() != nil || q.State() != StateTerminated {
		t.Fatalf("delivered %d, skipped %d, state %s, err %v", delivered, skipped, q.State(), q.Err())
	}
}
