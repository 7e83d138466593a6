package exec

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"sync/atomic"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/types"
)

// finalCommitTimeout bounds the commit a task makes when it is stopped.
const finalCommitTimeout = 30 * time.Second

// errLimitReached ends a push query's tasks once the LIMIT is delivered.
var errLimitReached = errors.New("exec: limit reached")

// task runs one input partition of a query: read, decode, operators, sink,
// commit. It is single threaded; its incarnation state (reader, producer,
// operator instances) is rebuilt on every restart.
type task struct {
	q   *Query
	ctx context.Context // of the current fetch, for blocking in emit
	tp  broker.TopicPartition
	// startAt is where to start without committed offsets when the query
	// does not read from the beginning: the partition's end at Start.
	startAt  int64
	group    string
	interval time.Duration

	// failing is set while the task is backing off after an error.
	failing atomic.Bool
	// pos is the input position processed so far; done is the position
	// committed (persistent) or delivered (push): what WaitCaughtUp
	// compares against.
	pos, done atomic.Int64
	m         taskMetrics

	// Incarnation state, owned by the task goroutine.
	tc     *TaskContext
	ops    []Operator
	hooks  []CommitHook
	nexts  []func(*types.Batch) error
	src    *source
	sink   *sink
	reader broker.Reader
	app    *appender
	// processed is the input position after the last fully processed
	// fetch: what a commit may record. committed is the last committed
	// position; dirty says output was sent since, txnStart when it began.
	processed int64
	committed int64
	dirty     bool
	txnStart  time.Time
	inflight  *inflightCommit
	// fetch holds the records being processed, for their headers;
	// fetchHeaders says whether any of them has one.
	fetch        []broker.Record
	fetchHeaders bool
	// out holds a push query's output batches until they are delivered.
	out []*types.Batch
}

// headersOf returns the headers of the input record at offset in the
// current fetch (records are in offset order).
func (t *task) headersOf(offset int64) []broker.Header {
	if !t.fetchHeaders {
		return nil
	}
	// Offsets in a fetch are usually dense: try the direct position.
	if i := offset - t.fetch[0].Offset; i >= 0 && i < int64(len(t.fetch)) && t.fetch[i].Offset == offset {
		return t.fetch[i].Headers
	}
	i, ok := slices.BinarySearchFunc(t.fetch, offset, func(r broker.Record, off int64) int { return cmp.Compare(r.Offset, off) })
	if !ok {
		return nil
	}
	return t.fetch[i].Headers
}

func newTask(q *Query, p int32) (*task, error) {
	t := &task{
		q:        q,
		tp:       broker.TopicPartition{Topic: q.Spec.Source.Topic, Partition: p},
		group:    q.ID,
		interval: q.Spec.CommitInterval,
	}
	if t.interval <= 0 {
		t.interval = q.rt.opts.CommitInterval
	}
	t.pos.Store(-1)
	t.done.Store(-1)
	t.startAt = broker.OffsetLatest
	return t, nil
}

func (t *task) persistent() bool { return t.q.Spec.Sink != nil }

func (t *task) logf(format string, args ...any) {
	t.q.rt.opts.Logf("exec: query %s partition %d: "+format, append([]any{t.q.ID, t.tp.Partition}, args...)...)
}

// run runs incarnations of the task until the query stops, restarting
// after failures with exponential backoff.
func (t *task) run(ctx context.Context) {
	initial := t.q.rt.opts.RetryBackoff
	backoff := initial
	for {
		began := time.Now()
		err := t.runOnce(ctx)
		if time.Since(began) > MaxRetryBackoff {
			// It ran a good while: this failure is a new one.
			backoff = initial
		}
		if err == nil || errors.Is(err, errLimitReached) {
			return
		}
		if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, ctx.Err())) {
			return
		}
		if isFatal(err) {
			t.logf("stopping: %v", err)
			t.q.fail(err)
			return
		}
		t.m.restarts.Add(1)
		t.m.lastErr.Store(err.Error())
		t.failing.Store(true)
		t.logf("restarting after %v: %v", backoff, err)
		timer := time.NewTimer(backoff)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return
		}
		backoff = min(2*backoff, MaxRetryBackoff)
	}
}

