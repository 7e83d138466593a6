package commitlog

import (
	"fmt"
	"path"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog/vfs"
)

// partition is one ordered log: a list of segments, the last of which is
// active (appended to).
//
// Locking. mu guards the segment list, offset assignment, the metadata of
// every segment, and producer and transaction state; it is held only for
// in-memory work (plus the rare creation of a segment file by retention),
// never across a write or a sync. The first appender to find no write in
// progress becomes the group-commit leader: it writes and syncs everything
// encoded so far, on behalf of every appender that arrives meanwhile, and
// wakes them all at once. syncMu serialises the leader's file I/O with the lazy-policy
// syncer, retention, compaction and close. Lock order: syncMu before mu.
//
// Write order. The bytes of a partition reach the files in offset order,
// and the file of a segment the partition rolls to is created by the
// leader only once everything before it is written and synced. So whatever
// a kill or a crash interrupts, the files hold a prefix of the log: a later
// segment never exists while the end of an earlier one is missing (see
// writeOut and recovery's gap check).
type partition struct {
	l   *Log
	tp  broker.TopicPartition
	dir string
	cfg broker.TopicConfig

	mu        sync.RWMutex
	segs      []*segment
	next      int64 // next offset to assign
	pending   []chunk
	toIndex   []*segment // closed segments whose index file is not yet written
	producers map[int64]*producerState
	ongoing   map[int64]int64 // producer id -> first offset of its open transaction
	aborted   []abortedTxn    // sorted by last (the abort marker's offset)
	hw        int64           // high watermark: end of what readers may see
	hwCh      chan struct{}   // closed and replaced whenever hw moves
	failed    error           // sticky: a failed write or sync
	closed    bool
	scratch   []byte
	flushing  bool          // a group-commit leader is writing
	flushDone chan struct{} // closed and replaced when a leader finishes
	flushed   int64         // offsets below this are written (and synced per policy)

	cleanMu sync.Mutex // one retention or compaction run at a time
	// Guarded by cleanMu: the end of what the last compaction covered, and
	// when it ran (ms).
	cleanedThrough, cleanedAt int64

	syncMu   sync.Mutex
	unsynced []*segment // written but not yet synced (interval/none policies)
	lastSync time.Time
	free     [][]byte
}

// chunk is encoded data waiting for the group-commit leader.
type chunk struct {
	seg *segment
	pos int64
	buf []byte
}

// abortedTxn is the offset range of an aborted transaction in a partition:
// read-committed readers skip that producer's batches inside it.
type abortedTxn struct {
	pid         int64
	first, last int64
}

// producerState is what a partition remembers about an idempotent producer,
// enough to recognise a retried batch (Kafka also keeps five).
type producerState struct {
	epoch   int16
	lastSeq int32
	recent  [5]seqBatch
	n       int
}

type seqBatch struct {
	firstSeq, lastSeq int32
	base, next        int64
}

func (ps *producerState) remember(h *batchHeader) {
	ps.lastSeq = h.lastSequence()
	ps.recent[ps.n%len(ps.recent)] = seqBatch{firstSeq: h.baseSequence, lastSeq: h.lastSequence(), base: h.baseOffset, next: h.nextOffset()}
	ps.n++
}

func (ps *producerState) find(first, last int32) (seqBatch, bool) {
	for _, b := range ps.recent[:min(ps.n, len(ps.recent))] {
		if b.firstSeq == first && b.lastSeq == last {
			return b, true
		}
	}
	return seqBatch{}, false
}

// pendingBytes is the size of the data encoded but not yet written.
func (p *partition) pendingBytes() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	n := 0
	for _, c := range p.pending {
		n += len(c.buf)
	}
	return n
}

func (p *partition) String() string { return fmt.Sprintf("%s-%d", p.tp.Topic, p.tp.Partition) }

func (p *partition) active() *segment { return p.segs[len(p.segs)-1] }

// lso is the last stable offset: read-committed readers stop before the
// first record of any open transaction. Caller holds mu.
func (p *partition) lso() int64 {
	s := p.hw
	for _, first := range p.ongoing {
		if first < s {
			s = first
		}
	}
	return s
}

func (p *partition) start() int64 { return p.segs[0].base }

// appendResult says where an append landed; dup is set for a retried
// idempotent batch that was already in the log.
type appendResult struct {
	base, next int64
	dup        bool
}

