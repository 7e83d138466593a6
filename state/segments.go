package state

import (
	"bytes"
	"fmt"
	"math"

	"github.com/cockroachdb/pebble/v2"
)

// noTime marks a stream time that has not been observed yet.
const noTime = math.MinInt64

// segments is the time bookkeeping shared by window and session stores:
// keys start with a segment number, so retention is a range deletion of
// whole segments, and the observed stream time decides what is live.
//
// A window (session) is live while its start (end) is after stream time
// minus retention: it expires exactly Retention ms after stream time passed
// it, as in Kafka Streams' window and session stores, whose retention
// ksqlDB's RETENTION clause sets. Writes and reads both filter on liveness, so what a reader sees
// does not depend on where segment boundaries fall; the range deletion only
// reclaims space.
type segments struct {
	st        *store
	interval  int64
	retention int64 // <= 0: keep forever
	observed  int64
	// timeDirty: observed moved and is not yet in the pending batch. It is
	// written once per flush, not once per Expire call.
	timeDirty bool
	// maxSeg is at least the highest segment holding data (noTime: none),
	// so key lookups stop there instead of probing for later segments.
	// Every write raises it; it is recomputed from pebble whenever pebble
	// changed behind the store's back (open, abort, replay).
	maxSeg int64
	// flushed bounds the windows pebble and the pending batch can hold,
	// so lookups that must miss skip pebble (flushed.go).
	flushed flushedBound
}

// streamTimeKey is the changelog key of a windowed store's stream time.
// Window and session changelog keys are at least 10 bytes long (an escaped
// key's terminator and a time), so a 1-byte key cannot collide with them.
var streamTimeKey = []byte{0xFF}

func newSegments(st *store, retention, interval int64) (*segments, error) {
	if interval <= 0 {
		interval = max(retention/2, 60_000)
	}
	g := &segments{st: st, interval: interval, retention: retention}
	st.seg = g
	return g, g.load()
}

func (g *segments) timeKey() []byte {
	return metaKey(metaStreamTime, g.st.prefix[1:])
}

// load reads the committed stream time and highest segment.
func (g *segments) load() error {
	g.observed, g.timeDirty = noTime, false
	g.flushed.reset()
	if err := g.loadMaxSeg(); err != nil {
		return err
	}
	v, ok, err := g.st.rd.committed(g.timeKey())
	if err != nil || !ok {
		return err
	}
	if len(v) != time8Len {
		return fmt.Errorf("%w: stream time of %s", ErrCorrupt, g.st.name)
	}
	g.observed = decodeTime(v)
	return nil
}

// loadMaxSeg finds the highest segment in committed state, and tells the
// flushed bound that pebble may hold windows up to that segment's end (a
// replay writes to pebble behind the batch, whose entries the bound
// already covers).
func (g *segments) loadMaxSeg() error {
	last, ok, err := g.st.rd.committedLast(g.st.prefix, prefixEnd(g.st.prefix))
	if err != nil {
		return err
	}
	g.maxSeg = noTime
	if ok && len(last) >= prefixLen+time8Len {
		g.maxSeg = decodeTime(last[prefixLen:])
		g.flushed.raise(g.segEnd(g.maxSeg))
	}
	return nil
}

// segEnd returns the last time of segment seg.
func (g *segments) segEnd(seg int64) int64 {
	if seg >= math.MaxInt64/g.interval {
		return math.MaxInt64
	}
	return (seg+1)*g.interval - 1
}

// noteSeg records a write to segment seg.
func (g *segments) noteSeg(seg int64) { g.maxSeg = max(g.maxSeg, seg) }

func (g *segments) resetTime() error {
	g.observed, g.timeDirty, g.maxSeg = noTime, false, noTime
	g.flushed.reset()
	if err := g.st.t.batchOp(func(b *pebble.Batch) error { return b.Delete(g.timeKey(), nil) }); err != nil {
		return fmt.Errorf("state: stream time of %s: %w", g.st.name, err)
	}
	return nil
}

// cutoff is the oldest live time.
func (g *segments) cutoff() int64 {
	if g.retention <= 0 || g.observed == noTime || g.observed <= math.MinInt64+g.retention {
		return noTime
	}
	return g.observed - g.retention + 1
}

func (g *segments) live(t int64) bool { return t >= g.cutoff() }

