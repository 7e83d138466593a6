package state

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"unsafe"

	"github.com/cockroachdb/pebble/v2"
	"github.com/sluicedb/sluice/broker"
)

// Change is one flushed store change, in the form the runtime appends to
// the store's changelog topic: Key is the store-local key (see keys.go),
// Value the new value, nil for a delete (a tombstone on the compacted topic).
type Change struct {
	Store string
	Key   []byte
	Value []byte
}

// entryOverhead approximates the bytes a cache entry costs beyond its key
// and value (the entry struct, the map slot, the list links).
const entryOverhead = 96

// entry is one cached key. Clean entries mirror what pebble (through the
// task's pending batch) holds and sit on the LRU list; dirty entries are
// newer than that and are never evicted, only flushed.
type entry struct {
	key     []byte
	value   []byte
	deleted bool
	dirty   bool
	st      *store
	// prev and next link clean entries, most recently used first.
	prev, next *entry
}

func (e *entry) size() int64 { return int64(len(e.key) + len(e.value) + entryOverhead) }

// mapKey returns the entry's key as the string the task's map holds it
// under, sharing the key's bytes: an entry's key is its own copy and never
// changes, and a second copy per cached key was a tenth of the cache's
// allocations.
func (e *entry) mapKey() string { return unsafe.String(unsafe.SliceData(e.key), len(e.key)) }

// Task is the state of one task: its stores, their write-back cache, and
// the pending pebble batch that collects flushed changes until Commit writes
// them, with the task's offsets, atomically and synced.
//
// Reads go cache -> pending batch -> pebble, so a task always reads its own
// writes. Writes stay in the cache (one entry per key however often it is
// written) until a flush moves them into the pending batch: at Commit, before
// a range scan of the same store (scans read the batch), or early when the
// cache exceeds its share of the memory budget. An early flush is still
// uncommitted: a crash loses it together with everything else since the last
// Commit, which is what keeps state and offsets in agreement.
//
// A Task is not safe for concurrent use.
type Task struct {
	db     *DB
	id     string
	batch  *pebble.Batch
	stores []*store

	entries    map[string]*entry
	lru        entry // sentinel of the clean list
	cacheBytes int64
	dirtyBytes int64

	pendingBytes int64

	cp       Checkpoint
	cpLoaded bool
	closed   bool
	stats    CacheStats
}

// CacheStats counts what the task's write-back cache did, for metrics: a
// low hit rate or many early flushes say the memory budget is too small.
type CacheStats struct {
	// Hits and Misses count point reads answered by the cache or not.
	Hits, Misses int64
	// Reads counts the misses that read pebble (through the pending
	// batch); the others were windows newer than anything flushed for
	// their key (flushed.go), which cannot be there.
	Reads int64
	// Evictions counts clean entries dropped for the budget.
	Evictions int64
	// EarlyFlushes counts flushes of dirty entries forced by the budget.
	EarlyFlushes int64
}

// CacheStats returns the task's cache counters since it was opened.
func (t *Task) CacheStats() CacheStats { return t.stats }

func newTask(db *DB, id string) *Task {
	t := &Task{db: db, id: id, entries: map[string]*entry{}}
	t.lru.next, t.lru.prev = &t.lru, &t.lru
	t.batch = db.pdb.NewIndexedBatch()
	return t
}

// ID returns the task id given to OpenTask.
func (t *Task) ID() string { return t.id }

// NeedsCommit reports memory pressure: the task's uncommitted changes
// exceed its share of the budget, and the runtime should commit at the next
// batch boundary rather than wait for the commit interval. Nothing is lost
// if it does not; memory just grows.
func (t *Task) NeedsCommit() bool {
	pending := t.pendingBytes + t.dirtyBytes
	if pending == 0 {
		return false
	}
	n := max(t.db.taskCount.Load(), 1)
	return pending > t.db.pendingLimit/n || t.db.pendingUsed.Load()+t.db.cacheUsed.Load() > t.db.pendingLimit+t.db.cacheLimit
}

// get returns the value of a full key as the task sees it.
func (t *Task) get(st *store, key []byte) ([]byte, bool, error) {
	if t.closed {
		return nil, false, ErrClosed
	}
	if e, ok := t.entries[string(key)]; ok {
		if !e.dirty {
			t.touch(e)
		}
		t.stats.Hits++
		return e.value, !e.deleted, nil
	}
	t.stats.Misses++
	var v []byte
	var found bool
	if st.kind != kindWindow || st.seg.flushed.mayHold(key, st.seg.cutoff()) {
		t.stats.Reads++
		var err error
		if v, found, err = t.readBatch(key); err != nil {
			return nil, false, err
		}
	}
	if t.db.opts.DisableCache {
		return v, found, nil
	}
	e := &entry{key: append([]byte(nil), key...), value: v, deleted: !found, st: st}
	t.entries[e.mapKey()] = e
	t.pushFront(e)
	t.account(e.size(), 0)
	if err := t.shrink(); err != nil {
		return nil, false, err
	}
	return v, found, nil
}

