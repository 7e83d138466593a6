package planner

import (
	"strings"
	"testing"
)

// TestFilterError checks ksqlDB's wording of type errors in WHERE and
// HAVING: the clause, the type checker's message, then the whole filter as
// the statement the error is about.
func TestFilterError(t *testing.T) {
	cases := []struct{ sql, want string }{
		{"SELECT * FROM S WHERE ID = '10' EMIT CHANGES;",
			"Error in WHERE expression: Cannot compare ID (INTEGER) to '10' (STRING) with EQUAL.\nStatement: (ID = '10')"},
		{"SELECT * FROM S WHERE V > 1 AND ID = NULL EMIT CHANGES;",
			"Error in WHERE expression: Comparison with NULL not supported: INTEGER = NULL\nUse 'IS NULL' or 'IS NOT NULL' instead.\nStatement: ((V > 1) AND (ID = null))"},
		{"SELECT * FROM S WHERE NULL <> NULL EMIT CHANGES;",
			"Comparison with NULL not supported: NULL <> NULL"},
		{"SELECT ID, COUNT(*) FROM S GROUP BY ID HAVING SUM(ID) > 'x' EMIT CHANGES;",
			"Error in HAVING expression: Cannot compare SUM(ID) (INTEGER) to 'x' (STRING) with GREATER_THAN.\nStatement: (SUM(ID) > 'x')"},
	}
	g := &goldenSession{cat: newMemCatalog(), props: map[string]string{}}
	if out := g.run("CREATE STREAM S (ID INT KEY, V INT) WITH (kafka_topic='s', value_format='JSON');"); strings.HasPrefix(out, "error") {
		t.Fatal(out)
	}
	for _, c := range cases {
		if out := g.run(c.sql); !strings.Contains(out, c.want) {
			t.Errorf("%s\ngot  %q\nwant %q", c.sql, out, c.want)
		}
	}
	// Errors that are not type errors of the filter pass unchanged.
	if out := g.run("SELECT * FROM S WHERE NOPE = 1 EMIT CHANGES;"); strings.Contains(out, "Statement:") || !strings.HasPrefix(out, "error") {
		t.Errorf("unknown column: %q", out)
	}
}

// TestParseMagicTimestamp checks the partial timestamps ksqlDB accepts
// where a string is compared with ROWTIME or a window bound.
func TestParseMagicTimestamp(t *testing.T) {
	day := int64(24 * 60 * 60 * 1000)
	cases := []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "2020-02-24", want: 18316 * day},
		{in: "2020-02-24T23:45", want: 18316*day + 23*3600000 + 45*60000},
		{in: "2020-02-24T24", want: 18317 * day},
		{in: "2020-02-24T24:00:00.000", want: 18317 * day},
		{in: "2020-02-24T24:00+01:00", want: 18317*day - 3600000},
		{in: "2020-02-24T24:01", bad: true},
		{in: "2020-02-24T245", bad: true},
		{in: "2020-02-24T25", bad: true},
	}
	for _, c := range cases {
		got, err := parseMagicTimestamp(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("%s: accepted as %d", c.in, got)
			}
			continue
		}
		if err != nil || int64(got) != c.want {
			t.Errorf("%s = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}

// TestDecimalDeclarations checks that a declaration takes ksqlDB's DECIMAL
// bounds (precision at least 1, scale within precision, any width), so a
// statement over a 50-digit column fails for its own reason first, and
// that a query whose rows would hold it is refused when it is planned.
func TestDecimalDeclarations(t *testing.T) {
	g := &goldenSession{cat: newMemCatalog(), props: map[string]string{}}
	for _, c := range []struct{ sql, want string }{
		{"CREATE STREAM W (ID INT KEY, N1 INT, N2 BIGINT, N3 DECIMAL(50,30)) WITH (kafka_topic='w', value_format='JSON');", ""},
		{"CREATE STREAM O AS SELECT ID, GREATEST(N1, N2, N3) AS H FROM W;", "Function 'greatest' cannot be resolved due to ambiguous method parameters (INTEGER, BIGINT, DECIMAL(50, 30))."},
		{"CREATE STREAM O2 AS SELECT * FROM W;", "DECIMAL precision must be between 1 and 38: 50"},
		{"CREATE STREAM B1 (D DECIMAL(0,0)) WITH (kafka_topic='b', value_format='JSON');", "DECIMAL precision must be between 1 and 38: 0"},
		{"CREATE STREAM B2 (D DECIMAL(40,41)) WITH (kafka_topic='b', value_format='JSON');", "DECIMAL scale must be between 0 and precision 40: 41"},
		{"CREATE STREAM B3 (D DECIMAL(5,6)) WITH (kafka_topic='b', value_format='JSON');", "DECIMAL scale must be between 0 and precision 5: 6"},
	} {
		out := g.run(c.sql)
		if c.want == "" && strings.HasPrefix(out, "error") || c.want != "" && !strings.Contains(out, c.want) {
			t.Errorf("%s\ngot  %s\nwant %q", c.sql, out, c.want)
		}
	}
}
