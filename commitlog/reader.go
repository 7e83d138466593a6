package commitlog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/sluicedb/sluice/broker"
)

// reader implements broker.Reader over one partition. It reads batches with
// positional reads into its own buffer and decodes records in place, so a
// steady-state Fetch allocates nothing: the records, their header slices and
// the bytes they point to are all reused by the next call.
type reader struct {
	p        *partition
	pos      int64
	iso      broker.Isolation
	maxBytes int
	buf      []byte
	recs     []broker.Record
	hdrs     []broker.Header
	closed   bool
}

func newReader(p *partition, opts broker.ReaderOptions) (*reader, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 1 << 20
	}
	r := &reader{p: p, iso: opts.Isolation, maxBytes: opts.MaxBytes}
	if err := r.SetOffset(opts.Offset); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *reader) Position() int64 { return r.pos }

func (r *reader) SetOffset(offset int64) error {
	switch {
	case offset == broker.OffsetEarliest:
		r.p.mu.RLock()
		offset = r.p.start()
		r.p.mu.RUnlock()
	case offset == broker.OffsetLatest:
		r.p.mu.RLock()
		offset = r.p.hw
		r.p.mu.RUnlock()
	case offset < 0:
		return fmt.Errorf("%w: %d", broker.ErrOffsetOutOfRange, offset)
	}
	r.pos = offset
	return nil
}

func (r *reader) Close() error {
	r.closed = true
	r.buf, r.recs, r.hdrs = nil, nil, nil
	return nil
}

// bound is the end of what this reader may see. Caller holds p.mu.
func (r *reader) bound() int64 {
	if r.iso == broker.ReadUncommitted {
		return r.p.hw
	}
	return r.p.lso()
}

