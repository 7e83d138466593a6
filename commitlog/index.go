package commitlog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"sort"
	"strings"

	"github.com/sluicedb/sluice/commitlog/vfs"
)

// Index files. When a segment is closed (the partition rolls to a new one)
// and its data is synced, the log writes <base>.index beside it: the
// segment's sparse offset/time index plus a snapshot of the partition state
// at the segment's end (idempotent producers, open transactions) and the
// aborted transactions whose markers the segment holds. On open, a closed
// segment with a valid index file is not scanned: recovery loads the index
// and snapshot and scans only what follows, so opening a large log costs
// about one segment's read. A missing, stale (size differs from the
// segment's) or damaged (checksum) index file is ignored and the segment is
// scanned, so index files never need to be trusted for correctness.
//
// Format, little-endian: "SLIX", version u32, size, next, maxTs i64;
// then counted arrays (u32 count) of index entries (offset, pos,
// maxTsBefore i64), aborted transactions (pid, first, last i64), producers
// (pid i64, epoch i16, lastSeq i32, u32 count of recent batches each
// firstSeq i32, lastSeq i32, base i64, next i64) and open transactions
// (pid, first i64); last a CRC32C of everything before it.

const (
	indexMagic   = "SLIX"
	indexVersion = 1
)

// sealState is a closed segment's index file content, captured when the
// partition rolls past it.
type sealState struct {
	size, next, maxTs int64
	index             []indexEntry
	aborted           []abortedTxn
	producers         map[int64]producerState
	ongoing           map[int64]int64
}

func indexName(segPath string) string { return strings.TrimSuffix(segPath, ".log") + ".index" }

// captureSeal records the state at the end of segment s. Caller holds mu
// and s is no longer active.
func (p *partition) captureSeal(s *segment) *sealState {
	st := &sealState{size: s.size, next: s.next, maxTs: s.maxTs, index: s.index,
		producers: make(map[int64]producerState, len(p.producers)), ongoing: make(map[int64]int64, len(p.ongoing))}
	for pid, ps := range p.producers {
		st.producers[pid] = *ps
	}
	for pid, first := range p.ongoing {
		st.ongoing[pid] = first
	}
	for _, a := range p.aborted {
		if a.last >= s.base && a.last < s.next {
			st.aborted = append(st.aborted, a)
		}
	}
	return st
}

func (st *sealState) encode() []byte {
	le := binary.LittleEndian
	b := append([]byte(indexMagic), 0, 0, 0, 0)
	le.PutUint32(b[4:], indexVersion)
	b = le.AppendUint64(b, uint64(st.size))
	b = le.AppendUint64(b, uint64(st.next))
	b = le.AppendUint64(b, uint64(st.maxTs))
	b = le.AppendUint32(b, uint32(len(st.index)))
	for _, e := range st.index {
		b = le.AppendUint64(b, uint64(e.offset))
		b = le.AppendUint64(b, uint64(e.pos))
		b = le.AppendUint64(b, uint64(e.maxTsBefore))
	}
	b = le.AppendUint32(b, uint32(len(st.aborted)))
	for _, a := range st.aborted {
		b = le.AppendUint64(b, uint64(a.pid))
		b = le.AppendUint64(b, uint64(a.first))
		b = le.AppendUint64(b, uint64(a.last))
	}
	pids := make([]int64, 0, len(st.producers))
	for pid := range st.producers {
		pids = append(pids, pid)
	}
	sort.Slice(pids, func(i, j int) bool { return pids[i] < pids[j] })
	b = le.AppendUint32(b, uint32(len(pids)))
	for _, pid := range pids {
		ps := st.producers[pid]
		b = le.AppendUint64(b, uint64(pid))
		b = le.AppendUint16(b, uint16(ps.epoch))
		b = le.AppendUint32(b, uint32(ps.lastSeq))
		recent := ps.recent[:min(ps.n, len(ps.recent))]
		b = le.AppendUint32(b, uint32(len(recent)))
		for _, r := range recent {
			b = le.AppendUint32(b, uint32(r.firstSeq))
			b = le.AppendUint32(b, uint32(r.lastSeq))
			b = le.AppendUint64(b, uint64(r.base))
			b = le.AppendUint64(b, uint64(r.next))
		}
	}
	b = le.AppendUint32(b, uint32(len(st.ongoing)))
	for pid, first := range st.ongoing {
		b = le.AppendUint64(b, uint64(pid))
		b = le.AppendUint64(b, uint64(first))
	}
	return le.AppendUint32(b, crc32.Checksum(b, crcTable))
}

