package planner

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/types"
)

// runSpec pushes rows (one per source column, in declaration order)
// through the plan's operators, as a task would, and returns the output
// rows printed as SQL literals. Metadata: rowtime = 1000*i, partition 0,
// offset i.
func runSpec(t *testing.T, spec *exec.QuerySpec, rows [][]any) []string {
	t.Helper()
	bb := types.NewBatchBuilder(memory.DefaultAllocator, spec.Source.Schema)
	for i, r := range rows {
		if err := bb.AppendRow(types.RowMeta{Rowtime: int64(1000 * i), Offset: int64(i)}, r); err != nil {
			t.Fatalf("append row %d: %v", i, err)
		}
	}
	in, err := bb.NewBatch()
	if err != nil {
		t.Fatal(err)
	}
	batches := []*types.Batch{in}
	tc := &exec.TaskContext{QueryID: spec.ID}
	for _, op := range spec.Operators {
		var next []*types.Batch
		for _, b := range batches {
			if err := op.Process(tc, b, func(out *types.Batch) error { next = append(next, out); return nil }); err != nil {
				t.Fatal(err)
			}
		}
		batches = next
	}
	var out []string
	for _, b := range batches {
		for i := 0; i < b.NumRows(); i++ {
			vals := b.Row(i, nil)
			parts := make([]string, len(vals))
			for j, v := range vals {
				parts[j] = types.SQLLiteral(v)
			}
			out = append(out, strings.Join(parts, ", ")+" @"+types.Format(b.Meta(i).Rowtime))
		}
	}
	return out
}

// TestPlansRun checks that planned queries compute the right rows: the
// compiled evaluators read the positions the operators lay out (flat-map
// columns, pseudo columns after them, key columns first in the output).
func TestPlansRun(t *testing.T) {
	setup := []string{
		"CREATE STREAM INPUT (ID INT KEY, NAME STRING, AGE INT, TAGS ARRAY<STRING>) WITH (kafka_topic='input', value_format='JSON');",
	}
	rows := [][]any{
		{int32(1), "ann", int32(30), []any{"a", "b"}},
		{int32(2), "bob", nil, nil},
		{int32(3), "cy", int32(17), []any{"c"}},
	}
	cases := []struct {
		sql  string
		want []string
	}{
		{"CREATE STREAM O AS SELECT * FROM INPUT WHERE AGE > 18;",
			[]string{"1, 'ann', 30, ARRAY['a', 'b'] @0"}},
		{"CREATE STREAM O AS SELECT NAME, ID, AGE * 2 AS DOUBLED FROM INPUT;",
			[]string{"1, 'ann', 60 @0", "2, 'bob', NULL @1000", "3, 'cy', 34 @2000"}},
		{"CREATE STREAM O AS SELECT ID, EXPLODE(TAGS) AS TAG, ROWTIME AS RT, ROWOFFSET AS OFF FROM INPUT;",
			[]string{"1, 'a', CAST(0 AS BIGINT), CAST(0 AS BIGINT) @0", "1, 'b', CAST(0 AS BIGINT), CAST(0 AS BIGINT) @0", "3, 'c', CAST(2000 AS BIGINT), CAST(2 AS BIGINT) @2000"}},
		{"CREATE STREAM O AS SELECT UCASE(NAME) AS K, ID FROM INPUT WHERE ID <> 2 PARTITION BY UCASE(NAME);",
			[]string{"'ANN', 1 @0", "'CY', 3 @2000"}},
		{"CREATE STREAM O WITH (timestamp='T', timestamp_format='yyyy-MM-dd') AS SELECT ID, CONCAT('1970-01-0', CAST(ID AS STRING)) AS T FROM INPUT;",
			[]string{"1, '1970-01-01', CAST('1970-01-01T00:00:00.000' AS TIMESTAMP) @0", "2, '1970-01-02', CAST('1970-01-02T00:00:00.000' AS TIMESTAMP) @1000", "3, '1970-01-03', CAST('1970-01-03T00:00:00.000' AS TIMESTAMP) @2000"}},
		{"SELECT NAME, ARRAY_LENGTH(TAGS) AS N FROM INPUT WHERE TAGS IS NOT NULL EMIT CHANGES;",
			[]string{"'ann', 2 @0", "'cy', 1 @2000"}},
	}
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
			g := &goldenSession{cat: newMemCatalog(), props: map[string]string{}}
			for _, s := range setup {
				if out := g.run(s); strings.HasPrefix(out, "error") {
					t.Fatal(out)
				}
			}
			st, err := parser.ParseStatement(tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			var p *QueryPlan
			switch st := st.(type) {
			case *ast.CreateAsSelect:
				p, err = PlanCreateAsSelect(st, g.cat, Options{QueryID: "Q"})
			case *ast.QueryStatement:
				p, err = PlanQuery(st.Query, g.cat, Options{QueryID: "Q"})
			}
			if err != nil {
				t.Fatal(err)
			}
			got := runSpec(t, p.Spec, rows)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
