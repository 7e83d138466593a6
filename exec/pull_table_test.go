package exec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// countAcc counts the rows added; its state is 8 bytes.
type countAcc struct{ n int64 }

func (c *countAcc) Add([]any) error      { c.n++; return nil }
func (c *countAcc) Result() (any, error) { return c.n, nil }
func (c *countAcc) MarshalBinary() ([]byte, error) {
	return binary.BigEndian.AppendUint64(nil, uint64(c.n)), nil
}
func (c *countAcc) UnmarshalBinary(b []byte) error {
	if len(b) != 8 {
		return errors.New("countAcc: bad state")
	}
	c.n = int64(binary.BigEndian.Uint64(b))
	return nil
}

// TestReadMaterializedCommittedOnly writes groups the way the aggregate
// task stores them and checks that a pull query's read sees committed
// groups only, never the task's uncommitted (cached) writes, that a
// snapshot keeps the view it was taken with, that key lookups find only
// their keys, and that groups without a table row are skipped.
func TestReadMaterializedCommittedOnly(t *testing.T) {
	db, err := state.Open(filepath.Join(t.TempDir(), "state"), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schema, err := types.NewSchema(types.Column{Name: "K", Type: types.StringType, Key: true}, types.Column{Name: "N", Type: types.BigintType})
	if err != nil {
		t.Fatal(err)
	}
	col := func(i int) Evaluator { return EvalFunc(func(row []any) (any, error) { return row[i], nil }) }
	spec := &QuerySpec{ID: "Q1", Source: SourceSpec{Partitions: 1}, Operators: []Operator{NewAggregate(&AggregateSpec{
		Schema: schema, GroupBy: []Evaluator{col(0)},
		Calls:   []AggregateCall{{New: func() Accumulator { return &countAcc{} }}},
		Project: []Evaluator{col(0), col(1)}, Operator: "Agg",
	})}}
	task, err := db.OpenTask("Q1/Agg/0")
	if err != nil {
		t.Fatal(err)
	}
	defer task.Close()
	kv, err := task.KeyValueStore(state.StoreName("Q1", "Agg", 0))
	if err != nil {
		t.Fatal(err)
	}
	put := func(key string, n int64, hasOutput bool) {
		t.Helper()
		v, err := encodeAggValue(nil, hasOutput, 100+n, []Accumulator{&countAcc{n: n}})
		if err != nil {
			t.Fatal(err)
		}
		if err := kv.Put(appendKeyValue(nil, key), v); err != nil {
			t.Fatal(err)
		}
	}
	read := func(snap *state.Snapshot, lk PullLookup) string {
		t.Helper()
		var out []string
		err := ReadMaterialized(snap, spec, lk, func(r TableRow) error {
			out = append(out, fmt.Sprintf("%v@%d", r.Row, r.Rowtime))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(out)
	}
	empty := db.NewSnapshot()
	if got := read(empty, AllWindows()); got != "[]" {
		t.Errorf("before any write: %s", got)
	}
	put("a", 2, true)
	put("h", 1, false) // HAVING false: no row in the table
	if err := task.Commit(state.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	put("a", 9, true) // uncommitted
	put("b", 1, true) // uncommitted
	snap := db.NewSnapshot()
	defer snap.Close()
	if got := read(snap, AllWindows()); got != "[[a 2]@102]" {
		t.Errorf("scan: %s, want only the committed group", got)
	}
	if got := read(snap, PullLookup{Keys: [][]any{{"b"}, {"a"}, {nil}}}); got != "[[a 2]@102]" {
		t.Errorf("lookup: %s", got)
	}
	if got := read(snap, PullLookup{Keys: [][]any{{"b"}}}); got != "[]" {
		t.Errorf("lookup of an uncommitted key: %s", got)
	}
	if err := task.Commit(state.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	if got := read(snap, AllWindows()); got != "[[a 2]@102]" {
		t.Errorf("old snapshot after a commit: %s", got)
	}
	if got := read(empty, AllWindows()); got != "[]" {
		t.Errorf("first snapshot after commits: %s", got)
	}
	empty.Close()
	now := db.NewSnapshot()
	defer now.Close()
	if got := read(now, AllWindows()); got != "[[a 9]@109 [b 1]@101]" {
		t.Errorf("new snapshot: %s", got)
	}
	if err := ReadMaterialized(now, &QuerySpec{ID: "Q2"}, AllWindows(), func(TableRow) error { return nil }); !errors.Is(err, ErrNotMaterialized) {
		t.Errorf("spec without aggregation: %v", err)
	}
}
