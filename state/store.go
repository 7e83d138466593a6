package state

import (
	"fmt"
	"strconv"

	"github.com/cockroachdb/pebble/v2"
)

// StoreName builds the conventional store name for an operator's store in
// one partition of one query, so names never collide across queries.
func StoreName(query, operator string, partition int32) string {
	return query + "/" + operator + "/" + strconv.Itoa(int(partition))
}

type storeKind uint8

const (
	kindKeyValue storeKind = iota
	kindWindow
	kindSession
)

// reader is where a store reads: its task (cache, pending batch, pebble)
// or a Snapshot (committed state only).
type reader interface {
	get(st *store, key []byte) ([]byte, bool, error)
	iter(st *store, lo, hi []byte) (*pebble.Iterator, error)
	// committed reads bookkeeping as last committed.
	committed(key []byte) ([]byte, bool, error)
	// committedLast returns the last committed key in [lo, hi).
	committedLast(lo, hi []byte) ([]byte, bool, error)
}

// lastKey returns a copy of the last key of r in [lo, hi).
func lastKey(r pebble.Reader, lo, hi []byte) ([]byte, bool, error) {
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return nil, false, fmt.Errorf("state: iterator: %w", err)
	}
	var k []byte
	ok := it.Last()
	if ok {
		k = append(k, it.Key()...)
	}
	if err := it.Close(); err != nil {
		return nil, false, fmt.Errorf("state: iterator: %w", err)
	}
	return k, ok, nil
}

// store is what the three store kinds share: a name, a key prefix, where
// it reads, the task whose cache and batch it writes through (nil for a
// snapshot view), and its dirty entries.
type store struct {
	rd     reader
	t      *Task
	name   string
	id     uint32
	prefix []byte
	kind   storeKind
	dirty  []*entry
	seg    *segments // window and session stores only
	// scratch is pointKey's buffer.
	scratch []byte
}

func (t *Task) openStore(name string, kind storeKind) (*store, error) {
	if t.closed {
		return nil, ErrClosed
	}
	if err := t.db.claimName(name); err != nil {
		return nil, err
	}
	id, err := t.db.storeID(name)
	if err != nil {
		t.db.releaseName(name)
		return nil, err
	}
	st := &store{rd: t, t: t, name: name, id: id, prefix: storePrefix(id), kind: kind}
	t.stores = append(t.stores, st)
	return st, nil
}

// key returns prefix+rest in a new slice.
func (st *store) key(n int) []byte {
	k := make([]byte, 0, prefixLen+n)
	return append(k, st.prefix...)
}

// pointKey returns the store's prefix with room for n more bytes, for the
// key of a point read or write. In a task's store it is the store's scratch
// buffer, reused by the next call: a task is single-threaded, and the task
// copies the keys it keeps (cache entries; the batch copies too), so point
// operations allocate no key. A snapshot's views may be shared by readers,
// so they get a new slice.
func (st *store) pointKey(n int) []byte {
	if st.t == nil {
		return st.key(n)
	}
	if cap(st.scratch) < prefixLen+n {
		st.scratch = make([]byte, 0, 2*(prefixLen+n))
	}
	st.scratch = append(st.scratch[:0], st.prefix...)
	return st.scratch
}

// changelogKey strips the prefix (and segment) from a full key.
func (st *store) changelogKey(full []byte) []byte {
	if st.kind == kindKeyValue {
		return full[prefixLen:]
	}
	return full[prefixLen+time8Len:]
}

// fullKey appends to dst the store's full key for a changelog key and
// returns it with, for windowed stores, the time retention is measured on.
func (st *store) fullKey(dst, cl []byte) (full []byte, t int64, err error) {
	dst = append(dst, st.prefix...)
	if st.kind == kindKeyValue {
		return append(dst, cl...), 0, nil
	}
	rest, err := skipEscaped(cl)
	if err != nil {
		return nil, 0, err
	}
	want := time8Len
	if st.kind == kindSession {
		want = 2 * time8Len
	}
	if len(rest) != want {
		return nil, 0, errBadKey
	}
	t = decodeTime(rest) // window start, or session end
	dst = appendTime(dst, floorDiv(t, st.seg.interval))
	return append(dst, cl...), t, nil
}

// wipe deletes everything the store holds, in the task's pending batch.
func (st *store) wipe() error {
	st.t.dropStoreEntries(st, nil)
	st.dirty = st.dirty[:0]
	if err := st.t.batchOp(func(b *pebble.Batch) error { return b.DeleteRange(st.prefix, prefixEnd(st.prefix), nil) }); err != nil {
		return fmt.Errorf("state: wipe %s: %w", st.name, err)
	}
	if st.seg != nil {
		return st.seg.resetTime()
	}
	return nil
}

// reload rereads what the store keeps in memory from committed state.
func (st *store) reload() error {
	if st.seg != nil {
		return st.seg.load()
	}
	return nil
}

// KVStore is a key-value store: the state of a table or of a
// non-windowed aggregation, keyed by raw bytes in byte order.
type KVStore struct{ st *store }

// KeyValueStore opens the named key-value store in the task.
func (t *Task) KeyValueStore(name string) (*KVStore, error) {
	st, err := t.openStore(name, kindKeyValue)
	if err != nil {
		return nil, err
	}
	return &KVStore{st: st}, nil
}

// Name returns the store's name.
func (s *KVStore) Name() string { return s.st.name }

// Get returns the value of key. The returned slice must not be modified; it
// stays valid after later writes (they replace, never mutate, values).
func (s *KVStore) Get(key []byte) ([]byte, bool, error) {
	return s.st.rd.get(s.st, append(s.st.pointKey(len(key)), key...))
}

// Put sets key to value (copied).
func (s *KVStore) Put(key, value []byte) error {
	return s.st.t.set(s.st, append(s.st.pointKey(len(key)), key...), value, false)
}

// Delete removes key.
func (s *KVStore) Delete(key []byte) error {
	return s.st.t.set(s.st, append(s.st.pointKey(len(key)), key...), nil, true)
}

// Range calls fn for each key in [lo, hi) in key order (nil bounds are
// open). key and value are valid only during fn, and fn must not write to
// the store.
func (s *KVStore) Range(lo, hi []byte, fn func(key, value []byte) error) error {
	lower := append(s.st.key(len(lo)), lo...)
	upper := prefixEnd(s.st.prefix)
	if hi != nil {
		upper = append(s.st.key(len(hi)), hi...)
	}
	return s.scan(lower, upper, fn)
}

// Prefix calls fn for each key starting with p, in key order, under the
// same rules as Range.
func (s *KVStore) Prefix(p []byte, fn func(key, value []byte) error) error {
	lower := append(s.st.key(len(p)), p...)
	return s.scan(lower, prefixEnd(lower), fn)
}

func (s *KVStore) scan(lower, upper []byte, fn func(key, value []byte) error) error {
	it, err := s.st.rd.iter(s.st, lower, upper)
	if err != nil {
		return err
	}
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			it.Close()
			return fmt.Errorf("state: scan %s: %w", s.st.name, err)
		}
		if err := fn(it.Key()[prefixLen:], v); err != nil {
			it.Close()
			return err
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("state: scan %s: %w", s.st.name, err)
	}
	return nil
}
