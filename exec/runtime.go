package exec

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// Defaults of RuntimeOptions.
const (
	// DefaultCommitInterval is commit.interval.ms. Kafka Streams uses 100 ms
	// under exactly-once for the same reason we do: a commit costs a few
	// fsyncs, and a task that has caught up with its input commits at once
	// anyway, so the interval only bounds latency under sustained load.
	DefaultCommitInterval = 100 * time.Millisecond
	// DefaultMaxBatchRows caps a batch. A fetch of a busy partition returns
	// about a megabyte; bigger batches stop paying off once per-batch costs
	// are amortised and only add latency and memory.
	DefaultMaxBatchRows = 4096
	// DefaultRetryBackoff is the first wait before a failed task restarts;
	// it doubles up to MaxRetryBackoff.
	DefaultRetryBackoff = 50 * time.Millisecond
	// MaxRetryBackoff bounds the restart backoff of a failing task.
	MaxRetryBackoff = 5 * time.Second
)

// RuntimeOptions configures a Runtime. Zero fields take the defaults above.
type RuntimeOptions struct {
	// Workers is the number of tasks that may process batches at the same
	// time: the size of the runtime's worker pool. Default GOMAXPROCS, one
	// per core, so that many queries share the cores without oversubscribing
	// them; a task waiting for input or for the log holds no worker.
	Workers int
	// CommitInterval is the default commit.interval.ms of persistent queries
	// (QuerySpec.CommitInterval overrides it).
	CommitInterval time.Duration
	// MaxBatchRows caps the rows of one batch (DefaultMaxBatchRows).
	MaxBatchRows int
	// FetchMaxBytes bounds one read of an input partition (the broker's
	// default when 0).
	FetchMaxBytes int
	// ProcessingLog receives row-level errors of every query; nil drops them
	// (they are still counted in the query metrics).
	ProcessingLog ProcessingLog
	// RetryBackoff is the first wait before a failed task restarts.
	RetryBackoff time.Duration
	// Logf receives task failures and restarts; default none.
	Logf func(format string, args ...any)
	// State holds the stores of stateful operators (aggregations); queries
	// with such operators fail to start without it. The runtime does not
	// close it.
	State *state.DB
}

// Runtime runs queries over one log. Every query's tasks share the runtime's
// worker pool, so the number of cores busy with processing is bounded
// however many queries run.
type Runtime struct {
	log  broker.Log
	opts RuntimeOptions
	// workers holds one token per worker: a task takes one to process a
	// batch and gives it back before it blocks on input or on the log.
	workers chan struct{}

	mu      sync.Mutex
	queries map[string]*Query
	closed  bool
}

// ErrRuntimeClosed is returned by Start after Close.
var ErrRuntimeClosed = errors.New("exec: runtime closed")

// ErrQueryExists is returned by Start for an ID that is already running.
var ErrQueryExists = errors.New("exec: query already running")

