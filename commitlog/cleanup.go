package commitlog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"

	"github.com/sluicedb/sluice/broker"
)

// RunCleanup applies retention (delete policy), compaction (compact policy)
// or both (compact,delete: retention first, so compaction does not rewrite
// segments about to go) to every partition now. It runs in the background
// every Options.CleanupInterval; tests and tools call it directly.
func (l *Log) RunCleanup(ctx context.Context) error {
	for _, p := range l.allPartitions() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		p.cleanMu.Lock()
		if p.cfg.CleanupPolicy.Deletes() {
			err = p.enforceRetention()
		}
		if err == nil && p.cfg.CleanupPolicy.Compacts() {
			err = p.compact()
		}
		p.cleanMu.Unlock()
		if err != nil && !errors.Is(err, broker.ErrClosed) {
			return err
		}
	}
	return nil
}

// enforceRetention deletes whole segments from the front of the partition:
// those whose newest record is older than retention.ms, then the oldest
// while the partition exceeds retention.bytes. An expired active segment is
// rolled first so that an idle partition's data also expires.
//
// Deletion stops at the first segment reaching past the last stable
// offset: a transaction still open may have records there, and deleting
// them would lose data its commit later makes visible. Below the last
// stable offset every transaction is decided; a commit or abort marker
// whose records went with an earlier segment is a control record readers
// skip, and the aborted-transaction list forgets transactions that ended
// before the new start.
func (p *partition) enforceRetention() error {
	rms, rbytes := p.cfg.RetentionMs, p.cfg.RetentionBytes
	if rms < 0 && rbytes < 0 {
		return nil
	}
	p.syncMu.Lock()
	defer p.syncMu.Unlock()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return broker.ErrClosed
	}
	if p.failed != nil {
		p.mu.Unlock()
		return nil
	}
	nowMs := p.l.now().UnixMilli()
	expired := func(s *segment) bool { return rms >= 0 && s.size > 0 && s.maxTs < nowMs-rms }
	var total int64
	for _, s := range p.segs {
		total += s.size
	}
	var rolled bool
	if act := p.active(); len(p.pending) == 0 && (expired(act) || (rbytes >= 0 && total > rbytes && act.size > rbytes)) {
		// With nothing pending and syncMu held, everything before p.next
		// is written, so the new file may be created now; it must be,
		// since no leader may come to create it before retention deletes
		// every other segment (and the log's offsets with them).
		f, err := p.l.fs.Create(path.Join(p.dir, segmentName(p.next)))
		if err != nil {
			err = p.failLocked(fmt.Errorf("commitlog: create segment: %w", err))
			p.mu.Unlock()
			return err
		}
		p.roll(f)
		rolled = true
	}
	var victims []*segment
	lso := p.lso()
	for len(p.segs) > 1 {
		s := p.segs[0]
		if !expired(s) && !(rbytes >= 0 && total > rbytes) {
			break
		}
		if s.next > lso {
			break // an open transaction may have records here
		}
		if p.segs[1].f == nil {
			// The next segment's file is not created yet: keep a segment
			// on disk that records how far the offsets went.
			break
		}
		victims = append(victims, s)
		total -= s.size
		p.segs = p.segs[1:]
	}
	// Readers hold the old slice without the lock: build a new one rather
	// than filtering in place.
	start := p.start()
	var kept []abortedTxn
	for _, a := range p.aborted {
		if a.last >= start {
			kept = append(kept, a)
		}
	}
	p.aborted = kept
	p.mu.Unlock()
	if len(victims) == 0 && !rolled {
		return nil
	}
	for _, s := range victims {
		// Readers holding the segment keep the open file until they let go.
		if err := p.l.fs.Remove(s.path); err != nil {
			return fmt.Errorf("commitlog: retention in %s: %w", p, err)
		}
		p.l.fs.Remove(indexName(s.path)) // a leftover is removed on open
		p.l.stats.deleted.Add(1)
		for i, u := range p.unsynced {
			if u == s {
				p.unsynced = append(p.unsynced[:i], p.unsynced[i+1:]...)
				break
			}
		}
		s.unref()
	}
	return p.l.fs.SyncDir(p.dir)
}

