package state

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// ErrUnknownStore: a snapshot was asked for a store that was never
// registered (nothing was ever written to it).
var ErrUnknownStore = errors.New("state: unknown store")

// Snapshot is a consistent, read-only view of the committed state of all
// stores, for pull queries: they run on request goroutines while tasks keep
// writing, and must see neither a task's uncommitted changes nor a mix of
// two commits. A Snapshot is safe for concurrent use; Close it promptly,
// since it pins pebble's state as of its creation.
type Snapshot struct {
	db   *DB
	snap *pebble.Snapshot
}

// NewSnapshot returns a snapshot of the state as of the last commits.
func (db *DB) NewSnapshot() *Snapshot {
	return &Snapshot{db: db, snap: db.pdb.NewSnapshot()}
}

// Close releases the snapshot.
func (s *Snapshot) Close() error {
	if err := s.snap.Close(); err != nil {
		return fmt.Errorf("state: snapshot: %w", err)
	}
	return nil
}

func (s *Snapshot) get(_ *store, key []byte) ([]byte, bool, error) { return getCopy(s.snap, key) }

func (s *Snapshot) committed(key []byte) ([]byte, bool, error) { return getCopy(s.snap, key) }

func (s *Snapshot) committedLast(lo, hi []byte) ([]byte, bool, error) {
	return lastKey(s.snap, lo, hi)
}

func (s *Snapshot) iter(_ *store, lo, hi []byte) (*pebble.Iterator, error) {
	it, err := s.snap.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return nil, fmt.Errorf("state: iterator: %w", err)
	}
	return it, nil
}

// view builds a read-only store over the snapshot.
func (s *Snapshot) view(name string, kind storeKind) (*store, error) {
	v, ok, err := getCopy(s.snap, metaKey(metaRegistry, []byte(name)))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownStore, name)
	}
	if len(v) != 4 {
		return nil, fmt.Errorf("%w: store id of %q", ErrCorrupt, name)
	}
	id := binary.BigEndian.Uint32(v)
	return &store{rd: s, name: name, id: id, prefix: storePrefix(id), kind: kind}, nil
}

// KVView reads a key-value store in a snapshot.
type KVView struct{ s *KVStore }

// KeyValue returns a view of the named key-value store.
func (s *Snapshot) KeyValue(name string) (*KVView, error) {
	st, err := s.view(name, kindKeyValue)
	if err != nil {
		return nil, err
	}
	return &KVView{s: &KVStore{st: st}}, nil
}

// Get is KVStore.Get on the snapshot.
func (v *KVView) Get(key []byte) ([]byte, bool, error) { return v.s.Get(key) }

// Range is KVStore.Range on the snapshot.
func (v *KVView) Range(lo, hi []byte, fn func(key, value []byte) error) error {
	return v.s.Range(lo, hi, fn)
}

// Prefix is KVStore.Prefix on the snapshot.
func (v *KVView) Prefix(p []byte, fn func(key, value []byte) error) error { return v.s.Prefix(p, fn) }

// WindowView reads a window store in a snapshot. Its options must be the
// ones the store's task uses (the segment interval locates keys; the
// retention hides windows the task no longer sees).
type WindowView struct{ s *WindowStore }

// Window returns a view of the named window store.
func (s *Snapshot) Window(name string, opts WindowOptions) (*WindowView, error) {
	st, err := s.view(name, kindWindow)
	if err != nil {
		return nil, err
	}
	g, err := newSegments(st, opts.Retention, opts.SegmentInterval)
	if err != nil {
		return nil, err
	}
	return &WindowView{s: &WindowStore{st: st, seg: g, size: opts.Size}}, nil
}

// Get is WindowStore.Get on the snapshot.
func (v *WindowView) Get(key []byte, start int64) ([]byte, bool, error) { return v.s.Get(key, start) }

// Fetch is WindowStore.Fetch on the snapshot.
func (v *WindowView) Fetch(key []byte, from, to int64) ([]Window, error) {
	return v.s.Fetch(key, from, to)
}

// Scan is WindowStore.Scan on the snapshot.
func (v *WindowView) Scan(from, to int64, fn func(Window) error) error { return v.s.Scan(from, to, fn) }

// SessionView reads a session store in a snapshot, under the same rule
// about options as WindowView.
type SessionView struct{ s *SessionStore }

// Session returns a view of the named session store.
func (s *Snapshot) Session(name string, opts SessionOptions) (*SessionView, error) {
	st, err := s.view(name, kindSession)
	if err != nil {
		return nil, err
	}
	g, err := newSegments(st, opts.Retention, opts.SegmentInterval)
	if err != nil {
		return nil, err
	}
	return &SessionView{s: &SessionStore{st: st, seg: g}}, nil
}

// Fetch is SessionStore.Fetch on the snapshot.
func (v *SessionView) Fetch(key []byte) ([]Window, error) { return v.s.Fetch(key) }

// FindSessions is SessionStore.FindSessions on the snapshot.
func (v *SessionView) FindSessions(key []byte, earliestEnd, latestStart int64) ([]Window, error) {
	return v.s.FindSessions(key, earliestEnd, latestStart)
}

// Scan is SessionStore.Scan on the snapshot.
func (v *SessionView) Scan(fn func(Window) error) error { return v.s.Scan(fn) }
