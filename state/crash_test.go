package state

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/sluicedb/sluice/broker"
)

// dumpKV reads a whole key-value store into a map.
func dumpKV(t *testing.T, s *KVStore) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := s.Range(nil, nil, func(k, v []byte) error {
		out[string(k)] = string(v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCrashConsistency crashes the filesystem at random points (keeping a
// random part of the unsynced data) and checks that the reopened state is
// exactly the last commit: its data and its offsets, nothing of what came
// after, nothing half of a commit.
func TestCrashConsistency(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 7))
	fs := vfs.NewCrashableMem()
	db, err := Open("db", Options{FS: fs, MemoryBudget: minBudget, cacheLimit: 4000})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	task, err := db.OpenTask("t")
	if err != nil {
		t.Fatal(err)
	}
	kv, err := task.KeyValueStore("t/kv/0")
	if err != nil {
		t.Fatal(err)
	}
	in := broker.TopicPartition{Topic: "in", Partition: 0}
	cur := map[string]string{}
	snapshots := map[uint64]map[string]string{0: {}}
	offsets := map[uint64]int64{}
	var lastSeq uint64
	crashes := 0
	for step := 0; step < 4000; step++ {
		k := fmt.Sprintf("k%03d", rng.IntN(300))
		switch r := rng.IntN(100); {
		case r < 70:
			v := fmt.Sprintf("v%d-%d", step, rng.IntN(1000))
			if err := kv.Put([]byte(k), []byte(v)); err != nil {
				t.Fatal(err)
			}
			cur[k] = v
		case r < 90:
			if err := kv.Delete([]byte(k)); err != nil {
				t.Fatal(err)
			}
			delete(cur, k)
		case r < 97:
			if err := task.Commit(Checkpoint{Offsets: map[broker.TopicPartition]int64{in: int64(step)}}); err != nil {
				t.Fatal(err)
			}
			lastSeq++
			snapshots[lastSeq] = maps.Clone(cur)
			offsets[lastSeq] = int64(step)
		default:
			crashes++
			clone := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: rng.IntN(101), RNG: rng})
			db2, err := Open("db", Options{FS: clone, MemoryBudget: minBudget})
			if err != nil {
				t.Fatalf("seed %d step %d: reopen: %v", seed, step, err)
			}
			t2, err := db2.OpenTask("t")
			if err != nil {
				t.Fatal(err)
			}
			cp, _, err := t2.Checkpoint()
			if err != nil {
				t.Fatal(err)
			}
			if cp.Seq != lastSeq {
				t.Fatalf("seed %d step %d: checkpoint seq %d after crash, want %d", seed, step, cp.Seq, lastSeq)
			}
			offs, err := t2.Offsets()
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := offs[in]; lastSeq > 0 && (!ok || got != offsets[lastSeq]) {
				t.Fatalf("seed %d step %d: offset %d after crash, want %d", seed, step, got, offsets[lastSeq])
			}
			kv2, err := t2.KeyValueStore("t/kv/0")
			if err != nil {
				t.Fatal(err)
			}
			if got := dumpKV(t, kv2); !maps.Equal(got, snapshots[lastSeq]) {
				t.Fatalf("seed %d step %d: state after crash differs from commit %d:\n got %v\nwant %v", seed, step, lastSeq, got, snapshots[lastSeq])
			}
			if err := db2.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if crashes == 0 || lastSeq == 0 {
		t.Fatalf("seed %d: workload made %d crashes and %d commits", seed, crashes, lastSeq)
	}
}
