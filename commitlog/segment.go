package commitlog

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/sluicedb/sluice/commitlog/vfs"
)

// indexInterval is the number of log bytes between sparse index entries:
// a lookup reads at most this much extra data, and the index costs 24 bytes
// per interval (0.6% at 4 KiB).
const indexInterval = 4096

// indexEntry maps an offset to the file position of the batch that starts
// with it. maxTsBefore is the largest timestamp of every batch before pos in
// the segment, which turns the same sparse index into the time index: a
// timestamp lookup starts at the last entry whose maxTsBefore is below the
// target, since no earlier batch can hold a match.
type indexEntry struct {
	offset      int64
	pos         int64
	maxTsBefore int64
}

// segment is one file of a partition's log, holding the batches with offsets
// from base up to next-1.
//
// The index is kept in memory. Once the segment is closed it is also
// written to an index file (see index.go); the active segment's index is
// rebuilt by the recovery scan, which verifies every checksum.
type segment struct {
	base int64
	path string
	// f is the segment file. It is nil from a roll until the group-commit
	// leader creates the file (partition.createFile); it is set under
	// partition.mu, and read without it only by the leader or once written
	// is above zero.
	f vfs.File

	// Guarded by partition.mu.
	size        int64 // bytes assigned to batches, written or pending
	next        int64 // offset after the last assigned batch
	maxTs       int64 // largest timestamp, -1 when empty
	firstAppend int64 // wall-clock ms of the first batch, for segment.ms
	index       []indexEntry
	lastIndexed int64      // position of the last index entry, -indexInterval if none
	seal        *sealState // set when the partition rolls past the segment

	// written is the prefix of the file that readers may read: written to
	// the file and synced as the durability policy asks.
	written atomic.Int64
	// refs counts the partition's own reference plus readers and cleaners
	// currently using the file; the file is closed at zero.
	refs atomic.Int32
}

func segmentName(base int64) string { return fmt.Sprintf("%020d.log", base) }

func parseSegmentName(name string) (int64, bool) {
	s, ok := strings.CutSuffix(name, ".log")
	if !ok || len(s) != 20 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func newSegment(base int64, path string, f vfs.File) *segment {
	s := &segment{base: base, path: path, f: f, next: base, maxTs: -1, lastIndexed: -indexInterval}
	s.refs.Store(1)
	return s
}

// addBatch records a batch at pos in the in-memory metadata.
func (s *segment) addBatch(h *batchHeader, pos int64, now int64) {
	if s.size == 0 || s.firstAppend == 0 {
		s.firstAppend = now
	}
	if pos-s.lastIndexed >= indexInterval {
		s.index = append(s.index, indexEntry{offset: h.baseOffset, pos: pos, maxTsBefore: s.maxTs})
		s.lastIndexed = pos
	}
	if h.maxTimestamp > s.maxTs {
		s.maxTs = h.maxTimestamp
	}
	s.size = pos + h.size()
	s.next = h.nextOffset()
}

// lookup returns the position of the last indexed batch starting at or
// before offset: reading from there finds offset.
func (s *segment) lookup(offset int64) int64 {
	i := sort.Search(len(s.index), func(i int) bool { return s.index[i].offset > offset })
	if i == 0 {
		return 0
	}
	return s.index[i-1].pos
}

// lookupTime returns a position before which no batch has a timestamp >= ts.
func (s *segment) lookupTime(ts int64) int64 {
	i := sort.Search(len(s.index), func(i int) bool { return s.index[i].maxTsBefore >= ts })
	if i == 0 {
		return 0
	}
	return s.index[i-1].pos
}

func (s *segment) ref() { s.refs.Add(1) }

func (s *segment) unref() {
	// f is nil for a segment whose file the leader never got to create
	// (the partition failed or closed first).
	if s.refs.Add(-1) == 0 && s.f != nil {
		s.f.Close()
	}
}
