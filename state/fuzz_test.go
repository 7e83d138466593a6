package state

import (
	"bytes"
	"testing"
)

// FuzzCheckpoint: decoding arbitrary bytes never panics, and whatever
// decodes survives a re-encoding unchanged.
func FuzzCheckpoint(f *testing.F) {
	f.Add(Checkpoint{Seq: 3}.encode())
	f.Add(Checkpoint{Seq: 1, Offsets: map[brokerTP]int64{{Topic: "in", Partition: 2}: 9}}.encode())
	f.Add([]byte{1, 0, 1, 200})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeCheckpoint(b)
		if err != nil {
			return
		}
		again, err := decodeCheckpoint(c.encode())
		if err != nil || again.String() != c.String() {
			t.Fatalf("%x: decoded %s, re-decoded %s (%v)", b, c, again, err)
		}
	})
}

// FuzzEscaped: escaping round-trips and keeps the byte order of keys.
func FuzzEscaped(f *testing.F) {
	f.Add([]byte("a"), []byte("a\x00"))
	f.Add([]byte{}, []byte{0xFF, 0x00})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ea, eb := appendEscaped(nil, a), appendEscaped(nil, b)
		if got, want := bytes.Compare(ea, eb), bytes.Compare(a, b); got != want {
			t.Fatalf("order of %x, %x: %d after escaping, %d before", a, b, got, want)
		}
		k, rest, err := decodeEscaped(append(ea, 7))
		if err != nil || !bytes.Equal(k, a) || !bytes.Equal(rest, []byte{7}) {
			t.Fatalf("round trip of %x: %x %x %v", a, k, rest, err)
		}
		// Arbitrary input: no panic, and both decoders agree.
		_, r1, err1 := decodeEscaped(a)
		r2, err2 := skipEscaped(a)
		if (err1 == nil) != (err2 == nil) || !bytes.Equal(r1, r2) {
			t.Fatalf("decoders disagree on %x: %x %v vs %x %v", a, r1, err1, r2, err2)
		}
	})
}