func (r *reader) Wait(ctx context.Context) error {
	for {
		p := r.p
		p.mu.RLock()
		closed, bound, ch := p.closed, r.bound(), p.hwCh
		p.mu.RUnlock()
		if closed || r.closed {
			return broker.ErrClosed
		}
		if r.pos < bound {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (r *reader) Fetch(ctx context.Context) ([]broker.Record, error) {
	r.recs, r.hdrs = r.recs[:0], r.hdrs[:0]
	if r.closed {
		return nil, broker.ErrClosed
	}
	p := r.p
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p.mu.RLock()
		if p.closed {
			p.mu.RUnlock()
			return nil, broker.ErrClosed
		}
		start, hw, bound := p.start(), p.hw, r.bound()
		if r.pos < start || r.pos > hw {
			p.mu.RUnlock()
			return nil, fmt.Errorf("%w: %d not in [%d, %d] of %s", broker.ErrOffsetOutOfRange, r.pos, start, hw, p)
		}
		if r.pos >= bound {
			p.mu.RUnlock()
			return r.recs, nil
		}
		i := sort.Search(len(p.segs), func(i int) bool { return p.segs[i].base > r.pos }) - 1
		seg := p.segs[i]
		nextBase := int64(-1)
		if i+1 < len(p.segs) {
			nextBase = p.segs[i+1].base
		}
		seg.ref()
		filePos := seg.lookup(r.pos)
		limit := seg.written.Load()
		aborted := p.aborted
		p.mu.RUnlock()

		atEnd, err := r.readSegment(seg, filePos, limit, bound, aborted)
		seg.unref()
		if err != nil {
			return nil, err
		}
		if len(r.recs) > 0 {
			return r.recs, nil
		}
		if atEnd {
			if nextBase < 0 || nextBase <= r.pos {
				return r.recs, nil
			}
			// Compaction or markers left the rest of this segment without
			// visible records: continue in the next one, but never past
			// the bound (the tail of this segment may not be written yet
			// when a roll and a flush race with this read).
			r.pos = min(nextBase, bound)
		}
	}
}

// readSegment reads batches from filePos, appending visible records at or
// after r.pos to r.recs and advancing r.pos. It stops after the first read
// that produced records (the next read would reuse the buffer they alias),
// at the bound, or at limit (atEnd).
func (r *reader) readSegment(seg *segment, filePos, limit, bound int64, aborted []abortedTxn) (atEnd bool, err error) {
	if r.buf == nil {
		r.buf = make([]byte, r.maxBytes)
	}
	for filePos < limit {
		want := min(int64(len(r.buf)), limit-filePos)
		n, err := seg.f.ReadAt(r.buf[:want], filePos)
		if err != nil && !(errors.Is(err, io.EOF) && int64(n) == want) {
			return false, fmt.Errorf("commitlog: read %s at %d: %w", seg.path, filePos, err)
		}
		off := 0
		for off+batchHeaderSize <= n {
			h, _ := parseHeader(r.buf[off:n])
			if !h.plausible() || filePos+int64(off)+h.size() > limit {
				return false, &CorruptionError{File: seg.path, Pos: filePos + int64(off), Reason: "invalid header"}
			}
			if off+int(h.length) > n {
				if off == 0 {
					// A batch larger than the buffer: grow and reread.
					r.buf = make([]byte, h.length)
				}
				break
			}
			b := r.buf[off : off+int(h.length)]
			if !checksumOK(b, &h) {
				return false, &CorruptionError{File: seg.path, Pos: filePos + int64(off), Reason: "checksum mismatch"}
			}
			if h.baseOffset >= bound {
				return false, nil
			}
			off += int(h.length)
			if h.lastOffset() < r.pos {
				continue
			}
			next := h.nextOffset()
			if h.control() || (r.iso == broker.ReadCommitted && h.transactional() && isAborted(aborted, h.producerID, h.baseOffset)) {
				r.pos = next
				continue
			}
			from := len(r.recs)
			r.recs, r.hdrs, err = decodeRecords(b, r.recs, r.hdrs)
			if err != nil {
				return false, &CorruptionError{File: seg.path, Pos: filePos + int64(off) - int64(h.length), Reason: err.Error()}
			}
			// Drop records before the position (a batch can start before it).
			keep := r.recs[from:]
			k := 0
			for _, rec := range keep {
				if rec.Offset >= r.pos {
					rec.Partition = r.p.tp.Partition
					keep[k] = rec
					k++
				}
			}
			r.recs = r.recs[:from+k]
			r.pos = next
		}
		if off == 0 && n < batchHeaderSize {
			if limit-filePos < batchHeaderSize {
				return false, &CorruptionError{File: seg.path, Pos: filePos, Reason: "truncated header"}
			}
			// MaxBytes smaller than a header: read one batch at a time.
			r.buf = make([]byte, batchHeaderSize)
			continue
		}
		filePos += int64(off)
		if len(r.recs) > 0 {
			return filePos >= limit, nil
		}
	}
	return true, nil
}

// isAborted reports whether a batch of producer pid at offset belongs to an
// aborted transaction. aborted is sorted by the marker offset, so only
// entries whose marker is at or after offset can contain it.
func isAborted(aborted []abortedTxn, pid, offset int64) bool {
	i := sort.Search(len(aborted), func(i int) bool { return aborted[i].last >= offset })
	for _, a := range aborted[i:] {
		if a.pid == pid && a.first <= offset {
			return true
		}
	}
	return false
}

// offsetForTimestamp finds the first offset with a timestamp >= ts, or the
// high watermark. Segments whose largest timestamp is below ts are skipped
// without reading; inside a segment the sparse time index picks the start.
func (p *partition) offsetForTimestamp(ts int64) (int64, error) {
	p.mu.RLock()
	hw := p.hw
	segs := append([]*segment(nil), p.segs...)
	p.mu.RUnlock()
	for _, s := range segs {
		p.mu.RLock()
		skip := s.maxTs < ts
		filePos, limit := s.lookupTime(ts), s.written.Load()
		s.ref()
		p.mu.RUnlock()
		if skip {
			s.unref()
			continue
		}
		off, err := timeScan(s, filePos, limit, hw, ts)
		s.unref()
		if err != nil || off >= 0 {
			return off, err
		}
	}
	return hw, nil
}

// timeScan scans a segment from filePos for the first record with a
// timestamp >= ts; -1 if there is none before limit or hw.
func timeScan(seg *segment, filePos, limit, hw, ts int64) (int64, error) {
	buf := make([]byte, batchHeaderSize)
	for filePos+batchHeaderSize <= limit {
		if _, err := seg.f.ReadAt(buf[:batchHeaderSize], filePos); err != nil {
			return 0, fmt.Errorf("commitlog: read %s: %w", seg.path, err)
		}
		h, _ := parseHeader(buf)
		if !h.plausible() {
			return 0, &CorruptionError{File: seg.path, Pos: filePos, Reason: "invalid header"}
		}
		if h.baseOffset >= hw {
			break
		}
		if h.maxTimestamp >= ts && !h.control() {
			b := make([]byte, h.length)
			if _, err := seg.f.ReadAt(b, filePos); err != nil {
				return 0, fmt.Errorf("commitlog: read %s: %w", seg.path, err)
			}
			if !checksumOK(b, &h) {
				return 0, &CorruptionError{File: seg.path, Pos: filePos, Reason: "checksum mismatch"}
			}
			recs, _, err := decodeRecords(b, nil, nil)
			if err != nil {
				return 0, &CorruptionError{File: seg.path, Pos: filePos, Reason: err.Error()}
			}
			for _, rec := range recs {
				if rec.Timestamp >= ts {
					return rec.Offset, nil
				}
			}
		}
		filePos += h.size()
	}
	return -1, nil
}
