package engine

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/commitlog/vfs"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

// pullRows runs sql, which must answer with *Rows, after the persistent
// queries caught up.
func pullRows(t *testing.T, env *testEnv, sql string) *Rows {
	t.Helper()
	if err := env.e.WaitCaughtUp(env.ctx); err != nil {
		t.Fatal(err)
	}
	rs := mustExec(t, env, sql)
	r, ok := rs[0].(*Rows)
	if !ok {
		t.Fatalf("%s: got %T, want *Rows", sql, rs[0])
	}
	return r
}

// sortedText renders rows one per line, sorted, for order-free checks.
func sortedText(rows [][]any) string {
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = fmt.Sprintf("%v", r)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestPullQueryOnAggregate reads a materialised GROUP BY table: key
// lookups, IN, scans, filters on values, projection, LIMIT, ROWTIME, a
// group leaving the table when HAVING turns false, and new results once
// the aggregation has committed more input.
func TestPullQueryOnAggregate(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
	mustExec(t, env, "CREATE STREAM s (id STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON', partitions=3);")
	mustExec(t, env, "CREATE TABLE agg AS SELECT id, COUNT(*) AS n, SUM(v) AS total FROM s GROUP BY id HAVING SUM(v) < 100;")
	if got := pullRows(t, env, "SELECT * FROM agg;"); len(got.Rows) != 0 {
		t.Fatalf("empty table: %v", got.Rows)
	}
	for i := 0; i < 12; i++ {
		mustExec(t, env, fmt.Sprintf("INSERT INTO s (id, v, ROWTIME) VALUES ('k%d', %d, %d);", i%4, i, 1000+i))
	}
	// k0: 0+4+8=12, k1: 1+5+9=15, k2: 2+6+10=18, k3: 3+7+11=21.
	r := pullRows(t, env, "SELECT * FROM agg;")
	if names := fmt.Sprint(columnNames(r.Columns)); names != "[ID N TOTAL]" {
		t.Errorf("columns %s", names)
	}
	if got, want := sortedText(r.Rows), "[k0 3 12]\n[k1 3 15]\n[k2 3 18]\n[k3 3 21]"; got != want {
		t.Errorf("scan:\n%s\nwant\n%s", got, want)
	}
	for _, tc := range []struct{ sql, want string }{
		{"SELECT * FROM agg WHERE id = 'k2';", "[k2 3 18]"},
		{"SELECT * FROM agg WHERE 'k2' = id;", "[k2 3 18]"},
		{"SELECT * FROM agg WHERE id = 'nope';", ""},
		{"SELECT id, total * 2 AS dbl FROM agg WHERE id IN ('k1', 'k3', 'zz');", "[k1 30]\n[k3 42]"},
		{"SELECT id FROM agg WHERE total > 14 AND total < 20;", "[k1]\n[k2]"},
		{"SELECT id, n FROM agg WHERE id = 'k1' AND total > 100;", ""},
		{"SELECT id, ROWTIME FROM agg WHERE id = 'k3';", "[k3 1011]"},
		{"SELECT id FROM agg WHERE id > 'k1';", "[k2]\n[k3]"},
	} {
		if got := sortedText(pullRows(t, env, tc.sql).Rows); got != tc.want {
			t.Errorf("%s\n got %q\nwant %q", tc.sql, got, tc.want)
		}
	}
	if got := pullRows(t, env, "SELECT * FROM agg LIMIT 2;"); len(got.Rows) != 2 {
		t.Errorf("LIMIT 2: %d rows", len(got.Rows))
	}
	if got := pullRows(t, env, "SELECT * FROM agg LIMIT 0;"); len(got.Rows) != 0 || len(got.Columns) != 3 {
		t.Errorf("LIMIT 0: %v %v", got.Columns, got.Rows)
	}
	// k0 passes 100 and leaves the table; k1 changes.
	mustExec(t, env, "INSERT INTO s (id, v) VALUES ('k0', 500);")
	mustExec(t, env, "INSERT INTO s (id, v) VALUES ('k1', 1);")
	if got, want := sortedText(pullRows(t, env, "SELECT id, total FROM agg;").Rows), "[k1 16]\n[k2 18]\n[k3 21]"; got != want {
		t.Errorf("after updates:\n%s\nwant\n%s", got, want)
	}
	if got := pullRows(t, env, "SELECT * FROM agg WHERE id = 'k0';"); len(got.Rows) != 0 {
		t.Errorf("k0 left the table but is returned: %v", got.Rows)
	}
}

func columnNames(cols []types.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// TestPullQueryOnWindowedAggregate reads a tumbling-window table:
// WINDOWSTART and WINDOWEND after the key in SELECT *, bounds on them, and
// a key lookup over several windows.
func TestPullQueryOnWindowedAggregate(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
	mustExec(t, env, "CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='s', value_format='JSON', partitions=2);")
	mustExec(t, env, "CREATE TABLE w AS SELECT id, COUNT(*) AS n FROM s WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY id;")
	for _, ts := range []int64{100, 200, 1100, 2500, 2600, 2700} {
		mustExec(t, env, fmt.Sprintf("INSERT INTO s (id, v, ROWTIME) VALUES (1, 0, %d);", ts))
	}
	mustExec(t, env, "INSERT INTO s (id, v, ROWTIME) VALUES (2, 0, 1500);")
	r := pullRows(t, env, "SELECT * FROM w WHERE id = 1;")
	if names := fmt.Sprint(columnNames(r.Columns)); names != "[ID WINDOWSTART WINDOWEND N]" {
		t.Errorf("columns %s", names)
	}
	if got, want := sortedText(r.Rows), "[1 0 1000 2]\n[1 1000 2000 1]\n[1 2000 3000 3]"; got != want {
		t.Errorf("lookup:\n%s\nwant\n%s", got, want)
	}
	for _, tc := range []struct{ sql, want string }{
		{"SELECT id, n FROM w WHERE id = 1 AND WINDOWSTART >= 1000;", "[1 1]\n[1 3]"},
		{"SELECT id, n FROM w WHERE id = 1 AND WINDOWSTART > 1000 AND WINDOWEND <= 3000;", "[1 3]"},
		{"SELECT id, WINDOWSTART FROM w WHERE WINDOWSTART = 1000;", "[1 1000]\n[2 1000]"},
		{"SELECT id, n FROM w WHERE id IN (2, 3);", "[2 1]"},
		{"SELECT id, n FROM w WHERE 2000 <= WINDOWSTART;", "[1 3]"},
		{"SELECT id, n FROM w WHERE WINDOWSTART BETWEEN 0 AND 999;", "[1 2]"},
	} {
		if got := sortedText(pullRows(t, env, tc.sql).Rows); got != tc.want {
			t.Errorf("%s\n got %q\nwant %q", tc.sql, got, tc.want)
		}
	}
}

// TestPullQueryOnTableErrors: what ksqlDB refuses on tables.
func TestPullQueryOnTableErrors(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "CREATE STREAM s (id STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON', partitions=1);")
	mustExec(t, env, "CREATE TABLE agg AS SELECT id, COUNT(*) AS n FROM s GROUP BY id;")
	mustExec(t, env, "CREATE TABLE plain (id STRING PRIMARY KEY, v INT) WITH (kafka_topic='plain', value_format='JSON', partitions=1);")
	for _, tc := range []struct{ sql, want string }{
		{"SELECT * FROM plain;", "The `PLAIN` table isn't queryable."},
		{"SELECT * FROM agg WHERE WINDOWSTART = 1;", "WINDOWSTART"},
		{"SELECT * FROM agg GROUP BY id;", "Pull queries don't support GROUP BY clauses."},
		{"SELECT id, ROWPARTITION FROM agg;", "Pull queries don't support the following columns in SELECT clauses: `ROWPARTITION`"},
		{"SELECT nope FROM agg;", "NOPE"},
		{"SELECT * FROM agg WHERE id IN ('a', NULL);", "Primary key columns can not be NULL: (ID = null)"},
	} {
		_, err := env.s.Execute(env.ctx, tc.sql)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.sql, err, tc.want)
		}
	}
}

