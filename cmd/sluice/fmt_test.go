package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFmtCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "q.sql")
	if err := os.WriteFile(file, []byte("select a from s where b > ${min};\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		stdin      string
		code       int
		stdout     string
		stderrHave []string
	}{
		{name: "stdin", args: []string{"fmt"}, stdin: "show streams; describe x extended",
			stdout: "SHOW STREAMS;\nDESCRIBE X EXTENDED;\n"},
		{name: "dash", args: []string{"fmt", "-"}, stdin: "drop table t delete topic;",
			stdout: "DROP TABLE T DELETE TOPIC;\n"},
		{name: "file keeps variables", args: []string{"fmt", file, "--data-dir", dir},
			stdout: "SELECT A\nFROM S\nWHERE B > ${min};\n"},
		{name: "syntax error", args: []string{"fmt"}, stdin: "show streams;\nselec 1;", code: 1,
			stderrHave: []string{"<stdin>: line 2:1: Syntax Error", "Unknown statement 'selec'", "did you mean SELECT?", "   2 | selec 1;"}},
		{name: "missing file", args: []string{"fmt", filepath.Join(dir, "nope.sql")}, code: 1,
			stderrHave: []string{"sluice fmt:", "nope.sql"}},
		{name: "too many args", args: []string{"fmt", "a", "b"}, code: 2, stderrHave: []string{"usage: sluice fmt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tt.args, strings.NewReader(tt.stdin), &out, &errOut)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, errOut.String())
			}
			if tt.stdout != "" && out.String() != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), tt.stdout)
			}
			for _, s := range tt.stderrHave {
				if !strings.Contains(errOut.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut.String())
				}
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"frobnicate"}, strings.NewReader(""), &out, &errOut); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), `unknown command "frobnicate"`) {
		t.Errorf("stderr: %s", errOut.String())
	}
}

func TestSplitDataDir(t *testing.T) {
	t.Setenv("SLUICE_DATA_DIR", "")
	tests := []struct {
		args []string
		rest string
		dir  string
	}{
		{[]string{"a", "--data-dir", "/d", "b"}, "a b", "/d"},
		{[]string{"--data-dir=/e", "a"}, "a", "/e"},
		{[]string{"a"}, "a", "./sluice-data"},
	}
	for _, tt := range tests {
		rest, dir, err := splitDataDir(tt.args)
		if err != nil || strings.Join(rest, " ") != tt.rest || dir != tt.dir {
			t.Errorf("splitDataDir(%v) = %v, %q, %v", tt.args, rest, dir, err)
		}
	}
	if _, _, err := splitDataDir([]string{"--data-dir"}); err == nil {
		t.Error("--data-dir without a value accepted")
	}
	t.Setenv("SLUICE_DATA_DIR", "/env")
	if _, dir, _ := splitDataDir(nil); dir != "/env" {
		t.Errorf("SLUICE_DATA_DIR ignored: %q", dir)
	}
}

// TestFmtKeepsComments checks that comments and blank lines between
// statements survive, that a statement with inner comments is kept as
// written, and that formatting is idempotent.
func TestFmtKeepsComments(t *testing.T) {
	src := "-- header\n\nselect 1 from s; -- after\n\n\n/* block */\nselect /* inner */ 2 from s;\n-- end\n"
	want := "-- header\n\nSELECT 1\nFROM S;\n-- after\n\n/* block */\nselect /* inner */ 2 from s;\n-- end\n"
	var out, errOut bytes.Buffer
	if code := run([]string{"fmt"}, strings.NewReader(src), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if out.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out.String(), want)
	}
	if !strings.Contains(errOut.String(), "line 7: statement kept as written") {
		t.Errorf("no note about the inner comment: %q", errOut.String())
	}
	for _, in := range []string{want, mustRead(t, "../../examples/edge/edge.sql")} {
		var first, second bytes.Buffer
		run([]string{"fmt"}, strings.NewReader(in), &first, &errOut)
		run([]string{"fmt"}, strings.NewReader(first.String()), &second, &errOut)
		if first.String() != second.String() {
			t.Errorf("not idempotent:\n%s\nthen:\n%s", first.String(), second.String())
		}
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
