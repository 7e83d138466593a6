package state_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/state"
)

// Example shows a task's commit as the runtime runs it: changes into the
// changelog and offsets into one log transaction, then the pebble batch;
// and the restart that makes state and log agree.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "state-example")
	defer os.RemoveAll(dir)
	log, _ := commitlog.Open(filepath.Join(dir, "log"), commitlog.Options{CleanupInterval: -1})
	defer log.Close()
	input := broker.TopicPartition{Topic: "pageviews"}
	changelog := broker.TopicPartition{Topic: "q1-count-changelog"}
	_ = log.CreateTopic(ctx, changelog.Topic, broker.TopicConfig{Partitions: 1, CleanupPolicy: broker.CleanupCompact})

	open := func() (*state.DB, *state.Task, *state.KVStore) {
		db, _ := state.Open(filepath.Join(dir, "state"), state.Options{})
		task, _ := db.OpenTask("q1/0")
		counts, _ := task.KeyValueStore(state.StoreName("q1", "count", 0))
		return db, task, counts
	}
	db, task, counts := open()
	prod, _ := log.NewProducer(ctx, broker.ProducerOptions{TransactionalID: "q1-0"})

	// Process input up to offset 3, then commit.
	_ = counts.Put([]byte("/home"), []byte("3"))
	changes, _ := task.Changes()
	_ = prod.BeginTxn()
	recs := make([]broker.Record, len(changes))
	for i, c := range changes {
		recs[i] = broker.Record{Key: c.Key, Value: c.Value}
	}
	first, _ := prod.Append(ctx, changelog, recs)
	_ = prod.SendOffsets(ctx, "q1", map[broker.TopicPartition]int64{input: 3})
	_ = prod.CommitTxn(ctx)
	// The process dies here, before the pebble commit:
	//   task.Commit(state.Checkpoint{Offsets: ..., Changelogs: ...first+len(recs)})
	_ = first
	db.Close()

	// Restart: the log is ahead, so recovery replays the changelog tail.
	db, task, counts = open()
	defer db.Close()
	rec, _ := task.Recover(ctx, log, state.RecoverOptions{
		Group:      "q1",
		Inputs:     []broker.TopicPartition{input},
		Changelogs: map[string]broker.TopicPartition{counts.Name(): changelog},
	})
	v, _, _ := counts.Get([]byte("/home"))
	fmt.Println(rec.Outcome, rec.Offsets[input], string(v))
	// Output: rolled-forward 3 3
}
