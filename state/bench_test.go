package state

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
)

var flagRestoreKeys = flag.Int("restore-keys", 200_000, "distinct keys in the changelog of BenchmarkRestore")

// BenchmarkKVUpdate is the aggregate operator's pattern: read a group's
// state, write it back, over a hot key set, committing every 10,000
// updates.
func BenchmarkKVUpdate(b *testing.B) {
	for _, keys := range []int{1_000, 100_000} {
		for _, disable := range []bool{false, true} {
			name := fmt.Sprintf("keys=%d/cache=%v", keys, !disable)
			b.Run(name, func(b *testing.B) {
				db, err := Open(b.TempDir(), Options{DisableCache: disable})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				task, _ := db.OpenTask("t")
				kv, err := task.KeyValueStore("t/agg/0")
				if err != nil {
					b.Fatal(err)
				}
				key := make([]byte, 8)
				val := make([]byte, 16)
				b.ResetTimer()
				for i := range b.N {
					binary.BigEndian.PutUint64(key, uint64(i*7919%keys))
					old, _, err := kv.Get(key)
					if err != nil {
						b.Fatal(err)
					}
					binary.BigEndian.PutUint64(val, uint64(len(old)+i))
					if err := kv.Put(key, val); err != nil {
						b.Fatal(err)
					}
					if i%10_000 == 9_999 {
						if err := task.Commit(Checkpoint{}); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}

// BenchmarkCommit measures one synced commit of 1,000 changed keys on the
// real filesystem: the pebble half of a task's commit latency.
func BenchmarkCommit(b *testing.B) {
	db, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	task, _ := db.OpenTask("t")
	kv, _ := task.KeyValueStore("t/agg/0")
	in := broker.TopicPartition{Topic: "in"}
	key, val := make([]byte, 8), make([]byte, 32)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		for j := range 1000 {
			binary.BigEndian.PutUint64(key, uint64(j))
			binary.BigEndian.PutUint64(val, uint64(i))
			if err := kv.Put(key, val); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if err := task.Commit(Checkpoint{Offsets: map[broker.TopicPartition]int64{in: int64(i)}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRestore rebuilds a key-value store from a compacted changelog on
// the commitlog (-restore-keys records, 8-byte keys, 64-byte values) and
// reports records/s; one iteration is one full restore.
func BenchmarkRestore(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	log, err := commitlog.Open(filepath.Join(dir, "log"), commitlog.Options{CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer log.Close()
	tp := broker.TopicPartition{Topic: "changelog"}
	if err := log.CreateTopic(ctx, tp.Topic, broker.TopicConfig{Partitions: 1, CleanupPolicy: broker.CleanupCompact, Durability: broker.DurabilityNone}); err != nil {
		b.Fatal(err)
	}
	n := *flagRestoreKeys
	recs := make([]broker.Record, 0, 5000)
	val := make([]byte, 64)
	for i := range n {
		key := binary.BigEndian.AppendUint64(nil, uint64(i))
		recs = append(recs, broker.Record{Key: key, Value: val, Timestamp: 1})
		if len(recs) == cap(recs) || i == n-1 {
			if _, err := log.Append(ctx, tp, recs); err != nil {
				b.Fatal(err)
			}
			recs = recs[:0]
		}
	}
	b.ResetTimer()
	var total RestoreStats
	var reopen time.Duration
	for i := range b.N {
		db, err := Open(filepath.Join(dir, fmt.Sprintf("state%d", i)), Options{})
		if err != nil {
			b.Fatal(err)
		}
		task, _ := db.OpenTask("t")
		kv, _ := task.KeyValueStore("t/table/0")
		start := time.Now()
		stats, err := kv.Restore(ctx, log, tp)
		if err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		if stats.Records != int64(n) {
			b.Fatalf("restored %d records, want %d", stats.Records, n)
		}
		// Time to first result: a point read right after the restore.
		if _, ok, err := kv.Get(binary.BigEndian.AppendUint64(nil, uint64(n/2))); err != nil || !ok {
			b.Fatalf("key after restore: %v %v", ok, err)
		}
		total.Records += stats.Records
		total.Duration += elapsed
		b.StopTimer()
		db.Close()
		// Restart with the state directory intact: open, recover (in
		// sync, nothing to replay) and the first point read.
		start = time.Now()
		db, err = Open(filepath.Join(dir, fmt.Sprintf("state%d", i)), Options{})
		if err != nil {
			b.Fatal(err)
		}
		task, _ = db.OpenTask("t")
		kv, _ = task.KeyValueStore("t/table/0")
		rec, err := task.Recover(ctx, log, RecoverOptions{Group: "g", Changelogs: map[string]broker.TopicPartition{"t/table/0": tp}})
		if err != nil || rec.Outcome != OutcomeInSync {
			b.Fatalf("recover: %v %v", rec.Outcome, err)
		}
		if _, ok, err := kv.Get(binary.BigEndian.AppendUint64(nil, uint64(n/3))); err != nil || !ok {
			b.Fatalf("key after reopen: %v %v", ok, err)
		}
		reopen += time.Since(start)
		db.Close()
		if err := os.RemoveAll(filepath.Join(dir, fmt.Sprintf("state%d", i))); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(total.RecordsPerSecond(), "records/s")
	b.ReportMetric(total.Duration.Seconds()/float64(b.N), "s/restore")
	b.ReportMetric(reopen.Seconds()/float64(b.N), "s/reopen")
}

// BenchmarkWindowUpdate is a tumbling-window aggregation: per record, read
// and write the record's (key, window) with stream time advancing and
// retention dropping old segments; a commit every 10,000 records.
func BenchmarkWindowUpdate(b *testing.B) {
	db, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	task, _ := db.OpenTask("t")
	ws, err := task.WindowStore("t/win/0", WindowOptions{Size: 1000, Retention: 10_000})
	if err != nil {
		b.Fatal(err)
	}
	key, val := make([]byte, 8), make([]byte, 16)
	b.ResetTimer()
	for i := range b.N {
		ts := int64(i / 100) // 100 records per millisecond
		start := ts - ts%1000
		binary.BigEndian.PutUint64(key, uint64(i*7919%1000))
		if _, _, err := ws.Get(key, start); err != nil {
			b.Fatal(err)
		}
		if err := ws.Put(key, start, val); err != nil {
			b.Fatal(err)
		}
		if i%10_000 == 9_999 {
			if err := ws.Expire(ts); err != nil {
				b.Fatal(err)
			}
			if err := task.Commit(Checkpoint{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkSessionMerge is a session-window aggregation: per record, find
// the sessions it merges, remove them and put the merged one.
func BenchmarkSessionMerge(b *testing.B) {
	db, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	task, _ := db.OpenTask("t")
	ss, err := task.SessionStore("t/sess/0", SessionOptions{Retention: 60_000})
	if err != nil {
		b.Fatal(err)
	}
	const gap = 50
	key, val := make([]byte, 8), make([]byte, 16)
	b.ResetTimer()
	for i := range b.N {
		ts := int64(i / 10)
		binary.BigEndian.PutUint64(key, uint64(i*7919%1000))
		found, err := ss.FindSessions(key, ts-gap, ts+gap)
		if err != nil {
			b.Fatal(err)
		}
		start, end := ts, ts
		for _, w := range found {
			start, end = min(start, w.Start), max(end, w.End)
			if err := ss.Remove(key, w.Start, w.End); err != nil {
				b.Fatal(err)
			}
		}
		if err := ss.Put(key, start, end, val); err != nil {
			b.Fatal(err)
		}
		if i%10_000 == 9_999 {
			if err := ss.Expire(ts); err != nil {
				b.Fatal(err)
			}
			if err := task.Commit(Checkpoint{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
