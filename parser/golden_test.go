package parser

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/internal/golden"
)

const goldenDir = "../testdata/parser"

// TestGoldenStatements parses each testdata/parser/*.sql script and compares,
// statement by statement, the AST dump and the formatted SQL with the
// .golden file beside it; the formatted SQL must also parse back to the same
// tree. Run with -rewrite to regenerate, then review the diff.
func TestGoldenStatements(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join(goldenDir, "*.sql"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs in %s: %v", goldenDir, err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			stmts, err := ParseScript(string(src))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var b strings.Builder
			for _, s := range stmts {
				b.WriteString("==== ")
				b.WriteString(strings.Join(strings.Fields(s.Text), " "))
				b.WriteString("\n")
				b.WriteString(ast.Dump(s.Statement))
				b.WriteString("---- formatted\n")
				b.WriteString(ast.Format(s.Statement))
				b.WriteString(";\n")
				if err := roundTrip(s.Text); err != nil {
					t.Errorf("round trip of %q: %v", s.Text, err)
				}
			}
			compareGolden(t, strings.TrimSuffix(in, ".sql")+".golden", b.String())
		})
	}
}

// TestGoldenErrors checks the messages, positions and hints of invalid
// statements (testdata/parser/errors.txt, cases separated by "----").
func TestGoldenErrors(t *testing.T) {
	in := filepath.Join(goldenDir, "errors.txt")
	src, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range strings.Split(string(src), "\n----\n") {
		c = strings.TrimSpace(c)
		b.WriteString("==== ")
		b.WriteString(c)
		b.WriteString("\n")
		_, err := ParseScript(c)
		var perr *Error
		switch {
		case err == nil:
			t.Errorf("%q parsed; an error was expected", c)
			b.WriteString("(no error)\n")
		case !errors.As(err, &perr):
			t.Errorf("%q: error of unexpected kind: %v", c, err)
		default:
			b.WriteString(err.Error())
			b.WriteString("\n")
			b.WriteString(Caret(c, perr))
		}
	}
	compareGolden(t, filepath.Join(goldenDir, "errors.golden"), b.String())
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	golden.Check(t, path, got)
}
