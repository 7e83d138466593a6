package planner

import (
	"strings"
	"testing"
)

// TestSinkFormatErrorStatement checks that a sink whose key format cannot
// hold its key ends its error with the statement as ksqlDB prints it after
// sanitizing: named items, qualified columns, the aliased source, EMIT.
func TestSinkFormatErrorStatement(t *testing.T) {
	g := &goldenSession{cat: newMemCatalog(), props: map[string]string{}}
	if out := g.run("CREATE STREAM TEST (f1 INT KEY, f2 INT, d DECIMAL(2, 1)) WITH (kafka_topic='t', value_format='JSON');"); strings.HasPrefix(out, "error") {
		t.Fatal(out)
	}
	cases := []struct{ sql, want string }{
		{"CREATE TABLE OUTPUT AS SELECT f2, f1, f2+f1, count(*) FROM TEST GROUP BY f1, f2;",
			"\nStatement: CREATE TABLE OUTPUT AS SELECT\n  TEST.F2 F2,\n  TEST.F1 F1,\n  (TEST.F2 + TEST.F1) KSQL_COL_0,\n  COUNT(*) KSQL_COL_1\nFROM TEST TEST\nGROUP BY TEST.F1, TEST.F2\nEMIT CHANGES"},
		{"CREATE TABLE OUTPUT WITH (key_format='KAFKA') AS SELECT d AS k, COUNT(*) AS total FROM TEST t WHERE f2 > 1 GROUP BY d HAVING COUNT(*) > 1;",
			"\nStatement: CREATE TABLE OUTPUT WITH (KEY_FORMAT='KAFKA') AS SELECT\n  T.D K,\n  COUNT(*) TOTAL\nFROM TEST T\nWHERE (T.F2 > 1)\nGROUP BY T.D\nHAVING (COUNT(*) > 1)\nEMIT CHANGES"},
		{"CREATE STREAM P AS SELECT * FROM TEST PARTITION BY f1, f2;",
			"\nStatement: CREATE STREAM P AS SELECT\n  *\nFROM TEST TEST\nPARTITION BY TEST.F1, TEST.F2\nEMIT CHANGES"},
	}
	for _, c := range cases {
		out := g.run(c.sql)
		if !strings.HasPrefix(out, "error: Key format does not support schema.") || !strings.HasSuffix(out, c.want) {
			t.Errorf("%s\ngot  %q\nwant suffix %q", c.sql, out, c.want)
		}
	}
}
