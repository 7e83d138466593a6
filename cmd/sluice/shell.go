package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/chzyer/readline"
	"github.com/sluicedb/sluice/cli"
)

// shellVersion is what the shell's banner and `version` report.
const shellVersion = "0.1.0-dev"

func init() {
	register("shell", command{
		summary: "the interactive SQL shell (also `sluice` alone): embedded, or --server URL",
		run:     runShell,
	})
}

// runShell parses the shell's flags, picks the backend and runs the shell
// on the terminal, or over -f FILE / -f - / piped stdin without a prompt.
func runShell(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	args, dataDir, err := splitDataDir(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	fs := flag.NewFlagSet("shell", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "", "run statements on the server at `URL` (ksqlDB REST API) instead of an embedded engine")
	file := fs.String("f", "", "run the statements of `FILE` (- for stdin) and exit; non-zero exit status on the first error")
	output := fs.String("output", "tabular", "output `format`: tabular, json (one object per line) or csv")
	history := fs.String("history-file", "", "history `file` (default ~/.sluice_history, or in the data directory without a home)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sluice shell [--data-dir DIR | --server URL] [--output FORMAT] [-f FILE|-]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	format, err := cli.ParseFormat(*output)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var backend cli.Backend
	if *server != "" {
		r, err := cli.NewRemote(*server, nil)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		if _, err := r.Info(ctx); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		backend = r
	} else {
		e, err := cli.OpenEmbedded(ctx, dataDir)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		backend = e
	}
	defer backend.Close()

	opt := cli.Options{Backend: backend, Out: stdout, Err: stderr, Format: format, Version: shellVersion}
	in, isFile := stdin.(*os.File)
	interactive := *file == "" && isFile && readline.IsTerminal(int(in.Fd()))
	if !interactive {
		// Ctrl-C stops the run (and the running query) cleanly, so the
		// engine still closes and commits.
		sctx, cancel := signal.NotifyContext(ctx, os.Interrupt)
		defer cancel()
		src := stdin
		if *file != "" && *file != "-" {
			f, err := os.Open(*file)
			if err != nil {
				fmt.Fprintf(stderr, "sluice shell: %v\n", err)
				return 1
			}
			defer f.Close()
			src = f
		}
		return cli.New(opt).RunFile(sctx, src)
	}
	opt.HistoryFile = *history
	if opt.HistoryFile == "" {
		opt.HistoryFile = defaultHistoryFile(dataDir)
	}
	opt.Width = readline.GetScreenWidth()
	return cli.New(opt).RunInteractive(ctx, cli.Terminal{In: in, Out: stdout})
}

// defaultHistoryFile keeps the history in the user's home, shared by every
// data directory like a shell's; without a home it goes in the data
// directory.
func defaultHistoryFile(dataDir string) string {
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".sluice_history")
	}
	return filepath.Join(dataDir, "shell_history")
}
