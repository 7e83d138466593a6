package cli

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/sluicedb/sluice/parser"
)

// Backend runs statements for the shell. The shell hands it one statement
// at a time (with its terminating ';') so that results print, and a push
// query streams, before the next statement runs.
type Backend interface {
	// Execute runs one statement. A failure is a *StatementError when the
	// statement was rejected, any other error when the backend itself
	// failed (the server went away).
	Execute(ctx context.Context, stmt string) ([]Result, error)
	// Target describes where statements go, for the banner and `server`.
	Target() string
	// Close releases the backend (closes the embedded engine).
	Close() error
}

// StatementError is a rejected statement, from either backend, with what
// the shell needs to point at the offending text.
type StatementError struct {
	// Code is the ksqlDB error code (40001 bad statement, ...).
	Code int
	// Statement is the text the position refers to; may be empty.
	Statement string
	// Line and Col are 1-based, zero when the error has no position.
	Line, Col int
	Message   string
}

// Error returns the message as the backend worded it.
func (e *StatementError) Error() string { return e.Message }

// Caret renders the offending line of the statement with a caret under the
// error's column, or "" when there is no position to show.
func (e *StatementError) Caret() string {
	if e.Line <= 0 || e.Col <= 0 || e.Statement == "" {
		return ""
	}
	// The engine puts statement-level errors ("already exists") at 1:1;
	// a caret under the first character would point at nothing.
	if e.Line == 1 && e.Col == 1 {
		if l, _ := positionFromMessage(e.Message); l == 0 {
			return ""
		}
	}
	return parser.Caret(e.Statement, &parser.Error{Line: e.Line, Col: e.Col})
}

// positionRe finds the position ksqlDB puts in messages: "line 1:8:" for
// syntax errors and "Line: 1, Col: 21:" for semantic ones. A remote server
// only sends the message, so this is how the shell recovers the position.
var positionRe = regexp.MustCompile(`(?i)line:? ?(\d+)(?::|, col: ?)(\d+)`)

// positionFromMessage returns the first position mentioned in msg.
func positionFromMessage(msg string) (line, col int) {
	m := positionRe.FindStringSubmatch(msg)
	if m == nil {
		return 0, 0
	}
	line, _ = strconv.Atoi(m[1])
	col, _ = strconv.Atoi(m[2])
	return line, col
}

// formatError renders an error for the terminal: the message, then the
// statement line with a caret when the error has a position.
func formatError(err error) string {
	var b strings.Builder
	se, ok := err.(*StatementError)
	if !ok {
		fmt.Fprintf(&b, "error: %v\n", err)
		return b.String()
	}
	msg := strings.TrimRight(se.Message, "\n")
	b.WriteString(msg)
	b.WriteByte('\n')
	if c := se.Caret(); c != "" {
		b.WriteString(strings.TrimRight(c, "\n"))
		b.WriteByte('\n')
	}
	return b.String()
}