// append encodes recs as one batch, hands it to group commit and waits until
// it is durable per the topic's policy.
func (p *partition) append(recs []broker.Record, m batchMeta) (appendResult, error) {
	res, err := p.encode(recs, m)
	if err != nil {
		return res, err
	}
	return res, p.flush(res.next)
}

// encode assigns offsets to a batch and queues it for writing.
func (p *partition) encode(recs []broker.Record, m batchMeta) (appendResult, error) {
	if len(recs) == 0 {
		return appendResult{}, fmt.Errorf("%w: empty batch", broker.ErrInvalidRecord)
	}
	if p.cfg.CleanupPolicy.Compacts() && m.attrs&attrControl == 0 {
		for i := range recs {
			if recs[i].Key == nil {
				return appendResult{}, fmt.Errorf("%w: compacted topic %s needs a key on every record", broker.ErrInvalidRecord, p.tp.Topic)
			}
		}
	}
	now := p.l.now()
	nowMs := now.UnixMilli()
	m.now = nowMs
	if p.cfg.TimestampType == broker.TimestampLogAppendTime {
		m.appendTime = nowMs
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return appendResult{}, broker.ErrClosed
	}
	if p.failed != nil {
		return appendResult{}, p.failed
	}
	if m.producerID >= 0 {
		if res, done, err := p.checkProducer(len(recs), &m); done || err != nil {
			return res, err
		}
	}
	m.baseOffset = p.next
	var h batchHeader
	p.scratch, h = appendBatch(p.scratch[:0], m, recs)
	if h.length > maxBatchBytes {
		return appendResult{}, fmt.Errorf("%w: batch of %d bytes exceeds %d", broker.ErrInvalidRecord, h.length, maxBatchBytes)
	}
	seg := p.active()
	if seg.size > 0 && (seg.size+h.size() > p.cfg.SegmentBytes || nowMs-seg.firstAppend >= p.cfg.SegmentMs) {
		// The leader creates the file after writing what precedes it.
		seg = p.roll(nil)
	}
	pos := seg.size
	if n := len(p.pending); n == 0 || p.pending[n-1].seg != seg {
		var buf []byte
		if k := len(p.free); k > 0 {
			buf, p.free = p.free[k-1][:0], p.free[:k-1]
		}
		p.pending = append(p.pending, chunk{seg: seg, pos: pos, buf: buf})
	}
	c := &p.pending[len(p.pending)-1]
	c.buf = append(c.buf, p.scratch...)
	seg.addBatch(&h, pos, nowMs)
	p.next = h.nextOffset()
	p.l.stats.batches.Add(1)
	p.l.stats.records.Add(int64(h.recordCount))
	p.l.stats.bytes.Add(h.size())
	p.applyBatchState(&h, p.scratch)
	return appendResult{base: h.baseOffset, next: p.next}, nil
}

// checkProducer applies the idempotence and fencing rules to an incoming
// batch of n records. done reports a duplicate, whose original position
// is in res.
func (p *partition) checkProducer(n int, m *batchMeta) (res appendResult, done bool, err error) {
	ps := p.producers[m.producerID]
	control := m.attrs&attrControl != 0
	switch {
	case ps == nil:
		return res, false, nil
	case m.epoch < ps.epoch:
		return res, false, fmt.Errorf("%w: producer %d epoch %d is older than %d", broker.ErrProducerFenced, m.producerID, m.epoch, ps.epoch)
	case control:
		return res, false, nil
	case m.epoch > ps.epoch:
		if m.baseSeq != 0 {
			return res, false, fmt.Errorf("%w: producer %d new epoch %d starts at sequence %d", broker.ErrOutOfOrderSequence, m.producerID, m.epoch, m.baseSeq)
		}
		return res, false, nil
	case m.baseSeq == ps.lastSeq+1:
		return res, false, nil
	}
	if b, ok := ps.find(m.baseSeq, m.baseSeq+int32(n)-1); ok {
		return appendResult{base: b.base, next: b.next, dup: true}, true, nil
	}
	return res, false, fmt.Errorf("%w: producer %d sent sequence %d after %d in %s", broker.ErrOutOfOrderSequence, m.producerID, m.baseSeq, ps.lastSeq, p)
}

