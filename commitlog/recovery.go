package commitlog

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog/vfs"
)

// CorruptionError reports a damaged batch that recovery must not silently
// drop: one followed by valid data, so it is not the torn tail of an
// interrupted write.
type CorruptionError struct {
	// File is the segment file and Pos the byte offset of the bad batch.
	File string
	Pos  int64
	// Reason says what was wrong (checksum, header, length).
	Reason string
}

func (e *CorruptionError) Error() string {
	return fmt.Sprintf("commitlog: corrupt batch in %s at byte %d: %s", e.File, e.Pos, e.Reason)
}

// ErrCorrupt is matched by every *CorruptionError (errors.Is).
var ErrCorrupt = errors.New("commitlog: corrupt log")

// Is lets errors.Is(err, ErrCorrupt) match.
func (e *CorruptionError) Is(target error) bool { return target == ErrCorrupt }

// scanBufSize is the read size of the recovery scan.
const scanBufSize = 1 << 20

// openPartition opens a partition directory and recovers it: every segment
// is scanned and checksummed, indexes and producer/transaction state are
// rebuilt, and a torn tail (the remains of a write a crash interrupted) is
// truncated. Damage anywhere else is a *CorruptionError.
func openPartition(l *Log, tp broker.TopicPartition, dir string, cfg broker.TopicConfig) (*partition, error) {
	p := &partition{
		l: l, tp: tp, dir: dir, cfg: cfg,
		producers: map[int64]*producerState{},
		ongoing:   map[int64]int64{},
		hwCh:      make(chan struct{}),
		flushDone: make(chan struct{}),
	}
	names, err := l.fs.List(dir)
	if err != nil {
		return nil, fmt.Errorf("commitlog: open partition %s: %w", p, err)
	}
	var bases []int64
	for _, n := range names {
		if b, ok := parseSegmentName(n); ok {
			bases = append(bases, b)
		} else if path.Ext(n) == ".index" {
			if b, ok := parseSegmentName(strings.TrimSuffix(n, ".index") + ".log"); ok && !l.fs.Exists(path.Join(dir, segmentName(b))) {
				l.fs.Remove(path.Join(dir, n)) // left by retention's delete
			}
		} else if path.Ext(n) == ".cleaned" {
			// A compaction that did not finish: the original is intact.
			if err := l.fs.Remove(path.Join(dir, n)); err != nil {
				return nil, err
			}
		}
	}
	if len(bases) == 0 {
		name := path.Join(dir, segmentName(0))
		f, err := l.fs.Create(name)
		if err != nil {
			return nil, fmt.Errorf("commitlog: open partition %s: %w", p, err)
		}
		if err := l.fs.SyncDir(dir); err != nil {
			f.Close()
			return nil, err
		}
		p.segs = []*segment{newSegment(0, name, f)}
	}
	buf := make([]byte, scanBufSize)
	for i, base := range bases {
		name := path.Join(dir, segmentName(base))
		f, err := l.fs.Open(name)
		if err != nil {
			p.closeSegs()
			return nil, fmt.Errorf("commitlog: open partition %s: %w", p, err)
		}
		s := newSegment(base, name, f)
		p.segs = append(p.segs, s)
		closed := i < len(bases)-1
		if closed {
			size, err := f.Size()
			if err != nil {
				p.closeSegs()
				return nil, err
			}
			if st, err := loadIndex(l.fs, name, size); err == nil {
				p.applySeal(s, st)
				last, err := p.checkGap(s, bases[i+1:], &buf)
				if err != nil {
					p.closeSegs()
					return nil, err
				}
				if last {
					break
				}
				continue
			}
		}
		torn, err := p.scanSegment(s, &buf)
		if err != nil {
			p.closeSegs()
			return nil, err
		}
		if torn < 0 {
			if closed {
				last, err := p.checkGap(s, bases[i+1:], &buf)
				if err != nil {
					p.closeSegs()
					return nil, err
				}
				if last {
					break
				}
				// Heal: a closed segment without a valid index gets one now,
				// so the next open skips it.
				l.fs.Remove(indexName(name))
				if err := writeIndex(l.fs, name, p.captureSeal(s)); err == nil {
					l.fs.SyncDir(dir)
				}
			}
			continue
		}
		// A torn tail is only legitimate if nothing valid follows: later
		// segments must be empty or hold nothing but torn bytes too.
		for _, later := range bases[i+1:] {
			ln := path.Join(dir, segmentName(later))
			if err := p.checkDiscardable(ln, &buf); err != nil {
				p.closeSegs()
				return nil, err
			}
		}
		if err := p.truncate(s, torn); err != nil {
			p.closeSegs()
			return nil, err
		}
		l.fs.Remove(indexName(name))
		if err := p.dropSegments(bases[i+1:]); err != nil {
			p.closeSegs()
			return nil, err
		}
		break
	}
	act := p.active()
	p.next = act.next
	if act.size == 0 {
		p.next = act.base
	}
	p.hw, p.flushed = p.next, p.next
	// Segment age counts from when this process first saw the segment.
	act.firstAppend = l.now().UnixMilli()
	for _, s := range p.segs {
		s.written.Store(s.size)
	}
	return p, nil
}

