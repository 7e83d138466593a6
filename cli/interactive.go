package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/chzyer/readline"
)

const (
	prompt     = "sluice> "
	contPrompt = "     > "
)

// Terminal is what the interactive shell reads keys from and draws on.
// On a real terminal both are os.Stdin/os.Stdout; tests pass a pty.
type Terminal struct {
	In  io.ReadCloser
	Out io.Writer
}

// RunInteractive runs the shell on a terminal until exit, quit or Ctrl-D,
// and returns the exit status (always 0: a failed statement is reported
// and the session goes on).
//
// Ctrl-C while a statement runs arrives as SIGINT (readline has left raw
// mode by then) and cancels that statement only; Ctrl-C at the prompt is a
// key readline reports, and clears the pending input.
func (s *Shell) RunInteractive(ctx context.Context, term Terminal) int {
	defer s.spoolOff()
	rl, err := readline.NewEx(&readline.Config{
		Prompt:                 prompt,
		HistoryFile:            s.opt.HistoryFile,
		DisableAutoSaveHistory: true,
		HistorySearchFold:      true,
		AutoComplete:           s.comp,
		InterruptPrompt:        "^C",
		EOFPrompt:              "exit",
		Stdin:                  term.In,
		Stdout:                 term.Out,
		Stderr:                 term.Out,
	})
	if err != nil {
		return s.fail(err)
	}
	defer rl.Close()

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-sigs:
				s.Interrupt()
			case <-done:
				return
			}
		}
	}()

	io.WriteString(s.out, s.Banner())
	var buf strings.Builder
	for !s.exit {
		if buf.Len() == 0 {
			rl.SetPrompt(prompt)
		} else {
			rl.SetPrompt(contPrompt)
		}
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			buf.Reset()
			continue
		}
		if err != nil { // io.EOF: Ctrl-D on an empty line
			break
		}
		if buf.Len() == 0 {
			s.echo(prompt, line)
		} else {
			s.echo(contPrompt, line)
		}
		if buf.Len() == 0 && s.isClientCommand(line) {
			rl.SaveHistory(strings.TrimSpace(line))
			s.interactiveStatement(ctx, line)
			continue
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
		stmts, rest := splitStatements(buf.String())
		if len(stmts) == 0 {
			if onlyComments(buf.String()) {
				buf.Reset()
			}
			continue
		}
		consumed := strings.TrimSpace(buf.String()[:len(buf.String())-len(rest)])
		rl.SaveHistory(strings.Join(strings.Fields(consumed), " "))
		buf.Reset()
		if !onlyComments(rest) {
			buf.WriteString(rest)
		}
		for _, st := range stmts {
			s.interactiveStatement(ctx, st)
			if s.exit {
				break
			}
		}
	}
	return 0
}

// interactiveStatement runs one statement under a context that Ctrl-C
// cancels, and reports a failure without ending the session.
func (s *Shell) interactiveStatement(ctx context.Context, st string) {
	sctx, cancel := context.WithCancel(ctx)
	s.setCancel(cancel)
	err := s.Statement(sctx, st)
	s.setCancel(nil)
	cancel()
	if err != nil {
		io.WriteString(s.errOut, formatError(err))
	}
}