// TestPullLookup checks what the WHERE clause narrows the read to.
func TestPullLookup(t *testing.T) {
	src := &planner.Source{Name: "T", Columns: []types.Column{
		{Name: "ID", Type: types.IntegerType, Key: true}, {Name: "V", Type: types.BigintType},
	}, Window: &planner.WindowInfo{Kind: ast.TumblingWindow, SizeMs: 1000}}
	for _, tc := range []struct {
		where    string
		keys     [][]any
		from, to int64
	}{
		{"ID = 3", [][]any{{int32(3)}}, math.MinInt64, math.MaxInt64},
		{"3 = ID AND V > 2", [][]any{{int32(3)}}, math.MinInt64, math.MaxInt64},
		{"ID IN (1, 2)", [][]any{{int32(1)}, {int32(2)}}, math.MinInt64, math.MaxInt64},
		{"ID NOT IN (1, 2)", nil, math.MinInt64, math.MaxInt64},
		{"ID = 1 OR ID = 2", nil, math.MinInt64, math.MaxInt64},
		{"ID = 'x'", nil, math.MinInt64, math.MaxInt64},
		{"ID = 11 - 1", [][]any{{int32(10)}}, math.MinInt64, math.MaxInt64},
		{"ID = V + 1", nil, math.MinInt64, math.MaxInt64},
		{"ID = 5000000000", nil, math.MinInt64, math.MaxInt64},
		{"V = 3", nil, math.MinInt64, math.MaxInt64},
		{"WINDOWSTART > 10 AND WINDOWSTART < 20", nil, 11, 19},
		{"ID = 1 AND 10 <= WINDOWSTART AND WINDOWSTART <= 20", [][]any{{int32(1)}}, 10, 20},
		{"WINDOWSTART = 7", nil, 7, 7},
		{"WINDOWSTART BETWEEN 5 AND 9", nil, 5, 9},
		{"WINDOWEND = 7", nil, math.MinInt64, math.MaxInt64},
	} {
		st, err := parser.ParseStatement("SELECT * FROM T WHERE " + tc.where + ";")
		if err != nil {
			t.Fatalf("%s: %v", tc.where, err)
		}
		lk := pullLookup(st.(*ast.QueryStatement).Query, src, planner.Options{Registry: functions.Builtins()})
		if !reflect.DeepEqual(lk.Keys, tc.keys) || lk.StartFrom != tc.from || lk.StartTo != tc.to {
			t.Errorf("%s: keys %v [%d, %d], want %v [%d, %d]", tc.where, lk.Keys, lk.StartFrom, lk.StartTo, tc.keys, tc.from, tc.to)
		}
	}
}

