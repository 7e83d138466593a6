package state

import (
	"encoding/binary"
	"errors"
)

// Key layout. Every key of the pebble instance starts with a one-byte space so
// that bookkeeping never interleaves with store data and a store's data is one
// contiguous span that a single DeleteRange can drop:
//
//	0x00 'r' NAME            -> store id (uint32, big-endian)       registry
//	0x00 'i'                 -> next store id (uint32)              registry
//	0x00 'c' TASK            -> encoded Checkpoint                  checkpoints
//	0x00 't' ID              -> observed stream time (time8)        retention
//	0x01 ID  ...             -> store data                          stores
//
// Inside a store (after the 5-byte prefix 0x01 ID):
//
//	key-value store:  KEY                                  (raw bytes)
//	window store:     SEG esc(KEY) time8(START)
//	session store:    SEG esc(KEY) time8(END) time8(START)
//
// time8 is a signed millisecond time as 8 big-endian bytes with the sign bit
// flipped, so that byte order equals numeric order across negative and
// positive times. SEG is time8(floor(t / SegmentInterval)): windows are
// grouped into time segments so that retention drops whole segments with one
// range deletion instead of scanning keys. esc(KEY) is the key with every 0x00
// written as 0x00 0xFF and a 0x00 0x01 terminator: it is self-delimiting (so
// the time that follows can be found) and preserves the byte order of keys, so
// all windows of one key are adjacent within a segment and keys sort as their
// raw bytes do.
//
// Changelog records carry the store-local key without the segment (windows:
// esc(KEY) time8(START); sessions: esc(KEY) time8(END) time8(START)), so a
// changelog stays valid if the segment interval changes between runs.

const (
	spaceMeta byte = 0x00
	spaceData byte = 0x01

	metaRegistry   byte = 'r'
	metaNextID     byte = 'i'
	metaCheckpoint byte = 'c'
	metaStreamTime byte = 't'

	prefixLen = 5
	time8Len  = 8
)

var errBadKey = errors.New("state: malformed key")

// appendTime appends t in the order-preserving time8 form.
func appendTime(b []byte, t int64) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(t)^(1<<63))
}

// decodeTime reads a time8 value from the first 8 bytes of b.
func decodeTime(b []byte) int64 {
	return int64(binary.BigEndian.Uint64(b) ^ (1 << 63))
}

// appendEscaped appends the order-preserving, self-delimiting form of key.
func appendEscaped(b, key []byte) []byte {
	for _, c := range key {
		if c == 0x00 {
			b = append(b, 0x00, 0xFF)
			continue
		}
		b = append(b, c)
	}
	return append(b, 0x00, 0x01)
}

// decodeEscaped undoes appendEscaped at the start of b and returns the key
// and what follows the terminator.
func decodeEscaped(b []byte) (key, rest []byte, err error) {
	key = make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != 0x00 {
			key = append(key, b[i])
			continue
		}
		if i+1 >= len(b) {
			return nil, nil, errBadKey
		}
		switch b[i+1] {
		case 0xFF:
			key = append(key, 0x00)
			i++
		case 0x01:
			return key, b[i+2:], nil
		default:
			return nil, nil, errBadKey
		}
	}
	return nil, nil, errBadKey
}

// skipEscaped returns what follows the escaped key at the start of b,
// without building the key (restores only need to find the time).
func skipEscaped(b []byte) ([]byte, error) {
	for i := 0; i+1 < len(b); i++ {
		if b[i] != 0x00 {
			continue
		}
		switch b[i+1] {
		case 0xFF:
			i++
		case 0x01:
			return b[i+2:], nil
		default:
			return nil, errBadKey
		}
	}
	return nil, errBadKey
}

// storePrefix returns the 5-byte data prefix of store id.
func storePrefix(id uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte{spaceData}, id)
}

// prefixEnd returns the smallest key greater than every key starting with p,
// or nil when there is none (p is all 0xFF).
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

// floorDiv divides rounding toward negative infinity, so that segments of
// negative times are as wide as the others.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func metaKey(kind byte, rest []byte) []byte {
	k := make([]byte, 0, 2+len(rest))
	k = append(k, spaceMeta, kind)
	return append(k, rest...)
}