// runOnce is one incarnation: open, loop, clean up. It returns nil when
// the query stops normally.
func (t *task) runOnce(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("exec: internal error: %v\n%s", r, debug.Stack())
		}
		t.cleanup()
	}()
	if err := t.open(ctx); err != nil {
		return err
	}
	t.failing.Store(false)
	for {
		if ch, paused := t.q.resumed(); paused {
			if err := t.commit(ctx); err != nil {
				return err
			}
			select {
			case <-ch:
			case <-ctx.Done():
				return t.finish()
			}
		}
		if ctx.Err() != nil {
			return t.finish()
		}
		recs, err := t.reader.Fetch(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return t.finish()
			}
			return fmt.Errorf("exec: fetch %s/%d: %w", t.tp.Topic, t.tp.Partition, err)
		}
		if len(recs) == 0 {
			// Caught up: commit now rather than at the interval, so a
			// quiet stream's results are visible at once.
			t.processed = t.reader.Position()
			t.pos.Store(t.processed)
			if err := t.commit(ctx); err != nil {
				return err
			}
			if !t.persistent() {
				t.advance(t.reader.Position())
			}
			if err := t.reader.Wait(ctx); err != nil {
				if ctx.Err() != nil {
					return t.finish()
				}
				return fmt.Errorf("exec: wait %s/%d: %w", t.tp.Topic, t.tp.Partition, err)
			}
			continue
		}
		if err := t.processFetch(ctx, recs); err != nil {
			if ctx.Err() != nil && !errors.Is(err, errLimitReached) {
				// Stopped mid-fetch: commit the fetches before it.
				return t.finish()
			}
			return err
		}
		t.processed = t.reader.Position()
		t.pos.Store(t.processed)
		if !t.persistent() {
			t.advance(t.processed)
		} else {
			if err := t.settle(ctx, false); err != nil {
				return err
			}
			if t.dirty && time.Since(t.txnStart) >= t.interval {
				if err := t.commitAsync(ctx); err != nil {
					return err
				}
			}
		}
	}
}

// open builds an incarnation: producer (fencing any previous one and
// aborting what it left open), committed offsets, reader, operator
// instances.
func (t *task) open(ctx context.Context) error {
	spec := t.q.Spec
	rt := t.q.rt
	t.tc = &TaskContext{
		QueryID: t.q.ID, Topic: t.tp.Topic, Partition: t.tp.Partition,
		Log:   countingLog{t: t, next: rt.opts.ProcessingLog},
		State: rt.opts.State, Broker: rt.log,
	}
	t.ops, t.hooks, t.nexts = t.ops[:0], t.hooks[:0], t.nexts[:0]
	for _, op := range spec.Operators {
		if tl, ok := op.(TaskLocal); ok {
			inst, err := tl.ForTask(t.tc)
			if err != nil {
				return fmt.Errorf("exec: query %s: %w", t.q.ID, err)
			}
			op = inst
		}
		t.ops = append(t.ops, op)
		if h, ok := op.(CommitHook); ok {
			t.hooks = append(t.hooks, h)
		}
	}
	t.ops = fuse(t.ops)
	for i := range t.ops {
		t.nexts = append(t.nexts, func(b *types.Batch) error { return t.push(i+1, b) })
	}
	var err error
	if t.src, err = newSource(&spec.Source, t.tc, rt.opts.MaxBatchRows); err != nil {
		return err
	}
	// Without committed offsets: the end as of Start (not as of this
	// goroutine getting to run, which would skip what was appended in
	// between), or the beginning. A push query that restarts after a
	// failure continues where it was.
	start := t.startAt
	if spec.Source.FromBeginning {
		start = broker.OffsetEarliest
	}
	if p := t.pos.Load(); !t.persistent() && p >= 0 {
		start = p
	}
	haveCommitted := false
	if t.persistent() {
		prod, err := rt.log.NewProducer(ctx, broker.ProducerOptions{
			TransactionalID: fmt.Sprintf("%s-%d", t.q.ID, t.tp.Partition),
		})
		if err != nil {
			return fmt.Errorf("exec: producer: %w", err)
		}
		t.app = newAppender(prod, t.group, t.tp, spec.Sink.Topic, spec.Sink.Partitions)
		if t.sink, err = newSink(spec.Sink, spec.OutputSchema(), t.tc, t.app.free); err != nil {
			return err
		}
		t.sink.headersOf = t.headersOf
		offs, err := rt.log.CommittedOffsets(ctx, t.group)
		if err != nil {
			return fmt.Errorf("exec: committed offsets: %w", err)
		}
		if off, ok := offs[t.tp]; ok {
			start, haveCommitted = off, true
		}
	}
	t.reader, err = rt.log.NewReader(t.tp, broker.ReaderOptions{Offset: start, MaxBytes: rt.opts.FetchMaxBytes})
	if err != nil {
		return fmt.Errorf("exec: reader: %w", err)
	}
	if errors.Is(t.fetchProbe(), broker.ErrOffsetOutOfRange) {
		// Retention removed what the group committed: continue at the
		// earliest record still stored, as auto.offset.reset=earliest.
		if err := t.reader.SetOffset(broker.OffsetEarliest); err != nil {
			return err
		}
	}
	t.processed, t.committed, t.dirty = t.reader.Position(), -1, false
	if t.persistent() && !haveCommitted {
		// Pin the resolved start (latest in particular) so that a crash
		// before the first commit does not move it.
		if err := t.commit(ctx); err != nil {
			return err
		}
	}
	t.committed = t.processed
	t.pos.Store(t.committed)
	t.advance(t.committed)
	return nil
}

