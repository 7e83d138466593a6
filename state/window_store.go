package state

import (
	"math"
)

// Window is one entry of a window or session store.
type Window struct {
	Key   []byte
	Start int64
	// End is Start+Size in a window store and the session's end in a
	// session store.
	End   int64
	Value []byte
}

// WindowOptions configures a window store. Times are milliseconds.
type WindowOptions struct {
	// Size is the window length; it only fills Window.End.
	Size int64
	// Retention is how long after stream time a window stays (ksqlDB's
	// RETENTION, at least size plus grace); <= 0 keeps windows forever.
	Retention int64
	// SegmentInterval is the time span of one segment, the unit retention
	// drops; default max(Retention/2, 1 minute).
	SegmentInterval int64
}

// WindowStore holds the state of tumbling and hopping windows: (key,
// window start) -> value, grouped by time segments.
type WindowStore struct {
	st   *store
	seg  *segments
	size int64
}

// WindowStore opens the named window store in the task.
func (t *Task) WindowStore(name string, opts WindowOptions) (*WindowStore, error) {
	st, err := t.openStore(name, kindWindow)
	if err != nil {
		return nil, err
	}
	g, err := newSegments(st, opts.Retention, opts.SegmentInterval)
	if err != nil {
		return nil, err
	}
	return &WindowStore{st: st, seg: g, size: opts.Size}, nil
}

// Name returns the store's name.
func (s *WindowStore) Name() string { return s.st.name }

// StreamTime returns the latest time passed to Expire (math.MinInt64 if
// none).
func (s *WindowStore) StreamTime() int64 { return s.seg.observed }

// key builds the full key of key's window at start in the store's scratch
// buffer (see store.pointKey): valid until the next call.
func (s *WindowStore) key(key []byte, start int64) []byte {
	k := s.st.pointKey(time8Len + len(key) + 2 + time8Len)
	return appendTime(appendEscaped(appendTime(k, s.seg.segOf(start)), key), start)
}

// Get returns the value of key's window starting at start.
func (s *WindowStore) Get(key []byte, start int64) ([]byte, bool, error) {
	if !s.seg.live(start) {
		return nil, false, nil
	}
	return s.st.rd.get(s.st, s.key(key, start))
}

// Put sets the value of key's window at start. A window past retention is
// not stored and ErrExpired is returned, so the caller can count it.
func (s *WindowStore) Put(key []byte, start int64, value []byte) error {
	if !s.seg.live(start) {
		return ErrExpired
	}
	s.seg.noteSeg(s.seg.segOf(start))
	return s.st.t.set(s.st, s.key(key, start), value, false)
}

// Delete removes key's window at start.
func (s *WindowStore) Delete(key []byte, start int64) error {
	if !s.seg.live(start) {
		return nil
	}
	return s.st.t.set(s.st, s.key(key, start), nil, true)
}

// Fetch returns key's live windows with start in [from, to], by start.
func (s *WindowStore) Fetch(key []byte, from, to int64) ([]Window, error) {
	from = max(from, s.seg.cutoff())
	if from > to {
		return nil, nil
	}
	var out []Window
	err := s.seg.scanKey(key, s.seg.segOf(from), s.seg.segOf(to), appendTime(nil, from), func(rest, v []byte) (bool, error) {
		start := decodeTime(rest)
		if start > to {
			return false, nil
		}
		out = append(out, Window{Key: append([]byte(nil), key...), Start: start, End: start + s.size, Value: append([]byte{}, v...)})
		return true, nil
	})
	return out, err
}

// Scan calls fn for every live window with start in [from, to], of every
// key, ordered by segment, then key, then start. The window's bytes are
// valid only during fn, and fn must not write to the store.
func (s *WindowStore) Scan(from, to int64, fn func(Window) error) error {
	from = max(from, s.seg.cutoff())
	if from > to {
		return nil
	}
	last := int64(math.MaxInt64)
	if to < math.MaxInt64 {
		last = s.seg.segOf(to)
	}
	return s.seg.scanAll(s.seg.segOf(from), last, func(key, rest, v []byte) error {
		start := decodeTime(rest)
		if start < from || start > to {
			return nil
		}
		return fn(Window{Key: key, Start: start, End: start + s.size, Value: v})
	})
}

// Expire advances the store's stream time to streamTime (it never moves
// back) and drops the windows that fell out of retention.
func (s *WindowStore) Expire(streamTime int64) error { return s.seg.expire(streamTime) }
