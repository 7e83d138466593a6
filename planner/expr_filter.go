package planner

import (
	"errors"
	"strings"

	"github.com/sluicedb/sluice/ast"
)

// filterError words a type error found while compiling a WHERE or HAVING
// clause as ksqlDB's filter validation does: the type checker's message
// prefixed with the clause ("Error in WHERE expression: "), followed by
// the whole filter as ksqlDB prints expressions ("\nStatement: (ID =
// '10')"), because ksqlDB raises it as a statement error whose statement
// is the filter. Other errors (an unknown column, a bad function call
// that is not a type mismatch) pass through unchanged.
func filterError(clause string, filter ast.Expr, err error) error {
	var pe *Error
	if !errors.As(err, &pe) {
		return err
	}
	for _, p := range []string{"Cannot compare", "Error processing", "Comparison with NULL"} {
		if strings.HasPrefix(pe.Msg, p) {
			return &Error{Pos: pe.Pos, Msg: "Error in " + clause + " expression: " + pe.Msg + "\nStatement: " + exprText(filter)}
		}
	}
	return err
}
