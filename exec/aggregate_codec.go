package exec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/sluicedb/sluice/types"
)

// appendKeyValue appends one grouping value to a store key: a type tag,
// then the value. Every value is encoded unambiguously, so two groups
// share a key only when their values are equal, and all but STRUCTs so
// that decodeKeyValues can give them back (EMIT FINAL rebuilds closed
// windows' rows from the store, pull queries scan it): collections
// element by element, each tagged. A STRUCT is written as its text form,
// which identifies it (a grouping column has one type, printed with the
// value) but is not decoded.
func appendKeyValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(dst, 'n')
	case string:
		return appendKeyBytes(append(dst, 's'), v)
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
	case []byte:
		return appendKeyBytes(append(dst, 'y'), string(v))
	case types.Date:
		return binary.BigEndian.AppendUint32(append(dst, 'D'), uint32(v))
	case types.Time:
		return binary.BigEndian.AppendUint32(append(dst, 'T'), uint32(v))
	case types.Timestamp:
		return binary.BigEndian.AppendUint64(append(dst, 'S'), uint64(v))
	case types.Decimal:
		dst = binary.AppendVarint(append(dst, 'x'), int64(v.Scale))
		return appendKeyBytes(dst, v.Unscaled.String())
	case []any:
		dst = binary.AppendUvarint(append(dst, 'a'), uint64(len(v)))
		for _, e := range v {
			dst = appendKeyValue(dst, e)
		}
		return dst
	case *types.Map:
		dst = binary.AppendUvarint(append(dst, 'm'), uint64(len(v.Keys)))
		for i := range v.Keys {
			dst = appendKeyValue(appendKeyValue(dst, v.Keys[i]), v.Values[i])
		}
		return dst
	}
	return appendKeyBytes(append(dst, 't'), fmt.Sprint(v))
}

// appendKeyBytes appends s with its length.
func appendKeyBytes(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// errKeyEncoding reports a store key that decodeKeyValues cannot read.
var errKeyEncoding = errors.New("exec: aggregate state: undecodable grouping key")

// decodeKeyValues reads the grouping values of a store key.
func decodeKeyValues(b []byte, dst []any) ([]any, error) {
	for len(b) > 0 {
		v, rest, err := decodeKeyValue(b)
		if err != nil {
			return nil, err
		}
		dst = append(dst, v)
		b = rest
	}
	return dst, nil
}

// decodeKeyValue reads one value appendKeyValue wrote and returns the
// rest. Only appendKeyValue's own output decodes (no padded lengths, no
// non-canonical decimal text, booleans 0 or 1), so decoding and
// re-encoding give back the same bytes.
func decodeKeyValue(b []byte) (any, []byte, error) {
	if len(b) == 0 {
		return nil, nil, errKeyEncoding
	}
	tag := b[0]
	b = b[1:]
	fixed := func(n int) ([]byte, []byte, error) {
		if len(b) < n {
			return nil, nil, errKeyEncoding
		}
		return b[:n], b[n:], nil
	}
	text := func(b []byte) (string, []byte, error) {
		n, k := keyUvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return "", nil, errKeyEncoding
		}
		return string(b[k : k+int(n)]), b[k+int(n):], nil
	}
	switch tag {
	case 'n':
		return nil, b, nil
	case 's':
		return text(b)
	case 'y':
		s, rest, err := text(b)
		return []byte(s), rest, err
	case 'i', 'D', 'T':
		v, rest, err := fixed(4)
		if err != nil {
			return nil, nil, err
		}
		u := int32(binary.BigEndian.Uint32(v))
		switch tag {
		case 'D':
			return types.Date(u), rest, nil
		case 'T':
			return types.Time(u), rest, nil
		}
		return u, rest, nil
	case 'l', 'd', 'S':
		v, rest, err := fixed(8)
		if err != nil {
			return nil, nil, err
		}
		u := binary.BigEndian.Uint64(v)
		switch tag {
		case 'd':
			return math.Float64frombits(u), rest, nil
		case 'S':
			return types.Timestamp(int64(u)), rest, nil
		}
		return int64(u), rest, nil
	case 'b':
		v, rest, err := fixed(1)
		if err != nil {
			return nil, nil, err
		}
		if v[0] > 1 {
			return nil, nil, errKeyEncoding
		}
		return v[0] == 1, rest, nil
	case 'x':
		scale, k := binary.Varint(b)
		if k <= 0 || (k > 1 && b[k-1] == 0) || scale != int64(int32(scale)) {
			return nil, nil, errKeyEncoding
		}
		s, rest, err := text(b[k:])
		if err != nil {
			return nil, nil, err
		}
		unscaled, ok := new(big.Int).SetString(s, 10)
		if !ok || unscaled.String() != s {
			return nil, nil, errKeyEncoding
		}
		return types.Decimal{Unscaled: unscaled, Scale: int32(scale)}, rest, nil
	case 'a', 'm':
		n, k := keyUvarint(b)
		if k <= 0 || n > uint64(len(b)) {
			return nil, nil, errKeyEncoding
		}
		b = b[k:]
		if tag == 'a' {
			out := make([]any, n)
			for i := range out {
				v, rest, err := decodeKeyValue(b)
				if err != nil {
					return nil, nil, err
				}
				out[i], b = v, rest
			}
			return out, b, nil
		}
		m := &types.Map{Keys: make([]any, n), Values: make([]any, n)}
		for i := range m.Keys {
			kv, rest, err := decodeKeyValue(b)
			if err != nil {
				return nil, nil, err
			}
			vv, rest, err := decodeKeyValue(rest)
			if err != nil {
				return nil, nil, err
			}
			m.Keys[i], m.Values[i], b = kv, vv, rest
		}
		return m, b, nil
	}
	return nil, nil, errKeyEncoding
}

// keyUvarint reads a uvarint as binary.Uvarint does but rejects the
// padded forms (a last byte of zero) appendKeyValue never writes: a key
// decodes only from its own encoding, so two stored keys never stand for
// one group.
func keyUvarint(b []byte) (uint64, int) {
	n, k := binary.Uvarint(b)
	if k > 1 && b[k-1] == 0 {
		return 0, 0
	}
	return n, k
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
