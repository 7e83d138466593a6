package state

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
)

// TestExactlyOnceCounting runs a COUNT(*) GROUP BY key task through the
// whole protocol (state stores, changelog, output topic, group offsets in
// one log transaction, then the pebble commit) and kills it at random
// points: between any two steps of a commit, with or without the state
// directory. At the end every key's output must be exactly 1, 2, ..., n —
// no lost and no double-counted update — and the state must equal a batch
// count of the input.
func TestExactlyOnceCounting(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 13))
	ctx := context.Background()
	dir := t.TempDir()
	log, err := commitlog.Open(filepath.Join(dir, "log"), commitlog.Options{CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	events := broker.TopicPartition{Topic: "events"}
	out := broker.TopicPartition{Topic: "counts"}
	changelog := broker.TopicPartition{Topic: "q-count-changelog"}
	winChangelog := broker.TopicPartition{Topic: "q-wcount-changelog"}
	for _, tp := range []broker.TopicPartition{events, out, changelog, winChangelog} {
		cfg := broker.TopicConfig{Partitions: 1, Durability: broker.DurabilityNone}
		if tp == changelog || tp == winChangelog {
			cfg.CleanupPolicy = broker.CleanupCompact
		}
		if err := log.CreateTopic(ctx, tp.Topic, cfg); err != nil {
			t.Fatal(err)
		}
	}
	// Besides the running count per key, a tumbling-window count per key
	// (size 100, retention 500) over event times that are mostly
	// increasing, with late records: those past retention are dropped,
	// exactly as the batch computation below drops them.
	const nEvents, nKeys = 4000, 37
	const winSize, retention = 100, 500
	want := map[string]int64{}
	wantWin := map[string]int64{}
	var batch []broker.Record
	streamTime, late := int64(0), 0
	for i := range nEvents {
		k := fmt.Sprintf("k%d", rng.IntN(nKeys))
		want[k]++
		ts := int64(1000 + i*10 - rng.IntN(4)*rng.IntN(300))
		streamTime = max(streamTime, ts)
		if start := ts - ts%winSize; start >= streamTime-retention+1 {
			wantWin[fmt.Sprintf("%s@%d", k, start)]++
		} else {
			late++
		}
		batch = append(batch, broker.Record{Key: []byte(k), Value: []byte("e"), Timestamp: ts})
		if len(batch) == 500 || i == nEvents-1 {
			if _, err := log.Append(ctx, events, batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}

	stateDir := filepath.Join(dir, "state0")
	crashes, commits := 0, 0
	var db *DB
	for generation := 0; ; generation++ {
		// Start (or restart) the task.
		if rng.IntN(8) == 0 {
			stateDir = filepath.Join(dir, fmt.Sprintf("state%d", generation+1)) // lost state
		}
		db, err = Open(stateDir, Options{MemoryBudget: minBudget, cacheLimit: int64(1000 + rng.IntN(20000))})
		if err != nil {
			t.Fatal(err)
		}
		task, err := db.OpenTask("q/0")
		if err != nil {
			t.Fatal(err)
		}
		kv, err := task.KeyValueStore("q/count/0")
		if err != nil {
			t.Fatal(err)
		}
		ws, err := task.WindowStore("q/wcount/0", WindowOptions{Size: winSize, Retention: retention, SegmentInterval: 150})
		if err != nil {
			t.Fatal(err)
		}
		prod, err := log.NewProducer(ctx, broker.ProducerOptions{TransactionalID: "q-0"})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := task.Recover(ctx, log, RecoverOptions{Group: "q", Inputs: []broker.TopicPartition{events},
			Changelogs: map[string]broker.TopicPartition{"q/count/0": changelog, "q/wcount/0": winChangelog}})
		if err != nil {
			t.Fatalf("seed %d: recover: %v", seed, err)
		}
		pos, ok := rec.Offsets[events]
		if !ok {
			pos = 0
		}
		reader, err := log.NewReader(events, broker.ReaderOptions{Offset: pos})
		if err != nil {
			t.Fatal(err)
		}
		crashed := false
		for !crashed {
			if err := reader.SetOffset(pos); err != nil {
				t.Fatal(err)
			}
			recs, err := reader.Fetch(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) == 0 {
				break
			}
			recs = recs[:min(len(recs), 1+rng.IntN(120))]
			var outRecs []broker.Record
			for _, r := range recs {
				v, _, err := kv.Get(r.Key)
				if err != nil {
					t.Fatal(err)
				}
				var n int64
				if len(v) == 8 {
					n = int64(binary.BigEndian.Uint64(v))
				}
				n++
				if err := kv.Put(r.Key, binary.BigEndian.AppendUint64(nil, uint64(n))); err != nil {
					t.Fatal(err)
				}
				outRecs = append(outRecs, broker.Record{Key: append([]byte(nil), r.Key...), Value: []byte(fmt.Sprint(n))})

				if err := ws.Expire(r.Timestamp); err != nil {
					t.Fatal(err)
				}
				start := r.Timestamp - r.Timestamp%winSize
				v, _, err = ws.Get(r.Key, start)
				if err != nil {
					t.Fatal(err)
				}
				n = 0
				if len(v) == 8 {
					n = int64(binary.BigEndian.Uint64(v))
				}
				n++
				err = ws.Put(r.Key, start, binary.BigEndian.AppendUint64(nil, uint64(n)))
				if errors.Is(err, ErrExpired) {
					continue // late: dropped and, in a real query, counted
				}
				if err != nil {
					t.Fatal(err)
				}
				outRecs = append(outRecs, broker.Record{Key: fmt.Appendf(nil, "%s@%d", r.Key, start), Value: []byte(fmt.Sprint(n))})
			}
			next := recs[len(recs)-1].Offset + 1
			// The commit, with a crash point between every two steps.
			crashAt := -1
			if rng.IntN(6) == 0 {
				crashAt = rng.IntN(5)
			}
			step := func(i int) bool {
				if i == crashAt {
					crashed = true
				}
				return crashed
			}
			if step(0) {
				break
			}
			changes, err := task.Changes()
			if err != nil {
				t.Fatal(err)
			}
			if err := prod.BeginTxn(); err != nil {
				t.Fatal(err)
			}
			if _, err := prod.Append(ctx, out, outRecs); err != nil {
				t.Fatal(err)
			}
			byTP := map[broker.TopicPartition][]broker.Record{}
			for _, c := range changes {
				tp := map[string]broker.TopicPartition{"q/count/0": changelog, "q/wcount/0": winChangelog}[c.Store]
				byTP[tp] = append(byTP[tp], broker.Record{Key: c.Key, Value: c.Value})
			}
			positions := map[broker.TopicPartition]int64{}
			for tp, cl := range byTP {
				first, err := prod.Append(ctx, tp, cl)
				if err != nil {
					t.Fatal(err)
				}
				positions[tp] = first + int64(len(cl))
			}
			if step(1) {
				break
			}
			if err := prod.SendOffsets(ctx, "q", map[broker.TopicPartition]int64{events: next}); err != nil {
				t.Fatal(err)
			}
			if step(2) {
				break
			}
			if err := prod.CommitTxn(ctx); err != nil {
				t.Fatal(err)
			}
			if step(3) {
				break
			}
			if err := task.Commit(Checkpoint{Offsets: map[broker.TopicPartition]int64{events: next}, Changelogs: positions}); err != nil {
				t.Fatal(err)
			}
			commits++
			pos = next
			if step(4) {
				break
			}
		}
		reader.Close()
		if !crashed {
			// Done: check the state, then the output.
			for k, n := range want {
				v, ok, err := kv.Get([]byte(k))
				if err != nil || !ok || int64(binary.BigEndian.Uint64(v)) != n {
					t.Fatalf("seed %d: state of %s: %x %v %v, want %d", seed, k, v, ok, err, n)
				}
			}
			live := 0
			if err := ws.Scan(math.MinInt64, math.MaxInt64, func(w Window) error {
				live++
				k := fmt.Sprintf("%s@%d", w.Key, w.Start)
				if n := int64(binary.BigEndian.Uint64(w.Value)); n != wantWin[k] {
					return fmt.Errorf("window %s: state %d, want %d", k, n, wantWin[k])
				}
				if w.Start < streamTime-retention+1 {
					return fmt.Errorf("window %s is past retention", k)
				}
				return nil
			}); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			if live == 0 {
				t.Fatalf("seed %d: no live windows", seed)
			}
			prod.Close()
			break
		}
		crashes++
		db.Close() // kill -9: nothing of the open commit reaches pebble
	}
	defer db.Close()
	if crashes == 0 {
		t.Fatalf("seed %d: no crash happened", seed)
	}
	t.Logf("%d commits, %d crashes, %d late records", commits, crashes, late)
	if late == 0 {
		t.Fatalf("seed %d: no late records", seed)
	}

	// Every key's outputs, read committed, are exactly 1..n.
	r, err := log.NewReader(out, broker.ReaderOptions{Offset: broker.OffsetEarliest})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	last := map[string]int64{}
	for {
		recs, err := r.Fetch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			break
		}
		for _, rec := range recs {
			k := string(rec.Key)
			if got, want := string(rec.Value), fmt.Sprint(last[k]+1); got != want {
				t.Fatalf("seed %d: output of %s at offset %d is %s, want %s", seed, k, rec.Offset, got, want)
			}
			last[k]++
		}
	}
	for k, n := range want {
		if last[k] != n {
			t.Errorf("seed %d: final output of %s is %d, want %d", seed, k, last[k], n)
		}
	}
	for k, n := range wantWin {
		if last[k] != n {
			t.Errorf("seed %d: final output of window %s is %d, want %d", seed, k, last[k], n)
		}
	}
	if len(last) != len(want)+len(wantWin) {
		t.Errorf("seed %d: %d output keys, want %d", seed, len(last), len(want)+len(wantWin))
	}
}
