package exec

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/types"
)

func waitCaughtUp(t *testing.T, q *Query) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := q.WaitCaughtUp(ctx); err != nil {
		t.Fatalf("WaitCaughtUp: %v", err)
	}
}

func stop(t *testing.T, q *Query) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := q.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

// TestPersistentQuery runs the hot query over partitioned input with bad
// records in it, restarts it with more input, and checks the output is
// exactly the expected records, bad ones in the processing log.
func TestPersistentQuery(t *testing.T) {
	for _, tc := range []struct {
		name              string
		inParts, outParts int
		maxRows           int
	}{
		{"1to1", 1, 1, 0},
		{"4to3", 4, 3, 0},
		{"batch1", 2, 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := openLog(t, t.TempDir())
			defer l.Close()
			createTopic(t, l, "readings", tc.inParts, broker.DurabilityNone)
			createTopic(t, l, "hot", tc.outParts, broker.DurabilityNone)
			produce(t, l, "readings", tc.inParts, 0, 3000)
			bad := broker.Record{Key: []byte("sensor-1"), Value: []byte(`{"id":"not a number"`)}
			if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "readings"}, []broker.Record{bad}); err != nil {
				t.Fatal(err)
			}
			plog := &memProcessingLog{}
			rt := NewRuntime(l, RuntimeOptions{ProcessingLog: plog, MaxBatchRows: tc.maxRows})
			defer rt.Close()
			q, err := rt.Start(context.Background(), hotSpec(t, "CSAS_HOT_1", "readings", "hot", tc.inParts, tc.outParts))
			if err != nil {
				t.Fatal(err)
			}
			waitCaughtUp(t, q)
			if s := q.State(); s != StateRunning {
				t.Errorf("state %s, want RUNNING", s)
			}
			m := q.Metrics()
			if m.RecordsIn != 3001 || m.ProcessingErrors != 1 || m.Lag != 0 || m.Commits == 0 {
				t.Errorf("metrics %+v: want 3001 in, 1 error, no lag, some commits", m)
			}
			stop(t, q)
			if s := q.State(); s != StateTerminated {
				t.Errorf("state after stop %s", s)
			}
			errs := plog.all()
			if len(errs) != 1 || errs[0].Kind != "deserialization" || errs[0].Topic != "readings" ||
				errs[0].Partition != 0 || errs[0].QueryID != "CSAS_HOT_1" || string(errs[0].Record) != string(bad.Value) {
				t.Fatalf("processing log %+v", errs)
			}
			// Every key lands where Kafka's partitioner puts it.
			out := readAll(t, l, "hot")
			for _, r := range out {
				if want := broker.PartitionForKey([]byte(r.Key), tc.outParts); r.Partition != want {
					t.Fatalf("key %s in partition %d, want %d", r.Key, r.Partition, want)
				}
			}
			checkHot(t, out, 3000)

			// Resume: more input, same query id, nothing reprocessed.
			produce(t, l, "readings", tc.inParts, 3000, 5000)
			q, err = rt.Start(context.Background(), hotSpec(t, "CSAS_HOT_1", "readings", "hot", tc.inParts, tc.outParts))
			if err != nil {
				t.Fatal(err)
			}
			waitCaughtUp(t, q)
			if m := q.Metrics(); m.RecordsIn != 2000 {
				t.Errorf("after restart read %d records, want 2000", m.RecordsIn)
			}
			stop(t, q)
			checkHot(t, readAll(t, l, "hot"), 5000)
		})
	}
}

// TestLatestStartIsPinned: a query without committed offsets that starts at
// the end records that position at once, so records appended before its
// first real commit are processed after a restart.
func TestLatestStartIsPinned(t *testing.T) {
	l := openLog(t, t.TempDir())
	defer l.Close()
	createTopic(t, l, "readings", 1, broker.DurabilityNone)
	createTopic(t, l, "hot", 1, broker.DurabilityNone)
	produce(t, l, "readings", 1, 0, 100)
	rt := NewRuntime(l, RuntimeOptions{})
	defer rt.Close()
	spec := hotSpec(t, "Q", "readings", "hot", 1, 1)
	spec.Source.FromBeginning = false
	q, err := rt.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, q)
	stop(t, q)
	produce(t, l, "readings", 1, 100, 200)
	q, err = rt.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, q)
	stop(t, q)
	out := readAll(t, l, "hot")
	want := 0
	for i := 100; i < 200; i++ {
		if hotExpected(i) {
			want++
		}
	}
	if len(out) != want {
		t.Fatalf("%d records out, want %d (only those appended after the start)", len(out), want)
	}
}

