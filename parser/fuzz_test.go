package parser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/conformance/corpus"
)

// FuzzParse feeds arbitrary text to the parser. Invariants: no internal
// error (recovered panic) ever; anything that parses formats to text that
// parses back to the same tree. Seeded from the golden inputs and the
// conformance corpus.
func FuzzParse(f *testing.F) {
	inputs, _ := filepath.Glob(filepath.Join(goldenDir, "*.sql"))
	for _, in := range inputs {
		src, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		for _, s := range strings.Split(string(src), ";") {
			f.Add(s)
		}
	}
	if errs, err := os.ReadFile(filepath.Join(goldenDir, "errors.txt")); err == nil {
		for _, s := range strings.Split(string(errs), "\n----\n") {
			f.Add(s)
		}
	}
	if _, err := corpus.DefaultDir(); err == nil {
		ok, failing := corpusStatements(f)
		for i, s := range ok {
			if i%7 == 0 { // a sample keeps the seed corpus fast to replay
				f.Add(s.sql)
			}
		}
		for _, s := range failing {
			f.Add(s.sql)
		}
	}
	f.Fuzz(func(t *testing.T, sql string) {
		stmts, err := ParseScript(sql)
		if _, internal := err.(*InternalError); internal {
			t.Fatalf("internal error on %q: %v", sql, err)
		}
		if err != nil {
			return
		}
		for _, s := range stmts {
			formatted := ast.Format(s.Statement)
			again, err := ParseStatement(formatted)
			if err != nil {
				t.Fatalf("formatted text does not parse:\ninput: %q\nformatted: %q\n%v", s.Text, formatted, err)
			}
			if a, b := ast.Dump(s.Statement), ast.Dump(again); a != b {
				t.Fatalf("round trip changed the tree:\ninput: %q\nformatted: %q", s.Text, formatted)
			}
		}
	})
}
