package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "0", want: 0},
		{in: "268435456", want: 256 << 20},
		{in: "256MiB", want: 256 << 20},
		{in: "256mib", want: 256 << 20},
		{in: "300MB", want: 300_000_000},
		{in: "1g", want: 1 << 30},
		{in: "2 GiB", want: 2 << 30},
		{in: "512K", want: 512 << 10},
		{in: "10B", want: 10},
		{in: "", bad: true},
		{in: "MiB", bad: true},
		{in: "-5MiB", bad: true},
		{in: "1.5GiB", bad: true},
		{in: "99999999999GiB", bad: true},
	} {
		got, err := parseSize(tc.in)
		if (err != nil) != tc.bad || (!tc.bad && got != tc.want) {
			t.Errorf("parseSize(%q) = %d, %v; want %d (error %v)", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestMemoryLimitFlag(t *testing.T) {
	var m memoryLimit
	if err := m.Set("1MiB"); err == nil {
		t.Error("a limit below the minimum was accepted")
	}
	if err := m.Set("256MiB"); err != nil {
		t.Fatal(err)
	}
	if m.String() != "256MiB" {
		t.Errorf("String() = %q", m.String())
	}
	if got := memoryLimit(0).apply(); got != 0 {
		t.Errorf("no limit gave a state budget of %d", got)
	}
}

// TestRunMemoryLimit runs a script with --memory-limit given after the
// file, in both spellings, as a user would on a small edge node.
func TestRunMemoryLimit(t *testing.T) {
	for _, args := range [][]string{
		{"--memory-limit", "64MiB"},
		{"--memory-limit=64MiB"},
	} {
		dir := t.TempDir()
		script := filepath.Join(dir, "s.sql")
		if err := os.WriteFile(script, []byte("CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='s', value_format='JSON', partitions=1);\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		argv := append(append([]string{"run", script}, args...), "--until-caught-up", "--data-dir", filepath.Join(dir, "data"))
		if code := run(argv, nil, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d\n%s", argv, code, &stderr)
		}
		if !strings.Contains(stdout.String(), "Stream created") {
			t.Fatalf("%v: %s", argv, &stdout)
		}
	}
	debug.SetMemoryLimit(math.MaxInt64) // the test binary's default again
}
