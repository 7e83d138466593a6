package parser

import (
	"fmt"
	"strings"
)

// Error is a positioned error in SQL text: a syntax error, or a value the
// parser rejects (a numeric literal out of range). Line and Col are 1-based.
//
// Error() follows ksqlDB's wording, which users and the conformance corpus
// know: `line 1:8: Syntax Error` on the first line, then the detail
// (`Syntax error at or near 'VALUES' at line 1:8`), what was expected and a
// hint when one applies.
type Error struct {
	Line, Col int
	// Token is the offending token's text ("<EOF>" at the end of input).
	Token string
	// Message is the error without the position prefix.
	Message string
	// Expected lists what the parser would have accepted, when known.
	Expected []string
	// Hint is a suggestion for a common slip, or empty.
	Hint string
	// Semantic marks an error about meaning rather than syntax (a KEY
	// column in a table); ksqlDB prints those as `Line: 1, Col: 21: ...`.
	Semantic bool
	// MessageCol, when not zero, is the column the message prints instead
	// of Col. ksqlDB's AST builder adds one to an already 1-based column
	// for a numeric literal out of range ("line 2:40" for a literal at
	// column 39); messages keep that wording, the caret stays at Col.
	MessageCol int
}

func (e *Error) Error() string {
	var b strings.Builder
	col := e.Col
	if e.MessageCol != 0 {
		col = e.MessageCol
	}
	if e.Semantic {
		fmt.Fprintf(&b, "Line: %d, Col: %d: %s", e.Line, col, e.Message)
	} else {
		fmt.Fprintf(&b, "line %d:%d: %s", e.Line, col, e.Message)
	}
	if len(e.Expected) > 0 {
		b.WriteString("\nExpecting one of: ")
		b.WriteString(strings.Join(e.Expected, ", "))
	}
	if e.Hint != "" {
		b.WriteString("\nHint: ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// InternalError reports a bug in the parser (a panic that was recovered at
// the entry point). Fuzz tests fail if one is ever returned.
type InternalError struct {
	Cause any
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("parser: internal error: %v", e.Cause)
}
