package exec

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/state"
)

// clFixture is a changelogStore with two stores, "Op" (first: the
// default changelog) and "Rows", on partition 1 of topic "in".
type clFixture struct {
	l  broker.Log
	db *state.DB
	tc *TaskContext
}

func newCLFixture(t *testing.T) *clFixture {
	t.Helper()
	dir := t.TempDir()
	l := openLog(t, filepath.Join(dir, "log"))
	t.Cleanup(func() { l.Close() })
	for _, topic := range []string{"in", "op-cl", "rows-cl"} {
		createTopic(t, l, topic, 2, broker.DurabilityFsync)
	}
	db := openTestState(t, dir)
	return &clFixture{l: l, db: db, tc: &TaskContext{QueryID: "q", Topic: "in", Partition: 1, State: db, Broker: l}}
}

// open opens the task's store, its two KV stores, tracks their changelogs
// and recovers.
func (f *clFixture) open(t *testing.T) (*changelogStore, *state.KVStore, *state.KVStore) {
	t.Helper()
	cs, err := openChangelogStore(f.tc, "Op", "test op")
	if err != nil {
		t.Fatal(err)
	}
	op, err := cs.task.KeyValueStore(state.StoreName("q", "Op", 1))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := cs.task.KeyValueStore(state.StoreName("q", "Rows", 1))
	if err != nil {
		t.Fatal(err)
	}
	if tp := cs.track(op.Name(), "op-cl"); tp != (broker.TopicPartition{Topic: "op-cl", Partition: 1}) {
		t.Fatalf("track: %v", tp)
	}
	cs.track(rows.Name(), "rows-cl")
	if err := cs.recover(context.Background(), f.tc); err != nil {
		t.Fatal(err)
	}
	return cs, op, rows
}

