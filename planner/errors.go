package planner

import (
	"errors"
	"fmt"

	"github.com/sluicedb/sluice/ast"
)

// Error is a statement the planner rejects. The message follows ksqlDB's
// wording, because users (and the conformance corpus) know and match it, so
// it carries no package prefix; the position, when known, is printed the way
// ksqlDB prints semantic errors: `Line: 1, Col: 21: message`.
type Error struct {
	// Pos locates the offending node; the zero Pos means the error is about
	// the statement as a whole and is printed without a position.
	Pos ast.Pos
	Msg string
	// NoPosInMessage prints Msg alone even when Pos is known: ksqlDB words
	// the errors of its statement-building stage without a position.
	NoPosInMessage bool
}

// Error implements error.
func (e *Error) Error() string {
	if e.Pos.Line <= 0 || e.NoPosInMessage {
		return e.Msg
	}
	return fmt.Sprintf("Line: %d, Col: %d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
}

// errorf returns a positioned planning error.
func errorf(pos ast.Pos, format string, args ...any) error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// errNoPos returns a planning error about the whole statement.
func errNoPos(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// IsPlanningError reports whether err is a user error found by the planner,
// as opposed to an internal failure; the engine maps the first to a 400-style
// statement error and the second to an internal error.
func IsPlanningError(err error) bool {
	var pe *Error
	return errors.As(err, &pe)
}
