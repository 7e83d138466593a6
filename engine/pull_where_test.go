package engine

import (
	"strings"
	"testing"
)

// TestPullWhereChecks checks the pull-query filter rules that come before
// planning, with ksqlDB's messages: LIKE only on STRING columns (on other
// values only with table scans), IN literals that must convert to the
// key's type, BETWEEN type-checked as its two comparisons; and that a
// query's own errors come before the table's being unqueryable.
func TestPullWhereChecks(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
	mustExec(t, env, "CREATE STREAM s (id INT KEY, v STRING) WITH (kafka_topic='s', value_format='JSON', partitions=1);")
	mustExec(t, env, "CREATE TABLE agg AS SELECT id, LATEST_BY_OFFSET(v) AS v FROM s GROUP BY id;")
	mustExec(t, env, "CREATE TABLE plain (id INT PRIMARY KEY, v STRING) WITH (kafka_topic='plain', value_format='JSON', partitions=1);")
	mustExec(t, env, "INSERT INTO s (id, v) VALUES (8, 'a');")
	run := func(cases []struct{ sql, want string }) {
		t.Helper()
		for _, tc := range cases {
			if err := env.e.WaitCaughtUp(env.ctx); err != nil {
				t.Fatal(err)
			}
			_, err := env.s.Execute(env.ctx, tc.sql)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("%s: %v", tc.sql, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("%s: error %v, want %q", tc.sql, err, tc.want)
			}
		}
	}
	run([]struct{ sql, want string }{
		{"SELECT * FROM agg WHERE id LIKE 12;", "The column type for Like condition must be VARCHAR. The column type is INTEGER"},
		{"SELECT * FROM agg WHERE v LIKE 'a%';", ""},
		{"SELECT * FROM agg WHERE '12' LIKE '12';", ""},
		{"SELECT * FROM agg WHERE id IN ('10', 8);", "'10' can not be converted to the type of the key column: ID INTEGER KEY"},
		{"SELECT * FROM agg WHERE id IN (8, 9);", ""},
		{"SELECT * FROM agg WHERE v IN ('a', 'b');", ""},
		{"SELECT * FROM agg WHERE v BETWEEN 10 AND 'z';", "Invalid expression: Cannot compare V (STRING) to 10 (INTEGER) with GREATER_THAN_OR_EQUAL"},
		{"SELECT * FROM agg WHERE v BETWEEN 'a' AND 10;", "Invalid expression: Cannot compare V (STRING) to 10 (INTEGER) with LESS_THAN_OR_EQUAL"},
		{"SELECT * FROM agg WHERE v BETWEEN 'a' AND 'z';", ""},
		{"SELECT v, v FROM plain WHERE id = 1;", "Duplicate value columns found in schema: `V` STRING"},
		{"SELECT * FROM plain WHERE id = 1;", "The `PLAIN` table isn't queryable."},
	})
	mustExec(t, env, "SET 'ksql.query.pull.table.scan.enabled' = 'false';")
	run([]struct{ sql, want string }{
		{"SELECT * FROM agg WHERE '12' LIKE '12';", "Like condition must be between strings"},
		{"SELECT * FROM agg WHERE id = 8 AND v LIKE 'a%';", ""},
	})
}