// commit runs the task's commit as exec/task.go does: prepareCommit in a
// transaction with the input offset pos, then committed.
func (f *clFixture) commit(t *testing.T, cs *changelogStore, pos int64) {
	t.Helper()
	ctx := context.Background()
	p, err := f.l.NewProducer(ctx, broker.ProducerOptions{TransactionalID: "q-1"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	if err := cs.prepareCommit(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := p.SendOffsets(ctx, "q", map[broker.TopicPartition]int64{cs.input: pos}); err != nil {
		t.Fatal(err)
	}
	if err := p.CommitTxn(ctx); err != nil {
		t.Fatal(err)
	}
	cs.committed(pos)
	if cs.failed != nil {
		t.Fatal(cs.failed)
	}
}

// changelog returns the committed records of partition 1 of topic as
// key=value strings.
func (f *clFixture) changelog(t *testing.T, topic string) []string {
	t.Helper()
	var out []string
	for _, r := range readAll(t, f.l, topic) {
		if r.Partition == 1 {
			out = append(out, r.Key+"="+r.Value)
		}
	}
	return out
}

func TestChangelogStoreCommitAndRecover(t *testing.T) {
	f := newCLFixture(t)
	cs, op, rows := f.open(t)
	steps := []struct {
		op, rows map[string]string
		pos      int64
		opCL     []string
		rowsCL   []string
	}{
		{
			op: map[string]string{"a": "1"}, rows: map[string]string{"r1": "x", "r2": "y"}, pos: 3,
			opCL: []string{"a=1"}, rowsCL: []string{"r1=x", "r2=y"},
		},
		{
			// Only the first store changes: the second's position stays.
			op: map[string]string{"b": "2"}, pos: 5,
			opCL: []string{"a=1", "b=2"}, rowsCL: []string{"r1=x", "r2=y"},
		},
		{
			// Nothing changes: both positions stay, the offset moves.
			pos:  6,
			opCL: []string{"a=1", "b=2"}, rowsCL: []string{"r1=x", "r2=y"},
		},
	}
	for i, s := range steps {
		for _, k := range slices.Sorted(maps.Keys(s.op)) {
			if err := op.Put([]byte(k), []byte(s.op[k])); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(s.rows)) {
			if err := rows.Put([]byte(k), []byte(s.rows[k])); err != nil {
				t.Fatal(err)
			}
		}
		f.commit(t, cs, s.pos)
		if got := f.changelog(t, "op-cl"); !slices.Equal(got, s.opCL) {
			t.Fatalf("step %d: op changelog %q, want %q", i, got, s.opCL)
		}
		if got := f.changelog(t, "rows-cl"); !slices.Equal(got, s.rowsCL) {
			t.Fatalf("step %d: rows changelog %q, want %q", i, got, s.rowsCL)
		}
		cp, ok, err := cs.task.Checkpoint()
		if err != nil || !ok {
			t.Fatalf("step %d: checkpoint %v %v", i, ok, err)
		}
		wantOffsets := map[broker.TopicPartition]int64{{Topic: "in", Partition: 1}: s.pos}
		// Positions are the offsets after each partition's last record
		// (the transaction's commit marker follows it).
		wantCL := map[broker.TopicPartition]int64{
			{Topic: "op-cl", Partition: 1}:   cs.logs[0].clPos,
			{Topic: "rows-cl", Partition: 1}: cs.logs[1].clPos,
		}
		if !maps.Equal(cp.Offsets, wantOffsets) || !maps.Equal(cp.Changelogs, wantCL) {
			t.Fatalf("step %d: checkpoint %v %v, want %v %v", i, cp.Offsets, cp.Changelogs, wantOffsets, wantCL)
		}
		if cs.logs[0].clPos < int64(len(s.opCL)) || cs.logs[1].clPos < int64(len(s.rowsCL)) {
			t.Fatalf("step %d: positions %+v behind the changelogs", i, cs.logs)
		}
	}
	// Positions do not move without records.
	if cs.logs[0].clPos != cs.logs[0].pendingPos || cs.logs[1].clPos != cs.logs[1].pendingPos {
		t.Fatalf("positions %+v", cs.logs)
	}
	want := []storeChangelog{cs.logs[0], cs.logs[1]}
	if err := cs.task.Close(); err != nil {
		t.Fatal(err)
	}

	// A new instance starts from the positions of the checkpoint its
	// recovery committed (past the transaction's marker at most).
	cs, _, _ = f.open(t)
	cp, ok, err := cs.task.Checkpoint()
	if err != nil || !ok {
		t.Fatalf("checkpoint after recovery: %v %v", ok, err)
	}
	for i := range want {
		if l := cs.logs[i]; l.clPos != cp.Changelogs[l.tp] || l.clPos < want[i].clPos || l.clPos > want[i].clPos+1 {
			t.Fatalf("recovered %+v from %v, want %+v", cs.logs, cp.Changelogs, want)
		}
	}
	if err := cs.task.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestChangelogStoreErrors(t *testing.T) {
	f := newCLFixture(t)
	cs, _, _ := f.open(t)
	if err := cs.task.Close(); err != nil {
		t.Fatal(err)
	}
	err := cs.prepareCommit(context.Background(), nil)
	if err == nil || !strings.HasPrefix(err.Error(), "exec: test op changes: ") || !errors.Is(err, state.ErrClosed) {
		t.Fatalf("prepareCommit on a closed task: %v", err)
	}
	cs.committed(1)
	if cs.failed == nil || !strings.HasPrefix(cs.failed.Error(), "exec: test op checkpoint: ") {
		t.Fatalf("committed on a closed task: failed = %v", cs.failed)
	}
	if cs.logs[0].clPos != 0 {
		t.Fatalf("a failed checkpoint moved the position: %+v", cs.logs)
	}

	// Recovery against a changelog topic that does not exist fails with
	// the operator's text.
	cs, err = openChangelogStore(f.tc, "Other", "test op")
	if err != nil {
		t.Fatal(err)
	}
	defer cs.task.Close()
	kv, err := cs.task.KeyValueStore(state.StoreName("q", "Other", 1))
	if err != nil {
		t.Fatal(err)
	}
	cs.track(kv.Name(), "missing-cl")
	if err := cs.recover(context.Background(), f.tc); err == nil || !strings.HasPrefix(err.Error(), "exec: test op recovery: ") {
		t.Fatalf("recover without the changelog topic: %v", err)
	}
}

func TestChangelogTopicsEnsure(t *testing.T) {
	var o changelogTopics
	calls := 0
	boom := errors.New("boom")
	fail := func() error { calls++; return boom }
	ok := func() error { calls++; return nil }
	if err := o.ensure(fail); !errors.Is(err, boom) {
		t.Fatalf("first ensure: %v", err)
	}
	// A failed creation is retried by the next task.
	if err := o.ensure(ok); err != nil {
		t.Fatal(err)
	}
	// Once created, never again.
	if err := o.ensure(fail); err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Fatalf("create ran %d times, want 2", calls)
	}
}

func TestDropChangelogState(t *testing.T) {
	f := newCLFixture(t)
	cs, op, rows := f.open(t)
	if err := op.Put([]byte("a"), []byte("1")); err != nil {
		t.Fatal(err)
	}
	if err := rows.Put([]byte("r"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	f.commit(t, cs, 1)
	if err := cs.task.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// "gone-cl" does not exist: no error.
	err := dropChangelogState(ctx, f.db, f.l, "q", "Op", 2, []string{"Op", "Rows"}, []string{"op-cl", "rows-cl", "gone-cl"})
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range []string{"op-cl", "rows-cl"} {
		if _, err := f.l.DescribeTopic(ctx, topic); !errors.Is(err, broker.ErrUnknownTopic) {
			t.Fatalf("topic %s after drop: %v", topic, err)
		}
	}
	st, err := f.db.OpenTask(stateTaskID("q", "Op", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok, err := st.Checkpoint(); err != nil || ok {
		t.Fatalf("checkpoint after drop: %v %v", ok, err)
	}
	kv, err := st.KeyValueStore(state.StoreName("q", "Op", 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, found, err := kv.Get([]byte("a")); err != nil || found {
		t.Fatalf("store after drop: found %v, %v", found, err)
	}
	// Without a DB only the topics go.
	if err := dropChangelogState(ctx, nil, f.l, "q", "Op", 2, []string{"Op"}, []string{"in"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.l.DescribeTopic(ctx, "in"); !errors.Is(err, broker.ErrUnknownTopic) {
		t.Fatalf("topic in after drop: %v", err)
	}
}
