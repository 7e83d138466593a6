package exec

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/state"
)

// changelogTopics makes the first task of a query create its operator's
// changelog topics and the others wait until they exist, so that none
// recovers from a topic still being created. A failed creation is retried
// by the next task, unlike with sync.Once. Its mutex is a leaf: held only
// while the topics are created.
type changelogTopics struct {
	mu      sync.Mutex
	created bool
}

// ensure runs create unless a task already did so successfully.
func (o *changelogTopics) ensure(create func() error) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.created {
		return nil
	}
	if err := create(); err != nil {
		return err
	}
	o.created = true
	return nil
}

// stateTaskID names the state task of one partition of a changelogged
// operator: the same for an operator's stores in one partition, so one
// checkpoint covers them all.
func stateTaskID(query, operator string, partition int32) string {
	return fmt.Sprintf("%s/%s/%d", query, operator, partition)
}

// changelogStore is the half of a stateful operator's task that package
// state's exactly-once protocol (state/doc.go) asks of every such task: a
// state.Task whose stores each have a changelog partition, recovered
// against the log before processing, whose changes are appended to the
// changelogs inside the task's transaction (prepareCommit) and then
// checkpointed to pebble with the input offset and the changelog positions
// (committed). The aggregation, the table filter and the regrouping stage
// each keep one; what they store, and what a push query does without a
// log, stays in the operator.
//
// Its errors read "exec: <what> <step>: ...", what naming the operator
// (aggregate, table filter, table regroup) and step one of state,
// recovery, changes, changelog and checkpoint.
type changelogStore struct {
	task  *state.Task
	what  string
	input broker.TopicPartition
	// logs are the task's stores with a changelog partition, in the order
	// their records are appended; a change of a store not listed goes to
	// the first (a windowed store's stream-time records, for instance,
	// which carry the store's own name anyway).
	logs []storeChangelog
	// failed holds a pebble commit failure; the operator reports it from
	// its next Process so that the task restarts and recovers from the
	// log, which is then ahead of pebble.
	failed error
}

// storeChangelog is one store's changelog partition and positions: clPos
// is the changelog offset after the last record the state holds,
// pendingPos the one prepareCommit appended up to, which becomes clPos
// once the checkpoint holding it is committed.
type storeChangelog struct {
	store             string
	tp                broker.TopicPartition
	clPos, pendingPos int64
}

// openChangelogStore opens the state task of operator for tc's partition.
func openChangelogStore(tc *TaskContext, operator, what string) (*changelogStore, error) {
	st, err := tc.State.OpenTask(stateTaskID(tc.QueryID, operator, tc.Partition))
	if err != nil {
		return nil, fmt.Errorf("exec: %s state: %w", what, err)
	}
	return &changelogStore{
		task: st, what: what,
		input: broker.TopicPartition{Topic: tc.Topic, Partition: tc.Partition},
	}, nil
}

// track gives the task's store named store the changelog partition of
// topic that belongs to the task's input partition, and returns it.
func (s *changelogStore) track(store, topic string) broker.TopicPartition {
	tp := broker.TopicPartition{Topic: topic, Partition: s.input.Partition}
	s.logs = append(s.logs, storeChangelog{store: store, tp: tp})
	return tp
}

// recover makes the tracked stores agree with the log (package state's
// recovery rule) and starts each changelog's position where the resulting
// checkpoint says the state is.
func (s *changelogStore) recover(ctx context.Context, tc *TaskContext) error {
	changelogs := make(map[string]broker.TopicPartition, len(s.logs))
	for _, l := range s.logs {
		changelogs[l.store] = l.tp
	}
	rec, err := s.task.Recover(ctx, tc.Broker, state.RecoverOptions{
		Group:      tc.QueryID,
		Inputs:     []broker.TopicPartition{s.input},
		Changelogs: changelogs,
	})
	if err != nil {
		return fmt.Errorf("exec: %s recovery: %w", s.what, err)
	}
	for i := range s.logs {
		s.logs[i].clPos = rec.Checkpoint.Changelogs[s.logs[i].tp]
	}
	return nil
}

// prepareCommit implements CommitHook.PrepareCommit for the operator: the
// stores' changes since the last commit go to their changelog partitions
// inside the task's transaction, each partition's in one append.
func (s *changelogStore) prepareCommit(ctx context.Context, p broker.Producer) error {
	for i := range s.logs {
		s.logs[i].pendingPos = s.logs[i].clPos
	}
	changes, err := s.task.Changes()
	if err != nil {
		return fmt.Errorf("exec: %s changes: %w", s.what, err)
	}
	if len(changes) == 0 || len(s.logs) == 0 {
		return nil
	}
	recs := make([][]broker.Record, len(s.logs))
	for _, c := range changes {
		i := s.logOf(c.Store)
		recs[i] = append(recs[i], broker.Record{Key: c.Key, Value: c.Value})
	}
	for i := range s.logs {
		if len(recs[i]) == 0 {
			continue
		}
		first, err := p.Append(ctx, s.logs[i].tp, recs[i])
		if err != nil {
			return fmt.Errorf("exec: %s changelog: %w", s.what, err)
		}
		s.logs[i].pendingPos = first + int64(len(recs[i]))
	}
	return nil
}

// logOf returns the position in s.logs of store's changelog: its own, or
// the first.
func (s *changelogStore) logOf(store string) int {
	for i := 1; i < len(s.logs); i++ {
		if s.logs[i].store == store {
			return i
		}
	}
	return 0
}

// committed implements CommitHook.Committed for the operator: the log
// transaction is durable, so the state is committed to pebble with the
// same input offset and the changelog positions it reached. A failure
// leaves the log ahead of pebble, which recovery rolls forward; s.failed
// makes the task restart to get there.
func (s *changelogStore) committed(pos int64) {
	cp := state.Checkpoint{
		Offsets:    map[broker.TopicPartition]int64{s.input: pos},
		Changelogs: make(map[broker.TopicPartition]int64, len(s.logs)),
	}
	for _, l := range s.logs {
		cp.Changelogs[l.tp] = l.pendingPos
	}
	if err := s.task.Commit(cp); err != nil {
		s.failed = fmt.Errorf("exec: %s checkpoint: %w", s.what, err)
		return
	}
	for i := range s.logs {
		s.logs[i].clPos = s.logs[i].pendingPos
	}
}

// dropChangelogState deletes what a changelogged operator keeps for query
// once it is terminated for good: in each of its partitions (at least one)
// the stores of storeOperators (state.StoreName(query, op, partition))
// and the state task of operator, in db unless it is nil; then the topics
// in log (an unknown topic is no error).
func dropChangelogState(ctx context.Context, db *state.DB, log broker.Log, query, operator string, partitions int, storeOperators, topics []string) error {
	var errs []error
	for p := 0; p < max(partitions, 1) && db != nil; p++ {
		for _, op := range storeOperators {
			errs = append(errs, db.DropStore(state.StoreName(query, op, int32(p))))
		}
		errs = append(errs, db.DropTask(stateTaskID(query, operator, int32(p))))
	}
	for _, t := range topics {
		if err := log.DeleteTopic(ctx, t); err != nil && !errors.Is(err, broker.ErrUnknownTopic) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
