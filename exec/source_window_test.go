package exec

import (
	"encoding/binary"
	"errors"
	"testing"
)

func TestSourceWindowSplit(t *testing.T) {
	key := binary.BigEndian.AppendUint64([]byte("k1"), 12000)
	inner, start, end, err := (&SourceWindow{SizeMs: 1000}).split(key)
	if err != nil || string(inner) != "k1" || start != 12000 || end != 13000 {
		t.Fatalf("time window: %q %d %d %v", inner, start, end, err)
	}
	// Session keys carry the end, then the start.
	skey := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64([]byte("k2"), 900), 100)
	inner, start, end, err = (&SourceWindow{Session: true}).split(skey)
	if err != nil || string(inner) != "k2" || start != 100 || end != 900 {
		t.Fatalf("session window: %q %d %d %v", inner, start, end, err)
	}
	if _, _, _, err := (&SourceWindow{Session: true}).split(key[:9]); !errors.Is(err, errShortWindowedKey) {
		t.Fatalf("short key: %v", err)
	}
}
