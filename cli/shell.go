package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// Options configure a Shell. Out and Err are required; the zero values of
// the rest are the defaults.
type Options struct {
	// Backend runs the statements; the shell does not close it.
	Backend Backend
	// Out receives results, Err errors (and, for JSON and CSV output,
	// status messages, so that Out stays machine-readable).
	Out, Err io.Writer
	// Format is the initial output format (--output).
	Format Format
	// Width is the terminal width push-query tables are fitted to; 0
	// means unlimited.
	Width int
	// HistoryFile is where the interactive shell keeps its history
	// across sessions; empty disables saving it.
	HistoryFile string
	// Version is shown in the banner and by `version`.
	Version string
}

// Shell is one analyst session: a backend, an output format, an optional
// spool file and the statement buffer of a multi-line statement.
type Shell struct {
	opt     Options
	backend Backend
	render  *renderer
	out     *tee
	errOut  *tee
	comp    *completer

	// mu guards cancel, the cancel function of the running statement,
	// which the SIGINT handler calls from another goroutine.
	mu     sync.Mutex
	cancel context.CancelFunc

	// depth counts nested RUN SCRIPT files, to stop a script running
	// itself forever.
	depth int
	// exit is set by `exit`/`quit`.
	exit bool
}

// New creates a shell.
func New(opt Options) *Shell {
	s := &Shell{opt: opt, backend: opt.Backend}
	s.out = &tee{w: opt.Out}
	s.errOut = &tee{w: opt.Err}
	s.render = &renderer{out: s.out, msg: s.errOut, format: opt.Format, width: opt.Width}
	s.comp = newCompleter(opt.Backend)
	return s
}

// tee writes to its writer and, while SPOOL is on, to the spool file too.
type tee struct {
	w     io.Writer
	spool io.Writer
}

func (t *tee) Write(p []byte) (int, error) {
	if t.spool != nil {
		t.spool.Write(p)
	}
	return t.w.Write(p)
}

// RunFile runs the statements read from r without a prompt, as `-f FILE`
// and `-f -` do. It returns the exit status: 0 when every statement ran,
// 1 at the first failure, which stops the run.
func (s *Shell) RunFile(ctx context.Context, r io.Reader) int {
	defer s.spoolOff()
	br := bufio.NewReader(r)
	var buf strings.Builder
	for {
		line, rerr := br.ReadString('\n')
		if line != "" {
			if buf.Len() == 0 && s.isClientCommand(line) {
				if err := s.clientCommand(ctx, line); err != nil {
					return s.fail(err)
				}
				if s.exit {
					return 0
				}
				continue
			}
			buf.WriteString(line)
			stmts, rest := splitStatements(buf.String())
			buf.Reset()
			if !onlyComments(rest) {
				buf.WriteString(rest)
			}
			for _, st := range stmts {
				if err := s.Statement(ctx, st); err != nil {
					return s.fail(err)
				}
				if s.exit {
					return 0
				}
				if ctx.Err() != nil {
					// Interrupted (Ctrl-C): the running query stopped;
					// the rest of the script must not run. 130 is what
					// shells report for a SIGINT.
					return 130
				}
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return s.fail(fmt.Errorf("cli: read input: %w", rerr))
		}
	}
	if rest := buf.String(); !onlyComments(rest) {
		return s.fail(fmt.Errorf("cli: incomplete statement at end of input (missing ';'): %s", strings.TrimSpace(rest)))
	}
	return 0
}

func (s *Shell) fail(err error) int {
	io.WriteString(s.errOut, formatError(err))
	return 1
}

// Statement runs one complete statement (or client-side command ending
// with ';') and renders its results; push queries stream until they end
// or ctx is cancelled.
func (s *Shell) Statement(ctx context.Context, stmt string) error {
	if s.isClientCommand(stmt) {
		return s.clientCommand(ctx, stmt)
	}
	w := firstWords(stmt, 2)
	if len(w) == 2 && w[0] == "RUN" && w[1] == "SCRIPT" {
		return s.runScript(ctx, stmt)
	}
	results, err := s.backend.Execute(ctx, stmt)
	for _, res := range results {
		if rerr := s.show(ctx, res); rerr != nil && err == nil {
			err = rerr
		}
	}
	if err == nil && s.comp != nil && changesCatalog(w) {
		s.comp.invalidate()
	}
	return err
}

// show renders one result, draining it when it is a stream.
func (s *Shell) show(ctx context.Context, res Result) error {
	switch r := res.(type) {
	case *Stream:
		return s.render.stream(ctx, r)
	case *Lines:
		return s.render.lines(ctx, r)
	default:
		s.render.result(res)
		return nil
	}
}

// changesCatalog reports whether a statement may add or remove names the
// completer offers.
func changesCatalog(w []string) bool {
	if len(w) == 0 {
		return false
	}
	switch w[0] {
	case "CREATE", "DROP", "ALTER", "RUN":
		return true
	}
	return false
}

// runScript is RUN SCRIPT 'file': the file's statements run as if typed,
// so their results show one by one and a push query in them streams.
func (s *Shell) runScript(ctx context.Context, stmt string) error {
	path, err := scriptPath(stmt)
	if err != nil {
		return err
	}
	if s.depth >= 16 {
		return &StatementError{Code: 40001, Statement: stmt, Message: "RUN SCRIPT nested too deeply (a script runs itself?)"}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return &StatementError{Code: 40001, Statement: stmt, Message: fmt.Sprintf("Failed to read file: %s", path)}
	}
	s.depth++
	defer func() { s.depth-- }()
	stmts, rest := splitStatements(string(data))
	if !onlyComments(rest) {
		stmts = append(stmts, strings.TrimSpace(rest))
	}
	for _, st := range stmts {
		if err := s.Statement(ctx, st); err != nil {
			return err
		}
		if s.exit {
			return nil
		}
	}
	return nil
}

// scriptPath takes the quoted file name out of RUN SCRIPT 'file'.
func scriptPath(stmt string) (string, error) {
	i := strings.IndexByte(stmt, '\'')
	if i < 0 {
		return "", &StatementError{Code: 40001, Statement: stmt, Message: "RUN SCRIPT needs a quoted file name: RUN SCRIPT 'file.sql';"}
	}
	end := skipQuoted(stmt, i, '\'')
	if end > len(stmt) || stmt[end-1] != '\'' || end-1 == i {
		return "", &StatementError{Code: 40001, Statement: stmt, Message: "RUN SCRIPT: unterminated file name"}
	}
	return strings.ReplaceAll(stmt[i+1:end-1], "''", "'"), nil
}

// setCancel records the cancel function of the running statement, for
// Interrupt; nil clears it.
func (s *Shell) setCancel(c context.CancelFunc) {
	s.mu.Lock()
	s.cancel = c
	s.mu.Unlock()
}

// Interrupt cancels the running statement, if any: Ctrl-C stops a push
// query, never the shell. It reports whether there was one.
func (s *Shell) Interrupt() bool {
	s.mu.Lock()
	c := s.cancel
	s.mu.Unlock()
	if c == nil {
		return false
	}
	c()
	return true
}