// checkGap checks that closed segment s ends where the next segment (the
// first of later) begins, and reports whether s became the last segment.
//
// A segment that ends short of the next one lost its end after the next
// segment's file was created: on a log written by a version that created
// that file at the roll, before the leader wrote the end of the old
// segment (a kill in between), or on a machine crash that kept the new
// directory entry but not the old segment's unsynced tail. None of the
// missing offsets was acknowledged, since acknowledgement follows the write
// of everything before. If the later segments hold no valid batch they are
// dropped and s becomes active again, so offsets resume densely where the
// data ends. If they hold data, the gap stays (readers skip it) and is
// logged. In compacted topics gaps are the norm, so s is left alone.
func (p *partition) checkGap(s *segment, later []int64, bufp *[]byte) (bool, error) {
	switch {
	case len(later) == 0 || s.next == later[0]:
		return false, nil
	case s.next > later[0]:
		return false, &CorruptionError{File: s.path, Pos: s.size,
			Reason: fmt.Sprintf("offsets reach %d, past the base %d of the next segment", s.next-1, later[0])}
	case p.cfg.CleanupPolicy.Compacts():
		return false, nil
	}
	for _, b := range later {
		if err := p.checkDiscardable(path.Join(p.dir, segmentName(b)), bufp); err != nil {
			if !errors.Is(err, ErrCorrupt) {
				return false, err
			}
			p.l.logf("commitlog: offsets %d to %d of %s are missing (lost before %s was created); readers skip them",
				s.next, later[0]-1, p, segmentName(later[0]))
			return false, nil
		}
	}
	p.l.fs.Remove(indexName(s.path)) // s is active again
	if err := p.dropSegments(later); err != nil {
		return false, err
	}
	p.l.stats.tornTails.Add(1)
	p.l.logf("commitlog: %s ended at offset %d, short of the next segment at %d: removed %d later segments without data",
		s.path, s.next, later[0], len(later))
	return true, nil
}

// dropSegments removes the segments (and index files) with the given
// bases, which hold nothing that was acknowledged.
func (p *partition) dropSegments(bases []int64) error {
	for _, b := range bases {
		name := path.Join(p.dir, segmentName(b))
		if err := p.l.fs.Remove(name); err != nil {
			return err
		}
		p.l.fs.Remove(indexName(name))
	}
	return p.l.fs.SyncDir(p.dir)
}

func (p *partition) closeSegs() {
	for _, s := range p.segs {
		s.unref()
	}
}

