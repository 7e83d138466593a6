package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

const shellScript = `CREATE STREAM orders (id INT KEY, item STRING, qty INT)
  WITH (kafka_topic='orders', value_format='JSON', partitions=1);
SET 'auto.offset.reset'='earliest';
INSERT INTO orders (id, item, qty) VALUES (1, 'apple', 3);
INSERT INTO orders (id, item, qty) VALUES (2, 'pear; ripe', 5); -- a ';' inside a string
SELECT id, item, qty FROM orders EMIT CHANGES LIMIT 2;
`

// shell runs `sluice <args>` in-process with stdin and returns the exit
// status, stdout and stderr.
func shell(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestShellFile(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "orders.sql", shellScript)
	code, out, errs := shell(t, "", "shell", "--data-dir", filepath.Join(dir, "data"), "-f", f)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{"Stream created", "|1          |apple               |3          |", "|2          |pear; ripe          |5          |", "Limit Reached"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}

func TestShellFileStopsAtFirstError(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	f := writeFile(t, dir, "bad.sql", `CREATE STREAM a (id INT KEY) WITH (kafka_topic='a', value_format='JSON', partitions=1);
SELECT nope FROM a EMIT CHANGES;
CREATE STREAM b (id INT KEY) WITH (kafka_topic='b', value_format='JSON', partitions=1);
`)
	code, _, errs := shell(t, "", "shell", "--data-dir", data, "-f", f)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, errs)
	}
	if !strings.Contains(errs, "SELECT column 'NOPE' cannot be resolved") || !strings.Contains(errs, "|        ^") {
		t.Errorf("stderr lacks the positioned error:\n%s", errs)
	}
	// The statement after the failure did not run: B does not exist.
	code, out, errs := shell(t, "SHOW STREAMS;\n", "shell", "--data-dir", data, "-f", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, " A ") || strings.Contains(out, " B ") {
		t.Errorf("want A and not B after the failed run:\n%s", out)
	}
}

func TestShellStdin(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	// -f - and a bare `sluice` with piped input behave the same.
	for _, args := range [][]string{{"shell", "-f", "-", "--data-dir", data}, {"--data-dir", data}} {
		if args[0] == "--data-dir" {
			// Bare `sluice` takes no arguments: use the environment.
			t.Setenv("SLUICE_DATA_DIR", filepath.Join(dir, "bare"))
			args = nil
		}
		code, out, errs := shell(t, shellScript, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, errs)
		}
		if !strings.Contains(out, "pear; ripe") {
			t.Errorf("%v: rows missing:\n%s", args, out)
		}
	}
}

func TestShellIncompleteStatement(t *testing.T) {
	code, _, errs := shell(t, "SHOW STREAMS;\nSHOW TABLES\n", "shell", "--data-dir", t.TempDir(), "-f", "-")
	if code != 1 || !strings.Contains(errs, "incomplete statement") {
		t.Fatalf("exit %d, stderr %q; want 1 and an incomplete-statement error", code, errs)
	}
}

func TestShellJSONOutput(t *testing.T) {
	code, out, errs := shell(t, shellScript, "shell", "--data-dir", t.TempDir(), "-f", "-", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// stdout holds only the rows, one JSON object per line; status
	// messages went to stderr.
	var rows []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("stdout line %q is not JSON: %v", sc.Text(), err)
		}
		rows = append(rows, m)
	}
	if len(rows) != 2 || rows[1]["ITEM"] != "pear; ripe" || rows[0]["QTY"] != float64(3) {
		t.Errorf("rows = %v", rows)
	}
	if !strings.Contains(errs, "Stream created") || !strings.Contains(errs, "Limit Reached") {
		t.Errorf("stderr lacks the messages:\n%s", errs)
	}
}

func TestShellSpool(t *testing.T) {
	dir := t.TempDir()
	spool := filepath.Join(dir, "session.log")
	in := "SPOOL " + spool + "\nSHOW STREAMS;\nSPOOL OFF\nSHOW TABLES;\n"
	code, _, errs := shell(t, in, "shell", "--data-dir", filepath.Join(dir, "data"), "-f", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(spool)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "Stream Name") || strings.Contains(string(b), "Table Name") {
		t.Errorf("spool should hold SHOW STREAMS only:\n%s", b)
	}
}

func TestShellBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"shell", "--output", "yaml"},
		{"shell", "extra"},
		{"shell", "--data-dir"},
	} {
		if code, _, _ := shell(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	// A server that is not there fails at once, before any prompt.
	code, _, errs := shell(t, "", "shell", "--server", "http://127.0.0.1:1", "-f", "-")
	if code != 1 || !strings.Contains(errs, "cannot reach") {
		t.Errorf("unreachable server: exit %d, stderr %q", code, errs)
	}
}

// TestShellPTYHelper is not a test: it is `sluice` itself, run by
// TestShellBareOnTerminal on a pseudo-terminal.
func TestShellPTYHelper(t *testing.T) {
	if os.Getenv("SLUICE_SHELL_PTY_HELPER") != "1" {
		t.Skip("helper process for TestShellBareOnTerminal")
	}
	os.Exit(run(nil, os.Stdin, os.Stdout, os.Stderr))
}

// TestShellBareOnTerminal runs a bare `sluice` on a terminal: it must
// start the interactive shell on $SLUICE_DATA_DIR with the history in the
// home directory, and leave on Ctrl-D with status 0.
func TestShellBareOnTerminal(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestShellPTYHelper$")
	cmd.Env = append(os.Environ(), "SLUICE_SHELL_PTY_HELPER=1", "HOME="+home, "SLUICE_DATA_DIR="+filepath.Join(dir, "data"), "TERM=xterm")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	var mu sync.Mutex
	var screen []byte
	notify := make(chan struct{}, 1)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			mu.Lock()
			screen = append(screen, buf[:n]...)
			mu.Unlock()
			select {
			case notify <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	mark := 0
	expect := func(want string) {
		t.Helper()
		deadline := time.NewTimer(60 * time.Second)
		defer deadline.Stop()
		for {
			mu.Lock()
			seen := string(screen[mark:])
			mu.Unlock()
			if i := strings.Index(seen, want); i >= 0 {
				mark += i + len(want)
				return
			}
			select {
			case <-notify:
			case <-deadline.C:
				cmd.Process.Kill()
				t.Fatalf("waited 60s for %q; screen after the last match:\n%s", want, seen)
			}
		}
	}
	expect("connected to embedded engine on " + filepath.Join(dir, "data"))
	expect("sluice> ")
	ptmx.WriteString("SHOW STREAMS;\r")
	expect("SLUICE_PROCESSING_LOG")
	expect("sluice> ") // readline is reading again: Ctrl-D is a key now
	ptmx.WriteString("\x04")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("sluice exited with %v", err)
	}
	h, err := os.ReadFile(filepath.Join(home, ".sluice_history"))
	if err != nil || !strings.Contains(string(h), "SHOW STREAMS;") {
		t.Errorf("history file: %q, %v", h, err)
	}
}
