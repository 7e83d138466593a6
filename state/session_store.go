package state

import (
	"math"
)

// SessionOptions configures a session store. Times are milliseconds.
type SessionOptions struct {
	// Retention is how long after stream time a session (by its end)
	// stays; <= 0 keeps sessions forever.
	Retention int64
	// SegmentInterval is the time span of one segment; default
	// max(Retention/2, 1 minute).
	SegmentInterval int64
}

// SessionStore holds session windows: (key, end, start) -> value, grouped
// by segments of the session end. The aggregate operator finds the sessions
// a new record merges (FindSessions), removes them and puts the merged one.
type SessionStore struct {
	st  *store
	seg *segments
	// ends orders the sessions EMIT FINAL has not taken yet by end; nil
	// until the first PopEnded (session_final.go).
	ends *endIndex
}

// SessionStore opens the named session store in the task.
func (t *Task) SessionStore(name string, opts SessionOptions) (*SessionStore, error) {
	st, err := t.openStore(name, kindSession)
	if err != nil {
		return nil, err
	}
	g, err := newSegments(st, opts.Retention, opts.SegmentInterval)
	if err != nil {
		return nil, err
	}
	return &SessionStore{st: st, seg: g}, nil
}

// Name returns the store's name.
func (s *SessionStore) Name() string { return s.st.name }

// StreamTime returns the latest time passed to Expire (math.MinInt64 if
// none).
func (s *SessionStore) StreamTime() int64 { return s.seg.observed }

func (s *SessionStore) key(key []byte, start, end int64) []byte {
	k := s.seg.segKey(s.seg.segOf(end), key)
	k = appendTime(k, end)
	return appendTime(k, start)
}

// Get returns the value of the session [start, end] of key.
func (s *SessionStore) Get(key []byte, start, end int64) ([]byte, bool, error) {
	if !s.seg.live(end) {
		return nil, false, nil
	}
	return s.st.rd.get(s.st, s.key(key, start, end))
}

// Put stores the session [start, end] of key; ErrExpired if its end is past
// retention.
func (s *SessionStore) Put(key []byte, start, end int64, value []byte) error {
	if !s.seg.live(end) {
		return ErrExpired
	}
	s.seg.noteSeg(s.seg.segOf(end))
	k := s.key(key, start, end)
	if err := s.st.t.set(s.st, k, value, false); err != nil {
		return err
	}
	s.ends.put(k, key, start, end)
	return nil
}

// Remove deletes the session [start, end] of key (after a merge).
func (s *SessionStore) Remove(key []byte, start, end int64) error {
	if !s.seg.live(end) {
		return nil
	}
	k := s.key(key, start, end)
	if err := s.st.t.set(s.st, k, nil, true); err != nil {
		return err
	}
	s.ends.remove(k)
	return nil
}

// FindSessions returns key's live sessions that end at or after
// earliestEnd and start at or before latestStart, ordered by end: for a
// record at t with gap g, the sessions overlapping [t-g, t+g] that it
// merges.
func (s *SessionStore) FindSessions(key []byte, earliestEnd, latestStart int64) ([]Window, error) {
	earliestEnd = max(earliestEnd, s.seg.cutoff())
	var out []Window
	err := s.seg.scanKey(key, s.seg.segOf(earliestEnd), math.MaxInt64, appendTime(nil, earliestEnd), func(rest, v []byte) (bool, error) {
		end, start := decodeTime(rest), decodeTime(rest[time8Len:])
		if start <= latestStart {
			out = append(out, Window{Key: append([]byte(nil), key...), Start: start, End: end, Value: append([]byte{}, v...)})
		}
		return true, nil
	})
	return out, err
}

// Fetch returns all live sessions of key, ordered by end.
func (s *SessionStore) Fetch(key []byte) ([]Window, error) {
	return s.FindSessions(key, math.MinInt64, math.MaxInt64)
}

// Scan calls fn for every live session, ordered by segment, key and end.
// The window's bytes are valid only during fn, and fn must not write to the
// store.
func (s *SessionStore) Scan(fn func(Window) error) error {
	cut := s.seg.cutoff()
	return s.seg.scanAll(s.seg.segOf(cut), math.MaxInt64, func(key, rest, v []byte) error {
		end, start := decodeTime(rest), decodeTime(rest[time8Len:])
		if end < cut {
			return nil
		}
		return fn(Window{Key: key, Start: start, End: end, Value: v})
	})
}

// Expire advances the store's stream time and drops sessions whose end
// fell out of retention.
func (s *SessionStore) Expire(streamTime int64) error { return s.seg.expire(streamTime) }
