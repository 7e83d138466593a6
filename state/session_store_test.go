package state

import (
	"fmt"
	"slices"
	"testing"
)

// TestSessionScanEnded checks the range read EMIT FINAL uses: sessions by
// end, including those past the liveness cutoff while their segment is
// still kept, and none of a dropped segment, before and after a commit.
func TestSessionScanEnded(t *testing.T) {
	db, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	task, err := db.OpenTask("t")
	if err != nil {
		t.Fatal(err)
	}
	defer task.Close()
	// Retention 100, segments of 50 ms.
	ss, err := task.SessionStore("t/sess/0", SessionOptions{Retention: 100, SegmentInterval: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		key        string
		start, end int64
	}{{"a", 10, 20}, {"b", 5, 45}, {"a", 60, 70}, {"b", 100, 120}, {"c", 130, 130}, {"a", 170, 199}} {
		if err := ss.Put([]byte(s.key), s.start, s.end, []byte(fmt.Sprint(s.end-s.start))); err != nil {
			t.Fatal(err)
		}
	}
	scan := func(from, to int64) []string {
		t.Helper()
		var out []string
		err := ss.ScanEnded(from, to, func(w Window) error {
			out = append(out, fmt.Sprintf("%s[%d,%d]=%s", w.Key, w.Start, w.End, w.Value))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	check := func(when string, from, to int64, want ...string) {
		t.Helper()
		if got := scan(from, to); !slices.Equal(got, want) {
			t.Fatalf("%s: ScanEnded(%d, %d) = %v, want %v", when, from, to, got, want)
		}
	}
	check("before expiry", 0, 130, "a[10,20]=10", "a[60,70]=10", "b[100,120]=20", "b[5,45]=40", "c[130,130]=0")
	check("before expiry", 21, 44)
	check("before expiry", 45, 70, "a[60,70]=10", "b[5,45]=40")
	// Stream time 175: the cutoff is 76, so [60,70] is no longer live but
	// its segment [50,100) stays; segment [0,50) is dropped.
	if err := ss.Expire(175); err != nil {
		t.Fatal(err)
	}
	if got, _ := ss.Fetch([]byte("a")); len(got) != 1 || got[0].End != 199 {
		t.Fatalf("live sessions of a after expiry: %v", got)
	}
	check("after expiry", 0, 200, "a[170,199]=29", "a[60,70]=10", "b[100,120]=20", "c[130,130]=0")
	check("after expiry", 0, 69)
	if _, err := task.Changes(); err != nil {
		t.Fatal(err)
	}
	if err := task.Commit(Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	check("after commit", 60, 199, "a[170,199]=29", "a[60,70]=10", "b[100,120]=20", "c[130,130]=0")
	check("after commit", 200, 100)
}
