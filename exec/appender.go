package exec

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sluicedb/sluice/broker"
)

// appender owns a task's transactional producer and runs its calls on its
// own goroutine, so that the fsync of one fetch's output overlaps the
// decoding and evaluation of the next: with durable topics the log's
// acknowledgement, not the CPU, was what bounded a task.
//
// Jobs run strictly in order, which keeps the producer's per-partition order
// and puts every append before the commit that follows it. When nothing is
// queued, small appends and commits run inline on the task's goroutine
// instead (see inline): that is the latency path of a quiet stream. Appends are
// fire-and-forget; a commit waits for its result. After any failure the
// appender aborts the open transaction and refuses further work: the task
// sees the error at its next call and restarts from the committed offsets.
type appender struct {
	prod  broker.Producer
	group string
	tp    broker.TopicPartition // the input partition, whose offset commits
	out   string                // the output topic

	jobs chan appendJob
	// free recycles output buffers once their records are appended.
	free chan *outBuf
	done chan struct{}

	// mu serialises use of the producer between the appender goroutine
	// and inline runs on the task goroutine; it guards failed and inTxn.
	mu      sync.Mutex
	failed  error
	inTxn   bool
	pending atomic.Int64 // jobs queued or running on the goroutine
}

// outBuf is one batch of encoded output: records per output partition,
// their bytes in one arena.
type outBuf struct {
	arena []byte
	parts [][]broker.Record
	n     int
}

func (b *outBuf) reset() {
	b.arena = b.arena[:0]
	for p := range b.parts {
		clear(b.parts[p])
		b.parts[p] = b.parts[p][:0]
	}
	b.n = 0
}

// appendJob is either an append of buf or a commit of the input position.
type appendJob struct {
	buf    *outBuf
	commit bool
	pos    int64
	hooks  []CommitHook
	result chan error
}

// outBufs is how many output buffers a task cycles through: one being
// filled, one queued, one being appended.
const outBufs = 3

func newAppender(prod broker.Producer, group string, tp broker.TopicPartition, out string, parts int) *appender {
	a := &appender{
		prod: prod, group: group, tp: tp, out: out,
		jobs: make(chan appendJob, 1),
		free: make(chan *outBuf, outBufs),
		done: make(chan struct{}),
	}
	for i := 0; i < outBufs; i++ {
		a.free <- &outBuf{arena: make([]byte, 0, 256<<10), parts: make([][]broker.Record, parts)}
	}
	go a.loop()
	return a
}

func (a *appender) err() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.failed
}

// fail records the first failure and aborts the open transaction; the
// caller holds mu.
func (a *appender) fail(err error) {
	if a.failed == nil {
		a.failed = err
	}
	if a.inTxn {
		// Aborting makes the records appended so far unreadable; if it
		// fails too, the next producer with this id aborts on fencing.
		if a.prod.AbortTxn(context.Background()) == nil {
			a.inTxn = false
		}
	}
}

func (a *appender) loop() {
	defer close(a.done)
	for j := range a.jobs {
		a.mu.Lock()
		a.run(j)
		a.mu.Unlock()
		a.pending.Add(-1)
	}
}

// run executes one job; the caller holds mu.
func (a *appender) run(j appendJob) {
	ctx := context.Background()
	if a.failed != nil {
		if j.buf != nil {
			j.buf.reset()
			a.free <- j.buf
		}
		if j.result != nil {
			j.result <- a.failed
		}
		return
	}
	if err := a.begin(); err != nil {
		a.fail(err)
	}
	switch {
	case j.commit:
		err := a.failed
		if err == nil {
			if err = a.commit(ctx, j); err != nil {
				a.fail(err)
			}
		}
		j.result <- err
	case j.buf != nil:
		if err := a.append(ctx, j.buf); err != nil {
			a.fail(err)
		}
		j.buf.reset()
		a.free <- j.buf
	}
}