// compact rewrites the closed segments below the last stable offset so that
// only the latest record of each key remains, dropping tombstones older than
// delete.retention.ms, records of aborted transactions and transaction
// markers. Kept records keep their offsets; transactional ones are rewritten
// as plain records, since their transaction is decided.
//
// Each segment is rewritten to a ".cleaned" file that is synced and renamed
// over the original, so a crash leaves either version, never a mix.
func (p *partition) compact() error {
	p.mu.RLock()
	if p.closed {
		p.mu.RUnlock()
		return broker.ErrClosed
	}
	lso := p.lso()
	var cands []*segment
	for _, s := range p.segs[:len(p.segs)-1] {
		if s.next > lso {
			break
		}
		s.ref()
		cands = append(cands, s)
	}
	all := append([]*segment(nil), p.segs...)
	for _, s := range all {
		s.ref()
	}
	aborted := p.aborted
	hw := p.hw
	p.mu.RUnlock()
	defer func() {
		for _, s := range cands {
			s.unref()
		}
		for _, s := range all {
			s.unref()
		}
	}()
	if len(cands) == 0 {
		return nil
	}
	// Like Kafka's cleaner, work only when there is something new to
	// clean: a closed segment not seen by the last run, or tombstones that
	// may have expired since.
	nowMs := p.l.now().UnixMilli()
	through := cands[len(cands)-1].next
	if through <= p.cleanedThrough && nowMs-p.cleanedAt < p.cfg.DeleteRetentionMs {
		return nil
	}

	// Pass 1: the latest offset of every key, over everything committed.
	latest := map[string]int64{}
	for _, s := range all {
		err := scanVisible(s, hw, aborted, func(recs []broker.Record) {
			for _, r := range recs {
				latest[string(r.Key)] = r.Offset
			}
		})
		if err != nil {
			return err
		}
	}
	// Pass 2: rewrite the candidates.
	cutoff := nowMs - p.cfg.DeleteRetentionMs
	for _, s := range cands {
		if err := p.rewrite(s, hw, aborted, func(r *broker.Record) bool {
			return latest[string(r.Key)] == r.Offset && (r.Value != nil || r.Timestamp >= cutoff)
		}); err != nil {
			return err
		}
	}
	p.cleanedThrough, p.cleanedAt = through, nowMs
	return nil
}

// scanVisible calls fn with the committed, non-control records of a segment
// below hw, batch by batch.
func scanVisible(s *segment, hw int64, aborted []abortedTxn, fn func([]broker.Record)) error {
	limit := s.written.Load()
	buf := make([]byte, scanBufSize)
	var recs []broker.Record
	var hdrs []broker.Header
	var pos int64
	for pos < limit {
		n, err := s.f.ReadAt(buf[:min(int64(len(buf)), limit-pos)], pos)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		off := 0
		for off+batchHeaderSize <= n {
			h, _ := parseHeader(buf[off:n])
			if !h.plausible() {
				return &CorruptionError{File: s.path, Pos: pos + int64(off), Reason: "invalid header"}
			}
			if off+int(h.length) > n {
				if off == 0 {
					buf = make([]byte, h.length)
				}
				break
			}
			b := buf[off : off+int(h.length)]
			off += int(h.length)
			if !checksumOK(b, &h) {
				return &CorruptionError{File: s.path, Pos: pos + int64(off) - int64(h.length), Reason: "checksum mismatch"}
			}
			if h.baseOffset >= hw {
				return nil
			}
			if h.control() || (h.transactional() && isAborted(aborted, h.producerID, h.baseOffset)) {
				continue
			}
			recs, hdrs, err = decodeRecords(b, recs[:0], hdrs[:0])
			if err != nil {
				return &CorruptionError{File: s.path, Pos: pos + int64(off) - int64(h.length), Reason: err.Error()}
			}
			fn(recs)
		}
		pos += int64(off)
	}
	return nil
}

