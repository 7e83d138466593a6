package state

import (
	"bytes"
	"container/heap"
	"math"
)

// EMIT FINAL on session windows emits each session once stream time has
// closed it, ordered by end. The store's keys are grouped by segment and
// then by key, so finding the sessions that ended in a small time range
// would mean reading every session of the segment, already emitted ones
// included, for every record that advances stream time. endIndex keeps
// instead, in memory, the sessions not taken yet ordered by (end, start,
// key): a record costs O(log n) per session it writes and per session it
// closes.
//
// The index is a cache of the store, never the truth: it is built from a
// scan of the store on the first PopEnded, kept up to date by Put and
// Remove, and every session it yields is read back from the store (a
// session removed, expired or never committed is skipped). A store whose
// contents change behind Put and Remove after that first call (Task.Abort,
// a restore) must be reopened, as the runtime does with fresh operators;
// the one such change the store can see, its stream time going back, makes
// it rebuild the index.

// endEntry is one session of the index.
type endEntry struct {
	end, start int64
	key        []byte
	// storeKey is the session's key in the store; removed marks a session
	// Remove deleted since it was indexed (a Put of the same session
	// revives the entry instead of queueing a second one).
	storeKey []byte
	removed  bool
}

// endHeap is a min-heap of entries by end, start, key.
type endHeap []*endEntry

func (h endHeap) Len() int { return len(h) }
func (h endHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	if a.end != b.end {
		return a.end < b.end
	}
	if a.start != b.start {
		return a.start < b.start
	}
	return bytes.Compare(a.key, b.key) < 0
}
func (h endHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *endHeap) Push(x any)   { *h = append(*h, x.(*endEntry)) }
func (h *endHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}

// endIndex is the sessions not taken yet, by end, with their entries by
// store key.
type endIndex struct {
	heap   endHeap
	byKey  map[string]*endEntry
	stream int64 // the store's stream time at the last PopEnded
}

// put indexes the session [start, end] of key (storeKey in the store);
// nothing when the index is not built.
func (x *endIndex) put(storeKey, key []byte, start, end int64) {
	if x == nil {
		return
	}
	if e, ok := x.byKey[string(storeKey)]; ok {
		e.removed = false
		return
	}
	e := &endEntry{end: end, start: start, key: append([]byte(nil), key...), storeKey: append([]byte(nil), storeKey...)}
	x.byKey[string(e.storeKey)] = e
	heap.Push(&x.heap, e)
}

// remove marks the session of storeKey removed.
func (x *endIndex) remove(storeKey []byte) {
	if x == nil {
		return
	}
	if e, ok := x.byKey[string(storeKey)]; ok {
		e.removed = true
	}
}

// PopEnded calls fn, in order of end, start and key, for every session of
// the store whose end is at most to and that no earlier PopEnded call
// returned, and forgets them. The first call (and the first after the
// store's stream time went back) indexes the sessions ending at from or
// later; sessions ending before from are never returned. A session is
// returned while its segment is kept, even after its end passed the
// liveness cutoff: Kafka Streams' time-ordered session store, which
// ksqlDB's final results come from, filters such a range read by whole
// segments only. The window's bytes are valid only during fn, and fn must
// not write to the store.
func (s *SessionStore) PopEnded(from, to int64, fn func(Window) error) error {
	if s.ends == nil || s.seg.observed < s.ends.stream {
		if err := s.buildEnds(from); err != nil {
			return err
		}
	}
	x := s.ends
	x.stream = s.seg.observed
	firstSeg := int64(math.MinInt64)
	if cut := s.seg.cutoff(); cut != noTime {
		firstSeg = s.seg.segOf(cut)
	}
	for len(x.heap) > 0 && x.heap[0].end <= to {
		e := heap.Pop(&x.heap).(*endEntry)
		delete(x.byKey, string(e.storeKey))
		if e.removed || e.end < from || s.seg.segOf(e.end) < firstSeg {
			continue
		}
		v, ok, err := s.st.rd.get(s.st, e.storeKey)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := fn(Window{Key: e.key, Start: e.start, End: e.end, Value: v}); err != nil {
			return err
		}
	}
	return nil
}

// buildEnds indexes every kept session ending at from or later.
func (s *SessionStore) buildEnds(from int64) error {
	x := &endIndex{byKey: map[string]*endEntry{}}
	first := s.seg.segOf(from)
	if cut := s.seg.cutoff(); cut != noTime {
		first = max(first, s.seg.segOf(cut))
	}
	err := s.seg.scanAll(first, math.MaxInt64, func(key, rest, _ []byte) error {
		end, start := decodeTime(rest), decodeTime(rest[time8Len:])
		if end >= from {
			k := append([]byte(nil), s.key(key, start, end)...)
			e := &endEntry{end: end, start: start, key: append([]byte(nil), key...), storeKey: k}
			x.byKey[string(k)] = e
			x.heap = append(x.heap, e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	heap.Init(&x.heap)
	s.ends = x
	return nil
}
