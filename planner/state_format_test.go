package planner

import (
	"strings"
	"testing"
)

// TestStateFormat checks ksqlDB's rule that an aggregate's state must fit
// the source's value format: DELIMITED holds no STRUCT, ARRAY or MAP, so
// AVG, the standard deviations, the *_BY_OFFSET functions and the
// collecting aggregates are refused over it, while plain sums and counts
// and any aggregate over JSON are planned.
func TestStateFormat(t *testing.T) {
	cases := []struct {
		format, agg string
		refused     bool
	}{
		{"DELIMITED", "STDDEV_SAMP(V)", true},
		{"DELIMITED", "STDDEV_SAMPLE(V)", true},
		{"DELIMITED", "AVG(V)", true},
		{"DELIMITED", "EARLIEST_BY_OFFSET(V)", true},
		{"DELIMITED", "COLLECT_LIST(V)", true},
		{"DELIMITED", "HISTOGRAM(S)", true},
		{"DELIMITED", "COUNT_DISTINCT(V)", true},
		{"DELIMITED", "SUM(V)", false},
		{"DELIMITED", "COUNT(*)", false},
		{"DELIMITED", "MAX(S)", false},
		{"JSON", "STDDEV_SAMP(V)", false},
		{"JSON", "COLLECT_LIST(V)", false},
	}
	for _, c := range cases {
		t.Run(c.format+" "+c.agg, func(t *testing.T) {
			g := &goldenSession{cat: newMemCatalog(), props: map[string]string{}}
			if out := g.run("CREATE STREAM INPUT (ID STRING KEY, V INT, S STRING) WITH (kafka_topic='in', value_format='" + c.format + "');"); strings.HasPrefix(out, "error") {
				t.Fatal(out)
			}
			for _, sql := range []string{
				"CREATE TABLE OUTPUT AS SELECT ID, " + c.agg + " AS A FROM INPUT GROUP BY ID;",
				"SELECT ID, " + c.agg + " AS A FROM INPUT GROUP BY ID EMIT CHANGES;",
			} {
				out := g.run(sql)
				refused := strings.Contains(out, "error: "+msgIntermediateType)
				if refused != c.refused {
					t.Errorf("%s\nrefused %v, want %v: %s", sql, refused, c.refused, out)
				}
				if !c.refused && strings.HasPrefix(out, "error") {
					t.Errorf("%s: %s", sql, out)
				}
			}
		})
	}
}
