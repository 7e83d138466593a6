package exec

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// The aggregation the tests and the crash test share, laid out by hand as
// the planner would:
//
//	CREATE TABLE COUNTS AS SELECT K, COUNT(*) AS CNT, SUM(TEMP) AS TOTAL
//	  FROM READINGS GROUP BY K [HAVING COUNT(*) < havingBelow];
var countCols = []types.Column{
	{Name: "K", Type: types.StringType, Key: true},
	{Name: "CNT", Type: types.BigintType},
	{Name: "TOTAL", Type: types.DoubleType},
}

func newCountSpec(id, in, out string, inParts, outParts int, havingBelow int64) (*QuerySpec, error) {
	reg := functions.Builtins()
	count, err := reg.Resolve("COUNT", nil)
	if err != nil {
		return nil, err
	}
	sum, err := reg.Resolve("SUM", functions.TypeArgs(types.DoubleType))
	if err != nil {
		return nil, err
	}
	newCount, err := count.Accumulator(nil, functions.Config{})
	if err != nil {
		return nil, err
	}
	newSum, err := sum.Accumulator(nil, functions.Config{})
	if err != nil {
		return nil, err
	}
	src := types.MustSchema(readingCols...)
	post := func(i int) Evaluator { return EvalFunc(func(row []any) (any, error) { return row[i], nil }) }
	spec := &AggregateSpec{
		Schema:  types.MustSchema(countCols...),
		GroupBy: []Evaluator{post(0)},
		Calls: []AggregateCall{
			{New: func() Accumulator { return newCount() }},
			{New: func() Accumulator { return newSum() }, Args: []Evaluator{post(3)}},
		},
		// The result row: K, COUNT, SUM, then the pseudo columns.
		Project:   []Evaluator{post(0), post(1), post(2)},
		Operator:  "Aggregate",
		Changelog: id + "-changelog",
	}
	if havingBelow > 0 {
		spec.Having = EvalFunc(func(row []any) (any, error) { return row[1].(int64) < havingBelow, nil })
	}
	return &QuerySpec{
		ID: id,
		Source: SourceSpec{
			Topic: in, Partitions: inParts, Schema: src,
			Key:             SerdeSpec{Format: format.Kafka, Columns: readingCols[:1]},
			Value:           SerdeSpec{Format: format.JSON, Columns: readingCols[1:]},
			TimestampColumn: -1,
			FromBeginning:   true,
		},
		Operators: []Operator{NewAggregate(spec)},
		Sink: &SinkSpec{
			Topic: out, Partitions: outParts,
			KeyColumns: []int{0}, ValueColumns: []int{1, 2},
			Key:             SerdeSpec{Format: format.Kafka, Columns: countCols[:1]},
			Value:           SerdeSpec{Format: format.JSON, Columns: countCols[1:]},
			TimestampColumn: -1,
		},
	}, nil
}

// countRow is one decoded output record of the COUNTS table.
type countRow struct {
	CNT   int64
	TOTAL float64
}

// checkCounts verifies the changelog of COUNTS over readings 0..n-1: per
// key, one update per input row whose count runs 1, 2, 3, ... without gap
// or repeat (so nothing was lost or applied twice), and a final row equal
// to a batch recomputation.
func checkCounts(tb testing.TB, out []outRecord, n int) {
	tb.Helper()
	wantCnt := map[string]int64{}
	wantSum := map[string]float64{}
	for i := 0; i < n; i++ {
		r := reading(i)
		wantCnt[string(r.Key)]++
		wantSum[string(r.Key)] += 15.5 + float64(i%8)*2.5
	}
	last := map[string]countRow{}
	for _, r := range out {
		var v countRow
		if err := json.Unmarshal([]byte(r.Value), &v); err != nil {
			tb.Fatalf("output value %q: %v", r.Value, err)
		}
		if prev := last[r.Key]; v.CNT != prev.CNT+1 {
			tb.Fatalf("key %s: count %d after %d: an input row was lost or applied twice", r.Key, v.CNT, prev.CNT)
		}
		last[r.Key] = v
	}
	if len(last) != len(wantCnt) {
		tb.Fatalf("%d keys in the output, want %d", len(last), len(wantCnt))
	}
	for k, c := range wantCnt {
		got := last[k]
		if got.CNT != c || got.TOTAL != wantSum[k] {
			tb.Fatalf("key %s: final (%d, %v), batch recomputation (%d, %v)", k, got.CNT, got.TOTAL, c, wantSum[k])
		}
	}
	if len(out) != n {
		tb.Fatalf("%d output records, want one per input row (%d)", len(out), n)
	}
}

