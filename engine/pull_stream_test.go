package engine

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestPullQueryOnStream scans the stream's topic: every row written before
// the query, filtered and projected, in partition-then-offset order, with
// LIMIT honoured, and ksqlDB's rejections for what a pull query cannot do.
func TestPullQueryOnStream(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "CREATE STREAM p (k STRING KEY, v INT) WITH (kafka_topic='p', value_format='JSON', partitions=3);")
	rows := func(sql string) [][]any {
		t.Helper()
		rs := mustExec(t, env, sql)
		r, ok := rs[0].(*Rows)
		if !ok {
			t.Fatalf("%s: got %T, want *Rows", sql, rs[0])
		}
		return r.Rows
	}
	if got := rows("SELECT * FROM p;"); len(got) != 0 {
		t.Fatalf("empty stream: %v", got)
	}
	for i := 1; i <= 9; i++ {
		mustExec(t, env, fmt.Sprintf("INSERT INTO p (k, v) VALUES ('k%d', %d);", i, i))
	}
	all := rows("SELECT k, v * 10 AS v10 FROM p;")
	if len(all) != 9 {
		t.Fatalf("got %d rows, want 9: %v", len(all), all)
	}
	seen := map[string]bool{}
	for _, r := range all {
		seen[r[0].(string)] = true
	}
	if len(seen) != 9 {
		t.Fatalf("rows %v", all)
	}
	if again := rows("SELECT k, v * 10 AS v10 FROM p;"); fmt.Sprint(again) != fmt.Sprint(all) {
		t.Fatalf("the same topic gave another order:\n%v\n%v", all, again)
	}
	if got := rows("SELECT v FROM p WHERE v > 6;"); len(got) != 3 {
		t.Fatalf("WHERE v > 6: %v", got)
	}
	// LIMIT keeps the first rows of the answer's order, whichever
	// partition the scan happened to read first.
	if got := rows("SELECT k, v * 10 AS v10 FROM p LIMIT 4;"); fmt.Sprint(got) != fmt.Sprint(all[:4]) {
		t.Fatalf("LIMIT 4: %v, want %v", got, all[:4])
	}
	if got := rows("SELECT * FROM p LIMIT 0;"); len(got) != 0 {
		t.Fatalf("LIMIT 0: %v", got)
	}
	mustExec(t, env, "INSERT INTO p (k, v) VALUES ('k10', 10);")
	if got := rows("SELECT * FROM p;"); len(got) != 10 {
		t.Fatalf("after another insert: %d rows", len(got))
	}

	mustExec(t, env, "CREATE TABLE tb (k STRING PRIMARY KEY, v INT) WITH (kafka_topic='tb', value_format='JSON', partitions=1);")
	for _, tc := range []struct{ sql, want string }{
		{"SELECT * FROM p GROUP BY k;", "Pull queries don't support GROUP BY clauses. See https://cnfl.io/queries for more info.\nAdd EMIT CHANGES"},
		{"SELECT * FROM p PARTITION BY v;", "Pull queries don't support PARTITION BY clauses."},
		{"SELECT k, ROWOFFSET FROM p;", "Pull queries don't support the following columns in SELECT clauses: `ROWOFFSET`"},
		{"SELECT * FROM p WHERE ROWPARTITION = 1 OR ROWOFFSET > 2 OR ROWPARTITION = 2;", "in WHERE clauses: `ROWPARTITION`, `ROWOFFSET`"},
		{"SELECT nope FROM p;", "NOPE"},
		{"SELECT * FROM tb;", "The `TB` table isn't queryable. To derive a queryable table, you can do 'CREATE TABLE QUERYABLE_TB AS SELECT * FROM TB'."},
	} {
		_, err := env.s.Execute(env.ctx, tc.sql)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.sql, err, tc.want)
		}
		var ee *Error
		if err != nil && (!errors.As(err, &ee) || ee.Code != CodeBadStatement) {
			t.Errorf("%s: %#v, want a CodeBadStatement *Error", tc.sql, err)
		}
	}
	rs := mustExec(t, env, "SHOW QUERIES;")
	if ql := rs[0].(*QueryList); len(ql.Queries) != 0 {
		t.Fatalf("a pull query is still listed: %+v", ql.Queries)
	}
}
