package main

import (
	"errors"
	"fmt"
	"io"
	"os"

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
and prints each in Sluice's canonical form, ended by ';'. Invalid SQL prints
a positioned error on standard error and exits with status 1.`

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
	stmts, err := parser.ParseScript(string(src))
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
	for _, s := range stmts {
		fmt.Fprint(stdout, ast.Format(s.Statement), ";\n")
	}
	return 0
}

func displayName(name string) string {
	if name == "-" {
		return "<stdin>"
	}
	return name
}