// runCounts runs the COUNTS query on a fresh runtime until it has caught
// up with its input, then stops it.
func runCounts(t *testing.T, l broker.Log, db *state.DB, havingBelow int64) {
	t.Helper()
	rt := NewRuntime(l, RuntimeOptions{CommitInterval: 5 * time.Millisecond, State: db})
	defer rt.Close()
	spec, err := newCountSpec("CTAS_COUNTS_0", "readings", "counts", 4, 3, havingBelow)
	if err != nil {
		t.Fatal(err)
	}
	q, err := rt.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := q.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestAggregateCountSum aggregates, stops, aggregates more on a restarted
// runtime (state in sync with the log), then more again with the state
// directory lost (rolled forward from the changelog): the table must be
// the batch result each time.
func TestAggregateCountSum(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir)
	defer l.Close()
	createTopic(t, l, "readings", 4, broker.DurabilityNone)
	createTopic(t, l, "counts", 3, broker.DurabilityNone)
	openDB := func(name string) *state.DB {
		db, err := state.Open(filepath.Join(dir, name), state.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := openDB("state")
	produce(t, l, "readings", 4, 0, 1000)
	runCounts(t, l, db, 0)
	checkCounts(t, readAll(t, l, "counts"), 1000)

	produce(t, l, "readings", 4, 1000, 1500)
	runCounts(t, l, db, 0)
	checkCounts(t, readAll(t, l, "counts"), 1500)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// A new, empty state directory: recovery replays the changelogs.
	db = openDB("state-lost")
	defer db.Close()
	produce(t, l, "readings", 4, 1500, 2000)
	runCounts(t, l, db, 0)
	checkCounts(t, readAll(t, l, "counts"), 2000)
}

// TestAggregateHavingTombstone checks HAVING: a group is in the table while
// the predicate holds and gets a tombstone when it turns false, once.
func TestAggregateHavingTombstone(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir)
	defer l.Close()
	createTopic(t, l, "readings", 4, broker.DurabilityNone)
	createTopic(t, l, "counts", 3, broker.DurabilityNone)
	db := openTestState(t, dir)
	// 64 sensors, 5 readings each: counts 1 and 2 are rows, 3 is the
	// tombstone, 4 and 5 emit nothing.
	produce(t, l, "readings", 4, 0, 64*5)
	runCounts(t, l, db, 3)
	perKey := map[string][]string{}
	for _, r := range readAll(t, l, "counts") {
		perKey[r.Key] = append(perKey[r.Key], r.Value)
	}
	if len(perKey) != 64 {
		t.Fatalf("%d keys, want 64", len(perKey))
	}
	for k, vs := range perKey {
		if len(vs) != 3 || vs[2] != "" {
			t.Fatalf("key %s: %q, want two rows then a tombstone", k, vs)
		}
		var v countRow
		if err := json.Unmarshal([]byte(vs[1]), &v); err != nil || v.CNT != 2 {
			t.Fatalf("key %s: second row %q", k, vs[1])
		}
	}
}

// TestAggregateNeedsState checks that a runtime without a state DB refuses
// to run an aggregation rather than running it without state.
func TestAggregateNeedsState(t *testing.T) {
	spec, err := newCountSpec("Q", "in", "out", 1, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = spec.Operators[0].(TaskLocal).ForTask(&TaskContext{QueryID: "Q", Topic: "in"})
	if err == nil {
		t.Fatal("ForTask without a state DB succeeded")
	}
}
