package golden

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFirstDiff(t *testing.T) {
	for _, tc := range []struct {
		got, want string
		line      int
		g, w      string
		ok        bool
	}{
		{"a\nb", "a\nb", 0, "", "", true},
		{"a\nb", "a\nc", 2, "b", "c", false},
		{"a\nb\nc", "a\nb", 3, "c", endOfText, false},
		{"a", "a\n", 2, endOfText, "", false},
		{"", "x", 1, "", "x", false},
	} {
		line, g, w, ok := FirstDiff(tc.got, tc.want)
		if line != tc.line || g != tc.g || w != tc.w || ok != tc.ok {
			t.Errorf("FirstDiff(%q, %q) = %d %q %q %v, want %d %q %q %v", tc.got, tc.want, line, g, w, ok, tc.line, tc.g, tc.w, tc.ok)
		}
	}
}

// fakeTB records a failure instead of stopping the test.
type fakeTB struct {
	testing.TB
	failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = format
}
func (f *fakeTB) Fatal(args ...any) { f.failed = "fatal" }

func TestCheck(t *testing.T) {
	if Rewriting() {
		t.Skip("compares only")
	}
	path := filepath.Join(t.TempDir(), "x.golden")
	if err := os.WriteFile(path, []byte("one\ntwo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := &fakeTB{TB: t}
	Check(ok, path, "one\ntwo\n")
	if ok.failed != "" {
		t.Fatalf("equal output failed: %s", ok.failed)
	}
	bad := &fakeTB{TB: t}
	Check(bad, path, "one\nthree\n")
	if bad.failed == "" {
		t.Fatal("a differing output passed")
	}
	missing := &fakeTB{TB: t}
	Check(missing, filepath.Join(t.TempDir(), "none.golden"), "x")
	if missing.failed == "" {
		t.Fatal("a missing golden file passed")
	}
}