func (g *segments) segOf(t int64) int64 { return floorDiv(t, g.interval) }

// expire advances the stream time and drops the segments that fell out of
// retention: from the pending batch by range deletion and from the cache.
func (g *segments) expire(streamTime int64) error {
	if streamTime <= g.observed {
		return nil
	}
	oldCut := g.cutoff()
	g.observed, g.timeDirty = streamTime, true
	newCut := g.cutoff()
	if newCut == noTime {
		return nil
	}
	newSeg := g.segOf(newCut)
	if oldCut != noTime && newSeg <= g.segOf(oldCut) {
		return nil
	}
	end := appendTime(g.st.key(time8Len), newSeg)
	if err := g.st.t.batchOp(func(b *pebble.Batch) error { return b.DeleteRange(g.st.prefix, end, nil) }); err != nil {
		return fmt.Errorf("state: expire %s: %w", g.st.name, err)
	}
	g.st.t.dropExpired(g.st, end)
	return nil
}

// flushTime writes a moved stream time into the pending batch.
func (g *segments) flushTime() error {
	if !g.timeDirty {
		return nil
	}
	g.timeDirty = false
	err := g.st.t.batchOp(func(b *pebble.Batch) error { return b.Set(g.timeKey(), appendTime(nil, g.observed), nil) })
	if err != nil {
		return fmt.Errorf("state: stream time of %s: %w", g.st.name, err)
	}
	return nil
}

// segKey builds prefix, segment of t and esc(key).
func (g *segments) segKey(seg int64, key []byte) []byte {
	return appendEscaped(appendTime(g.st.key(time8Len+len(key)+2+2*time8Len), seg), key)
}

// scanKey visits the entries of one key in every segment from firstSeg to
// lastSeg, seeking in each to esc(key) followed by seek (a time8 suffix).
// fn gets the bytes after esc(key) and the value; it returns false to stop
// the current segment. Empty segments are skipped by seeking, not stepped
// through.
func (g *segments) scanKey(key []byte, firstSeg, lastSeg int64, seek []byte, fn func(rest, value []byte) (bool, error)) error {
	it, err := g.st.rd.iter(g.st, g.st.prefix, prefixEnd(g.st.prefix))
	if err != nil {
		return err
	}
	lastSeg = min(lastSeg, g.maxSeg)
	seg := firstSeg
	for seg <= lastSeg {
		kp := g.segKey(seg, key)
		if !it.SeekGE(append(kp, seek...)) {
			break
		}
		s := decodeTime(it.Key()[prefixLen:])
		if s > lastSeg {
			break
		}
		if s != seg {
			seg = s
			continue
		}
		for ; it.Valid() && bytes.HasPrefix(it.Key(), kp); it.Next() {
			v, err := it.ValueAndErr()
			if err != nil {
				it.Close()
				return fmt.Errorf("state: fetch %s: %w", g.st.name, err)
			}
			more, err := fn(it.Key()[len(kp):], v)
			if err != nil {
				it.Close()
				return err
			}
			if !more {
				break
			}
		}
		if seg == math.MaxInt64 {
			break
		}
		seg++
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("state: fetch %s: %w", g.st.name, err)
	}
	return nil
}

// scanAll visits every entry in segments [firstSeg, lastSeg] with the
// decoded key and the bytes after it.
func (g *segments) scanAll(firstSeg, lastSeg int64, fn func(key, rest, value []byte) error) error {
	lower := appendTime(g.st.key(time8Len), firstSeg)
	upper := prefixEnd(g.st.prefix)
	if lastSeg < math.MaxInt64 {
		upper = appendTime(g.st.key(time8Len), lastSeg+1)
	}
	it, err := g.st.rd.iter(g.st, lower, upper)
	if err != nil {
		return err
	}
	for ok := it.First(); ok; ok = it.Next() {
		key, rest, err := decodeEscaped(it.Key()[prefixLen+time8Len:])
		if err != nil {
			it.Close()
			return fmt.Errorf("state: scan %s: %w", g.st.name, err)
		}
		v, err := it.ValueAndErr()
		if err == nil {
			err = fn(key, rest, v)
		}
		if err != nil {
			it.Close()
			return err
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("state: scan %s: %w", g.st.name, err)
	}
	return nil
}
