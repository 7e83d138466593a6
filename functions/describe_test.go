package functions

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files under testdata/functions")

// TestDescribeGolden pins the SHOW FUNCTIONS listing and the DESCRIBE
// FUNCTION text of every built-in in testdata/functions/describe.txt, so a
// change to any signature or doc shows up as a reviewable diff. Run with
// -rewrite to regenerate.
func TestDescribeGolden(t *testing.T) {
	var b strings.Builder
	b.WriteString("# SHOW FUNCTIONS\n")
	for _, s := range Builtins().Show() {
		b.WriteString(s.Name + "\t" + s.Type + "\t" + s.Category + "\n")
	}
	for _, f := range Builtins().Functions() {
		b.WriteString("\n# DESCRIBE FUNCTION " + f.Name + "\n")
		b.WriteString(Describe(f).Text())
	}
	path := filepath.Join("..", "testdata", "functions", "describe.txt")
	if *rewrite {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -rewrite to create it)", err)
	}
	if got := b.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run with -rewrite and review the diff)", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: %d vs %d lines (run with -rewrite)", path, len(gl), len(wl))
	}
}
