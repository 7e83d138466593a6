package conformance

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/internal/golden"
)

// goldenLine is a result's line without what varies between runs (a
// panic's stack).
func goldenLine(r *Result) string {
	reason, _, _ := strings.Cut(r.Reason, "\n")
	if reason == "" {
		return fmt.Sprintf("%s %s [%s]", r.Outcome, r.Name, r.Kind)
	}
	return fmt.Sprintf("%s %s [%s]: %s", r.Outcome, r.Name, r.Kind, reason)
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	golden.Check(t, path, string(got))
}

// TestRunFake runs the runner's own cases against the fake engine and
// compares every verdict with a golden file: expansion names, PASS on
// matching outputs and expected errors, each kind of FAIL and SKIP, a
// panic and a hang that do not stop the run.
func TestRunFake(t *testing.T) {
	files, err := LoadDir("../testdata/conformance/cases")
	if err != nil {
		t.Fatal(err)
	}
	var reported []string
	results := Run(context.Background(), Expand(files), Options{
		Open:     openFake,
		Parallel: 4,
		Timeout:  2 * time.Second,
		TempDir:  t.TempDir(),
		Report:   func(r *Result) { reported = append(reported, r.Name) },
	})
	var b strings.Builder
	for i, r := range results {
		if reported[i] != r.Name {
			t.Errorf("report %d is %q, want %q (results must be reported in test order)", i, reported[i], r.Name)
		}
		fmt.Fprintln(&b, goldenLine(r))
	}
	fmt.Fprintln(&b, Summarize(results).Line())
	checkGolden(t, "../testdata/conformance/fake_run.golden", []byte(b.String()))

	for _, r := range results {
		if r.Kind == KindPanic && !strings.Contains(r.Reason, "goroutine") {
			t.Errorf("panic result carries no stack: %q", r.Reason)
		}
	}
}

func TestRunFilter(t *testing.T) {
	files, err := LoadDir("../testdata/conformance/cases")
	if err != nil {
		t.Fatal(err)
	}
	results := Run(context.Background(), Expand(files), Options{
		Open:    openFake,
		Run:     regexp.MustCompile(`copy per format - JSON$`),
		TempDir: t.TempDir(),
	})
	if len(results) != 1 || results[0].Outcome != Pass {
		for _, r := range results {
			t.Log(r.Line())
		}
		t.Fatalf("got %d results, want one PASS", len(results))
	}
}

func TestReportJSONRoundTrip(t *testing.T) {
	in := []*Result{
		{Name: "f - a", File: "qtt/f.json", Case: "a", Outcome: Pass, Stateless: true, CoreFormats: true},
		{Name: "f - b", File: "qtt/f.json", Case: "b", Outcome: Fail, Kind: KindRejectedOther, Reason: "x"},
		{Name: "g - c", File: "qtt/g.json", Case: "c", Outcome: Skip, Kind: KindFormat, Reason: "format AVRO is not implemented yet"},
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := WriteJSON(path, in); err != nil {
		t.Fatal(err)
	}
	rep, err := ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := Summarize(rep.Results).Line(); got != "1 passed, 1 failed, 1 skipped" {
		t.Errorf("summary after round trip: %q", got)
	}
	if rep.Summary.RejectedOther != 1 || rep.Summary.Core != 1 || rep.Summary.CorePassed != 1 {
		t.Errorf("summary counts: %+v", rep.Summary)
	}
	var md strings.Builder
	if err := WriteScoreboard(&md, rep.Results); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| qtt/f.json | 2 | 1 | 1 | 0 |", "| qtt/g.json | 1 | 0 | 0 | 1 |", "1 passed, 1 failed, 1 skipped", "(**100.0%**)"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("scoreboard lacks %q:\n%s", want, md.String())
		}
	}
}

func TestCauses(t *testing.T) {
	rs := []*Result{
		{Outcome: Fail, Kind: KindOutput, Reason: "topic OUTPUT record 3: value.X: got 1, want 2 (got ...)"},
		{Outcome: Fail, Kind: KindOutput, Reason: "topic OUTPUT record 7: value.X: got 5, want 9 (got ...)"},
		{Outcome: Fail, Kind: KindRejected, Reason: "statement 1 rejected: Source `A` does not exist."},
		{Outcome: Pass},
	}
	cs := Causes(rs, Fail)
	if len(cs) != 2 || cs[0].Count != 2 {
		t.Fatalf("causes: %+v", cs)
	}
	if want := "output: topic OUTPUT record N: value.X: got N, want N"; cs[0].Reason != want {
		t.Errorf("grouped reason %q, want %q", cs[0].Reason, want)
	}
}
