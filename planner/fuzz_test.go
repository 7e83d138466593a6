package planner

import (
	"strings"
	"testing"

	"github.com/sluicedb/sluice/parser"
)

// FuzzCompileExpression compiles and evaluates arbitrary expressions over
// the expression tests' row: planning may reject them, evaluation may fail
// on a value, but nothing may panic (the evaluator's recover turns a panic
// into an "internal error", which fails the fuzz target).
func FuzzCompileExpression(f *testing.F) {
	for _, seed := range []string{
		"A + 1", "S || 'x'", "CASE WHEN A > 5 THEN 'big' ELSE 'small' END", "ARR[-1]", "M['a']",
		"TRANSFORM(ARR, x => x * 10)", "ST->X", "CAST(S AS INT)", "A BETWEEN 1 AND N",
		"S LIKE '%l_o' ESCAPE '!'", "ARRAY[1, '2e1', B]", "ROWTIME > '2020'", "DEC / 0",
		"STRUCT(P := A)->P", "REDUCE(ARR, 0, (s, x) => s + x)", "A IN (1, NULL, B)",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		e, err := parser.ParseExpression(sql)
		if err != nil {
			return
		}
		ev, _, err := CompileExpression(e, exprColumns, Options{})
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("%q: %v", sql, err)
			}
			return
		}
		if _, err := ev.Eval(exprRow()); err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("%q: %v", sql, err)
		}
	})
}