// fetchProbe reports whether the reader's position is outside the
// partition, without consuming anything.
func (t *task) fetchProbe() error {
	d, err := t.q.rt.log.DescribeTopic(context.Background(), t.tp.Topic)
	if err != nil {
		return err
	}
	for _, p := range d.Partitions {
		if p.Partition == t.tp.Partition {
			if pos := t.reader.Position(); pos < p.StartOffset || pos > p.EndOffset {
				return broker.ErrOffsetOutOfRange
			}
		}
	}
	return nil
}

// cleanup releases the incarnation: an open transaction is aborted by
// closing the producer, so nothing uncommitted survives a failure.
func (t *task) cleanup() {
	for _, op := range t.ops {
		if c, ok := op.(io.Closer); ok {
			c.Close()
		}
	}
	t.ops, t.hooks = t.ops[:0], t.hooks[:0]
	if t.src != nil {
		t.src.close()
		t.src = nil
	}
	if t.sink != nil {
		t.sink.reset()
		t.sink = nil
	}
	if t.reader != nil {
		t.reader.Close()
		t.reader = nil
	}
	if t.app != nil {
		t.app.close()
		t.app = nil
	}
	t.dirty, t.inflight = false, nil
	for _, b := range t.out {
		b.Release()
	}
	t.out = t.out[:0]
}

// finish commits what was processed when the query stops. The commit uses
// its own context: the query's has been cancelled.
func (t *task) finish() error {
	ctx, cancel := context.WithTimeout(context.Background(), finalCommitTimeout)
	defer cancel()
	return t.commit(ctx)
}

// advance publishes the task's progress to WaitCaughtUp.
func (t *task) advance(pos int64) {
	if t.done.Load() != pos {
		t.done.Store(pos)
		t.q.notify()
	}
}

// processFetch runs one fetch's records through the pipeline in batches of
// at most MaxBatchRows and hands the output to the producer.
func (t *task) processFetch(ctx context.Context, recs []broker.Record) error {
	t.ctx = ctx
	if err := t.q.rt.acquire(ctx); err != nil {
		return err
	}
	held := true
	defer func() {
		if held {
			t.q.rt.release()
		}
	}()
	t.m.in.Add(int64(len(recs)))
	t.fetch, t.fetchHeaders = recs, false
	for i := range recs {
		if len(recs[i].Headers) > 0 {
			t.fetchHeaders = true
			break
		}
	}
	defer func() { t.fetch = nil }()
	// Split the fetch into equal batches no larger than the cap, so that
	// consecutive batches have similar sizes and builders reuse capacity.
	chunks := (len(recs) + t.src.maxRows - 1) / t.src.maxRows
	size := (len(recs) + chunks - 1) / chunks
	for len(recs) > 0 {
		n := min(len(recs), size)
		b, err := t.src.decode(recs[:n])
		if err != nil {
			return err
		}
		recs = recs[n:]
		if b == nil {
			continue
		}
		if err := t.push(0, b); err != nil {
			return err
		}
	}
	if !t.persistent() {
		// Deliver after giving the worker back: a slow push client must
		// not hold a core's worth of the pool while it blocks us.
		t.q.rt.release()
		held = false
		return t.deliverPending()
	}
	if t.sink.empty() {
		if len(t.hooks) > 0 && !t.dirty {
			// State may have changed without output (HAVING, EMIT
			// FINAL): commit on the interval all the same, so that
			// uncommitted state stays bounded under sustained input.
			t.dirty, t.txnStart = true, time.Now()
		}
		return nil
	}
	t.fetch = nil
	t.q.rt.release()
	held = false
	if !t.dirty {
		t.dirty, t.txnStart = true, time.Now()
	}
	return t.app.send(ctx, t.sink.take())
}

// push hands b to operator i, or to the sink after the last one. It owns b.
func (t *task) push(i int, b *types.Batch) error {
	if i == len(t.ops) {
		return t.emit(b)
	}
	defer b.Release()
	return t.ops[i].Process(t.tc, b, t.nexts[i])
}

