package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/state"
)

// Config configures Open. The zero value is not usable: set DataDir or Log.
type Config struct {
	// DataDir is the built-in commit log's directory, the same one `sluice
	// topic --data-dir` uses; Open opens it (and Close closes it). Ignored
	// when Log is set.
	DataDir string
	// Log is a log to run on instead of opening one (a Kafka cluster, a
	// shared in-process log in tests). The engine does not close it.
	Log broker.Log
	// StateDir is the directory of the state stores of aggregations;
	// default DataDir/state. With neither set the stores live in memory:
	// correct, since every store is rebuilt from its changelog topic on
	// open, but slower to start.
	StateDir string
	// StateMemory is the memory budget of the state stores in bytes
	// (state.Options.MemoryBudget); 0 means the state package's default.
	StateMemory int64
	// Functions is the function library; nil means functions.Builtins().
	// The conformance runner passes a registry with ksqlDB's test UDFs.
	Functions *functions.Registry
	// Properties are the server's default ksqlDB properties, overlaid on
	// DefaultProperties; sessions overlay their SET values on these.
	Properties map[string]string
	// ClientSide says the engine serves a client-side front end (the
	// shell, headless mode), which may read local files: RUN SCRIPT is
	// only accepted then, as in ksqlDB, where the server rejects it.
	ClientSide bool
	// Now is the clock for record timestamps of INSERT VALUES and for
	// processing-log entries; default time.Now.
	Now func() time.Time
	// Logf receives notable events (queries restarted on Open, a query
	// that failed); default none.
	Logf func(format string, args ...any)
}

// DefaultProperties are the properties every session starts from unless
// Config.Properties overrides them. They are ksqlDB's defaults for the
// settings the engine and planner read.
func DefaultProperties() map[string]string {
	return map[string]string{
		"auto.offset.reset":                    "latest",
		"commit.interval.ms":                   "100",
		"ksql.persistence.default.format.key":  "KAFKA",
		"ksql.service.id":                      "default_",
		"ksql.output.topic.name.prefix":        "",
		"ksql.sink.partitions.default":         "",
		"ksql.query.persistent.active.limit":   "2147483647",
		"ksql.variable.substitution.enable":    "true",
		"processing.guarantee":                 "exactly_once_v2",
		"ksql.logging.processing.stream.name":  ProcessingLogStream,
		"ksql.logging.processing.topic.name":   ProcessingLogTopic,
		"ksql.logging.processing.rows.include": "false",
	}
}

// Engine is one Sluice instance: a catalog over a log, the persistent
// queries it runs, and the command topic that makes both survive restarts.
// It is safe for concurrent use; statements that change the catalog are
// applied one at a time, in command-topic order.
type Engine struct {
	cfg     Config
	log     broker.Log
	ownsLog bool
	funcs   *functions.Registry
	props   map[string]string // server defaults; guarded by cat.mu (ALTER SYSTEM)
	cat     *Catalog
	cmds    *commandLog
	plog    *processingLog
	rt      *exec.Runtime
	state   *state.DB

	// insertProducer writes INSERT VALUES rows with their commands in one
	// transaction; guarded by ddlMu. rr spreads keyless rows.
	insertProducer broker.Producer
	rr             atomic.Uint32

	// push tracks the running push queries (SHOW QUERIES, TERMINATE).
	push pushRegistry
	now  func() time.Time
	logf func(format string, args ...any)

	// ddlMu serialises catalog-changing statements so that the order in
	// which they are applied is the order of the command topic. It is the
	// first lock of the engine's lock order (see Catalog).
	ddlMu sync.Mutex

	// ctx is cancelled by Close; queries and push queries derive from it.
	ctx    context.Context
	cancel context.CancelFunc

	closeOnce sync.Once
	closeErr  error
}

