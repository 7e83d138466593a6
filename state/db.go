package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// Errors returned by the package (wrapped; test with errors.Is).
var (
	// ErrClosed: the DB was closed.
	ErrClosed = errors.New("state: closed")
	// ErrTaskOpen: a task with that id is already open on this DB; a task
	// is single-threaded and owns its uncommitted state.
	ErrTaskOpen = errors.New("state: task already open")
	// ErrStoreOpen: a store with that name is already open in some task.
	ErrStoreOpen = errors.New("state: store already open")
	// ErrExpired: a write to a window or session older than the store's
	// retention; the write is dropped.
	ErrExpired = errors.New("state: window expired")
	// ErrCorrupt: stored bookkeeping could not be decoded.
	ErrCorrupt = errors.New("state: corrupt state")
)

// Options configures Open. Zero fields take defaults.
type Options struct {
	// MemoryBudget bounds the memory the DB uses for state: half goes to
	// pebble's block cache (from which pebble's memtables also reserve their
	// memory, so reads and writes share one bound), a quarter to the
	// write-back caches of all tasks, and a quarter to uncommitted writes
	// (past it, Task.NeedsCommit asks the runtime to commit early).
	// Default 256 MiB; minimum 4 MiB.
	MemoryBudget int64
	// DisableCache makes every write go straight into the task's pending
	// pebble batch and every read go to pebble. Results are the same; the
	// metamorphic tests compare both modes.
	DisableCache bool
	// FS is the filesystem; default the operating system's. Tests use
	// vfs.NewCrashableMem to simulate crashes.
	FS vfs.FS
	// Logf receives pebble's informational messages; default none.
	Logf func(format string, args ...any)

	// cacheLimit overrides the write-back cache share (tests use tiny ones
	// to force eviction and early flushes).
	cacheLimit int64
}

const (
	defaultBudget = 256 << 20
	minBudget     = 4 << 20
)

// DB is the one pebble instance of a node. Stores of every query, operator
// and partition live in it, each under its own key prefix, so that one write
// ahead log and one block cache serve all of them and a task's checkpoint can
// cover several stores in one atomic batch.
//
// A DB is safe for concurrent use by several tasks; each Task and the stores
// it opened are used by one goroutine at a time.
type DB struct {
	pdb  *pebble.DB
	opts Options

	cacheLimit   int64 // bytes of write-back cache over all tasks
	pendingLimit int64 // bytes of uncommitted batches over all tasks
	cacheUsed    atomic.Int64
	pendingUsed  atomic.Int64
	taskCount    atomic.Int64

	// registryMu serialises store registration.
	registryMu sync.Mutex

	// mu guards the open sets. Lock order: DB.mu is never
	// held while calling into a Task.
	mu        sync.Mutex
	closed    bool
	openTasks map[string]*Task
	openNames map[string]bool
}

// Open opens (creating if needed) the state directory dir.
func Open(dir string, opts Options) (*DB, error) {
	if opts.MemoryBudget == 0 {
		opts.MemoryBudget = defaultBudget
	}
	if opts.MemoryBudget < minBudget {
		opts.MemoryBudget = minBudget
	}
	blockCache := opts.MemoryBudget / 2
	cache := pebble.NewCache(blockCache)
	defer cache.Unref()
	popts := &pebble.Options{
		Cache: cache,
		// Two memtables of a quarter of the block cache each: pebble
		// reserves their memory from the cache, so the sum stays bounded
		// by the block cache size.
		MemTableSize:                uint64(blockCache / 4),
		MemTableStopWritesThreshold: 2,
		FS:                          opts.FS,
		Logger:                      logger{opts.Logf},
	}
	// Aggregations read many keys that do not exist yet (new groups,
	// new windows); bloom filters answer those without reading blocks.
	for i := range popts.Levels {
		popts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	pdb, err := pebble.Open(dir, popts)
	if err != nil {
		return nil, fmt.Errorf("state: open %s: %w", dir, err)
	}
	cacheLimit := opts.MemoryBudget / 4
	if opts.cacheLimit > 0 {
		cacheLimit = opts.cacheLimit
	}
	return &DB{
		pdb:          pdb,
		opts:         opts,
		cacheLimit:   cacheLimit,
		pendingLimit: opts.MemoryBudget / 4,
		openTasks:    map[string]*Task{},
		openNames:    map[string]bool{},
	}, nil
}

// Close closes pebble. Uncommitted changes of open tasks are lost, exactly
// as in a crash; that is the contract the crash tests check. The tasks'
// goroutines must have stopped using them (Close releases them), and open
// snapshots must be closed first.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return ErrClosed
	}
	db.closed = true
	tasks := make([]*Task, 0, len(db.openTasks))
	for _, t := range db.openTasks {
		tasks = append(tasks, t)
	}
	db.mu.Unlock()
	for _, t := range tasks {
		t.release()
	}
	if err := db.pdb.Close(); err != nil {
		return fmt.Errorf("state: close: %w", err)
	}
	return nil
}

// Metrics returns pebble's metrics, for the runtime's observability.
func (db *DB) Metrics() *pebble.Metrics { return db.pdb.Metrics() }