// applyBatchState updates producer and transaction state for a batch that is
// now part of the log (appended, or found by recovery). b is the whole batch.
func (p *partition) applyBatchState(h *batchHeader, b []byte) {
	if !h.hasProducer() {
		return
	}
	ps := p.producers[h.producerID]
	if ps == nil {
		ps = &producerState{epoch: h.producerEpoch, lastSeq: -1}
		p.producers[h.producerID] = ps
	}
	if h.producerEpoch > ps.epoch {
		ps.epoch, ps.lastSeq, ps.n = h.producerEpoch, -1, 0
	}
	if h.control() {
		first, open := p.ongoing[h.producerID]
		delete(p.ongoing, h.producerID)
		if open && !h.isCommitMarker(b) {
			p.aborted = append(p.aborted, abortedTxn{pid: h.producerID, first: first, last: h.baseOffset})
		}
		return
	}
	ps.remember(h)
	if h.transactional() {
		if _, open := p.ongoing[h.producerID]; !open {
			p.ongoing[h.producerID] = h.baseOffset
		}
	}
}

// roll starts a new active segment at p.next, with file f. A nil f is
// created by the group-commit leader that writes the segment's first chunk
// (createFile): creating it here, before the leader has written the end
// of the old segment, let a kill leave the new file beside a short old
// segment, and recovery then resumed the offsets after a gap. Caller holds
// mu.
func (p *partition) roll(f vfs.File) *segment {
	old := p.active()
	old.seal = p.captureSeal(old)
	p.toIndex = append(p.toIndex, old)
	s := newSegment(p.next, path.Join(p.dir, segmentName(p.next)), f)
	p.segs = append(p.segs, s)
	return s
}

// createFile creates the file of segment s, which the partition rolled to,
// once the leader has written everything before it. The closed segments
// before s are synced first: on a machine crash too, a file for s must not
// survive while the data before it is lost. synced collects the segments
// synced during this write-out, so that none is synced twice. Caller holds
// syncMu and is the leader.
func (p *partition) createFile(s *segment, seals []*segment, synced *[]*segment) error {
	for _, old := range seals {
		if old.base < s.base && old.f != nil && !slices.Contains(*synced, old) {
			if err := p.l.timedSync(old); err != nil {
				return p.fail(fmt.Errorf("commitlog: sync %s: %w", old.path, err))
			}
			*synced = append(*synced, old)
		}
	}
	f, err := p.l.fs.Create(s.path)
	if err != nil {
		return p.fail(fmt.Errorf("commitlog: create segment: %w", err))
	}
	p.mu.Lock()
	s.f = f
	p.mu.Unlock()
	return nil
}

// flush returns once every offset below target is written and synced per
// policy. The leader writes and syncs everything encoded by the time it
// starts, so the appenders that arrive during one sync are all served by
// the next: that is group commit.
func (p *partition) flush(target int64) error {
	p.mu.Lock()
	for {
		if p.flushed >= target {
			p.mu.Unlock()
			return nil
		}
		if p.failed != nil {
			err := p.failed
			p.mu.Unlock()
			return err
		}
		if !p.flushing {
			break
		}
		// A leader is writing; everyone waiting is woken together when it
		// is done (a mutex would release them one by one, and the first
		// ones released would start the next sync with only their data).
		ch := p.flushDone
		p.mu.Unlock()
		<-ch
		p.mu.Lock()
	}
	p.flushing = true
	p.mu.Unlock()
	// The appenders woken by the previous flush are about to encode their
	// next records; one yield lets them join this sync instead of the next.
	runtime.Gosched()

	p.syncMu.Lock()
	p.mu.Lock()
	chunks, seals := p.pending, p.toIndex
	p.pending, p.toIndex = nil, nil
	end := p.next
	p.mu.Unlock()
	err := p.writeOut(chunks, seals, end)
	p.syncMu.Unlock()

	p.mu.Lock()
	p.flushing = false
	close(p.flushDone)
	p.flushDone = make(chan struct{})
	p.mu.Unlock()
	return err
}