// rewrite replaces segment s by a copy holding only the records keep
// accepts.
func (p *partition) rewrite(s *segment, hw int64, aborted []abortedTxn, keep func(*broker.Record) bool) error {
	tmpName := s.path + ".cleaned"
	f, err := p.l.fs.Create(tmpName)
	if err != nil {
		return fmt.Errorf("commitlog: compact %s: %w", p, err)
	}
	ns := newSegment(s.base, s.path, f)
	var out []byte
	var batch []broker.Record
	flushBatch := func() {
		if len(batch) == 0 {
			return
		}
		var h batchHeader
		pos := int64(len(out))
		out, h = appendBatch(out, batchMeta{baseOffset: batch[0].Offset, producerID: -1, baseSeq: -1, keepOffsets: true}, batch)
		ns.addBatch(&h, pos, 0)
		batch = batch[:0]
	}
	var size int
	err = scanVisible(s, hw, aborted, func(recs []broker.Record) {
		for i := range recs {
			if !keep(&recs[i]) {
				continue
			}
			r := recs[i]
			// Copy: recs alias the scan buffer.
			r.Key = append([]byte(nil), r.Key...)
			if r.Value != nil {
				r.Value = append([]byte{}, r.Value...)
			}
			batch = append(batch, r)
			size += len(r.Key) + len(r.Value)
			if size > 64<<10 {
				flushBatch()
				size = 0
			}
		}
	})
	flushBatch()
	if err == nil {
		_, err = f.WriteAt(out, 0)
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		f.Close()
		p.l.fs.Remove(tmpName)
		return fmt.Errorf("commitlog: compact %s: %w", p, err)
	}
	ns.written.Store(int64(len(out)))

	// syncMu first (lock order): the old segment may sit in the unsynced
	// list of a lazy-durability partition and must leave it before close.
	p.syncMu.Lock()
	defer p.syncMu.Unlock()
	for i, u := range p.unsynced {
		if u == s {
			p.unsynced = append(p.unsynced[:i], p.unsynced[i+1:]...)
			break
		}
	}
	p.mu.Lock()
	idx := -1
	for i, x := range p.segs {
		if x == s {
			idx = i
		}
	}
	if idx < 0 || p.closed {
		// Retention or close removed it meanwhile.
		p.mu.Unlock()
		f.Close()
		return p.l.fs.Remove(tmpName)
	}
	// The old index file goes first, durably, so that no crash can pair it
	// with the rewritten segment; the new one is written after the rename.
	old, oldErr := loadIndex(p.l.fs, s.path, s.size)
	p.l.fs.Remove(indexName(s.path))
	if err := p.l.fs.SyncDir(p.dir); err != nil {
		p.mu.Unlock()
		f.Close()
		return fmt.Errorf("commitlog: compact %s: %w", p, err)
	}
	if err := p.l.fs.Rename(tmpName, s.path); err != nil {
		p.mu.Unlock()
		f.Close()
		return fmt.Errorf("commitlog: compact %s: %w", p, err)
	}
	ns.next = s.next
	p.segs[idx] = ns
	p.l.stats.compacted.Add(1)
	p.mu.Unlock()
	s.unref() // the partition's reference; readers may still hold theirs
	if oldErr == nil {
		// The state at the segment's end is unchanged by compaction.
		st := &sealState{size: ns.size, next: ns.next, maxTs: ns.maxTs, index: ns.index,
			producers: old.producers, ongoing: old.ongoing}
		if err := writeIndex(p.l.fs, s.path, st); err != nil {
			p.l.logf("commitlog: write index of %s (it will be rebuilt on open): %v", s.path, err)
		}
	}
	if err := p.l.fs.SyncDir(path.Dir(s.path)); err != nil {
		return fmt.Errorf("commitlog: compact %s: %w", p, err)
	}
	return nil
}
