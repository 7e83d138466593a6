package conformance

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/conformance/corpustest"
)

const (
	baselinePath   = "../testdata/conformance/baseline.json"
	scoreboardPath = "../docs/conformance.md"
)

// baseline is the ratchet the public corpus must not fall below.
type baseline struct {
	// Passed is the number of passing tests of the qtt corpus; CorePassed
	// the number among tests without windows, joins or aggregation that use
	// only JSON, DELIMITED and KAFKA.
	Passed     int `json:"passed"`
	CorePassed int `json:"core_passed"`
}

// TestCorpus runs the public QTT corpus through the real engine and fails
// if fewer tests pass than the baseline recorded in
// testdata/conformance/baseline.json. It is a ratchet, not a target: when
// the engine gets better, `go test ./conformance -run TestCorpus -rewrite`
// records the new counts and regenerates docs/conformance.md; review the
// diff. It also fails when the harness itself could not set a test up.
func TestCorpus(t *testing.T) {
	dir := filepath.Join(corpustest.Dir(t), "qtt")
	files, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	results := Run(context.Background(), Expand(files), Options{Open: OpenEngine, Timeout: time.Minute})
	s := Summarize(results)
	t.Logf("%s in %s; core (no windows/joins/aggregation, JSON/DELIMITED/KAFKA): %d/%d pass (%.1f%%); rejected with another message: %d",
		s.Line(), time.Since(start).Round(time.Millisecond), s.CorePassed, s.Core, s.CoreRate(), s.RejectedOther)
	for _, c := range Causes(results, Fail) {
		if c.Count < 2 {
			break
		}
		t.Logf("  %3d × %s (e.g. %s)", c.Count, c.Reason, c.Example)
	}
	for _, r := range results {
		if r.Kind == KindHarness {
			t.Errorf("harness could not run %s: %s", r.Name, r.Reason)
		}
	}

	if *rewrite {
		b, err := json.MarshalIndent(baseline{Passed: s.Passed, CorePassed: s.CorePassed}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(baselinePath, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		var md strings.Builder
		if err := WriteScoreboard(&md, results); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(scoreboardPath, []byte(md.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(baselinePath)
	if err != nil {
		t.Fatalf("%v (run with -rewrite to record one)", err)
	}
	var base baseline
	if err := json.Unmarshal(raw, &base); err != nil {
		t.Fatal(err)
	}
	if s.Passed < base.Passed || s.CorePassed < base.CorePassed {
		var fails []string
		for _, r := range results {
			if r.Outcome == Fail {
				fails = append(fails, r.Line())
			}
		}
		t.Errorf("conformance fell below the baseline: %d passed (baseline %d), %d core passed (baseline %d)\nfailures:\n%s",
			s.Passed, base.Passed, s.CorePassed, base.CorePassed, strings.Join(fails, "\n"))
	}
	if s.Passed > base.Passed {
		t.Logf("%d more tests pass than the baseline: raise it with -rewrite", s.Passed-base.Passed)
	}
}
