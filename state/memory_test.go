package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// checkAccounting fails the test if the task's invariants do not hold.
func checkAccounting(t *testing.T, task *Task) {
	t.Helper()
	if err := task.checkInvariants(); err != nil {
		t.Fatal(err)
	}
}

// TestCacheBudget writes far more distinct keys than the cache holds: the
// cache must stay within its budget (give or take the entry being added),
// flush early rather than grow, signal NeedsCommit, and lose nothing.
func TestCacheBudget(t *testing.T) {
	const limit = 50_000
	db, err := Open("db", Options{FS: vfs.NewMem(), MemoryBudget: minBudget, cacheLimit: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	task, _ := db.OpenTask("t")
	kv, _ := task.KeyValueStore("t/kv/0")
	val := make([]byte, 100)
	sawPressure := false
	for i := range 20_000 {
		key := binary.BigEndian.AppendUint64(nil, uint64(i))
		if err := kv.Put(key, val); err != nil {
			t.Fatal(err)
		}
		if used := db.cacheUsed.Load(); used > limit+int64(len(key)+len(val)+entryOverhead+prefixLen) {
			t.Fatalf("after %d puts the cache uses %d bytes, budget %d", i+1, used, limit)
		}
		sawPressure = sawPressure || task.NeedsCommit()
	}
	checkAccounting(t, task)
	if task.pendingBytes == 0 {
		t.Fatal("nothing was flushed early")
	}
	if !sawPressure {
		t.Fatal("NeedsCommit never reported pressure")
	}
	if st := task.CacheStats(); st.EarlyFlushes == 0 || st.Evictions == 0 {
		t.Fatalf("cache stats after overflowing the budget: %+v", st)
	}
	for i := range 20_000 {
		if _, ok, err := kv.Get(binary.BigEndian.AppendUint64(nil, uint64(i))); err != nil || !ok {
			t.Fatalf("key %d lost: %v %v", i, ok, err)
		}
	}
	if err := task.Commit(Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	if task.NeedsCommit() || db.pendingUsed.Load() != 0 {
		t.Fatalf("after commit: NeedsCommit %v, pending %d", task.NeedsCommit(), db.pendingUsed.Load())
	}
	checkAccounting(t, task)
	task.Close()
	if db.cacheUsed.Load() != 0 {
		t.Fatalf("closed task leaves %d cache bytes accounted", db.cacheUsed.Load())
	}
}

// TestConcurrentTasks runs tasks on their own goroutines against one DB
// (run it with -race): each must see exactly its own committed state.
func TestConcurrentTasks(t *testing.T) {
	seed := testSeed(t)
	db, err := Open("db", Options{FS: vfs.NewMem(), MemoryBudget: minBudget, cacheLimit: 30_000})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const tasks = 4
	var wg sync.WaitGroup
	errs := make(chan error, tasks)
	for n := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- runTask(db, n, rand.New(rand.NewPCG(seed, uint64(n))))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}

func runTask(db *DB, n int, rng *rand.Rand) error {
	id := fmt.Sprintf("q/%d", n)
	task, err := db.OpenTask(id)
	if err != nil {
		return err
	}
	kv, err := task.KeyValueStore(StoreName("q", "agg", int32(n)))
	if err != nil {
		return err
	}
	win, err := task.WindowStore(StoreName("q", "win", int32(n)), WindowOptions{Size: 10, Retention: 500, SegmentInterval: 50})
	if err != nil {
		return err
	}
	model, committed := map[string]string{}, map[string]string{}
	for i := range 3000 {
		k := fmt.Sprintf("k%d", rng.IntN(200))
		v := fmt.Sprintf("%d-%d", n, i)
		if err := kv.Put([]byte(k), []byte(v)); err != nil {
			return err
		}
		model[k] = v
		if err := win.Put([]byte(k), int64(i), []byte(v)); err != nil {
			return fmt.Errorf("put %d (stream time %d): %w", i, win.StreamTime(), err)
		}
		if err := win.Expire(int64(i)); err != nil {
			return err
		}
		switch rng.IntN(50) {
		case 0:
			if err := task.Commit(Checkpoint{}); err != nil {
				return err
			}
			committed = maps_clone(model)
		case 1:
			if err := task.Abort(); err != nil {
				return err
			}
			model = maps_clone(committed)
		}
	}
	got := map[string]string{}
	if err := kv.Range(nil, nil, func(k, v []byte) error {
		got[string(k)] = string(v)
		return nil
	}); err != nil {
		return err
	}
	if fmt.Sprint(got) != fmt.Sprint(model) {
		return fmt.Errorf("task %d: state differs from its model: %s", n, mapDiff(got, model))
	}
	return task.Close()
}

func maps_clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestRegistryConcurrent registers stores from many goroutines at once:
// every name must get its own id (two stores sharing a prefix would
// silently overwrite each other).
func TestRegistryConcurrent(t *testing.T) {
	db, err := Open("db", Options{FS: vfs.NewMem(), MemoryBudget: minBudget})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const n = 64
	ids := make([]uint32, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := db.storeID(fmt.Sprintf("q/op/%d", i))
			if err != nil {
				t.Error(err)
			}
			ids[i] = id
		}()
	}
	wg.Wait()
	seen := map[uint32]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("store id %d given twice", id)
		}
		seen[id] = true
	}
	// Registration is durable and stable across lookups.
	if id, err := db.storeID("q/op/7"); err != nil || id != ids[7] {
		t.Fatalf("q/op/7: id %d (%v), want %d", id, err, ids[7])
	}
}

