package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/conformance/corpus"
	"github.com/sluicedb/sluice/conformance/corpustest"
)

// corpusStatements returns every statement of the corpus, split by whether
// its case expects an error. {FORMAT} placeholders are expanded to JSON:
// the parser does not care which format a WITH clause names.
func corpusStatements(t testing.TB) (ok, failing []corpusStatement) {
	dir := corpustest.Dir(t)
	files, err := corpus.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for _, c := range f.Cases {
			var stmts []corpusStatement
			for _, s := range c.Statements {
				s = strings.ReplaceAll(s, "{FORMAT}", "JSON")
				stmts = append(stmts, corpusStatement{file: filepath.Base(f.Path), test: c.Name, sql: s, expected: c.Expected()})
			}
			if c.Expected() != nil {
				failing = append(failing, stmts...)
			} else {
				ok = append(ok, stmts...)
			}
		}
	}
	return ok, failing
}

type corpusStatement struct {
	file, test, sql string
	expected        *corpus.ExpectedError
}

// TestCorpusRoundTrip checks that every statement of every case that does
// not expect an error parses, formats, and parses back to the same tree.
func TestCorpusRoundTrip(t *testing.T) {
	ok, _ := corpusStatements(t)
	failed := 0
	for _, s := range ok {
		if err := roundTrip(s.sql); err != nil {
			failed++
			if failed <= 20 {
				t.Logf("%s / %s:\n%s\n%v", s.file, s.test, s.sql, err)
			}
		}
	}
	rate := pct(len(ok)-failed, len(ok))
	t.Logf("round trip: %d of %d statements (%.2f%%)", len(ok)-failed, len(ok), rate)
	if rate < minRoundTripRate {
		t.Fatalf("round trip rate %.2f%% is below %.1f%%", rate, minRoundTripRate)
	}
	if n := InternalErrorCount(); n != 0 {
		t.Fatalf("%d internal errors", n)
	}
}

// roundTrip parses sql, formats it, parses the result and compares.
func roundTrip(sql string) error {
	stmt, err := ParseStatement(sql)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	formatted := ast.Format(stmt)
	again, err := ParseStatement(formatted)
	if err != nil {
		return fmt.Errorf("reparse of formatted text:\n%s\n%w", formatted, err)
	}
	if a, b := ast.Dump(stmt), ast.Dump(again); a != b {
		return fmt.Errorf("tree changed by formatting:\n%s\nbefore:\n%s\nafter:\n%s", formatted, a, b)
	}
	if f2 := ast.Format(again); f2 != formatted {
		return fmt.Errorf("formatting is not idempotent:\n%s\n%s", formatted, f2)
	}
	return nil
}

// TestCorpusParseErrors checks that cases ksqlDB rejects while parsing are
// rejected by the parser too, with ksqlDB's message. RUN SCRIPT is the one
// deliberate difference: ksqlDB's server does not parse it (it is a CLI
// command); Sluice parses it so the shell and headless mode can run
// scripts, and the engine rejects it on the server side.
func TestCorpusParseErrors(t *testing.T) {
	_, failing := corpusStatements(t)
	byCase := map[string][]corpusStatement{}
	var keys []string
	for _, s := range failing {
		k := s.file + " / " + s.test
		if _, seen := byCase[k]; !seen {
			keys = append(keys, k)
		}
		byCase[k] = append(byCase[k], s)
	}
	sort.Strings(keys)
	checked, parseRejected := 0, 0
	for _, k := range keys {
		stmts := byCase[k]
		exp := stmts[0].expected
		if !strings.HasSuffix(exp.Type, "ParseFailedException") {
			// Rejected later (planning/execution) in ksqlDB; statements
			// must still parse unless the parser is what rejects them.
			continue
		}
		if strings.Contains(exp.Message, "Unknown statement 'RUN'") {
			continue
		}
		checked++
		// Statements are numbered by line as ksqlDB's runner joins them.
		var firstErr error
		for i, s := range stmts {
			_, err := ParseStatement(strings.Repeat("\n", i) + s.sql)
			if err != nil {
				firstErr = err
				break
			}
		}
		if firstErr == nil {
			if exp.Message == "" || strings.Contains(exp.Message, "WINDOW_SIZE") {
				continue // a planner error in ksqlDB's parse phase; not syntax
			}
			t.Errorf("%s: expected a parse error %q, all statements parsed", k, exp.Message)
			continue
		}
		parseRejected++
		if !strings.Contains(firstErr.Error(), exp.Message) {
			t.Logf("%s: rejected, other message:\n  want %q\n  got  %q", k, exp.Message, firstErr.Error())
		}
	}
	t.Logf("parse-time rejections: %d of %d cases", parseRejected, checked)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if n := InternalErrorCount(); n != 0 && code == 0 {
		fmt.Fprintf(os.Stderr, "parser: %d internal errors during tests\n", n)
		code = 1
	}
	os.Exit(code)
}
