package engine

import (
	"fmt"
	"strings"
	"testing"
)

// TestPullQueryOnDerivedWindowedTable reads a table derived without
// aggregation from a session-windowed aggregation over three partitions:
// a row per key and window (the newest), the bounds as columns, WHERE's
// tombstones removing a window's row, and keys whose text runs into their
// window start ("d1" at 11000 and "d11" from 1000 to 11000) kept apart.
func TestPullQueryOnDerivedWindowedTable(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
	mustExec(t, env, "CREATE STREAM s (id STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON', partitions=3);")
	mustExec(t, env, "CREATE TABLE sess AS SELECT id, COUNT(*) AS n, SUM(v) AS total FROM s WINDOW SESSION (5 SECONDS) GROUP BY id;")
	mustExec(t, env, "CREATE TABLE copy AS SELECT * FROM sess;")
	mustExec(t, env, "CREATE TABLE small AS SELECT * FROM sess WHERE total < 10;")
	for _, r := range []struct {
		id    string
		v, ts int
	}{
		{"d1", 1, 11000}, {"d11", 2, 1000}, {"d11", 3, 6000}, {"d11", 0, 11000}, {"k", 4, 100000}, {"k", 5, 200000}, {"k", 6, 200001},
	} {
		mustExec(t, env, fmt.Sprintf("INSERT INTO s (id, v, ROWTIME) VALUES ('%s', %d, %d);", r.id, r.v, r.ts))
	}
	r := pullRows(t, env, "SELECT * FROM copy;")
	if names := fmt.Sprint(columnNames(r.Columns)); names != "[ID WINDOWSTART WINDOWEND N TOTAL]" {
		t.Errorf("columns %s", names)
	}
	want := strings.Join([]string{
		"[d1 11000 11000 1 1]", "[d11 1000 11000 3 5]", "[k 100000 100000 1 4]", "[k 200000 200001 2 11]",
	}, "\n")
	if got := sortedText(r.Rows); got != want {
		t.Errorf("SELECT * FROM copy:\n%s\nwant\n%s", got, want)
	}
	for _, tc := range []struct{ sql, want string }{
		{"SELECT id, n FROM copy WHERE id = 'k' AND WINDOWSTART >= 200000;", "[k 2]"},
		{"SELECT id, WINDOWEND FROM copy WHERE WINDOWEND - WINDOWSTART > 0;", "[d11 11000]\n[k 200001]"},
		{"SELECT id, WINDOWSTART, total FROM copy WHERE id IN ('d1', 'd11') LIMIT 5;", "[d1 11000 1]\n[d11 1000 5]"},
		// k's second session grew past 10: WHERE sent a tombstone for it.
		{"SELECT * FROM small;", "[d1 11000 11000 1 1]\n[d11 1000 11000 3 5]\n[k 100000 100000 1 4]"},
	} {
		if got := sortedText(pullRows(t, env, tc.sql).Rows); got != tc.want {
			t.Errorf("%s\n got %q\nwant %q", tc.sql, got, tc.want)
		}
	}
}

// TestPullQueryWindowedNotQueryable: a windowed table that no query
// derives is refused, as a plain table is.
func TestPullQueryWindowedNotQueryable(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "CREATE TABLE wt (id STRING PRIMARY KEY, v INT) WITH (kafka_topic='wt', value_format='JSON', partitions=1, window_type='Tumbling', window_size='1 second');")
	_, err := env.s.Execute(env.ctx, "SELECT * FROM wt;")
	if err == nil || !strings.Contains(err.Error(), "The `WT` table isn't queryable.") {
		t.Errorf("error %v, want isn't queryable", err)
	}
}

// TestRowIdentity: the scan's row identities never merge distinct rows.
func TestRowIdentity(t *testing.T) {
	distinct := [][]any{
		{"d1", int64(10), int64(10)},
		{"d11", int64(0), int64(10)},
		{"d110", int64(10)},
		{"a b"},
		{[]any{"a", "b"}},
		{[]any{"a b"}},
		{int32(1)},
		{int64(1)},
		{"1"},
		{nil},
		{"<nil>"},
	}
	seen := map[string]int{}
	for i, vals := range distinct {
		k := rowIdentity(vals)
		if j, ok := seen[k]; ok {
			t.Errorf("%v and %v share the identity %q", distinct[j], vals, k)
		}
		seen[k] = i
		if again := rowIdentity(vals); again != k {
			t.Errorf("%v: identity %q then %q", vals, k, again)
		}
	}
}