var errBadIndex = errors.New("commitlog: bad index file")

// indexReader decodes with bounds checks; the first failure sticks.
type indexReader struct {
	b   []byte
	err error
}

func (r *indexReader) take(n int) []byte {
	if r.err != nil || len(r.b) < n {
		r.err = errBadIndex
		return make([]byte, n)
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *indexReader) i64() int64 { return int64(binary.LittleEndian.Uint64(r.take(8))) }
func (r *indexReader) i32() int32 { return int32(binary.LittleEndian.Uint32(r.take(4))) }
func (r *indexReader) i16() int16 { return int16(binary.LittleEndian.Uint16(r.take(2))) }

// count reads an array length, refusing ones the remaining bytes cannot hold.
func (r *indexReader) count(elem int) int {
	n := int(uint32(r.i32()))
	if r.err == nil && n*elem > len(r.b) {
		r.err = errBadIndex
		return 0
	}
	return n
}

func decodeSeal(b []byte) (*sealState, error) {
	if len(b) < 12 || string(b[:4]) != indexMagic || binary.LittleEndian.Uint32(b[4:]) != indexVersion {
		return nil, errBadIndex
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return nil, errBadIndex
	}
	r := &indexReader{b: body[8:]}
	st := &sealState{producers: map[int64]producerState{}, ongoing: map[int64]int64{}}
	st.size, st.next, st.maxTs = r.i64(), r.i64(), r.i64()
	st.index = make([]indexEntry, r.count(24))
	for i := range st.index {
		st.index[i] = indexEntry{offset: r.i64(), pos: r.i64(), maxTsBefore: r.i64()}
	}
	st.aborted = make([]abortedTxn, r.count(24))
	for i := range st.aborted {
		st.aborted[i] = abortedTxn{pid: r.i64(), first: r.i64(), last: r.i64()}
	}
	for n := r.count(18); n > 0 && r.err == nil; n-- {
		pid := r.i64()
		ps := producerState{epoch: r.i16(), lastSeq: r.i32()}
		k := r.count(24)
		if k > len(ps.recent) {
			return nil, errBadIndex
		}
		for i := 0; i < k; i++ {
			ps.recent[i] = seqBatch{firstSeq: r.i32(), lastSeq: r.i32(), base: r.i64(), next: r.i64()}
		}
		ps.n = k
		st.producers[pid] = ps
	}
	for n := r.count(16); n > 0 && r.err == nil; n-- {
		pid := r.i64()
		st.ongoing[pid] = r.i64()
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errBadIndex
	}
	return st, nil
}

// writeIndex writes a closed segment's index file and syncs it; the caller
// syncs the directory. Failing to write it costs only a scan on next open.
func writeIndex(fs vfs.FS, segPath string, st *sealState) error {
	f, err := fs.Create(indexName(segPath))
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(st.encode(), 0); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadIndex returns a closed segment's index if it is valid for a segment
// file of the given size.
func loadIndex(fs vfs.FS, segPath string, size int64) (*sealState, error) {
	b, err := vfs.ReadFile(fs, indexName(segPath))
	if err != nil {
		return nil, err
	}
	st, err := decodeSeal(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, indexName(segPath))
	}
	if st.size != size {
		return nil, fmt.Errorf("%w: %s covers %d bytes, segment has %d", errBadIndex, indexName(segPath), st.size, size)
	}
	return st, nil
}

// applySeal makes a loaded index the state of segment s and of the
// partition at s's end.
func (p *partition) applySeal(s *segment, st *sealState) {
	s.size, s.next, s.maxTs, s.index = st.size, st.next, st.maxTs, st.index
	if n := len(st.index); n > 0 {
		s.lastIndexed = st.index[n-1].pos
	}
	p.producers = make(map[int64]*producerState, len(st.producers))
	for pid, ps := range st.producers {
		ps := ps
		p.producers[pid] = &ps
	}
	p.ongoing = st.ongoing
	p.aborted = append(p.aborted, st.aborted...)
}
