package format

import (
	"slices"
	"unicode/utf16"

	"github.com/sluicedb/sluice/types"
)

// javaMapOrder puts a decoded JSON map's entries in the order ksqlDB
// iterates them. ksqlDB copies a JSON object's fields into a
// java.util.HashMap sized for the field count, and everything downstream
// (REDUCE, TRANSFORM, MAP_KEYS, the map's text form) walks that HashMap:
// by hash bucket, then, within a bucket, in insertion order. A fold whose
// steps do not commute (REDUCE with a non-associative lambda) gives
// ksqlDB's answer only in that order. Maps with keys other than STRING
// (refused for JSON at CREATE, still read by the codec) keep field order.
func javaMapOrder(m *types.Map) {
	n := len(m.Keys)
	if n < 2 {
		return
	}
	hashes := make([]int32, n)
	for i, k := range m.Keys {
		s, ok := k.(string)
		if !ok {
			return
		}
		hashes[i] = javaSpreadHash(s)
	}
	mask := int32(javaTableSize(n) - 1)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return int(hashes[a]&mask) - int(hashes[b]&mask)
	})
	keys := make([]any, n)
	vals := make([]any, n)
	for i, j := range idx {
		keys[i], vals[i] = m.Keys[j], m.Values[j]
	}
	copy(m.Keys, keys)
	copy(m.Values, vals)
}

// javaSpreadHash is String.hashCode (over UTF-16 code units, wrapping)
// with HashMap's spreading of the high half into the low bits.
func javaSpreadHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			hi, lo := utf16.EncodeRune(r)
			h = 31*h + hi
			h = 31*h + lo
			continue
		}
		h = 31*h + r
	}
	return h ^ int32(uint32(h)>>16)
}

// javaTableSize is the table length of `new HashMap<>(n)` after n puts:
// the smallest power of two at least n, doubled whenever the entries pass
// three quarters of it.
func javaTableSize(n int) int {
	size := 1
	for size < n {
		size <<= 1
	}
	threshold := size * 3 / 4
	for puts := 1; puts <= n; puts++ {
		if puts > threshold {
			size <<= 1
			threshold = size * 3 / 4
		}
	}
	return size
}
