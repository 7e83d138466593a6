package state

// flushedBound knows which windows of a window store can be in pebble or
// in the task's pending batch, so that a lookup that misses the write-back
// cache and must also miss there does not ask pebble. Windowed
// aggregations make such lookups all the time: every key opens a new
// window every window period, and a hopping window's first record of a
// key opens several. Those lookups were the largest cost of a windowed
// aggregation (34% of the CPU of the tumbling benchmark), and pebble's
// bloom filters do not help them: they cover sstables, not the memtables
// or the pending batch where recent windows are.
//
// The bound is exact per key for the keys flushed since the store was
// loaded: byKey holds each one's newest flushed window start. For other
// keys, floor is at least the newest start any of them can have in
// pebble: after a load the end of the highest segment in pebble, after
// forgetting byKey the newest start flushed. A window newer than its key's
// bound is only in the cache, if anywhere.
//
// byKey is bounded: when it outgrows maxTrackedKeys, keys whose newest
// window fell out of retention are dropped (reads of their windows stop at
// the liveness check, so they need no bound), and if that is not enough
// the whole map is forgotten into floor, which leaves a correct, coarser
// bound.
type flushedBound struct {
	max   int64 // the newest window start flushed or loaded, of any key
	floor int64
	byKey map[string]*int64
}

// maxTrackedKeys bounds byKey (about 64 bytes each).
const maxTrackedKeys = 1 << 16

// reset forgets everything: the store is empty or about to be reloaded.
func (f *flushedBound) reset() {
	f.max, f.floor = noTime, noTime
	clear(f.byKey)
}

// raise says pebble may hold windows of any key up to t.
func (f *flushedBound) raise(t int64) {
	f.max = max(f.max, t)
	f.floor = max(f.floor, t)
}

// windowKey splits a window store's full key (prefix, segment, esc(key),
// start) into esc(key) and start.
func windowKey(full []byte) (key []byte, start int64, ok bool) {
	if len(full) < prefixLen+2*time8Len {
		return nil, 0, false
	}
	return full[prefixLen+time8Len : len(full)-time8Len], decodeTime(full[len(full)-time8Len:]), true
}

// note records that the window with full key full reached the pending
// batch; cutoff is the store's oldest live time.
func (f *flushedBound) note(full []byte, cutoff int64) {
	key, start, ok := windowKey(full)
	if !ok {
		return
	}
	f.max = max(f.max, start)
	if p, ok := f.byKey[string(key)]; ok {
		*p = max(*p, start)
		return
	}
	if f.byKey == nil {
		f.byKey = map[string]*int64{}
	}
	if len(f.byKey) >= maxTrackedKeys {
		f.shrink(cutoff)
	}
	f.byKey[string(key)] = &start
}

// shrink drops the keys with no live window, or forgets them all when
// that frees less than half.
func (f *flushedBound) shrink(cutoff int64) {
	for k, p := range f.byKey {
		if *p < cutoff {
			delete(f.byKey, k)
		}
	}
	if len(f.byKey) > maxTrackedKeys/2 {
		f.floor = f.max
		clear(f.byKey)
	}
}

// mayHold reports whether the window with full key full may be in pebble
// or the pending batch; false means only the cache can hold it.
func (f *flushedBound) mayHold(full []byte, cutoff int64) bool {
	key, start, ok := windowKey(full)
	if !ok || start < cutoff {
		return true // not a window key, or expired: let the read decide
	}
	if start > f.max {
		return false
	}
	bound := f.floor
	if p, ok := f.byKey[string(key)]; ok {
		bound = max(bound, *p)
	}
	return start <= bound
}