// storeID returns the id of the named store, registering it (with a synced
// write) the first time. Ids are never reused, so a dropped store's
// leftovers can never appear in a new one.
func (db *DB) storeID(name string) (uint32, error) {
	// Registration reads the next id and writes it back; two tasks opening
	// stores at once must not both take the same id.
	db.registryMu.Lock()
	defer db.registryMu.Unlock()
	key := metaKey(metaRegistry, []byte(name))
	v, closer, err := db.pdb.Get(key)
	if err == nil {
		defer closer.Close()
		if len(v) != 4 {
			return 0, fmt.Errorf("%w: store id of %q", ErrCorrupt, name)
		}
		return binary.BigEndian.Uint32(v), nil
	}
	if !errors.Is(err, pebble.ErrNotFound) {
		return 0, fmt.Errorf("state: store registry: %w", err)
	}
	next := uint32(1)
	nk := metaKey(metaNextID, nil)
	if v, closer, err := db.pdb.Get(nk); err == nil {
		next = binary.BigEndian.Uint32(v)
		closer.Close()
	} else if !errors.Is(err, pebble.ErrNotFound) {
		return 0, fmt.Errorf("state: store registry: %w", err)
	}
	if next == ^uint32(0) {
		return 0, errors.New("state: store ids exhausted")
	}
	b := db.pdb.NewBatch()
	defer b.Close()
	_ = b.Set(key, binary.BigEndian.AppendUint32(nil, next), nil)
	_ = b.Set(nk, binary.BigEndian.AppendUint32(nil, next+1), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		return 0, fmt.Errorf("state: store registry: %w", err)
	}
	return next, nil
}

// OpenTask opens the state of one task (one input partition of one
// query). Its stores, write-back cache and pending batch belong to it; its
// checkpoint covers all its stores. Only one Task per id may be open.
func (db *DB) OpenTask(id string) (*Task, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, ErrClosed
	}
	if _, ok := db.openTasks[id]; ok {
		return nil, fmt.Errorf("%w: %s", ErrTaskOpen, id)
	}
	t := newTask(db, id)
	db.openTasks[id] = t
	db.taskCount.Add(1)
	return t, nil
}

// DropStore deletes the named store's data and stream time (DROP TABLE,
// TERMINATE of a query), synced. The store must not be open. Its id is
// never reused, so nothing of it can reappear in a later store.
func (db *DB) DropStore(name string) error {
	db.mu.Lock()
	open, closed := db.openNames[name], db.closed
	db.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if open {
		return fmt.Errorf("%w: %s", ErrStoreOpen, name)
	}
	v, ok, err := getCopy(db.pdb, metaKey(metaRegistry, []byte(name)))
	if err != nil || !ok {
		return err
	}
	if len(v) != 4 {
		return fmt.Errorf("%w: store id of %q", ErrCorrupt, name)
	}
	prefix := storePrefix(binary.BigEndian.Uint32(v))
	b := db.pdb.NewBatch()
	defer b.Close()
	_ = b.DeleteRange(prefix, prefixEnd(prefix), nil)
	_ = b.Delete(metaKey(metaStreamTime, prefix[1:]), nil)
	_ = b.Delete(metaKey(metaRegistry, []byte(name)), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("state: drop %s: %w", name, err)
	}
	return nil
}

// DropTask deletes a task's checkpoint (its stores are dropped one by one
// with DropStore). The task must not be open.
func (db *DB) DropTask(id string) error {
	db.mu.Lock()
	_, open := db.openTasks[id]
	closed := db.closed
	db.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if open {
		return fmt.Errorf("%w: %s", ErrTaskOpen, id)
	}
	if err := db.pdb.Delete(metaKey(metaCheckpoint, []byte(id)), pebble.Sync); err != nil {
		return fmt.Errorf("state: drop task %s: %w", id, err)
	}
	return nil
}

// claimName marks a store name as open, so two handles never cache the
// same keys.
func (db *DB) claimName(name string) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return ErrClosed
	}
	if db.openNames[name] {
		return fmt.Errorf("%w: %s", ErrStoreOpen, name)
	}
	db.openNames[name] = true
	return nil
}

func (db *DB) releaseName(name string) {
	db.mu.Lock()
	defer db.mu.Unlock()
	delete(db.openNames, name)
}

func (db *DB) releaseTask(t *Task, names []string) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.openTasks[t.id] == t {
		delete(db.openTasks, t.id)
		db.taskCount.Add(-1)
	}
	for _, n := range names {
		delete(db.openNames, n)
	}
}

// logger adapts Options.Logf to pebble's Logger; Fatalf panics as pebble
// expects (it signals corruption pebble cannot continue from).
type logger struct{ logf func(string, ...any) }

// Infof implements pebble.Logger.
func (l logger) Infof(format string, args ...any) {
	if l.logf != nil {
		l.logf(format, args...)
	}
}

// Errorf implements pebble.Logger.
func (l logger) Errorf(format string, args ...any) {
	if l.logf != nil {
		l.logf(format, args...)
	}
}

// Fatalf implements pebble.Logger.
func (l logger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("state: pebble fatal: "+format, args...))
}
