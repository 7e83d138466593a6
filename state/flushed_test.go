package state

import (
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// TestFlushedBound checks which window lookups skip pebble: those newer
// than anything flushed for their key, per key while the store tracks the
// key, at segment granularity after a reload, and coarser once it forgets
// its keys; and that every other lookup still finds what was written. A
// one-byte cache makes every write go to the pending batch at once, so
// nothing is answered from the cache.
func TestFlushedBound(t *testing.T) {
	db, err := Open("db", Options{FS: vfs.NewMem(), cacheLimit: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var task *Task
	var ws *WindowStore
	open := func() {
		t.Helper()
		if task, err = db.OpenTask("t"); err != nil {
			t.Fatal(err)
		}
		if ws, err = task.WindowStore("t/w/0", WindowOptions{Size: 1000, Retention: 100_000, SegmentInterval: 60_000}); err != nil {
			t.Fatal(err)
		}
	}
	put := func(key string, start int64) {
		t.Helper()
		if err := ws.Put([]byte(key), start, []byte(fmt.Sprint(key, start))); err != nil {
			t.Fatal(err)
		}
	}
	// get checks that the lookup finds the window exactly when found is
	// set and reads pebble exactly when read is set.
	get := func(key string, start int64, found, read bool) {
		t.Helper()
		before := task.CacheStats().Reads
		v, ok, err := ws.Get([]byte(key), start)
		if err != nil || ok != found || (ok && string(v) != fmt.Sprint(key, start)) {
			t.Fatalf("Get(%s, %d) = %q %v %v, want found %v", key, start, v, ok, err, found)
		}
		if didRead := task.CacheStats().Reads > before; didRead != read {
			t.Fatalf("Get(%s, %d) read pebble: %v, want %v", key, start, didRead, read)
		}
	}

	open()
	put("k1", 0)
	put("k2", 0)
	put("k2", 1000)
	get("k1", 0, true, true)
	get("k2", 1000, true, true)
	get("k1", 1000, false, false) // newer than k1's newest, though k2 has one
	get("k3", 0, false, false)    // a key never flushed
	if err := task.Commit(Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	get("k1", 2000, false, false)

	// Reopened, the store knows only pebble's highest segment (0: starts
	// up to 59,999) and learns keys again as they are flushed.
	if err := task.Close(); err != nil {
		t.Fatal(err)
	}
	open()
	get("k1", 0, true, true)
	get("k1", 1000, false, true)
	get("k3", 0, false, true)
	get("k1", 60_000, false, false)
	put("k1", 61_000)
	get("k1", 61_000, true, true)
	get("k2", 59_000, false, true) // under the segment bound
	get("k2", 61_000, false, false)

	// Abort forgets the batch and what it taught the bound.
	if err := task.Abort(); err != nil {
		t.Fatal(err)
	}
	get("k1", 61_000, false, false)
	get("k2", 1000, true, true)

	// Past maxTrackedKeys keys with live windows a store forgets them
	// all and falls back to the newest start flushed: still correct.
	if ws, err = task.WindowStore("t/w/1", WindowOptions{Size: 1000, Retention: 100_000, SegmentInterval: 60_000}); err != nil {
		t.Fatal(err)
	}
	for i := range maxTrackedKeys + 10 {
		put(fmt.Sprintf("n%d", i), 3000)
	}
	get("k1", 3000, false, true)
	get("n5", 3000, true, true)
	get("n5", 4000, false, false)
	put("k9", 5000)
	get("k9", 5000, true, true)
	get("k9", 4000, false, true)  // under k9's own bound
	get("n6", 3000, true, true)   // forgotten keys keep their windows
	get("n6", 5000, false, false) // and are bounded by the newest start forgotten
	checkAccounting(t, task)
}
