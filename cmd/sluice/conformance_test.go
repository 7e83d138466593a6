package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConformanceCommand runs a few of the runner's own cases through the
// real engine: the per-test lines, the final line, the exit status, --json
// and --scoreboard.
func TestConformanceCommand(t *testing.T) {
	dir := t.TempDir()
	cases := "../../testdata/conformance/cases/fake.json"
	results := filepath.Join(dir, "results.json")

	var out, errOut bytes.Buffer
	code := run([]string{"conformance", cases, "--run", `copy per format|kafka key|disabled|not built`,
		"--parallel", "2", "--json", results}, strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"PASS fake - copy per format - JSON",
		"SKIP fake - copy per format - AVRO: format AVRO is not implemented yet",
		"SKIP fake - copy per format - PROTOBUF: format PROTOBUF is not implemented yet",
		"PASS fake - kafka key and value - some.flag=true",
		"PASS fake - kafka key and value - some.flag=false",
		// GROUP BY is "not built" only for the runner's fake engine; the
		// real engine aggregates.
		"PASS fake - not built",
		"SKIP fake - disabled: disabled in the corpus",
		"expected errors rejected with another message: 0",
		"no windows, joins or aggregation, JSON/DELIMITED/KAFKA: 3/4 passed (75.0%)",
		"4 passed, 0 failed, 3 skipped",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], w)
		}
	}

	md := filepath.Join(dir, "conformance.md")
	out.Reset()
	if code := run([]string{"conformance", "--scoreboard", results, "--out", md}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("--scoreboard exit %d: %s", code, errOut.String())
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "| cases/fake.json | 7 | 4 | 0 | 3 |") {
		t.Errorf("scoreboard lacks the file row:\n%s", b)
	}

	out.Reset()
	errOut.Reset()
	code = run([]string{"conformance", cases, "--run", "wrong output"}, strings.NewReader(""), &out, &errOut)
	if code != 1 || !strings.Contains(out.String(), "FAIL fake - wrong output: topic B record 0: value.NAME") ||
		!strings.HasSuffix(out.String(), "0 passed, 1 failed, 0 skipped\n") {
		t.Errorf("a failing test: exit %d, output:\n%s%s", code, out.String(), errOut.String())
	}

	for _, args := range [][]string{
		{"conformance", "--run", "("},
		{"conformance", filepath.Join(dir, "missing.json")},
		{"conformance", "--bogus"},
	} {
		out.Reset()
		errOut.Reset()
		if code := run(args, strings.NewReader(""), &out, &errOut); code != 2 {
			t.Errorf("%q: exit %d, want 2 (stderr %s)", args, code, errOut.String())
		}
	}
}