// readBatch reads through the pending batch into pebble and copies.
func (t *Task) readBatch(key []byte) ([]byte, bool, error) {
	return getCopy(t.batch, key)
}

// set records a write (deleted = a delete) of a full key.
func (t *Task) set(st *store, key, value []byte, deleted bool) error {
	if t.closed {
		return ErrClosed
	}
	if deleted {
		value = nil
	} else {
		value = append([]byte{}, value...)
	}
	if t.db.opts.DisableCache {
		return t.write(st, key, value, deleted)
	}
	e, ok := t.entries[string(key)]
	if !ok {
		e = &entry{key: append([]byte(nil), key...), st: st}
		t.entries[e.mapKey()] = e
	} else {
		t.account(-e.size(), 0)
		if e.dirty {
			t.dirtyBytes -= e.size()
		} else {
			t.unlink(e)
		}
	}
	e.value, e.deleted = value, deleted
	if !e.dirty {
		e.dirty = true
		st.dirty = append(st.dirty, e)
	}
	t.account(e.size(), 0)
	t.dirtyBytes += e.size()
	return t.shrink()
}

// write puts one change into the pending batch.
func (t *Task) write(st *store, key, value []byte, deleted bool) error {
	before := t.batch.Len()
	var err error
	if deleted {
		err = t.batch.Delete(key, nil)
	} else {
		err = t.batch.Set(key, value, nil)
	}
	if err != nil {
		return fmt.Errorf("state: write: %w", err)
	}
	if st.kind == kindWindow {
		st.seg.flushed.note(key, st.seg.cutoff())
	}
	t.account(0, int64(t.batch.Len()-before))
	return nil
}

// batchOp runs a write on the pending batch that bypasses the cache (range
// deletions, bookkeeping) and accounts for its size.
func (t *Task) batchOp(op func(b *pebble.Batch) error) error {
	before := t.batch.Len()
	err := op(t.batch)
	t.account(0, int64(t.batch.Len()-before))
	return err
}

// flushStore moves the dirty entries of one store into the pending batch.
func (t *Task) flushStore(st *store) error {
	for _, e := range st.dirty {
		if !e.dirty {
			continue
		}
		if err := t.write(st, e.key, e.value, e.deleted); err != nil {
			return err
		}
		e.dirty = false
		t.dirtyBytes -= e.size()
		t.pushFront(e)
	}
	st.dirty = st.dirty[:0]
	return nil
}

func (t *Task) flushAll() error {
	for _, st := range t.stores {
		if err := t.flushStore(st); err != nil {
			return err
		}
		if st.seg != nil {
			if err := st.seg.flushTime(); err != nil {
				return err
			}
		}
	}
	return nil
}

// shrink keeps the caches of all tasks within their budget. A task only
// evicts its own entries, and only while it holds more than its fair share
// (the budget over the open tasks), so one busy task cannot make another
// flush on every write. If its clean entries are not enough, it flushes its
// dirty entries early into the pending batch (still uncommitted) and evicts
// them as clean ones.
func (t *Task) shrink() error {
	if t.db.cacheUsed.Load() <= t.db.cacheLimit {
		return nil
	}
	share := t.db.cacheLimit / max(t.db.taskCount.Load(), 1)
	t.evictClean(share)
	if t.db.cacheUsed.Load() > t.db.cacheLimit && t.cacheBytes > share && t.dirtyBytes > 0 {
		t.stats.EarlyFlushes++
		if err := t.flushAll(); err != nil {
			return err
		}
		t.evictClean(share)
	}
	return nil
}

func (t *Task) evictClean(share int64) {
	for t.db.cacheUsed.Load() > t.db.cacheLimit && t.cacheBytes > share && t.lru.prev != &t.lru {
		e := t.lru.prev
		t.unlink(e)
		t.drop(e)
		t.stats.Evictions++
	}
}

// drop forgets a clean or dirty entry entirely.
func (t *Task) drop(e *entry) {
	if e.dirty {
		e.dirty = false
		t.dirtyBytes -= e.size()
	}
	delete(t.entries, string(e.key))
	t.account(-e.size(), 0)
}

func (t *Task) account(cache, pending int64) {
	if cache != 0 {
		t.cacheBytes += cache
		t.db.cacheUsed.Add(cache)
	}
	if pending != 0 {
		t.pendingBytes += pending
		t.db.pendingUsed.Add(pending)
	}
}