// emit takes the pipeline's output: encoded for the sink, or delivered to
// a push query's receiver.
func (t *task) emit(b *types.Batch) error {
	defer b.Release()
	if t.persistent() {
		n, err := t.sink.add(t.ctx, b)
		t.m.out.Add(int64(n))
		return err
	}
	b.Retain()
	t.out = append(t.out, b)
	return nil
}

// deliverPending delivers the push query's output of the last fetch.
func (t *task) deliverPending() error {
	defer func() {
		for _, b := range t.out {
			b.Release()
		}
		clear(t.out)
		t.out = t.out[:0]
	}()
	for _, b := range t.out {
		if err := t.deliver(b); err != nil {
			return err
		}
	}
	return nil
}

// deliver sends rows to the push receiver, stopping at the LIMIT.
func (t *task) deliver(b *types.Batch) error {
	q := t.q
	q.pushMu.Lock()
	defer q.pushMu.Unlock()
	for i := 0; i < b.NumRows(); i++ {
		if q.limitHit {
			return errLimitReached
		}
		m := b.Meta(i)
		if err := q.push(b.Row(i, nil), m); err != nil {
			if errors.Is(err, ErrSkipRow) {
				continue
			}
			if q.ctx.Err() != nil {
				return q.ctx.Err() // the receiver gave up because we stop
			}
			q.fail(err)
			return err
		}
		t.m.out.Add(1)
		q.pushed++
		if q.Spec.Limit > 0 && q.pushed >= q.Spec.Limit {
			q.mu.Lock()
			q.limitHit = true
			q.mu.Unlock()
			q.cancel()
			return errLimitReached
		}
	}
	return nil
}

// commit makes the output sent so far, the hooks' state and the input
// position of the last fully processed fetch visible together. It does
// nothing for push queries or when nothing changed since the last commit.
func (t *task) commit(ctx context.Context) error {
	if !t.persistent() || t.app == nil {
		return nil
	}
	if err := t.settle(ctx, true); err != nil {
		return err
	}
	pos := t.processed
	if !t.dirty && pos == t.committed {
		return nil
	}
	start := time.Now()
	err := t.app.commitAt(ctx, pos, t.hooks)
	t.dirty = false
	return t.committedAt(pos, start, err)
}

// commitAsync queues a commit of what was processed and returns at once,
// so that the task decodes its next fetch while the log makes the
// transaction durable; the next transaction's appends queue behind it. The
// outcome is collected by settle. Tasks with commit hooks commit
// synchronously instead: their state must not change during PrepareCommit.
func (t *task) commitAsync(ctx context.Context) error {
	if len(t.hooks) > 0 {
		return t.commit(ctx)
	}
	if err := t.settle(ctx, true); err != nil {
		return err
	}
	pos := t.processed
	if !t.dirty && pos == t.committed {
		return nil
	}
	c := &inflightCommit{pos: pos, start: time.Now(), res: make(chan error, 1)}
	if err := t.app.queueCommit(ctx, pos, c.res); err != nil {
		return err
	}
	t.inflight, t.dirty = c, false
	return nil
}

// inflightCommit is a queued commit whose outcome the task has not seen.
type inflightCommit struct {
	pos   int64
	start time.Time
	res   chan error
}

// settle collects the outcome of the in-flight commit, waiting for it if
// wait is set.
func (t *task) settle(ctx context.Context, wait bool) error {
	c := t.inflight
	if c == nil {
		return nil
	}
	var err error
	if wait {
		select {
		case err = <-c.res:
		case <-ctx.Done():
			return ctx.Err()
		}
	} else {
		select {
		case err = <-c.res:
		default:
			return nil
		}
	}
	t.inflight = nil
	return t.committedAt(c.pos, c.start, err)
}

// committedAt records the outcome of a commit of pos started at start.
func (t *task) committedAt(pos int64, start time.Time, err error) error {
	if err != nil {
		return err
	}
	t.committed = pos
	d := time.Since(start)
	t.m.commits.Add(1)
	t.m.commitNanos.Add(int64(d))
	if int64(d) > t.m.commitMax.Load() {
		t.m.commitMax.Store(int64(d))
	}
	for _, h := range t.hooks {
		h.Committed(pos)
	}
	t.advance(pos)
	return nil
}

// countingLog counts processing errors for the metrics before passing them
// on.
type countingLog struct {
	t    *task
	next ProcessingLog
}

func (l countingLog) Record(e ProcessingError) {
	l.t.m.errs.Add(1)
	if e.QueryID == "" {
		e.QueryID = l.t.q.ID
	}
	if l.next != nil {
		l.next.Record(e)
	}
}
