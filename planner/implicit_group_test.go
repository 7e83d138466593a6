package planner

import (
	"strings"
	"testing"
)

// TestImplicitGroupBy checks that a push query aggregating without GROUP
// BY is one running aggregate over every row, with only the selected
// columns, while a persistent one keeps ksqlDB's refusal.
func TestImplicitGroupBy(t *testing.T) {
	g := &goldenSession{cat: newMemCatalog(), props: map[string]string{}}
	if out := g.run("CREATE STREAM T (K INT KEY, ID INT) WITH (kafka_topic='t', value_format='JSON', partitions=1);"); strings.HasPrefix(out, "error") {
		t.Fatal(out)
	}
	for _, c := range []struct{ sql, want string }{
		{"SELECT COUNT(*) AS C FROM T EMIT CHANGES;", "schema: `C` BIGINT\n"},
		{"SELECT SUM(ID) AS S, COUNT(*) AS C FROM T EMIT CHANGES;", "schema: `S` INTEGER, `C` BIGINT\n"},
		{"SELECT ID FROM T HAVING COUNT(*) > 1 EMIT CHANGES;", "Non-aggregate SELECT expression(s) not part of GROUP BY: ID"},
		{"SELECT ID FROM T EMIT CHANGES;", "schema: `ID` INTEGER\n"},
		{"CREATE TABLE O AS SELECT COUNT(*) AS C FROM T;", "error"},
		{"SELECT COUNT(*) AS C FROM T;", "error"},
	} {
		out := g.run(c.sql)
		if !strings.Contains(out, c.want) {
			t.Errorf("%s\ngot  %s\nwant %q", c.sql, out, c.want)
		}
		if strings.HasPrefix(c.want, "schema") && strings.Contains(out, "AGGREGATE") != strings.Contains(c.sql, "COUNT") {
			t.Errorf("%s: aggregate node %v\n%s", c.sql, strings.Contains(out, "AGGREGATE"), out)
		}
	}
}