func (t *Task) pushFront(e *entry) {
	e.prev, e.next = &t.lru, t.lru.next
	t.lru.next.prev = e
	t.lru.next = e
}

func (t *Task) unlink(e *entry) {
	if e.prev == nil {
		return
	}
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (t *Task) touch(e *entry) {
	t.unlink(e)
	t.pushFront(e)
}

// dropExpired forgets the cached entries of st whose keys sort before end,
// the segments an expiration just deleted. Dirty ones must go, or a later
// flush would write them back behind the range deletion; the store's dirty
// list holds them. Clean ones can no longer be reached (window and session
// reads check liveness before the cache), so only those at the cold end
// of the LRU list are dropped here, at no cost per live entry; the others
// age out with the LRU. Scanning the whole cache instead, on every
// expiration, was a tenth of a windowed aggregation's time.
func (t *Task) dropExpired(st *store, end []byte) {
	for _, e := range st.dirty {
		if e.dirty && bytes.Compare(e.key, end) < 0 {
			t.drop(e)
		}
	}
	for e := t.lru.prev; e != &t.lru && e.st == st && bytes.Compare(e.key, end) < 0; e = t.lru.prev {
		t.unlink(e)
		t.drop(e)
	}
}

// dropStoreEntries forgets the cached entries of st that match keep==false.
func (t *Task) dropStoreEntries(st *store, keep func(key []byte) bool) {
	for _, e := range t.entries {
		if e.st != st || (keep != nil && keep(e.key)) {
			continue
		}
		t.unlink(e)
		t.drop(e)
	}
}

// committed reads a key of the committed state, bypassing the batch.
func (t *Task) committed(key []byte) ([]byte, bool, error) {
	return getCopy(t.db.pdb, key)
}

// committedLast returns the last committed key in [lo, hi).
func (t *Task) committedLast(lo, hi []byte) ([]byte, bool, error) { return lastKey(t.db.pdb, lo, hi) }

// getCopy reads key from r and copies the value.
func getCopy(r pebble.Reader, key []byte) ([]byte, bool, error) {
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("state: get: %w", err)
	}
	out := append([]byte{}, v...)
	closer.Close()
	return out, true, nil
}

// iter flushes st and returns an iterator over [lo, hi) of the task's view.
func (t *Task) iter(st *store, lo, hi []byte) (*pebble.Iterator, error) {
	if t.closed {
		return nil, ErrClosed
	}
	if err := t.flushStore(st); err != nil {
		return nil, err
	}
	it, err := t.batch.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return nil, fmt.Errorf("state: iterator: %w", err)
	}
	return it, nil
}

// Changes flushes the write-back cache and returns every change since the
// last Commit, in the order they reached the pending batch. The runtime
// appends them to the stores' changelog topics inside the task's log
// transaction and then calls Commit. A key may appear more than once (the
// last one wins, as on a compacted topic). A windowed store whose stream
// time moved also gets a change under streamTimeKey with the new time, so
// that a restore expires exactly what the original did. The changes are
// read back from the pending batch rather than kept beside it, so they cost
// no memory of their own; their bytes stay valid until Commit or Abort.
func (t *Task) Changes() ([]Change, error) {
	if t.closed {
		return nil, ErrClosed
	}
	if err := t.flushAll(); err != nil {
		return nil, err
	}
	byID := make(map[uint32]*store, len(t.stores))
	for _, st := range t.stores {
		byID[st.id] = st
	}
	var out, times []Change
	r := t.batch.Reader()
	for {
		kind, k, v, ok, err := r.Next()
		if err != nil {
			return nil, fmt.Errorf("state: changes: %w", err)
		}
		if !ok {
			break
		}
		if kind != pebble.InternalKeyKindSet && kind != pebble.InternalKeyKindDelete {
			continue // range deletions of expired segments stay local
		}
		var st *store
		var clKey []byte
		switch {
		case len(k) >= prefixLen && k[0] == spaceData:
			st = byID[binary.BigEndian.Uint32(k[1:prefixLen])]
			if st != nil {
				clKey = st.changelogKey(k)
			}
		case len(k) == 2+4 && k[0] == spaceMeta && k[1] == metaStreamTime && kind == pebble.InternalKeyKindSet:
			// Only the latest stream time of each store matters.
			if st := byID[binary.BigEndian.Uint32(k[2:])]; st != nil {
				times = slices.DeleteFunc(times, func(c Change) bool { return c.Store == st.name })
				times = append(times, Change{Store: st.name, Key: streamTimeKey, Value: v})
			}
			continue
		}
		if st == nil {
			continue
		}
		value := v
		if kind == pebble.InternalKeyKindDelete {
			value = nil
		} else if value == nil {
			value = []byte{}
		}
		out = append(out, Change{Store: st.name, Key: clKey, Value: value})
	}
	return append(out, times...), nil
}

