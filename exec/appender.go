package exec

import (
	"context"
	"fmt"
	"sync"

	"github.com/sluicedb/sluice/broker"
)

// appender owns a task's transactional producer and runs its calls on its
// own goroutine, so that the fsync of one fetch's output overlaps the
// decoding and evaluation of the next: with durable topics the log's
// acknowledgement, not the CPU, was what bounded a task.
//
// Jobs run strictly in order, which keeps the producer's per-partition order
// and puts every append before the commit that follows it. Appends are
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

	mu     sync.Mutex
	failed error

	// inTxn belongs to the appender goroutine.
	inTxn bool
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

func (a *appender) fail(err error) {
	a.mu.Lock()
	if a.failed == nil {
		a.failed = err
	}
	a.mu.Unlock()
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
	ctx := context.Background()
	for j := range a.jobs {
		if a.err() != nil {
			if j.buf != nil {
				j.buf.reset()
				a.free <- j.buf
			}
			if j.result != nil {
				j.result <- a.err()
			}
			continue
		}
		if err := a.begin(); err != nil {
			a.fail(err)
		}
		switch {
		case j.commit:
			err := a.err()
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
func (a *appender) send(ctx context.Context, buf *outBuf) error {
	if err := a.err(); err != nil {
		return err
	}
	select {
	case a.jobs <- appendJob{buf: buf}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// commitAt commits everything sent so far with the input position pos and
// waits for the outcome. Hooks run on the appender goroutine while the task
// waits, so they see the task's state as of this call.
func (a *appender) commitAt(ctx context.Context, pos int64, hooks []CommitHook) error {
	res := make(chan error, 1)
	select {
	case a.jobs <- appendJob{commit: true, pos: pos, hooks: hooks, result: res}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
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
