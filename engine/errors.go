package engine

import (
	"errors"
	"fmt"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/planner"
)

// Error codes, as ksqlDB's REST API reports them in error_code. They are
// stable: the REST layer maps them to HTTP statuses (the first three digits)
// and clients switch on them, so a new failure gets an existing code unless
// it is a new kind of failure altogether.
const (
	// CodeBadRequest is a malformed request (not a statement problem).
	CodeBadRequest = 40000
	// CodeBadStatement is a statement that cannot be parsed or is
	// rejected by validation: unknown source, type mismatch, a source that
	// already exists. It is the usual user error.
	CodeBadStatement = 40001
	// CodeQueryEndpoint is a push or pull query sent where only
	// statements are accepted (ksqlDB's /ksql endpoint).
	CodeQueryEndpoint = 40002
	// CodeNotFound is a named thing that does not exist where a lookup,
	// not a statement, asked for it (a query id, a function, a topic).
	CodeNotFound = 40400
	// CodeAssertionFailed is an ASSERT TOPIC/SCHEMA that did not hold
	// within its timeout (ksqlDB answers 417).
	CodeAssertionFailed = 41700
	// CodeServerError is a failure that is not the user's: the log failed,
	// an internal invariant broke. It is never returned for bad SQL.
	CodeServerError = 50000
	// CodeShuttingDown is a statement submitted while the engine closes.
	CodeShuttingDown = 50302
)

// Error is the error Session.Execute returns for a statement it rejected or
// could not run. It carries what a client needs to show the failure without
// re-parsing a message: the stable code, the statement (after variable
// substitution) and the position of the offending token in it.
type Error struct {
	// Code is one of the Code constants.
	Code int
	// Statement is the statement text the error is about ("" when the
	// script could not be split into statements at all).
	Statement string
	// Pos is the 1-based line and column inside Statement, zero when the
	// error has no position.
	Pos ast.Pos
	// Message is the message as ksqlDB words it, which users and the
	// conformance corpus know.
	Message string
	// Err is the underlying error, if any (a *parser.Error, a broker
	// error...), for errors.Is/As.
	Err error
}

// Error returns the message; the position is already part of messages that
// ksqlDB positions ("line 1:8: ...").
func (e *Error) Error() string { return e.Message }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// ErrClosed is returned (inside an *Error with CodeShuttingDown) for work
// submitted after Close.
var ErrClosed = errors.New("engine: closed")

// errorf builds a CodeBadStatement error positioned at n (nil for none).
func errorf(n ast.Node, format string, args ...any) *Error {
	e := &Error{Code: CodeBadStatement, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Pos = n.Position()
	}
	return e
}

// asEngineError turns any error into an *Error about statement text. Parser
// and planner errors keep their position; engine errors keep their code. Of
// the rest, failures of the log and recovered panics are server errors, and
// anything else is taken for a statement problem, because a user error must
// never be reported as a server failure.
func asEngineError(err error, text string) *Error {
	var ee *Error
	if errors.As(err, &ee) {
		if ee.Statement == "" {
			ee.Statement = text
		}
		return ee
	}
	var pe *parser.Error
	if errors.As(err, &pe) {
		return &Error{Code: CodeBadStatement, Statement: text, Pos: ast.Pos{Line: pe.Line, Col: pe.Col},
			Message: pe.Error(), Err: err}
	}
	var ple *planner.Error
	if errors.As(err, &ple) {
		return &Error{Code: CodeBadStatement, Statement: text, Pos: ple.Pos, Message: ple.Error(), Err: err}
	}
	e := &Error{Code: CodeBadStatement, Statement: text, Message: err.Error(), Err: err}
	var posErr interface{ Position() ast.Pos }
	if errors.As(err, &posErr) {
		e.Pos = posErr.Position()
	}
	var ie *parser.InternalError
	if errors.As(err, &ie) || isLogFailure(err) {
		e.Code = CodeServerError
	}
	return e
}

// isLogFailure reports errors of the log itself, as opposed to a topic a
// statement named wrongly.
func isLogFailure(err error) bool {
	for _, target := range []error{broker.ErrClosed, broker.ErrProducerFenced, broker.ErrOutOfOrderSequence, broker.ErrInvalidTxnState} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
