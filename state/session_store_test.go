package state

import (
	"fmt"
	"slices"
	"testing"
)

// TestSessionPopEnded checks the read EMIT FINAL uses: sessions by end,
// each once, never one removed before its end came up, still after the
// liveness cutoff while their segment is kept, none of a dropped segment,
// and an index rebuilt from the store when the store is reopened.
func TestSessionPopEnded(t *testing.T) {
	db, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	task, err := db.OpenTask("t")
	if err != nil {
		t.Fatal(err)
	}
	// Retention 100, segments of 50 ms.
	opts := SessionOptions{Retention: 100, SegmentInterval: 50}
	ss, err := task.SessionStore("t/sess/0", opts)
	if err != nil {
		t.Fatal(err)
	}
	put := func(key string, start, end int64) {
		t.Helper()
		if err := ss.Put([]byte(key), start, end, []byte(fmt.Sprint(end-start))); err != nil {
			t.Fatal(err)
		}
	}
	remove := func(key string, start, end int64) {
		t.Helper()
		if err := ss.Remove([]byte(key), start, end); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string, from, to int64, want ...string) {
		t.Helper()
		var got []string
		err := ss.PopEnded(from, to, func(w Window) error {
			got = append(got, fmt.Sprintf("%s[%d,%d]=%s", w.Key, w.Start, w.End, w.Value))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: PopEnded(%d, %d) = %v, want %v", when, from, to, got, want)
		}
	}
	put("b", 5, 45)
	put("a", 10, 20)
	put("a", 60, 70)
	put("z", 0, 3)
	check("first call", 5, 44, "a[10,20]=10") // z ends before from
	put("c", 25, 30)
	put("a", 12, 30) // same end as c, later start
	put("b", 30, 30) // same end and start as a and c, key b
	check("after more puts", 5, 50, "a[12,30]=18", "c[25,30]=5", "b[30,30]=0", "b[5,45]=40")
	check("nothing new", 5, 50)
	// A session removed (merged) before its end came up is never taken;
	// one removed and put again is taken once.
	put("d", 48, 52)
	remove("d", 48, 52)
	put("e", 50, 55)
	remove("e", 50, 55)
	put("e", 50, 55)
	put("f", 90, 120)
	check("merges", 5, 60, "e[50,55]=5")
	// Stream time 175: the cutoff is 76, so [60,70] is no longer live but
	// its segment [50,100) stays; segment [0,50) is dropped, with g.
	put("g", 40, 49)
	if err := ss.Expire(175); err != nil {
		t.Fatal(err)
	}
	check("after expiry", 5, 100, "a[60,70]=10")
	if _, err := task.Changes(); err != nil {
		t.Fatal(err)
	}
	if err := task.Commit(Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	task.Close()

	// Reopened: the index is rebuilt from the committed store.
	task, err = db.OpenTask("t")
	if err != nil {
		t.Fatal(err)
	}
	defer task.Close()
	if ss, err = task.SessionStore("t/sess/0", opts); err != nil {
		t.Fatal(err)
	}
	put("h", 130, 140)
	check("reopened", 101, 200, "f[90,120]=30", "h[130,140]=10")
	check("reopened, earlier from", 0, 200)
}