// Commit makes the task's changes durable together with cp in one synced
// pebble batch: after a crash either both are there or neither. cp's maps
// are merged over the previous checkpoint (partitions it does not mention
// keep their offsets) and its Seq is set to the previous Seq plus one.
//
// In the exactly-once protocol (see the package doc) Commit comes after
// the log transaction holding the same changes and offsets has committed.
func (t *Task) Commit(cp Checkpoint) error { return t.commit(cp, false) }

// commit is Commit; replace makes cp's maps replace the previous ones
// instead of being merged over them (recovery adopts the log's view).
func (t *Task) commit(cp Checkpoint, replace bool) error {
	if t.closed {
		return ErrClosed
	}
	if err := t.flushAll(); err != nil {
		return err
	}
	prev, _, err := t.Checkpoint()
	if err != nil {
		return err
	}
	next := prev.merge(cp)
	if replace {
		next = Checkpoint{Seq: prev.Seq}.merge(cp)
	}
	if err := t.batch.Set(metaKey(metaCheckpoint, []byte(t.id)), next.encode(), nil); err != nil {
		return fmt.Errorf("state: commit: %w", err)
	}
	err = t.batch.Commit(pebble.Sync)
	t.resetBatch()
	if err != nil {
		// Unknown outcome: forget the cache, reread on demand.
		t.forgetCache()
		t.cpLoaded = false
		return fmt.Errorf("state: commit: %w", err)
	}
	t.cp, t.cpLoaded = next, true
	if invariants {
		if err := t.checkInvariants(); err != nil {
			panic(err)
		}
	}
	return nil
}

// Abort discards everything since the last Commit: cached writes, the
// pending batch, expirations. The runtime calls it when the log transaction
// aborts, then reprocesses from the committed offsets.
func (t *Task) Abort() error {
	if t.closed {
		return ErrClosed
	}
	t.resetBatch()
	t.forgetCache()
	for _, st := range t.stores {
		if err := st.reload(); err != nil {
			return err
		}
	}
	if invariants {
		if err := t.checkInvariants(); err != nil {
			panic(err)
		}
	}
	return nil
}

func (t *Task) resetBatch() {
	_ = t.batch.Close()
	t.account(0, -t.pendingBytes)
	t.batch = t.db.pdb.NewIndexedBatch()
}

// forgetCache drops every cached entry, dirty ones included.
func (t *Task) forgetCache() {
	for _, e := range t.entries {
		t.unlink(e)
		t.drop(e)
	}
	for _, st := range t.stores {
		st.dirty = st.dirty[:0]
	}
}

// Checkpoint returns the last committed checkpoint; ok is false if the
// task never committed.
func (t *Task) Checkpoint() (cp Checkpoint, ok bool, err error) {
	if t.closed {
		return Checkpoint{}, false, ErrClosed
	}
	if t.cpLoaded {
		return t.cp, t.cp.Seq > 0, nil
	}
	v, closer, err := t.db.pdb.Get(metaKey(metaCheckpoint, []byte(t.id)))
	if errors.Is(err, pebble.ErrNotFound) {
		t.cp, t.cpLoaded = Checkpoint{}, true
		return t.cp, false, nil
	}
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("state: checkpoint: %w", err)
	}
	defer closer.Close()
	cp, err = decodeCheckpoint(v)
	if err != nil {
		return Checkpoint{}, false, err
	}
	t.cp, t.cpLoaded = cp, true
	return cp, true, nil
}

// Offsets returns the input offsets of the last committed checkpoint (an
// empty map if the task never committed): where the task resumes when the
// log agrees (see Recover).
func (t *Task) Offsets() (map[broker.TopicPartition]int64, error) {
	cp, _, err := t.Checkpoint()
	if err != nil {
		return nil, err
	}
	out := maps.Clone(cp.Offsets)
	if out == nil {
		out = map[broker.TopicPartition]int64{}
	}
	return out, nil
}

// Close releases the task and its stores. Uncommitted changes are lost.
func (t *Task) Close() error {
	if t.closed {
		return ErrClosed
	}
	t.release()
	return nil
}

func (t *Task) release() {
	if t.closed {
		return
	}
	t.closed = true
	_ = t.batch.Close()
	t.account(0, -t.pendingBytes)
	t.forgetCache()
	names := make([]string, len(t.stores))
	for i, st := range t.stores {
		names[i] = st.name
	}
	t.db.releaseTask(t, names)
}
