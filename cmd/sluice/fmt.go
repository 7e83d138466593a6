package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/parser"
)

func init() {
	register("fmt", command{
		summary: "print SQL statements in canonical form (like gofmt for SQL)",
		run:     runFmt,
	})
}

const fmtUsage = `usage: sluice fmt [FILE|-]

Reads SQL statements (from FILE, or standard input when FILE is - or absent)
and prints each in Sluice's canonical form, ended by ';'. Comments between
statements are kept; a statement with comments inside it is kept as written.
Invalid SQL prints a positioned error on standard error and exits with
status 1.`

// runFmt implements `sluice fmt`.
func runFmt(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	args, _, err := splitDataDir(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	name := "-"
	switch len(args) {
	case 0:
	case 1:
		name = args[0]
	default:
		fmt.Fprintln(stderr, fmtUsage)
		return 2
	}
	if name == "-h" || name == "--help" {
		fmt.Fprintln(stdout, fmtUsage)
		return 0
	}
	var src []byte
	if name == "-" {
		src, err = io.ReadAll(stdin)
	} else {
		src, err = os.ReadFile(name)
	}
	if err != nil {
		fmt.Fprintf(stderr, "sluice fmt: %v\n", err)
		return 1
	}
	script, err := parser.ParseFile(string(src))
	if err != nil {
		var perr *parser.Error
		if errors.As(err, &perr) {
			fmt.Fprintf(stderr, "%s: %v\n", displayName(name), err)
			fmt.Fprint(stderr, parser.Caret(string(src), perr))
		} else {
			fmt.Fprintf(stderr, "%s: %v\n", displayName(name), err)
		}
		return 1
	}
	fmt.Fprint(stdout, formatScript(script, displayName(name), stderr))
	return 0
}

// formatScript prints a script canonically, keeping its comments and the
// blank lines between statements. A statement with comments inside is
// printed as written (with a note on stderr), since reformatting it would
// drop them.
func formatScript(s *parser.Script, name string, stderr io.Writer) string {
	var b strings.Builder
	for _, st := range s.Statements {
		for _, c := range st.Comments {
			b.WriteString(c)
			b.WriteString("\n")
		}
		if st.HasInnerComments {
			fmt.Fprintf(stderr, "%s: line %d: statement kept as written: it has comments inside\n", name, st.Pos.Line)
			b.WriteString(st.Text)
		} else {
			b.WriteString(ast.Format(st.Statement))
		}
		b.WriteString(";\n")
	}
	for _, c := range s.Trailing {
		b.WriteString(c)
		b.WriteString("\n")
	}
	return b.String()
}

func displayName(name string) string {
	if name == "-" {
		return "<stdin>"
	}
	return name
}
