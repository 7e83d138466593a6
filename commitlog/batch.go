package commitlog

import (
	"encoding/binary"
	"errors"
	"hash/crc32"

	"github.com/sluicedb/sluice/broker"
)

// On-disk batch format. A segment file is a sequence of batches; a batch is
// the unit of append, checksum, and transaction membership. All integers are
// little-endian.
//
//	0  baseOffset       int64   offset of the first record
//	8  length           uint32  whole batch size in bytes, header included
//	12 crc              uint32  CRC32C of the batch except these 4 bytes
//	16 magic            uint8   batchMagic
//	17 attributes       uint8   attrTransactional | attrControl
//	18 lastOffsetDelta  uint32  last record's offset minus baseOffset
//	22 firstTimestamp   int64   ms
//	30 maxTimestamp     int64   ms
//	38 producerID       int64   -1 when not idempotent
//	46 producerEpoch    int16
//	48 baseSequence     int32   -1 when not idempotent
//	52 recordCount      uint32
//	56 records
//
// Each record is
//
//	uvarint  length of the rest of the record
//	varint   timestamp - firstTimestamp
//	uvarint  offset - baseOffset
//	varint   key length, -1 for nil; key bytes
//	varint   value length, -1 for nil (tombstone); value bytes
//	uvarint  header count; per header: uvarint key length, key,
//	         varint value length (-1 nil), value
//
// The header carries everything recovery, retention, time lookup and
// read-committed filtering need, so those never decode records. The length
// comes before the CRC so a reader knows how much to checksum, and the CRC
// covers every other byte, the offset and length included, so a flipped
// offset or a torn or flipped length shows up as a checksum failure.
const (
	batchHeaderSize = 56
	batchMagic      = 1

	attrTransactional = 1 << 0
	attrControl       = 1 << 1

	// maxBatchBytes bounds one batch; it keeps a corrupt length from asking
	// for gigabytes and is the largest Append the log takes.
	maxBatchBytes = 64 << 20
)