// TestStopLeavesNoGoroutines starts and stops queries, idle and busy, and
// checks every goroutine they started is gone.
func TestStopLeavesNoGoroutines(t *testing.T) {
	l := openLog(t, t.TempDir())
	defer l.Close()
	createTopic(t, l, "readings", 4, broker.DurabilityNone)
	createTopic(t, l, "hot", 2, broker.DurabilityNone)
	produce(t, l, "readings", 4, 0, 2000)
	before := runtime.NumGoroutine()
	rt := NewRuntime(l, RuntimeOptions{})
	for i := 0; i < 3; i++ {
		q, err := rt.Start(context.Background(), hotSpec(t, "Q", "readings", "hot", 4, 2))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			waitCaughtUp(t, q)
		}
		stop(t, q)
		p, err := rt.StartPush(context.Background(), pushSpec(t, 0), func([]any, types.RowMeta) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		stop(t, p)
	}
	rt.Close()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func pushSpec(t *testing.T, limit int64) *QuerySpec {
	spec := hotSpec(t, "PUSH", "readings", "", 4, 0)
	spec.Sink, spec.Limit = nil, limit
	return spec
}

// TestPushQuery delivers rows to the callback until the LIMIT, commits
// nothing, and ends by itself.
func TestPushQuery(t *testing.T) {
	l := openLog(t, t.TempDir())
	defer l.Close()
	createTopic(t, l, "readings", 4, broker.DurabilityNone)
	produce(t, l, "readings", 4, 0, 1000)
	rt := NewRuntime(l, RuntimeOptions{})
	defer rt.Close()

	var mu sync.Mutex
	var rows [][]any
	q, err := rt.StartPush(context.Background(), pushSpec(t, 25), func(row []any, m types.RowMeta) error {
		mu.Lock()
		rows = append(rows, row)
		mu.Unlock()
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
	if len(rows) != 25 || q.State() != StateTerminated || q.Err() != nil {
		t.Fatalf("%d rows, state %s, err %v", len(rows), q.State(), q.Err())
	}
	for _, r := range rows {
		if len(r) != 5 || !strings.HasPrefix(r[3].(string), "SITE-") {
			t.Fatalf("row %v", r)
		}
	}
	if offs, _ := l.CommittedOffsets(context.Background(), "PUSH"); len(offs) != 0 {
		t.Fatalf("push query committed offsets %v", offs)
	}

	// Without LIMIT it sees new records as they come and catches up.
	var n atomic.Int64
	q, err = rt.StartPush(context.Background(), pushSpec(t, 0), func([]any, types.RowMeta) error { n.Add(1); return nil })
	if err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, q)
	produce(t, l, "readings", 4, 1000, 1100)
	waitCaughtUp(t, q)
	stop(t, q)
	want := int64(0)
	for i := 0; i < 1100; i++ {
		if hotExpected(i) {
			want++
		}
	}
	if got := n.Load(); got != want {
		t.Fatalf("push query delivered %d rows, want %d", got, want)
	}
}

// TestPauseResume: a paused query reads nothing more until resumed.
func TestPauseResume(t *testing.T) {
	l := openLog(t, t.TempDir())
	defer l.Close()
	createTopic(t, l, "readings", 1, broker.DurabilityNone)
	createTopic(t, l, "hot", 1, broker.DurabilityNone)
	produce(t, l, "readings", 1, 0, 100)
	rt := NewRuntime(l, RuntimeOptions{})
	defer rt.Close()
	q, err := rt.Start(context.Background(), hotSpec(t, "Q", "readings", "hot", 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, q)
	q.Pause()
	if q.State() != StatePaused {
		t.Fatalf("state %s", q.State())
	}
	produce(t, l, "readings", 1, 100, 200)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	err = q.WaitCaughtUp(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("paused query caught up: %v", err)
	}
	if m := q.Metrics(); m.RecordsIn != 100 {
		t.Fatalf("paused query read %d records", m.RecordsIn)
	}
	q.Resume()
	waitCaughtUp(t, q)
	stop(t, q)
	checkHot(t, readAll(t, l, "hot"), 200)
}

// faultyLog fails the n-th call of one producer method.
type faultyLog struct {
	broker.Log
	method        string
	calls, failAt atomic.Int64
}

type faultyProducer struct {
	broker.Producer
	l *faultyLog
}

func (l *faultyLog) NewProducer(ctx context.Context, opts broker.ProducerOptions) (broker.Producer, error) {
	p, err := l.Log.NewProducer(ctx, opts)
	return &faultyProducer{p, l}, err
}

func (l *faultyLog) fail(method string) error {
	if method == l.method && l.calls.Add(1) == l.failAt.Load() {
		return errors.New("injected " + method + " failure")
	}
	return nil
}

func (p *faultyProducer) CommitTxn(ctx context.Context) error {
	if err := p.l.fail("CommitTxn"); err != nil {
		return err
	}
	return p.Producer.CommitTxn(ctx)
}

func (p *faultyProducer) Append(ctx context.Context, tp broker.TopicPartition, recs []broker.Record) (int64, error) {
	if err := p.l.fail("Append"); err != nil {
		return 0, err
	}
	return p.Producer.Append(ctx, tp, recs)
}

func (p *faultyProducer) SendOffsets(ctx context.Context, group string, offs map[broker.TopicPartition]int64) error {
	if err := p.l.fail("SendOffsets"); err != nil {
		return err
	}
	return p.Producer.SendOffsets(ctx, group, offs)
}

// TestFailuresRestart: an append, offsets or commit call that fails aborts
// the transaction, the task restarts from the committed offsets, and the
// output still holds every record once.
func TestFailuresRestart(t *testing.T) {
	for _, method := range []string{"Append", "SendOffsets", "CommitTxn"} {
		t.Run(method, func(t *testing.T) {
			l := openLog(t, t.TempDir())
			defer l.Close()
			createTopic(t, l, "readings", 1, broker.DurabilityNone)
			createTopic(t, l, "hot", 1, broker.DurabilityNone)
			fl := &faultyLog{Log: l, method: method}
			fl.failAt.Store(3)
			rt := NewRuntime(fl, RuntimeOptions{RetryBackoff: time.Millisecond, MaxBatchRows: 64})
			defer rt.Close()
			q, err := rt.Start(context.Background(), hotSpec(t, "Q", "readings", "hot", 1, 1))
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 10; i++ {
				produce(t, l, "readings", 1, i*100, (i+1)*100)
				waitCaughtUp(t, q)
			}
			m := q.Metrics()
			stop(t, q)
			if m.Restarts != 1 || !strings.Contains(m.LastError, "injected") {
				t.Fatalf("metrics %+v: want one restart after the injected failure", m)
			}
			checkHot(t, readAll(t, l, "hot"), 1000)
		})
	}
}

// TestDeletedSinkStopsQuery: losing the output topic is fatal, not a
// restart loop: the query ends in ERROR.
func TestDeletedSinkStopsQuery(t *testing.T) {
	l := openLog(t, t.TempDir())
	defer l.Close()
	createTopic(t, l, "readings", 1, broker.DurabilityNone)
	createTopic(t, l, "hot", 1, broker.DurabilityNone)
	rt := NewRuntime(l, RuntimeOptions{})
	defer rt.Close()
	q, err := rt.Start(context.Background(), hotSpec(t, "Q", "readings", "hot", 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, q)
	if err := l.DeleteTopic(context.Background(), "hot"); err != nil {
		t.Fatal(err)
	}
	produce(t, l, "readings", 1, 0, 100)
	select {
	case <-q.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("query kept running without its sink")
	}
	if q.State() != StateError || !errors.Is(q.Err(), broker.ErrUnknownTopic) {
		t.Fatalf("state %s, err %v", q.State(), q.Err())
	}
}

// TestBlockedPushClientHoldsNoWorker: a push query whose receiver blocks
// does not keep the only worker, so persistent queries still run.
func TestBlockedPushClientHoldsNoWorker(t *testing.T) {
	l := openLog(t, t.TempDir())
	defer l.Close()
	createTopic(t, l, "readings", 4, broker.DurabilityNone)
	createTopic(t, l, "hot", 1, broker.DurabilityNone)
	produce(t, l, "readings", 4, 0, 500)
	rt := NewRuntime(l, RuntimeOptions{Workers: 1})
	defer rt.Close()
	unblock := make(chan struct{})
	entered := make(chan struct{}, 1)
	p, err := rt.StartPush(context.Background(), pushSpec(t, 0), func([]any, types.RowMeta) error {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-unblock
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	<-entered
	q, err := rt.Start(context.Background(), hotSpec(t, "Q", "readings", "hot", 4, 1))
	if err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, q)
	stop(t, q)
	close(unblock)
	stop(t, p)

	checkHot(t, readAll(t, l, "hot"), 500)
}

// slowReaderLog holds NewReader until released, widening the gap between
// Start and the tasks opening their readers.
type slowReaderLog struct {
	broker.Log
	release chan struct{}
}

func (l *slowReaderLog) NewReader(tp broker.TopicPartition, o broker.ReaderOptions) (broker.Reader, error) {
	<-l.release
	return l.Log.NewReader(tp, o)
}

// TestLatestIsResolvedAtStart: a query reading from the end processes what
// is appended after Start returns, even before its tasks open readers.
func TestLatestIsResolvedAtStart(t *testing.T) {
	for _, persistent := range []bool{true, false} {
		t.Run(fmt.Sprint("persistent=", persistent), func(t *testing.T) {
			l := openLog(t, t.TempDir())
			defer l.Close()
			createTopic(t, l, "readings", 2, broker.DurabilityNone)
			createTopic(t, l, "hot", 1, broker.DurabilityNone)
			produce(t, l, "readings", 2, 0, 100) // before Start: not read
			sl := &slowReaderLog{Log: l, release: make(chan struct{})}
			rt := NewRuntime(sl, RuntimeOptions{})
			defer rt.Close()
			spec := hotSpec(t, "Q", "readings", "hot", 2, 1)
			spec.Source.FromBeginning = false
			var n atomic.Int64
			var q *Query
			var err error
			if persistent {
				q, err = rt.Start(context.Background(), spec)
			} else {
				spec.Sink = nil
				q, err = rt.StartPush(context.Background(), spec, func([]any, types.RowMeta) error { n.Add(1); return nil })
			}
			if err != nil {
				t.Fatal(err)
			}
			produce(t, l, "readings", 2, 100, 200) // after Start: read
			close(sl.release)
			waitCaughtUp(t, q)
			stop(t, q)
			want := int64(0)
			for i := 100; i < 200; i++ {
				if hotExpected(i) {
					want++
				}
			}
			if persistent {
				n.Store(int64(len(readAll(t, l, "hot"))))
			}
			if n.Load() != want {
				t.Fatalf("%d rows out, want %d", n.Load(), want)
			}
		})
	}
}

// TestStoppingUnblocksPush: a receiver that selects on Stopping lets Close
// finish while it has rows it cannot hand on.
func TestStoppingUnblocksPush(t *testing.T) {
	l := openLog(t, t.TempDir())
	defer l.Close()
	createTopic(t, l, "readings", 4, broker.DurabilityNone)
	produce(t, l, "readings", 4, 0, 100)
	rt := NewRuntime(l, RuntimeOptions{})
	stopping := make(chan (<-chan struct{}), 1)
	entered := make(chan struct{}, 1)
	q, err := rt.StartPush(context.Background(), pushSpec(t, 0), func([]any, types.RowMeta) error {
		select {
		case entered <- struct{}{}:
		default:
		}
		s := <-stopping
		stopping <- s
		<-s // the client never reads
		return context.Canceled
	})
	if err != nil {
		t.Fatal(err)
	}
	stopping <- q.Stopping()
	<-entered
	done := make(chan error, 1)
	go func() { done <- rt.Close() }()
	select {
	case err := <-done:
		if err != nil || q.State() != StateTerminated {
			t.Fatalf("Close: %v, state %s", err, q.State())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for a blocked push receiver")
	}
}