// BenchmarkPullKeyLookup measures key lookups on a materialised table of
// 10,000 groups in four partitions, one query at a time through a session
// (parse, plan, snapshot, read, filter, project), reported as queries/s.
func BenchmarkPullKeyLookup(b *testing.B) {
	l, err := commitlog.Open("data", commitlog.Options{FS: vfs.NewMemFS(), CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	e, err := Open(ctx, Config{Log: l})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	exec := func(sql string) []Result {
		rs, err := s.Execute(ctx, sql)
		if err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
		return rs
	}
	exec("SET 'auto.offset.reset' = 'earliest';")
	exec("CREATE STREAM s (id STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON', partitions=4);")
	exec("CREATE TABLE agg AS SELECT id, COUNT(*) AS n, SUM(v) AS total FROM s GROUP BY id;")
	const groups = 10000
	for i := 0; i < groups; i++ {
		key := []byte(fmt.Sprintf("k%d", i))
		rec := broker.Record{Key: key, Value: []byte(fmt.Sprintf(`{"V":%d}`, i)), Timestamp: int64(i)}
		if _, err := l.Append(ctx, broker.TopicPartition{Topic: "s", Partition: broker.PartitionForKey(key, 4)}, []broker.Record{rec}); err != nil {
			b.Fatal(err)
		}
	}
	if err := e.WaitCaughtUp(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rs := exec(fmt.Sprintf("SELECT * FROM agg WHERE id = 'k%d';", i%groups))
		if r := rs[0].(*Rows); len(r.Rows) != 1 || r.Rows[0][2] != int32(i%groups) {
			b.Fatalf("lookup %d: %v", i, r.Rows)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}

// TestPullQueryOnDerivedTable reads tables no aggregation materialises
// from their topics: a table a query without GROUP BY derives (updates
// replace rows, rows its WHERE rejects leave it) and a source table
// (tombstones delete keys).
func TestPullQueryOnDerivedTable(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
	mustExec(t, env, "CREATE TABLE t (id STRING PRIMARY KEY, v INT) WITH (kafka_topic='t', value_format='JSON', partitions=2);")
	mustExec(t, env, "CREATE TABLE mv AS SELECT id, v FROM t WHERE v > 0;")
	for _, kv := range []string{"('a', 1)", "('b', 2)", "('c', 3)", "('a', 10)", "('b', -1)"} {
		mustExec(t, env, "INSERT INTO t (id, v) VALUES "+kv+";")
	}
	if got, want := sortedText(pullRows(t, env, "SELECT * FROM mv;").Rows), "[a 10]\n[c 3]"; got != want {
		t.Errorf("derived table:\n%s\nwant\n%s", got, want)
	}
	if got, want := sortedText(pullRows(t, env, "SELECT v FROM mv WHERE id = 'c';").Rows), "[3]"; got != want {
		t.Errorf("derived lookup: %s, want %s", got, want)
	}

	mustExec(t, env, "CREATE SOURCE TABLE st (id STRING PRIMARY KEY, v INT) WITH (kafka_topic='st', value_format='JSON', partitions=1);")
	for _, r := range []broker.Record{
		{Key: []byte("x"), Value: []byte(`{"V":1}`)},
		{Key: []byte("y"), Value: []byte(`{"V":2}`)},
		{Key: []byte("x")},
		{Key: []byte("z"), Value: []byte(`{"V":3}`)},
		{Key: []byte("y"), Value: []byte(`{"V":20}`)},
	} {
		if _, err := env.log.Append(env.ctx, broker.TopicPartition{Topic: "st", Partition: 0}, []broker.Record{r}); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := sortedText(pullRows(t, env, "SELECT * FROM st WHERE v > 2;").Rows), "[y 20]\n[z 3]"; got != want {
		t.Errorf("source table:\n%s\nwant\n%s", got, want)
	}
}

// TestPullQueryKeyRules: with table scans disabled, ksqlDB's key-lookup
// rules decide which pull queries run.
func TestPullQueryKeyRules(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
	mustExec(t, env, "CREATE STREAM s (id STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON', partitions=1);")
	mustExec(t, env, "CREATE TABLE agg AS SELECT id, COUNT(*) AS n FROM s GROUP BY id;")
	mustExec(t, env, "INSERT INTO s (id, v) VALUES ('a', 1);")
	mustExec(t, env, "INSERT INTO s (id, v) VALUES ('b', 1);")
	if got := pullRows(t, env, "SELECT * FROM agg WHERE n > 0;"); len(got.Rows) != 2 {
		t.Errorf("table scan enabled: %v", got.Rows)
	}
	mustExec(t, env, "SET 'ksql.query.pull.table.scan.enabled' = 'false';")
	for _, tc := range []struct{ sql, want string }{
		{"SELECT * FROM agg WHERE id = 'a';", ""},
		{"SELECT * FROM agg WHERE id IN ('a', 'b') AND n > 0;", ""},
		{"SELECT * FROM agg WHERE id <= 'a';", ""},
		{"SELECT * FROM agg;", "Query requires table scan to be enabled"},
		{"SELECT * FROM agg WHERE n = 100;", "WHERE clause missing key column for disjunct: (N = 100)"},
		{"SELECT * FROM agg WHERE id = 'a' OR n = 1;", "WHERE clause missing key column for disjunct: (N = 1)"},
		{"SELECT * FROM agg WHERE id <> 'a';", "Bound on key columns '[`ID` STRING KEY]' must currently be '='. "},
		{"SELECT * FROM agg WHERE id = 'a' AND id IN ('a');", "cannot be combined with other comparisons"},
		{"SELECT * FROM agg WHERE CONCAT(id, 'x') = 'ax';", "A comparison must directly reference a key column."},
		{"SELECT * FROM agg WHERE id = CAST(n AS STRING);", "A comparison must be between a key column and a resolvable expression."},
		{"SELECT * FROM agg WHERE id <= 'a' OR id >= 'b';", "Query requires table scan to be enabled"},
		{"SELECT * FROM agg WHERE id <= 'b' AND id >= 'a';", "cannot be combined with other comparisons"},
	} {
		_, err := env.s.Execute(env.ctx, tc.sql)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.sql, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q", tc.sql, err, tc.want)
		}
	}
	mustExec(t, env, "SET 'ksql.query.pull.range.scan.enabled' = 'false';")
	if _, err := env.s.Execute(env.ctx, "SELECT * FROM agg WHERE id <= 'a';"); err == nil || !strings.Contains(err.Error(), "Query requires table scan to be enabled") {
		t.Errorf("range scan disabled: %v", err)
	}
}

// TestPullQueryArrayKey looks up a group whose key (an ARRAY) the store
// cannot decode: the lookup's own values give the row its key.
func TestPullQueryArrayKey(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
	mustExec(t, env, "CREATE STREAM s (id ARRAY<STRING> KEY, v INT) WITH (kafka_topic='s', key_format='JSON', value_format='JSON', partitions=1);")
	mustExec(t, env, "CREATE TABLE agg AS SELECT id, COUNT(*) AS n FROM s GROUP BY id;")
	mustExec(t, env, "INSERT INTO s (id, v) VALUES (ARRAY['a', 'b'], 1);")
	mustExec(t, env, "INSERT INTO s (id, v) VALUES (ARRAY['a', 'b'], 2);")
	mustExec(t, env, "INSERT INTO s (id, v) VALUES (ARRAY['c'], 3);")
	if got, want := sortedText(pullRows(t, env, "SELECT id, n FROM agg WHERE id = ARRAY['a', 'b'];").Rows), "[[a b] 2]"; got != want {
		t.Errorf("array key lookup: %s, want %s", got, want)
	}
	if got := pullRows(t, env, "SELECT id, n FROM agg WHERE id = ARRAY['z'];"); len(got.Rows) != 0 {
		t.Errorf("missing array key: %v", got.Rows)
	}
}

// TestPullQueryWhileWriting pulls while the aggregation keeps committing:
// each answer is one committed state, so a group's count never goes down
// from one answer to the next and the total is never ahead of the input.
func TestPullQueryWhileWriting(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
	mustExec(t, env, "CREATE STREAM s (id STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON', partitions=2);")
	mustExec(t, env, "CREATE TABLE agg AS SELECT id, COUNT(*) AS n FROM s GROUP BY id;")
	const total = 200
	done := make(chan error, 1)
	go func() {
		for i := 0; i < total; i++ {
			key := []byte(fmt.Sprintf("k%d", i%3))
			rec := broker.Record{Key: key, Value: []byte(`{"V":1}`), Timestamp: int64(i)}
			if _, err := env.log.Append(env.ctx, broker.TopicPartition{Topic: "s", Partition: broker.PartitionForKey(key, 2)}, []broker.Record{rec}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	last := map[string]int64{}
	check := func() {
		rs, err := env.s.Execute(env.ctx, "SELECT id, n FROM agg;")
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, r := range rs[0].(*Rows).Rows {
			k, n := r[0].(string), r[1].(int64)
			if n < last[k] {
				t.Fatalf("%s went from %d to %d", k, last[k], n)
			}
			last[k] = n
			sum += n
		}
		if sum > total {
			t.Fatalf("counted %d of %d rows", sum, total)
		}
	}
	for i := 0; i < 50; i++ {
		check()
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := env.e.WaitCaughtUp(env.ctx); err != nil {
		t.Fatal(err)
	}
	check()
	if got := last["k0"] + last["k1"] + last["k2"]; got != total {
		t.Errorf("after catching up: %d rows counted, want %d", got, total)
	}
}