// Open starts an engine: it opens the log, creates the internal topics on
// first use, replays the command topic to rebuild the catalog, and restarts
// every persistent query from its committed offsets.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	e := &Engine{cfg: cfg, funcs: cfg.Functions, now: cfg.Now, logf: cfg.Logf}
	if e.funcs == nil {
		e.funcs = functions.Builtins()
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.logf == nil {
		e.logf = func(string, ...any) {}
	}
	e.props = DefaultProperties()
	maps.Copy(e.props, cfg.Properties)
	switch {
	case cfg.Log != nil:
		e.log = cfg.Log
	case cfg.DataDir != "":
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
		l, err := commitlog.Open(cfg.DataDir, commitlog.Options{})
		if err != nil {
			return nil, fmt.Errorf("engine: open log: %w", err)
		}
		e.log, e.ownsLog = l, true
	default:
		return nil, errors.New("engine: Config needs DataDir or Log")
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.cat = newCatalog()
	fail := func(err error) (*Engine, error) {
		e.cancel()
		if e.insertProducer != nil {
			e.insertProducer.Close()
		}
		if e.state != nil {
			e.state.Close()
		}
		if e.ownsLog {
			e.log.Close()
		}
		return nil, err
	}
	var err error
	if e.cmds, err = openCommandLog(ctx, e.log); err != nil {
		return fail(err)
	}
	// The INSERT VALUES producer is created before the command topic is
	// read: taking over its transactional id aborts a transaction a
	// crashed predecessor left open in the command topic, which would
	// otherwise hide every later command from the read-committed replay.
	if e.insertProducer, err = e.log.NewProducer(ctx, broker.ProducerOptions{TransactionalID: insertTxnID}); err != nil {
		return fail(fmt.Errorf("engine: insert producer: %w", err))
	}
	if e.plog, err = openProcessingLog(ctx, e); err != nil {
		return fail(err)
	}
	if e.state, err = openState(cfg); err != nil {
		return fail(err)
	}
	e.rt = exec.NewRuntime(e.log, exec.RuntimeOptions{
		CommitInterval: commitInterval(e.props),
		ProcessingLog:  e.plog,
		Logf:           e.logf,
		State:          e.state,
	})
	if e.ownsLog {
		e.sweepTransientTopics(ctx)
	}
	if err := e.replay(ctx); err != nil {
		e.stopQueries()
		return fail(err)
	}
	return e, nil
}

// sweepTransientTopics deletes the internal topics, and the consumer
// groups, of push queries that a killed process left behind (a push query
// that regroups has a repartition stage; it deletes both when it ends,
// unless the process dies first). No push query outlives its process, so
// on a log this engine owns alone (the data-dir lock) every such topic is
// garbage. On a shared log (Config.Log) other engines' push queries may be
// running, so nothing is swept there.
func (e *Engine) sweepTransientTopics(ctx context.Context) {
	topics, err := e.log.ListTopics(ctx)
	if err != nil {
		e.logf("engine: sweep transient topics: %v", err)
		return
	}
	for _, t := range topics {
		rest, ok := strings.CutPrefix(t, "_confluent-ksql-")
		if !ok {
			continue
		}
		_, id, ok := strings.Cut(rest, "query_transient_")
		if !ok {
			continue
		}
		id, _, _ = strings.Cut(id, "-")
		if err := e.log.DeleteTopic(ctx, t); err != nil && !errors.Is(err, broker.ErrUnknownTopic) {
			e.logf("engine: sweep transient topic %s: %v", t, err)
			continue
		}
		for _, g := range []string{"transient_" + id, "transient_" + id + "_REPARTITION"} {
			if err := e.log.DeleteGroup(ctx, g); err != nil {
				e.logf("engine: sweep consumer group %s: %v", g, err)
			}
		}
		e.logf("engine: deleted %s, left by a push query of a process that stopped without cleaning up", t)
	}
}

// Log returns the log the engine runs on, for tools (the conformance
// runner feeds inputs and reads outputs through it).
func (e *Engine) Log() broker.Log { return e.log }

// Catalog returns the engine's catalog. Callers may read it (it implements
// planner.Catalog); changes go through statements.
func (e *Engine) Catalog() *Catalog { return e.cat }

// Functions returns the function library statements are planned with.
func (e *Engine) Functions() *functions.Registry { return e.funcs }

// Properties returns a copy of the server-level properties: the defaults,
// Config.Properties and ALTER SYSTEM changes.
func (e *Engine) Properties() map[string]string {
	e.cat.mu.RLock()
	defer e.cat.mu.RUnlock()
	return maps.Clone(e.props)
}

// Close stops every persistent query (each commits what it processed),
// ends running push queries and closes the log if the engine opened it.
// It is safe to call more than once.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		// Push queries first: a client that stopped reading leaves its
		// query blocked on a full buffer, which only closing it releases.
		for _, p := range e.push.list() {
			p.close()
		}
		e.ddlMu.Lock()
		defer e.ddlMu.Unlock()
		err := e.stopQueries()
		e.cancel()
		if e.insertProducer != nil {
			err = errors.Join(err, e.insertProducer.Close())
		}
		if e.plog != nil {
			err = errors.Join(err, e.plog.close())
		}
		if e.state != nil {
			err = errors.Join(err, e.state.Close())
		}
		if e.ownsLog {
			err = errors.Join(err, e.log.Close())
		}
		e.closeErr = err
	})
	return e.closeErr
}

// closed reports whether Close has begun.
func (e *Engine) closed() bool { return e.ctx.Err() != nil }

// openState opens the state DB of the engine's aggregations (see
// Config.StateDir).
func openState(cfg Config) (*state.DB, error) {
	dir, opts := cfg.StateDir, state.Options{MemoryBudget: cfg.StateMemory}
	if dir == "" && cfg.DataDir != "" && cfg.Log == nil {
		dir = filepath.Join(cfg.DataDir, "state")
	}
	if dir == "" {
		dir, opts.FS = "state", vfs.NewMem()
	}
	db, err := state.Open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("engine: open state: %w", err)
	}
	return db, nil
}
