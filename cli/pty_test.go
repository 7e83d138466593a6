package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chzyer/readline"
	"github.com/creack/pty"
)

// TestPTYHelperProcess is not a test: it is the shell that TestShellPTY
// starts, by running this test binary again on a pseudo-terminal.
func TestPTYHelperProcess(t *testing.T) {
	if os.Getenv("SLUICE_CLI_PTY_HELPER") != "1" {
		t.Skip("helper process for TestShellPTY")
	}
	ctx := context.Background()
	b, err := OpenEmbedded(ctx, os.Getenv("SLUICE_CLI_PTY_DATA"))
	if err != nil {
		os.Stdout.WriteString(err.Error() + "\n")
		os.Exit(3)
	}
	sh := New(Options{Backend: b, Out: os.Stdout, Err: os.Stdout, Version: "test",
		HistoryFile: os.Getenv("SLUICE_CLI_PTY_HISTORY"), Width: readline.GetScreenWidth()})
	code := sh.RunInteractive(ctx, Terminal{In: os.Stdin, Out: os.Stdout})
	b.Close()
	os.Exit(code)
}

// term is the test's side of a shell running on a pseudo-terminal: what
// it typed and what the shell drew, with waits that poll the screen
// output against a deadline.
type term struct {
	t      *testing.T
	ptmx   *os.File
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    []byte
	notify chan struct{}
	mark   int // expect searches output after mark
}

func startShell(t *testing.T, dataDir, history string) *term {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPTYHelperProcess$")
	cmd.Env = append(os.Environ(), "SLUICE_CLI_PTY_HELPER=1", "SLUICE_CLI_PTY_DATA="+dataDir, "SLUICE_CLI_PTY_HISTORY="+history, "TERM=xterm")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, ptmx: ptmx, cmd: cmd, notify: make(chan struct{}, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			tm.mu.Lock()
			tm.out = append(tm.out, buf[:n]...)
			tm.mu.Unlock()
			select {
			case tm.notify <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		ptmx.Close()
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return tm
}

func (tm *term) send(s string) {
	tm.t.Helper()
	if _, err := tm.ptmx.WriteString(s); err != nil {
		tm.t.Fatalf("write %q: %v", s, err)
	}
}

// expect waits until want appears after the mark, moves the mark past it
// and returns the output between the old mark and the end of the match.
func (tm *term) expect(want string) string {
	tm.t.Helper()
	deadline := time.NewTimer(60 * time.Second)
	defer deadline.Stop()
	for {
		tm.mu.Lock()
		seen := string(tm.out[tm.mark:])
		tm.mu.Unlock()
		if i := strings.Index(seen, want); i >= 0 {
			tm.mark += i + len(want)
			return seen[:i+len(want)]
		}
		select {
		case <-tm.notify:
		case <-deadline.C:
			tm.t.Fatalf("waited 60s for %q; the terminal shows after the last match:\n%s", want, seen)
		}
	}
}

// wait waits for the shell to exit and returns its status.
func (tm *term) wait() int {
	tm.t.Helper()
	done := make(chan error, 1)
	go func() { done <- tm.cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			tm.t.Fatal(err)
		}
		return 0
	case <-time.After(60 * time.Second):
		tm.t.Fatal("shell did not exit")
		return -1
	}
}

// TestShellPTY drives the interactive shell through a real terminal: a
// multi-line push query with LIMIT, Ctrl-C stopping a query but not the
// shell, Ctrl-C clearing pending input, Tab completion of a keyword and of
// a column name, Ctrl-D, and the history surviving into a second session.
func TestShellPTY(t *testing.T) {
	dir := t.TempDir()
	data, history := filepath.Join(dir, "data"), filepath.Join(dir, "history")
	tm := startShell(t, data, history)
	tm.expect("Ctrl-D to exit")
	tm.expect(prompt)

	tm.send("CREATE STREAM clicks (id INT KEY, nickname STRING)\r")
	tm.expect(contPrompt)
	tm.send("  WITH (kafka_topic='clicks', value_format='JSON', partitions=1);\r")
	tm.expect("Stream created")
	tm.send("SET 'auto.offset.reset'='earliest';\r")
	tm.expect("Successfully changed local property")
	for _, v := range []string{"(1, 'ann')", "(2, 'bob')", "(3, 'cy')"} {
		tm.send("INSERT INTO clicks (id, nickname) VALUES " + v + ";\r")
	}

	// A push query typed over two lines; the table shows its rows.
	tm.send("SELECT id, nickname\r")
	tm.expect(contPrompt)
	tm.send("FROM clicks EMIT CHANGES LIMIT 3;\r")
	screen := tm.expect("Limit Reached")
	for _, want := range []string{
		"|ID         |NICKNAME            |",
		"|1          |ann                 |",
		"|2          |bob                 |",
		"|3          |cy                  |",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("table lacks %q:\n%s", want, screen)
		}
	}

	// Ctrl-C stops a push query that would run forever, not the shell.
	tm.send("SELECT * FROM clicks EMIT CHANGES;\r")
	tm.expect("|3          |cy                  |")
	tm.send("\x03")
	tm.expect("Query terminated")
	tm.send("SHOW STREAMS;\r")
	tm.expect(" CLICKS ")

	// Ctrl-C at the prompt drops the pending statement.
	tm.send("SELECT garbage\r")
	tm.expect(contPrompt)
	tm.send("\x03")
	tm.send("SHOW TABLES;\r")
	if s := tm.expect("Table Name"); strings.Contains(s, "GARBAGE") {
		t.Errorf("the interrupted input was run:\n%s", s)
	}

	// Tab completes a keyword, and a column name learnt from DESCRIBE.
	// Tab is typed at the prompt, once readline has the terminal in raw
	// mode; typed ahead, the terminal would echo it before readline runs.
	tm.expect(prompt)
	tm.send("DESCRI\tclicks;\r")
	tm.expect("DESCRIBE clicks;")
	tm.expect("Kafka topic")
	tm.expect(prompt)
	tm.send("SELECT nick\t FROM clicks EMIT CHANGES LIMIT 1;\r")
	tm.expect("SELECT nickname  FROM clicks")
	tm.expect("|ann                 |")
	tm.expect("Limit Reached")
	tm.send("show streams;\r")
	tm.expect(" CLICKS ")
	// Keys that readline interprets (Ctrl-D here) are sent only once the
	// prompt is drawn: before that the terminal is in cooked mode, where
	// the line discipline would take Ctrl-D as end-of-file itself.
	tm.expect(prompt)
	tm.send("\x04") // Ctrl-D
	if code := tm.wait(); code != 0 {
		t.Fatalf("shell exited with %d", code)
	}
	h, err := os.ReadFile(history)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(h), "SELECT id, nickname FROM clicks EMIT CHANGES LIMIT 3;\n") {
		t.Errorf("history lacks the multi-line statement as one entry:\n%s", h)
	}

	// A second session on the same data and history: Up recalls the
	// previous session's last statement, and the stream is still there.
	tm = startShell(t, data, history)
	tm.expect(prompt)
	tm.send("\x1b[A\r")
	tm.expect("show streams;")
	tm.expect(" CLICKS ")
	tm.send("exit\r")
	if code := tm.wait(); code != 0 {
		t.Fatalf("second shell exited with %d", code)
	}
}
