package state

import (
	"bytes"
	"math"
	"testing"
)

// fuzzStore is a windowed store's key layout without a database: the
// key functions only read the prefix, kind and segment interval.
func fuzzStore(kind storeKind, interval int64) *store {
	st := &store{name: "fuzz", id: 7, prefix: storePrefix(7), kind: kind}
	st.seg = &segments{st: st, interval: interval}
	return st
}

// fuzzInterval maps any int64 to a valid segment interval, extremes
// included.
func fuzzInterval(i int64) int64 {
	switch {
	case i == math.MinInt64:
		return math.MaxInt64
	case i < 0:
		return -i
	case i == 0:
		return 1
	}
	return i
}

// checkSegmentKey checks the parts of a window or session store's full
// key: the prefix, the segment of t (whose span holds t), esc(key), then
// the times.
func checkSegmentKey(t *testing.T, st *store, full, key []byte, tt int64, times ...int64) {
	t.Helper()
	if !bytes.HasPrefix(full, st.prefix) || len(full) < prefixLen+time8Len {
		t.Fatalf("key %x lacks the store prefix %x", full, st.prefix)
	}
	seg := decodeTime(full[prefixLen:])
	if seg != st.seg.segOf(tt) {
		t.Fatalf("key %x: segment %d, want %d for time %d", full, seg, st.seg.segOf(tt), tt)
	}
	if end := st.seg.segEnd(seg); end < tt || st.seg.segOf(end) != seg {
		t.Fatalf("segment %d (interval %d) ends at %d: time %d outside, or end in segment %d", seg, st.seg.interval, end, tt, st.seg.segOf(end))
	}
	k, rest, err := decodeEscaped(full[prefixLen+time8Len:])
	if err != nil || !bytes.Equal(k, key) || len(rest) != len(times)*time8Len {
		t.Fatalf("key %x: escaped key %x rest %x (%v), want %x and %d times", full, k, rest, err, key, len(times))
	}
	for i, want := range times {
		if got := decodeTime(rest[i*time8Len:]); got != want {
			t.Fatalf("key %x: time %d is %d, want %d", full, i, got, want)
		}
	}
	// The changelog carries the key without its segment; restoring
	// rebuilds the same full key.
	cl := st.changelogKey(full)
	again, gotT, err := st.fullKey(nil, cl)
	if err != nil || !bytes.Equal(again, full) || gotT != tt {
		t.Fatalf("changelog key %x restores as %x at %d (%v), want %x at %d", cl, again, gotT, err, full, tt)
	}
}

// FuzzWindowStoreKey: a window store's key (segment, esc(key), start)
// gives back its key and start, its segment holds the start, and the
// changelog key restores to the same full key.
func FuzzWindowStoreKey(f *testing.F) {
	f.Add([]byte("k"), int64(0), int64(60_000))
	f.Add([]byte{0, 0xFF, 0, 1}, int64(-1), int64(3))
	f.Add([]byte{}, int64(math.MinInt64), int64(math.MaxInt64))
	f.Add([]byte{0x00}, int64(math.MaxInt64), int64(7))
	f.Fuzz(func(t *testing.T, key []byte, start, interval int64) {
		st := fuzzStore(kindWindow, fuzzInterval(interval))
		w := &WindowStore{st: st, seg: st.seg}
		full := append([]byte(nil), w.key(key, start)...)
		checkSegmentKey(t, st, full, key, start, start)
		if k, s, ok := windowKey(full); !ok || s != start || !bytes.Equal(k, appendEscaped(nil, key)) {
			t.Fatalf("windowKey(%x) = %x, %d, %v", full, k, s, ok)
		}
	})
}

// FuzzSessionStoreKey: a session store's key (segment of the end,
// esc(key), end, start) gives back its key and bounds, and the changelog
// key restores to the same full key.
func FuzzSessionStoreKey(f *testing.F) {
	f.Add([]byte("k"), int64(10), int64(20), int64(60_000))
	f.Add([]byte{0, 0, 1}, int64(math.MinInt64), int64(-1), int64(1))
	f.Add([]byte{}, int64(math.MaxInt64), int64(math.MaxInt64), int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, key []byte, start, end, interval int64) {
		st := fuzzStore(kindSession, fuzzInterval(interval))
		s := &SessionStore{st: st, seg: st.seg}
		checkSegmentKey(t, st, s.key(key, start, end), key, end, end, start)
	})
}

// FuzzChangelogKey: a changelog record's key of a window or session
// store, as another build may have written it, either is rejected or
// restores to a full key whose parts read back as that changelog key.
func FuzzChangelogKey(f *testing.F) {
	win := fuzzStore(kindWindow, 60_000)
	ses := fuzzStore(kindSession, 60_000)
	f.Add(true, int64(60_000), win.changelogKey((&WindowStore{st: win, seg: win.seg}).key([]byte("a\x00b"), 123)))
	f.Add(false, int64(60_000), ses.changelogKey((&SessionStore{st: ses, seg: ses.seg}).key([]byte("k"), -5, 99)))
	f.Add(true, int64(1), []byte{0, 1})
	f.Add(false, int64(2), []byte{0, 1, 0xFF})
	f.Fuzz(func(t *testing.T, window bool, interval int64, cl []byte) {
		kind, times := kindSession, 2
		if window {
			kind, times = kindWindow, 1
		}
		st := fuzzStore(kind, fuzzInterval(interval))
		full, tt, err := st.fullKey(nil, cl)
		if err != nil {
			return
		}
		if got := st.changelogKey(full); !bytes.Equal(got, cl) {
			t.Fatalf("changelog key %x: full key %x strips to %x", cl, full, got)
		}
		key, rest, err := decodeEscaped(cl)
		if err != nil || len(rest) != times*time8Len {
			t.Fatalf("changelog key %x accepted, but its key does not decode: %v, rest %x", cl, err, rest)
		}
		ts := []int64{decodeTime(rest)}
		if times == 2 {
			ts = append(ts, decodeTime(rest[time8Len:]))
		}
		if ts[0] != tt {
			t.Fatalf("changelog key %x: retention time %d, key says %d", cl, tt, ts[0])
		}
		checkSegmentKey(t, st, full, key, tt, ts...)
	})
}
