package planner

import (
	"fmt"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/types"
)

func compileStandalone(e ast.Expr, columns []types.Column, o Options) (ev exec.Evaluator, t *types.Type, err error) {
	defer recoverInternal(&err)
	sc := newScope(columns, "", "", o.registry())
	c, err := compileTop(e, sc)
	if err != nil {
		return nil, nil, err
	}
	return guarded(c), c.typ, nil
}

// recoverInternal turns a panic inside planning into an internal error, so
// a planner bug fails one statement instead of the engine.
func recoverInternal(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("planner: internal error: %v", r)
	}
}
