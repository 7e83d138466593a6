package planner

import (
	"fmt"
	"testing"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/parser"
)

// TestNullKeysWithoutValue: PARTITION BY keys computed from value columns
// or ROWTIME are marked for NULL on null-value records; keys computed from
// the source's key columns alone are not, nor is any key without PARTITION
// BY.
func TestNullKeysWithoutValue(t *testing.T) {
	cat := newMemCatalog()
	st, err := parser.ParseStatement("CREATE STREAM s (k STRING KEY, id BIGINT, v STRING) WITH (kafka_topic='s', format='JSON', partitions=1);")
	if err != nil {
		t.Fatal(err)
	}
	src, err := AnalyzeCreateSource(st.(*ast.CreateSource), cat, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cat.add(src)
	for i, tc := range []struct {
		sql  string
		want string
	}{
		{"SELECT * FROM s;", "[]"},
		{"SELECT * FROM s PARTITION BY (v IS NULL);", "[0]"},
		{"SELECT * FROM s PARTITION BY id, ROWTIME;", "[0 1]"},
		{"SELECT * FROM s PARTITION BY UCASE(k), id;", "[1]"},
		{"SELECT * FROM s PARTITION BY k;", "[]"},
	} {
		q, err := parser.ParseStatement(fmt.Sprintf("CREATE STREAM o%d AS %s", i, tc.sql))
		if err != nil {
			t.Fatal(err)
		}
		p, err := PlanCreateAsSelect(q.(*ast.CreateAsSelect), cat, Options{QueryID: "Q"})
		if err != nil {
			t.Fatalf("%s: %v", tc.sql, err)
		}
		got := fmt.Sprint(p.Spec.Sink.NullKeysWithoutValue)
		if got != tc.want {
			t.Errorf("%s: NullKeysWithoutValue %s, want %s", tc.sql, got, tc.want)
		}
	}
}
