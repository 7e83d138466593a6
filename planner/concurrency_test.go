package planner

import (
	"sync"
	"testing"

	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/types"
)

// TestEvaluatorsSharedAcrossTasks evaluates the same compiled expressions
// from several goroutines at once, as exec does when every task of a query
// shares the plan's evaluators (run with -race): evaluators must keep no
// mutable state between calls.
func TestEvaluatorsSharedAcrossTasks(t *testing.T) {
	exprs := []string{
		"TRANSFORM(ARR, x => x * A)",
		"REDUCE(ARR, 0, (s, x) => s + x)",
		"S LIKE CONCAT('h', '%')",
		"CASE WHEN D > 2 THEN ARRAY[A, 2] ELSE ARRAY[3] END",
		"STRUCT(P := S, Q := ARR[1])",
		"IFNULL(CAST(CAST(S AS INT) AS STRING), 'x')",
	}
	for _, sql := range exprs {
		e, err := parser.ParseExpression(sql)
		if err != nil {
			t.Fatal(err)
		}
		ev, _, err := CompileExpression(e, exprColumns, Options{})
		if err != nil {
			t.Fatal(err)
		}
		want, err := ev.Eval(exprRow())
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan string, 8)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 500; i++ {
					got, err := ev.Eval(exprRow())
					if err != nil || types.Format(got) != types.Format(want) {
						errs <- sql + ": " + types.Format(got)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	}
}
