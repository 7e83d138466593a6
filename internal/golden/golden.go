// Package golden compares test output with files under testdata/ and,
// with the -rewrite flag, regenerates them. Every package's golden tests
// use it, so there is one flag, one diff message and one rule for
// creating files, instead of a copy per package.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite golden files (and other generated outputs) instead of comparing with them")

// Rewriting reports whether the test binary runs with -rewrite, for tests
// that regenerate outputs other than through Check (a scoreboard, a
// baseline).
func Rewriting() bool { return *rewrite }

// Check compares got with the file at path (relative to the test's
// package directory), or writes got there under -rewrite, creating its
// directory. A mismatch fails the test with the first differing line.
func Check(tb testing.TB, path, got string) {
	tb.Helper()
	if *rewrite {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run the test with -rewrite to create it)", err)
	}
	if line, g, w, ok := FirstDiff(got, string(want)); !ok {
		tb.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(review, then run the test with -rewrite)", path, line, g, w)
	}
}

// endOfText stands for a line past the end of one of the texts.
const endOfText = "(end of text)"

// FirstDiff returns the first line (1-based) where got and want differ,
// with both versions of it (endOfText past the end of either), or ok when
// they are equal.
func FirstDiff(got, want string) (line int, g, w string, ok bool) {
	if got == want {
		return 0, "", "", true
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		g, w = endOfText, endOfText
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return i + 1, g, w, false
		}
	}
	return 0, "", "", true // not reached: texts that differ differ in a line
}
