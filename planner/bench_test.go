package planner

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/types"
)

// BenchmarkPipeline runs the operators of the throughput benchmark's query
// shape (a WHERE and a four-column projection with one function) over
// batches of 1024 rows, without serdes or the log: the planner's share of
// the per-event cost.
func BenchmarkPipeline(b *testing.B) {
	g := &goldenSession{cat: newMemCatalog(), props: map[string]string{}}
	if out := g.run("CREATE STREAM EVENTS (ID BIGINT KEY, SENSOR STRING, SITE STRING, TEMP DOUBLE, TS BIGINT) WITH (kafka_topic='events', value_format='JSON');"); len(out) > 6 && out[:6] == "error:" {
		b.Fatal(out)
	}
	st, err := parser.ParseStatement("CREATE STREAM HOT AS SELECT ID, SENSOR, UCASE(SITE) AS SITE, TEMP FROM EVENTS WHERE TEMP > 30.0;")
	if err != nil {
		b.Fatal(err)
	}
	p, err := PlanCreateAsSelect(st.(*ast.CreateAsSelect), g.cat, Options{QueryID: "B"})
	if err != nil {
		b.Fatal(err)
	}
	const n = 1024
	bb := types.NewBatchBuilder(memory.DefaultAllocator, p.Spec.Source.Schema)
	for i := 0; i < n; i++ {
		row := []any{int64(i), fmt.Sprintf("sensor-%d", i%100), "north", float64(i % 60), int64(i)}
		if err := bb.AppendRow(types.RowMeta{Rowtime: int64(i), Offset: int64(i)}, row); err != nil {
			b.Fatal(err)
		}
	}
	in, err := bb.NewBatch()
	if err != nil {
		b.Fatal(err)
	}
	ops := make([]exec.Operator, len(p.Spec.Operators))
	tc := &exec.TaskContext{QueryID: "B"}
	for i, op := range p.Spec.Operators {
		ops[i] = op
		if tl, ok := op.(interface {
			ForTask(*exec.TaskContext) (exec.Operator, error)
		}); ok {
			if ops[i], err = tl.ForTask(tc); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		batches := []*types.Batch{in}
		for _, op := range ops {
			var next []*types.Batch
			for _, x := range batches {
				if err := op.Process(tc, x, func(out *types.Batch) error { next = append(next, out); return nil }); err != nil {
					b.Fatal(err)
				}
			}
			batches = next
		}
		for _, x := range batches {
			x.Release()
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkExpression measures one evaluation of typical compiled
// expressions on a row (boxed values, as operators pass them).
func BenchmarkExpression(b *testing.B) {
	for _, sql := range []string{
		"D > 2.4",
		"A + B * 2",
		"S LIKE 'he%'",
		"UCASE(S)",
		"CASE WHEN A > 5 THEN 'big' ELSE 'small' END",
		"ST->X + ARR[1]",
		"TRANSFORM(ARR, x => x * 10)",
	} {
		b.Run(sql, func(b *testing.B) {
			e, err := parser.ParseExpression(sql)
			if err != nil {
				b.Fatal(err)
			}
			ev, _, err := CompileExpression(e, exprColumns, Options{})
			if err != nil {
				b.Fatal(err)
			}
			row := exprRow()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := ev.Eval(row); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
