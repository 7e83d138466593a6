package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sluicedb/sluice/engine"
	"github.com/sluicedb/sluice/parser"
)

func init() {
	register("run", command{
		summary: "run .sql files headless: persistent queries run until SIGINT/SIGTERM",
		run:     runCommand,
	})
}

// headlessOptions are the arguments of `sluice run`.
type headlessOptions struct {
	files         []string
	dataDir       string
	untilCaughtUp bool
	memory        memoryLimit
}

func runCommand(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	args, dir, err := splitDataDir(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sluice run FILE.sql... [--data-dir DIR] [--until-caught-up] [--memory-limit SIZE]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Executes the files' statements in order and keeps the persistent queries")
		fmt.Fprintln(stderr, "running until SIGINT or SIGTERM. Run again on the same data directory, it")
		fmt.Fprintln(stderr, "skips the statements it already applied and resumes every query.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	until := fs.Bool("until-caught-up", false, "process what the inputs hold at start, commit and exit")
	var memory memoryLimit
	fs.Var(&memory, "memory-limit", memoryLimitUsage)
	// Flags may come after the files (sluice run a.sql --until-caught-up),
	// which package flag alone does not allow; a flag that takes a value
	// takes the next argument unless written as --name=value.
	var flags, files []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			files = append(files, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	if err := fs.Parse(flags); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	files = append(files, fs.Args()...)
	if len(files) == 0 {
		fs.Usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runHeadless(ctx, headlessOptions{files: files, dataDir: dir, untilCaughtUp: *until, memory: memory}, stdout, stderr)
}

// isBoolFlag reports whether f takes no value (-name alone sets it).
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// runHeadless runs the files on an engine over dataDir. Without
// untilCaughtUp it returns when ctx is cancelled (the signal), after the
// engine has committed and shut down; with it, once every persistent query
// has processed what its inputs held.
func runHeadless(ctx context.Context, o headlessOptions, stdout, stderr io.Writer) int {
	scripts := make([][]parser.Parsed, len(o.files))
	for i, f := range o.files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "sluice run: %v\n", err)
			return 1
		}
		if scripts[i], err = parser.ParseScript(string(data)); err != nil {
			fmt.Fprintf(stderr, "sluice run: %s: %v\n", f, err)
			return 1
		}
	}
	e, err := engine.Open(ctx, engine.Config{
		DataDir:     o.dataDir,
		StateMemory: o.memory.apply(),
		ClientSide:  true,
		Logf:        func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) },
	})
	if err != nil {
		fmt.Fprintf(stderr, "sluice run: %v\n", err)
		return 1
	}
	code := func() int {
		s := e.NewSession()
		if err := s.ResumeApplied(ctx); err != nil {
			fmt.Fprintf(stderr, "sluice run: %v\n", err)
			return 1
		}
		for i, stmts := range scripts {
			for _, p := range stmts {
				if !runStatement(ctx, s, o.files[i], p, stdout, stderr) {
					return 1
				}
			}
		}
		if o.untilCaughtUp {
			if err := e.WaitCaughtUp(ctx); err != nil {
				fmt.Fprintf(stderr, "sluice run: %v\n", err)
				return 1
			}
			return 0
		}
		fmt.Fprintf(stdout, "%d persistent queries running; stop with Ctrl-C or SIGTERM\n", len(e.Catalog().Queries()))
		<-ctx.Done()
		return 0
	}()
	if err := e.Close(); err != nil {
		fmt.Fprintf(stderr, "sluice run: shutdown: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// runStatement executes one statement of a file and reports it. Errors are
// positioned in the file, not in the statement.
func runStatement(ctx context.Context, s *engine.Session, file string, p parser.Parsed, stdout, stderr io.Writer) bool {
	results, err := s.Execute(ctx, p.Text)
	for _, r := range results {
		switch r := r.(type) {
		case *engine.RowStream:
			r.Close()
			fmt.Fprintf(stderr, "%s:%s: push queries are not supported in headless mode: nobody reads their rows (use CREATE STREAM ... AS SELECT)\n", file, p.Pos)
			return false
		case *engine.PrintStream:
			r.Close()
			fmt.Fprintf(stderr, "%s:%s: PRINT is not supported in headless mode\n", file, p.Pos)
			return false
		}
		fmt.Fprintf(stdout, "%s:%s: %s\n", file, p.Pos, engine.Text(r))
	}
	if err != nil {
		line, col := p.Pos.Line, p.Pos.Col
		var ee *engine.Error
		if errors.As(err, &ee) && ee.Pos.Line > 0 {
			if ee.Pos.Line == 1 {
				col += ee.Pos.Col - 1
			} else {
				col = ee.Pos.Col
			}
			line += ee.Pos.Line - 1
		}
		fmt.Fprintf(stderr, "%s:%d:%d: %v\n", file, line, col, err)
		return false
	}
	return true
}
