package exec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// appendKeyValue appends one grouping value to a store key: a type tag,
// then the value. Strings, integers, doubles and booleans are encoded so
// decodeKeyValues can give them back (EMIT FINAL rebuilds closed windows'
// rows from the store); other types by their text form, which identifies
// them (a grouping column has one type) but is not decoded.
func appendKeyValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		dst = append(dst, 's')
		dst = binary.AppendUvarint(dst, uint64(len(v)))
		return append(dst, v...)
	case int32:
		return binary.BigEndian.AppendUint32(append(dst, 'i'), uint32(v))
	case int64:
		return binary.BigEndian.AppendUint64(append(dst, 'l'), uint64(v))
	case float64:
		return binary.BigEndian.AppendUint64(append(dst, 'd'), math.Float64bits(v))
	case bool:
		if v {
			return append(dst, 'b', 1)
		}
		return append(dst, 'b', 0)
	}
	s := fmt.Sprint(v)
	if b, ok := v.([]byte); ok {
		s = string(b)
	}
	dst = append(dst, 't')
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// errKeyEncoding reports a store key that decodeKeyValues cannot read.
var errKeyEncoding = errors.New("exec: aggregate state: undecodable grouping key")

// decodeKeyValues reads the grouping values of a store key.
func decodeKeyValues(b []byte, dst []any) ([]any, error) {
	for len(b) > 0 {
		tag := b[0]
		b = b[1:]
		switch tag {
		case 's':
			n, k := binary.Uvarint(b)
			if k <= 0 || uint64(len(b)-k) < n {
				return nil, errKeyEncoding
			}
			dst = append(dst, string(b[k:k+int(n)]))
			b = b[k+int(n):]
		case 'i':
			if len(b) < 4 {
				return nil, errKeyEncoding
			}
			dst = append(dst, int32(binary.BigEndian.Uint32(b)))
			b = b[4:]
		case 'l', 'd':
			if len(b) < 8 {
				return nil, errKeyEncoding
			}
			u := binary.BigEndian.Uint64(b)
			if tag == 'l' {
				dst = append(dst, int64(u))
			} else {
				dst = append(dst, math.Float64frombits(u))
			}
			b = b[8:]
		case 'b':
			if len(b) < 1 {
				return nil, errKeyEncoding
			}
			dst = append(dst, b[0] == 1)
			b = b[1:]
		default:
			return nil, errKeyEncoding
		}
	}
	return dst, nil
}

// encodeAggValue lays out a group's stored value: whether the group has a
// row in the output table, its newest input time, then each accumulator's
// state, length prefixed.
func encodeAggValue(dst []byte, hasOutput bool, rowtime int64, accs []Accumulator) ([]byte, error) {
	flag := byte(0)
	if hasOutput {
		flag = 1
	}
	dst = append(dst, flag)
	dst = binary.BigEndian.AppendUint64(dst, uint64(rowtime))
	for _, a := range accs {
		b, err := a.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("exec: aggregate state: %w", err)
		}
		dst = binary.AppendUvarint(dst, uint64(len(b)))
		dst = append(dst, b...)
	}
	return dst, nil
}

// decodeAggValue reads what encodeAggValue wrote into fresh accumulators.
func decodeAggValue(b []byte, accs []Accumulator) (hasOutput bool, rowtime int64, err error) {
	if len(b) < 9 {
		return false, 0, errors.New("exec: aggregate state: short value")
	}
	hasOutput, rowtime = b[0] == 1, int64(binary.BigEndian.Uint64(b[1:9]))
	b = b[9:]
	for _, a := range accs {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return false, 0, errors.New("exec: aggregate state: corrupt value")
		}
		if err := a.UnmarshalBinary(b[k : k+int(n)]); err != nil {
			return false, 0, fmt.Errorf("exec: aggregate state: %w", err)
		}
		b = b[k+int(n):]
	}
	return hasOutput, rowtime, nil
}