// TestDrop drops a store and a task: their data and checkpoint are gone,
// a store of the same name starts empty, and other stores are untouched.
func TestDrop(t *testing.T) {
	db, err := Open("db", Options{FS: vfs.NewMem(), MemoryBudget: minBudget})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	task, _ := db.OpenTask("q/0")
	a, _ := task.KeyValueStore("q/a/0")
	w, _ := task.WindowStore("q/w/0", WindowOptions{Size: 10, Retention: 100})
	_ = a.Put([]byte("k"), []byte("v"))
	_ = w.Put([]byte("k"), 10, []byte("w"))
	_ = w.Expire(50)
	if err := task.Commit(Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	if err := db.DropStore("q/w/0"); !errors.Is(err, ErrStoreOpen) {
		t.Fatalf("drop of an open store: %v", err)
	}
	if err := db.DropTask("q/0"); !errors.Is(err, ErrTaskOpen) {
		t.Fatalf("drop of an open task: %v", err)
	}
	task.Close()
	if err := db.DropStore("q/w/0"); err != nil {
		t.Fatal(err)
	}
	if err := db.DropTask("q/0"); err != nil {
		t.Fatal(err)
	}
	if err := db.DropStore("never/existed/0"); err != nil {
		t.Fatalf("drop of an unknown store: %v", err)
	}
	task, _ = db.OpenTask("q/0")
	if _, ok, _ := task.Checkpoint(); ok {
		t.Fatal("checkpoint survived DropTask")
	}
	a, _ = task.KeyValueStore("q/a/0")
	w, _ = task.WindowStore("q/w/0", WindowOptions{Size: 10, Retention: 100})
	if v, ok, _ := a.Get([]byte("k")); !ok || string(v) != "v" {
		t.Fatalf("other store lost its data: %q %v", v, ok)
	}
	if ws, _ := w.Fetch([]byte("k"), 0, 100); len(ws) != 0 || w.StreamTime() != noTime {
		t.Fatalf("dropped window store still has %v, stream time %d", ws, w.StreamTime())
	}
	stats := task.CacheStats()
	if stats.Misses == 0 {
		t.Fatalf("cache stats: %+v", stats)
	}
}