// scanSegment reads a segment from the start, verifying each batch. It
// returns the position of a torn tail to truncate at, or -1.
func (p *partition) scanSegment(s *segment, bufp *[]byte) (int64, error) {
	size, err := s.f.Size()
	if err != nil {
		return 0, err
	}
	var pos int64
	for pos < size {
		buf := *bufp
		n, err := s.f.ReadAt(buf[:min(int64(len(buf)), size-pos)], pos)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, fmt.Errorf("commitlog: read %s: %w", s.path, err)
		}
		off := 0
		for {
			rest := buf[off:n]
			if pos+int64(off) >= size {
				break
			}
			h, herr := parseHeader(rest)
			if herr != nil {
				if pos+int64(off)+batchHeaderSize > size {
					return p.badBatch(s, pos+int64(off), size, "truncated header")
				}
				break // header straddles the buffer; read on from here
			}
			if !h.plausible() {
				return p.badBatch(s, pos+int64(off), size, "invalid header")
			}
			if pos+int64(off)+h.size() > size {
				return p.badBatch(s, pos+int64(off), size, "batch extends past end of file")
			}
			if int(h.length) > len(rest) {
				if off == 0 {
					*bufp = make([]byte, h.length)
				}
				break
			}
			b := rest[:h.length]
			if !checksumOK(b, &h) {
				return p.badBatch(s, pos+int64(off), size, "checksum mismatch")
			}
			if h.baseOffset < s.next || (s.size == 0 && h.baseOffset < s.base) {
				return p.badBatch(s, pos+int64(off), size, fmt.Sprintf("offset %d goes backwards", h.baseOffset))
			}
			s.addBatch(&h, pos+int64(off), 0)
			p.applyBatchState(&h, b)
			off += int(h.length)
		}
		pos += int64(off)
	}
	return -1, nil
}

// badBatch decides between a torn tail (returned as a truncation point) and
// corruption (an error): if any valid batch can be found after pos, the bad
// bytes are in the middle of the log and dropping them would lose data.
func (p *partition) badBatch(s *segment, pos, size int64, reason string) (int64, error) {
	found, err := validBatchAfter(s.f, pos+1, size)
	if err != nil {
		return 0, err
	}
	if found >= 0 {
		return 0, &CorruptionError{File: s.path, Pos: pos, Reason: fmt.Sprintf("%s (valid batch follows at byte %d)", reason, found)}
	}
	return pos, nil
}

// validBatchAfter searches [from, size) byte by byte for a batch with a
// plausible header and a correct checksum. It runs only on the error path.
func validBatchAfter(f vfs.File, from, size int64) (int64, error) {
	if from >= size {
		return -1, nil
	}
	rest := make([]byte, size-from)
	if _, err := f.ReadAt(rest, from); err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	for i := 0; i+batchHeaderSize <= len(rest); i++ {
		if rest[i+16] != batchMagic {
			continue
		}
		h, _ := parseHeader(rest[i:])
		if !h.plausible() || int(h.length) > len(rest)-i {
			continue
		}
		if checksumOK(rest[i:i+int(h.length)], &h) {
			return from + int64(i), nil
		}
	}
	return -1, nil
}

// checkDiscardable makes sure a segment after a torn tail holds no valid
// batch, so deleting it loses nothing that was ever acknowledged.
func (p *partition) checkDiscardable(name string, _ *[]byte) error {
	f, err := p.l.fs.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return err
	}
	found, err := validBatchAfter(f, 0, size)
	if err != nil {
		return err
	}
	if found >= 0 {
		return &CorruptionError{File: name, Pos: found, Reason: "valid data after a damaged earlier segment"}
	}
	return nil
}

func (p *partition) truncate(s *segment, pos int64) error {
	if err := s.f.Truncate(pos); err != nil {
		return fmt.Errorf("commitlog: truncate %s: %w", s.path, err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("commitlog: sync %s: %w", s.path, err)
	}
	p.l.stats.tornTails.Add(1)
	p.l.logf("commitlog: truncated torn tail of %s at byte %d", s.path, pos)
	return nil
}