// inline runs j on the calling (task) goroutine when nothing is queued,
// and reports whether it did. A quiet stream's record then goes from
// fetch to commit without waking another goroutine, each wake-up being a
// scheduling delay on a busy machine; under load the queue is rarely empty
// and appends keep overlapping the task's work.
func (a *appender) inline(j appendJob) bool {
	if a.pending.Load() != 0 {
		return false
	}
	// Only the task enqueues, and it is here: the queue stays empty.
	a.mu.Lock()
	a.run(j)
	a.mu.Unlock()
	return true
}

func (a *appender) begin() error {
	if a.inTxn {
		return nil
	}
	if err := a.prod.BeginTxn(); err != nil {
		return fmt.Errorf("exec: begin transaction: %w", err)
	}
	a.inTxn = true
	return nil
}

func (a *appender) append(ctx context.Context, buf *outBuf) error {
	for p, recs := range buf.parts {
		if len(recs) == 0 {
			continue
		}
		tp := broker.TopicPartition{Topic: a.out, Partition: int32(p)}
		if _, err := a.prod.Append(ctx, tp, recs); err != nil {
			return fmt.Errorf("exec: append to %s/%d: %w", tp.Topic, tp.Partition, err)
		}
	}
	return nil
}

func (a *appender) commit(ctx context.Context, j appendJob) error {
	for _, h := range j.hooks {
		if err := h.PrepareCommit(ctx, a.prod); err != nil {
			return fmt.Errorf("exec: prepare commit: %w", err)
		}
	}
	if err := a.prod.SendOffsets(ctx, a.group, map[broker.TopicPartition]int64{a.tp: j.pos}); err != nil {
		return fmt.Errorf("exec: send offsets: %w", err)
	}
	if err := a.prod.CommitTxn(ctx); err != nil {
		return fmt.Errorf("exec: commit: %w", err)
	}
	a.inTxn = false
	return nil
}

// send queues an append of buf, returning an earlier failure if there was
// one. It may block while the previous job is still running.
// A small buffer (a quiet stream) is appended inline when the queue is
// empty.
func (a *appender) send(ctx context.Context, buf *outBuf) error {
	if err := a.err(); err != nil {
		return err
	}
	if buf.n <= inlineRecords && a.inline(appendJob{buf: buf}) {
		return a.err()
	}
	a.pending.Add(1)
	select {
	case a.jobs <- appendJob{buf: buf}:
		return nil
	case <-ctx.Done():
		a.pending.Add(-1)
		return ctx.Err()
	}
}

// inlineRecords is the largest output buffer appended on the task's own
// goroutine: small enough that the fsync it waits for is not worth
// overlapping with anything.
const inlineRecords = 64

// commitAt commits everything sent so far with the input position pos and
// waits for the outcome. Hooks run on the appender goroutine while the task
// waits, so they see the task's state as of this call.
func (a *appender) commitAt(ctx context.Context, pos int64, hooks []CommitHook) error {
	res := make(chan error, 1)
	if a.inline(appendJob{commit: true, pos: pos, hooks: hooks, result: res}) {
		return <-res
	}
	a.pending.Add(1)
	select {
	case a.jobs <- appendJob{commit: true, pos: pos, hooks: hooks, result: res}:
	case <-ctx.Done():
		a.pending.Add(-1)
		return ctx.Err()
	}
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// queueCommit queues a commit of pos whose outcome arrives on res.
func (a *appender) queueCommit(ctx context.Context, pos int64, res chan error) error {
	a.pending.Add(1)
	select {
	case a.jobs <- appendJob{commit: true, pos: pos, result: res}:
		return nil
	case <-ctx.Done():
		a.pending.Add(-1)
		return ctx.Err()
	}
}

// close stops the goroutine after the queued jobs and closes the producer,
// which aborts a transaction still open.
func (a *appender) close() {
	close(a.jobs)
	<-a.done
	a.prod.Close()
}
