package types

import (
	"errors"
	"fmt"
)

// ErrorCode classifies a value-level error. The engine routes these to the
// processing log and keeps the query running, so the code must say what kind
// of failure it was without string matching.
type ErrorCode uint8

// The value-level error codes.
const (
	// CodeCast: a value could not be converted to the target type (bad
	// string, out of range for a DECIMAL precision, ...).
	CodeCast ErrorCode = iota + 1
	// CodeUnsupportedCast: the pair of types has no CAST at all; the planner
	// reports it when a statement is analysed.
	CodeUnsupportedCast
	// CodeOverflow: an integer operation left the range of its type.
	CodeOverflow
	// CodeDivideByZero: integer or decimal division or modulo by zero.
	CodeDivideByZero
	// CodeIncomparable: two values have no SQL ordering between them.
	CodeIncomparable
	// CodeParse: text did not parse as a literal of the requested type.
	CodeParse
)

var codeNames = [...]string{
	CodeCast:            "cast",
	CodeUnsupportedCast: "unsupported cast",
	CodeOverflow:        "overflow",
	CodeDivideByZero:    "division by zero",
	CodeIncomparable:    "incomparable",
	CodeParse:           "parse",
}

// String names the code for logs and the processing log.
func (c ErrorCode) String() string {
	if int(c) < len(codeNames) && codeNames[c] != "" {
		return codeNames[c]
	}
	return fmt.Sprintf("code(%d)", uint8(c))
}

// Error is the typed error of this package. Callers test the kind with
// errors.Is against the Err* sentinels, or read Code directly.
type Error struct {
	Code ErrorCode
	Msg  string
	// Err is the underlying cause, if any (a strconv error, say).
	Err error
}

// Error implements error with the package prefix.
func (e *Error) Error() string {
	if e.Err != nil {
		return "types: " + e.Msg + ": " + e.Err.Error()
	}
	return "types: " + e.Msg
}

// Unwrap exposes the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches any *Error with the same code, so errors.Is(err, ErrOverflow)
// works whatever the message.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Code == e.Code && t.Msg == ""
	}
	return false
}

// Sentinels for errors.Is; they carry only a code.
var (
	ErrCast            = &Error{Code: CodeCast}
	ErrUnsupportedCast = &Error{Code: CodeUnsupportedCast}
	ErrOverflow        = &Error{Code: CodeOverflow}
	ErrDivideByZero    = &Error{Code: CodeDivideByZero}
	ErrIncomparable    = &Error{Code: CodeIncomparable}
	ErrParse           = &Error{Code: CodeParse}
)

func errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

func wrapf(code ErrorCode, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: cause}
}
