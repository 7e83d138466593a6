package planner

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/conformance/corpus"
	"github.com/sluicedb/sluice/conformance/corpustest"
)

// TestCorpusNoInternalErrors plans every statement of every ksqlDB case
// file (one session per case, statements in order) and fails if the
// planner ever panics or reports an internal error: whatever the corpus
// throws at it must be either planned or rejected with a user error. It
// also logs how many statements were planned and rejected.
func TestCorpusNoInternalErrors(t *testing.T) {
	dir := corpustest.Dir(t)
	files, err := corpus.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	planned, rejected, internal := 0, 0, 0
	for _, f := range files {
		for _, c := range f.Cases {
			g := &goldenSession{cat: newMemCatalog(), props: map[string]string{}}
			for k, v := range c.Properties {
				g.props[k] = fmt.Sprint(v)
			}
			for _, s := range c.Statements {
				s = strings.ReplaceAll(s, "{FORMAT}", "JSON")
				out := runNoPanic(t, g, s)
				switch {
				case strings.Contains(out, "internal error"):
					internal++
					t.Errorf("%s / %s: %s\n%s", filepath.Base(f.Path), c.Name, s, out)
				case strings.HasPrefix(out, "error: ") || strings.HasPrefix(out, "parse error: "):
					rejected++
				default:
					planned++
				}
			}
		}
	}
	t.Logf("%d statements planned, %d rejected, %d internal errors", planned, rejected, internal)
}

func runNoPanic(t *testing.T, g *goldenSession, sql string) (out string) {
	defer func() {
		if r := recover(); r != nil {
			out = fmt.Sprintf("internal error: panic: %v", r)
		}
	}()
	return g.run(sql)
}
