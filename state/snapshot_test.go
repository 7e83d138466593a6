package state

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// TestSnapshotIsolation has a task rewrite every key with the round number
// and commit, while readers on other goroutines take snapshots: each must
// see one whole committed round, never a mix and never uncommitted values.
func TestSnapshotIsolation(t *testing.T) {
	db, err := Open("db", Options{FS: vfs.NewMem(), MemoryBudget: minBudget, cacheLimit: 3000})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	task, _ := db.OpenTask("t")
	kv, err := task.KeyValueStore("t/kv/0")
	if err != nil {
		t.Fatal(err)
	}
	snap := db.NewSnapshot()
	if _, err := snap.KeyValue("t/kv/0"); err != nil {
		t.Fatalf("registered store: %v", err)
	}
	if _, err := snap.KeyValue("nope"); !errors.Is(err, ErrUnknownStore) {
		t.Fatalf("unknown store: %v", err)
	}
	snap.Close()

	const keys, rounds = 100, 200
	var committed atomic.Int64 // highest round known committed
	committed.Store(-1)
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				low := committed.Load()
				snap := db.NewSnapshot()
				v, err := snap.KeyValue("t/kv/0")
				if err != nil {
					snap.Close()
					errs <- err
					return
				}
				round, n := int64(-2), 0
				err = v.Range(nil, nil, func(k, val []byte) error {
					r, _ := strconv.ParseInt(string(val), 10, 64)
					if round != -2 && r != round {
						return fmt.Errorf("snapshot mixes rounds %d and %d", round, r)
					}
					round = r
					n++
					return nil
				})
				snap.Close()
				if err == nil && n != 0 && n != keys {
					err = fmt.Errorf("snapshot has %d keys", n)
				}
				if err == nil && n == keys && round < low {
					err = fmt.Errorf("snapshot shows round %d after round %d committed", round, low)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for r := range rounds {
		for k := range keys {
			if err := kv.Put([]byte(strconv.Itoa(k)), []byte(strconv.Itoa(r))); err != nil {
				t.Fatal(err)
			}
		}
		if err := task.Commit(Checkpoint{}); err != nil {
			t.Fatal(err)
		}
		committed.Store(int64(r))
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
