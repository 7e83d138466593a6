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
	"github.com/sluicedb/sluice/internal/golden"
)

const (
	baselinePath   = "../testdata/conformance/baseline.json"
	scoreboardPath = "../docs/conformance.md"
)

// corpusDirs are the corpus folders the ratchet runs: the QTT cases, and
// the REST cases (RQTT), whose push queries the engine runs too.
var corpusDirs = []string{"qtt", "rqtt"}

// baseline is the ratchet the public corpus must not fall below, per
// corpus folder.
type baseline map[string]counts

// counts are one folder's recorded numbers: Passed tests, and CorePassed
// among the tests without windows, joins or aggregation that use only
// JSON, DELIMITED and KAFKA.
type counts struct {
	Passed     int `json:"passed"`
	CorePassed int `json:"core_passed"`
}

// TestCorpus runs the public corpus (qtt and rqtt) through the real engine
// and fails if fewer tests pass than the baseline recorded in
// testdata/conformance/baseline.json. It is a ratchet, not a target: when
// the engine gets better, `go test ./conformance -run TestCorpus -rewrite`
// records the new counts and regenerates docs/conformance.md; review the
// diff. It also fails when the harness itself could not set a test up.
func TestCorpus(t *testing.T) {
	root := corpustest.Dir(t)
	var base baseline
	if !golden.Rewriting() {
		raw, err := os.ReadFile(baselinePath)
		if err != nil {
			t.Fatalf("%v (run with -rewrite to record one)", err)
		}
		if err := json.Unmarshal(raw, &base); err != nil {
			t.Fatal(err)
		}
	}
	got := baseline{}
	var all []*Result
	for _, dir := range corpusDirs {
		files, err := LoadDir(filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		results := Run(context.Background(), Expand(files), Options{Open: OpenEngine, Timeout: time.Minute})
		all = append(all, results...)
		s := Summarize(results)
		got[dir] = counts{Passed: s.Passed, CorePassed: s.CorePassed}
		t.Logf("%s: %s in %s; core (no windows/joins/aggregation, JSON/DELIMITED/KAFKA): %d/%d pass (%.1f%%); rejected with another message: %d",
			dir, s.Line(), time.Since(start).Round(time.Millisecond), s.CorePassed, s.Core, s.CoreRate(), s.RejectedOther)
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
		if golden.Rewriting() {
			continue
		}
		want, ok := base[dir]
		if !ok {
			t.Errorf("no baseline for %s (run with -rewrite)", dir)
			continue
		}
		if s.Passed < want.Passed || s.CorePassed < want.CorePassed {
			var fails []string
			for _, r := range results {
				if r.Outcome == Fail {
					fails = append(fails, r.Line())
				}
			}
			t.Errorf("%s fell below the baseline: %d passed (baseline %d), %d core passed (baseline %d)\nfailures:\n%s",
				dir, s.Passed, want.Passed, s.CorePassed, want.CorePassed, strings.Join(fails, "\n"))
		} else if s.Passed > want.Passed {
			t.Logf("%s: %d more tests pass than the baseline: raise it with -rewrite", dir, s.Passed-want.Passed)
		}
	}
	if !golden.Rewriting() {
		return
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(baselinePath, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	var md strings.Builder
	if err := WriteScoreboard(&md, all); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(scoreboardPath, []byte(md.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