// NewRuntime returns a runtime over log.
func NewRuntime(log broker.Log, opts RuntimeOptions) *Runtime {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.CommitInterval <= 0 {
		opts.CommitInterval = DefaultCommitInterval
	}
	if opts.MaxBatchRows <= 0 {
		opts.MaxBatchRows = DefaultMaxBatchRows
	}
	if opts.RetryBackoff <= 0 {
		opts.RetryBackoff = DefaultRetryBackoff
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	return &Runtime{
		log:     log,
		opts:    opts,
		workers: make(chan struct{}, opts.Workers),
		queries: map[string]*Query{},
	}
}

// Start starts a persistent query: spec.Sink must be set. Each input
// partition gets a task that resumes from the committed offsets of the
// consumer group spec.ID and commits its output and input offsets together.
// The query runs until Stop, Close or a fatal error; ctx only bounds the
// start itself.
func (r *Runtime) Start(ctx context.Context, spec *QuerySpec) (*Query, error) {
	if spec.Sink == nil {
		return nil, fmt.Errorf("exec: query %s has no sink; use StartPush for transient queries", spec.ID)
	}
	return r.start(ctx, spec, nil)
}

// PushFunc receives the rows of a transient query, one call at a time (calls
// from the query's tasks are serialised). row is a fresh slice the callee may
// keep; meta carries ROWTIME, the input partition and offset. Returning an
// error stops the query with that error. A PushFunc that blocks (a slow
// client) must also return once Query.Stopping is closed, or Stop and
// Runtime.Close wait for it. Returning ErrSkipRow drops the row without
// counting it against the LIMIT.
type PushFunc func(row []any, meta types.RowMeta) error

// ErrSkipRow is what a PushFunc returns for a row it does not deliver
// (a stream's null-value row, a row past a pull query's end offsets): the
// query goes on and the row does not count towards spec.Limit, so LIMIT n
// still means n delivered rows.
var ErrSkipRow = errors.New("exec: row skipped")

// StartPush starts a transient (push) query: spec.Sink must be nil. Its rows
// go to push until spec.Limit rows were delivered (then the query ends by
// itself), Stop, or an error. It reads without a consumer group and commits
// nothing: a push query that stops is gone.
func (r *Runtime) StartPush(ctx context.Context, spec *QuerySpec, push PushFunc) (*Query, error) {
	if spec.Sink != nil {
		return nil, fmt.Errorf("exec: push query %s has a sink; use Start", spec.ID)
	}
	if push == nil {
		return nil, fmt.Errorf("exec: push query %s has no receiver", spec.ID)
	}
	return r.start(ctx, spec, push)
}

func (r *Runtime) start(ctx context.Context, spec *QuerySpec, push PushFunc) (*Query, error) {
	if spec.ID == "" {
		return nil, errors.New("exec: query without an id")
	}
	parts := spec.Source.Partitions
	if parts <= 0 {
		d, err := r.log.DescribeTopic(ctx, spec.Source.Topic)
		if err != nil {
			return nil, fmt.Errorf("exec: query %s: %w", spec.ID, err)
		}
		parts = len(d.Partitions)
	}
	if spec.Sink != nil && spec.Sink.Partitions <= 0 {
		d, err := r.log.DescribeTopic(ctx, spec.Sink.Topic)
		if err != nil {
			return nil, fmt.Errorf("exec: query %s: %w", spec.ID, err)
		}
		spec.Sink.Partitions = len(d.Partitions)
	}
	q, err := newQuery(r, spec, parts, push)
	if err != nil {
		return nil, err
	}
	if !spec.Source.FromBeginning {
		// "Latest" means the end when the query was started: resolve it
		// now, before the tasks' goroutines get to run.
		d, err := r.log.DescribeTopic(ctx, spec.Source.Topic)
		if err != nil {
			q.cancel()
			return nil, fmt.Errorf("exec: query %s: %w", spec.ID, err)
		}
		for _, t := range q.tasks {
			for _, p := range d.Partitions {
				if p.Partition == t.tp.Partition {
					t.startAt = p.EndOffset
				}
			}
		}
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		q.cancel()
		return nil, ErrRuntimeClosed
	}
	if _, ok := r.queries[spec.ID]; ok {
		r.mu.Unlock()
		q.cancel()
		return nil, fmt.Errorf("%w: %s", ErrQueryExists, spec.ID)
	}
	r.queries[spec.ID] = q
	r.mu.Unlock()
	q.run()
	return q, nil
}

// Query returns a running query by id.
func (r *Runtime) Query(id string) (*Query, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	q, ok := r.queries[id]
	return q, ok
}

// Queries returns the queries that have not been stopped.
func (r *Runtime) Queries() []*Query {
	r.mu.Lock()
	defer r.mu.Unlock()
	qs := make([]*Query, 0, len(r.queries))
	for _, q := range r.queries {
		qs = append(qs, q)
	}
	return qs
}

// forget drops a finished query from the registry.
func (r *Runtime) forget(q *Query) {
	r.mu.Lock()
	if r.queries[q.ID] == q {
		delete(r.queries, q.ID)
	}
	r.mu.Unlock()
}

// Close stops every query, committing what each processed. It does not
// close the log, which the runtime does not own.
func (r *Runtime) Close() error {
	r.mu.Lock()
	r.closed = true
	qs := make([]*Query, 0, len(r.queries))
	for _, q := range r.queries {
		qs = append(qs, q)
	}
	r.mu.Unlock()
	var errs []error
	for _, q := range qs {
		if err := q.Stop(context.Background()); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// acquire takes a worker, or fails when ctx ends.
func (r *Runtime) acquire(ctx context.Context) error {
	select {
	case r.workers <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release gives a worker back.
func (r *Runtime) release() { <-r.workers }