// writeOut writes and syncs (per policy) the chunks taken from pending, then
// publishes end as the high watermark. Caller holds syncMu.
func (p *partition) writeOut(chunks []chunk, seals []*segment, end int64) error {
	dirDirty := len(seals) > 0
	var synced []*segment // segments synced by createFile
	for _, c := range chunks {
		// Only the leader sets f, so reading it without mu is safe here.
		if c.seg.f == nil {
			if err := p.createFile(c.seg, seals, &synced); err != nil {
				return err
			}
			dirDirty = true
		}
		if _, err := c.seg.f.WriteAt(c.buf, c.pos); err != nil {
			return p.fail(fmt.Errorf("commitlog: write %s: %w", c.seg.path, err))
		}
	}
	if p.cfg.Durability == broker.DurabilityFsync {
		if err := p.syncChunks(chunks, synced); err != nil {
			return err
		}
	} else {
		for _, c := range chunks {
			if n := len(p.unsynced); n == 0 || p.unsynced[n-1] != c.seg {
				p.unsynced = append(p.unsynced, c.seg)
			}
		}
		// A closed segment is synced before its index file is written,
		// whatever the policy, so an index never describes lost data.
		for _, s := range seals {
			if slices.Contains(synced, s) {
				continue
			}
			if err := p.l.timedSync(s); err != nil {
				return p.fail(fmt.Errorf("commitlog: sync %s: %w", s.path, err))
			}
		}
	}
	for _, s := range seals {
		if err := writeIndex(p.l.fs, s.path, s.seal); err != nil {
			p.l.logf("commitlog: write index of %s (it will be rebuilt on open): %v", s.path, err)
		}
		s.seal = nil
	}
	if dirDirty {
		if err := p.l.fs.SyncDir(p.dir); err != nil {
			return p.fail(fmt.Errorf("commitlog: sync %s: %w", p.dir, err))
		}
	}
	p.mu.Lock()
	for _, c := range chunks {
		c.seg.written.Store(c.pos + int64(len(c.buf)))
		if cap(c.buf) <= 4<<20 && len(p.free) < 4 {
			p.free = append(p.free, c.buf[:0])
		}
	}
	p.flushed = end
	p.publishLocked(end)
	p.mu.Unlock()
	return nil
}

// syncChunks syncs the segments chunks were written to, but for those in
// synced (already synced since their last write).
func (p *partition) syncChunks(chunks []chunk, synced []*segment) error {
	var last *segment
	for _, c := range chunks {
		if c.seg != last && !slices.Contains(synced, c.seg) {
			if err := p.l.timedSync(c.seg); err != nil {
				return p.fail(fmt.Errorf("commitlog: sync %s: %w", c.seg.path, err))
			}
			last = c.seg
		}
	}
	p.lastSync = p.l.now()
	return nil
}

// syncNow syncs written data of a partition with a lazy policy; the
// interval flusher and Close call it.
func (p *partition) syncNow() error {
	p.syncMu.Lock()
	defer p.syncMu.Unlock()
	if len(p.unsynced) == 0 {
		return nil
	}
	p.mu.RLock()
	failed := p.failed
	p.mu.RUnlock()
	if failed != nil {
		return failed
	}
	for _, s := range p.unsynced {
		if err := p.l.timedSync(s); err != nil {
			return p.fail(fmt.Errorf("commitlog: sync %s: %w", s.path, err))
		}
	}
	p.unsynced = p.unsynced[:0]
	p.lastSync = p.l.now()
	return nil
}

// publishLocked moves the high watermark and wakes waiting readers.
func (p *partition) publishLocked(hw int64) {
	p.hw = hw
	close(p.hwCh)
	p.hwCh = make(chan struct{})
}

// fail makes a write or sync error sticky. After a failed sync the kernel
// may have dropped the dirty pages, so retrying could report success for
// data that is gone (the "fsyncgate" lesson): the partition refuses writes
// until the log is reopened and recovery has re-read what is really on disk.
func (p *partition) fail(err error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.failLocked(err)
}

func (p *partition) failLocked(err error) error {
	if p.failed == nil {
		p.failed = fmt.Errorf("commitlog: partition %s failed (reopen the log to recover): %w", p, err)
		p.pending = nil
	}
	return p.failed
}

// close syncs lazily-written data and releases the partition's files.
func (p *partition) close() error {
	err := p.syncNow()
	p.syncMu.Lock()
	defer p.syncMu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	close(p.hwCh)
	p.hwCh = make(chan struct{})
	for _, s := range p.segs {
		s.unref()
	}
	return err
}

// info snapshots the partition for DescribeTopic.
func (p *partition) info() broker.PartitionInfo {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var size int64
	for _, s := range p.segs {
		size += s.written.Load()
	}
	return broker.PartitionInfo{
		Partition:    p.tp.Partition,
		StartOffset:  p.start(),
		EndOffset:    p.hw,
		StableOffset: p.lso(),
		Bytes:        size,
		Segments:     len(p.segs),
	}
}
