package exec

import (
	"encoding/binary"
	"errors"
)

// SourceWindow describes the windowed keys of a source (a table produced by
// a windowed aggregation, or one declared with WINDOW_TYPE): as ksqlDB
// encodes them, the record key is the key's serialized form followed by
// the window start (8 bytes, big-endian ms), and for session windows by
// the window end and then the start. The source strips the window from the
// key before decoding it and emits the bounds as the BIGINT columns
// StartColumn and EndColumn (WINDOWSTART, WINDOWEND).
type SourceWindow struct {
	Session bool
	// SizeMs is the size of a tumbling or hopping window: its end is the
	// start plus the size.
	SizeMs                 int64
	StartColumn, EndColumn int
}

var errShortWindowedKey = errors.New("windowed key too short for its window bounds")

// split returns the key without its window, and the window's bounds.
func (w *SourceWindow) split(key []byte) (inner []byte, start, end int64, err error) {
	n := 8
	if w.Session {
		n = 16
	}
	if len(key) < n {
		return nil, 0, 0, errShortWindowedKey
	}
	inner = key[:len(key)-n]
	tail := key[len(key)-n:]
	if w.Session {
		end = int64(binary.BigEndian.Uint64(tail[:8]))
		start = int64(binary.BigEndian.Uint64(tail[8:]))
		return inner, start, end, nil
	}
	start = int64(binary.BigEndian.Uint64(tail))
	return inner, start, start + w.SizeMs, nil
}