// Control record kinds, stored as the single record key of a control batch.
const (
	controlAbort  = 0
	controlCommit = 1
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// batchHeader is the decoded fixed part of a batch.
type batchHeader struct {
	baseOffset      int64
	length          uint32
	crc             uint32
	magic           uint8
	attrs           uint8
	lastOffsetDelta uint32
	firstTimestamp  int64
	maxTimestamp    int64
	producerID      int64
	producerEpoch   int16
	baseSequence    int32
	recordCount     uint32
}

func (h *batchHeader) lastOffset() int64   { return h.baseOffset + int64(h.lastOffsetDelta) }
func (h *batchHeader) nextOffset() int64   { return h.lastOffset() + 1 }
func (h *batchHeader) transactional() bool { return h.attrs&attrTransactional != 0 }
func (h *batchHeader) control() bool       { return h.attrs&attrControl != 0 }
func (h *batchHeader) lastSequence() int32 { return h.baseSequence + int32(h.recordCount) - 1 }
func (h *batchHeader) hasProducer() bool   { return h.producerID >= 0 }
func (h *batchHeader) size() int64         { return int64(h.length) }
func (h *batchHeader) recordsLen() int     { return int(h.length) - batchHeaderSize }
func (h *batchHeader) isCommitMarker(b []byte) bool {
	// A control batch has one record whose key is the marker kind.
	return h.control() && controlKind(b) == controlCommit
}

var errShortHeader = errors.New("commitlog: short batch header")

// parseHeader decodes a header without validating the checksum.
func parseHeader(b []byte) (batchHeader, error) {
	if len(b) < batchHeaderSize {
		return batchHeader{}, errShortHeader
	}
	le := binary.LittleEndian
	return batchHeader{
		baseOffset:      int64(le.Uint64(b[0:])),
		length:          le.Uint32(b[8:]),
		crc:             le.Uint32(b[12:]),
		magic:           b[16],
		attrs:           b[17],
		lastOffsetDelta: le.Uint32(b[18:]),
		firstTimestamp:  int64(le.Uint64(b[22:])),
		maxTimestamp:    int64(le.Uint64(b[30:])),
		producerID:      int64(le.Uint64(b[38:])),
		producerEpoch:   int16(le.Uint16(b[46:])),
		baseSequence:    int32(le.Uint32(b[48:])),
		recordCount:     le.Uint32(b[52:]),
	}, nil
}

// plausible reports whether a header could belong to a real batch; it guards
// the checksum step against absurd lengths.
func (h *batchHeader) plausible() bool {
	return h.magic == batchMagic && h.length >= batchHeaderSize && h.length <= maxBatchBytes &&
		h.recordCount > 0 && h.baseOffset >= 0
}

// checksumOK verifies the CRC of a whole batch b (len(b) == h.length).
func checksumOK(b []byte, h *batchHeader) bool {
	return batchCRC(b[:h.length]) == h.crc
}

// batchCRC is the CRC32C of a whole batch minus its crc field.
func batchCRC(b []byte) uint32 {
	c := crc32.Update(0, crcTable, b[:12])
	return crc32.Update(c, crcTable, b[16:])
}

// batchMeta is what an append knows about the batch it encodes.
type batchMeta struct {
	baseOffset int64
	attrs      uint8
	producerID int64
	epoch      int16
	baseSeq    int32
	// appendTime, when non-zero, replaces every record timestamp
	// (LogAppendTime topics); now fills zero timestamps.
	appendTime int64
	now        int64
	// keepOffsets encodes each record's own Offset (compaction rewrites
	// records whose offsets have gaps) instead of baseOffset+i.
	keepOffsets bool
}

// appendBatch encodes recs as one batch at the end of dst and returns the
// extended buffer and the batch's header.
func appendBatch(dst []byte, m batchMeta, recs []broker.Record) ([]byte, batchHeader) {
	start := len(dst)
	dst = append(dst, make([]byte, batchHeaderSize)...)
	ts := func(r *broker.Record) int64 {
		if m.appendTime != 0 {
			return m.appendTime
		}
		if r.Timestamp == 0 {
			return m.now
		}
		return r.Timestamp
	}
	first := ts(&recs[0])
	maxTs := first
	var scratch [binary.MaxVarintLen64 * 4]byte
	for i := range recs {
		r := &recs[i]
		t := ts(r)
		if t > maxTs {
			maxTs = t
		}
		// Encode the body after a length prefix we only know at the end;
		// the body is encoded into dst then shifted right by the prefix.
		bodyStart := len(dst)
		dst = binary.AppendVarint(dst, t-first)
		delta := uint64(i)
		if m.keepOffsets {
			delta = uint64(r.Offset - m.baseOffset)
		}
		dst = binary.AppendUvarint(dst, delta)
		dst = appendBytes(dst, r.Key)
		dst = appendBytes(dst, r.Value)
		dst = binary.AppendUvarint(dst, uint64(len(r.Headers)))
		for _, h := range r.Headers {
			dst = binary.AppendUvarint(dst, uint64(len(h.Key)))
			dst = append(dst, h.Key...)
			dst = appendBytes(dst, h.Value)
		}
		bodyLen := len(dst) - bodyStart
		pfx := binary.PutUvarint(scratch[:], uint64(bodyLen))
		dst = append(dst, scratch[:pfx]...)
		copy(dst[bodyStart+pfx:], dst[bodyStart:bodyStart+bodyLen])
		copy(dst[bodyStart:], scratch[:pfx])
	}
	h := batchHeader{
		baseOffset:      m.baseOffset,
		length:          uint32(len(dst) - start),
		magic:           batchMagic,
		attrs:           m.attrs,
		lastOffsetDelta: uint32(len(recs) - 1),
		firstTimestamp:  first,
		maxTimestamp:    maxTs,
		producerID:      m.producerID,
		producerEpoch:   m.epoch,
		baseSequence:    m.baseSeq,
		recordCount:     uint32(len(recs)),
	}
	if m.keepOffsets {
		h.lastOffsetDelta = uint32(recs[len(recs)-1].Offset - m.baseOffset)
	}
	putHeader(dst[start:], &h)
	h.crc = batchCRC(dst[start:])
	binary.LittleEndian.PutUint32(dst[start+12:], h.crc)
	return dst, h
}

func putHeader(b []byte, h *batchHeader) {
	le := binary.LittleEndian
	le.PutUint64(b[0:], uint64(h.baseOffset))
	le.PutUint32(b[8:], h.length)
	le.PutUint32(b[12:], h.crc)
	b[16] = h.magic
	b[17] = h.attrs
	le.PutUint32(b[18:], h.lastOffsetDelta)
	le.PutUint64(b[22:], uint64(h.firstTimestamp))
	le.PutUint64(b[30:], uint64(h.maxTimestamp))
	le.PutUint64(b[38:], uint64(h.producerID))
	le.PutUint16(b[46:], uint16(h.producerEpoch))
	le.PutUint32(b[48:], uint32(h.baseSequence))
	le.PutUint32(b[52:], h.recordCount)
}

func appendBytes(dst, b []byte) []byte {
	if b == nil {
		return binary.AppendVarint(dst, -1)
	}
	dst = binary.AppendVarint(dst, int64(len(b)))
	return append(dst, b...)
}

// controlKind returns the marker kind of a control batch b, or -1.
func controlKind(b []byte) int {
	var recs [1]broker.Record
	out, _, err := decodeRecords(b, recs[:0], nil)
	if err != nil || len(out) != 1 || len(out[0].Key) != 1 {
		return -1
	}
	return int(out[0].Key[0])
}

var errBadRecord = errors.New("commitlog: malformed record")

// decodeRecords appends the records of batch b (a whole, checksummed batch)
// to dst. Keys, values and header values alias b; header slices are carved
// out of hdrs, which is returned grown so callers can reuse it. It allocates
// only when dst or hdrs must grow.
func decodeRecords(b []byte, dst []broker.Record, hdrs []broker.Header) ([]broker.Record, []broker.Header, error) {
	h, err := parseHeader(b)
	if err != nil {
		return dst, hdrs, err
	}
	p := b[batchHeaderSize:h.length]
	for i := uint32(0); i < h.recordCount; i++ {
		n, k := binary.Uvarint(p)
		if k <= 0 || n > uint64(len(p)-k) {
			return dst, hdrs, errBadRecord
		}
		body := p[k : k+int(n)]
		p = p[k+int(n):]
		var r broker.Record
		tsd, k := binary.Varint(body)
		if k <= 0 {
			return dst, hdrs, errBadRecord
		}
		body = body[k:]
		od, k := binary.Uvarint(body)
		if k <= 0 {
			return dst, hdrs, errBadRecord
		}
		body = body[k:]
		r.Timestamp = h.firstTimestamp + tsd
		r.Offset = h.baseOffset + int64(od)
		if r.Key, body, err = readBytes(body); err != nil {
			return dst, hdrs, err
		}
		if r.Value, body, err = readBytes(body); err != nil {
			return dst, hdrs, err
		}
		nh, k := binary.Uvarint(body)
		if k <= 0 || nh > uint64(len(body)) {
			return dst, hdrs, errBadRecord
		}
		body = body[k:]
		if nh > 0 {
			start := len(hdrs)
			for j := uint64(0); j < nh; j++ {
				kl, k := binary.Uvarint(body)
				if k <= 0 || kl > uint64(len(body)-k) {
					return dst, hdrs, errBadRecord
				}
				key := string(body[k : k+int(kl)])
				body = body[k+int(kl):]
				var v []byte
				if v, body, err = readBytes(body); err != nil {
					return dst, hdrs, err
				}
				hdrs = append(hdrs, broker.Header{Key: key, Value: v})
			}
			r.Headers = hdrs[start:len(hdrs):len(hdrs)]
		}
		dst = append(dst, r)
	}
	return dst, hdrs, nil
}

func readBytes(b []byte) ([]byte, []byte, error) {
	n, k := binary.Varint(b)
	if k <= 0 || n < -1 || n > int64(len(b)-k) {
		return nil, nil, errBadRecord
	}
	if n == -1 {
		return nil, b[k:], nil
	}
	return b[k : k+int(n) : k+int(n)], b[k+int(n):], nil
}
