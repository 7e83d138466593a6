package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"time"

	"github.com/sluicedb/sluice/conformance"
)

func init() {
	register("conformance", command{
		summary: "run ksqlDB test-case files (QTT) against the engine",
		run:     runConformance,
	})
}

const conformanceUsage = `usage: sluice conformance [PATH...] [--run REGEX] [--parallel N] [--timeout D] [--json FILE]
       sluice conformance --scoreboard RESULTS.json [--out FILE]

Reads ksqlDB QTT case files (files, or directories searched for *.json;
default: the corpus beside the repository, or $SLUICE_CONFORMANCE_DIR),
expands each case per format and config, runs it on a fresh engine with the
real commit log in a temporary directory, and prints one line per test
(PASS, FAIL or SKIP with the reason), the number of expected errors that
came with another message, the pass rate of tests without windows, joins
or aggregation that use only JSON/DELIMITED/KAFKA, and a final line
"N passed, M failed, K skipped". Tests run in parallel (default GOMAXPROCS).
The exit status is 1 when a test failed.

--json FILE writes the results as JSON; --scoreboard reads such a file and
writes the Markdown scoreboard (docs/conformance.md) to --out (default
standard output).`

// runConformance implements `sluice conformance`.
func runConformance(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	args, _, err := splitDataDir(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	jsonOut := fs.String("json", "", "write results as JSON to `FILE`")
	parallel := fs.Int("parallel", 0, "tests run at once (default GOMAXPROCS)")
	runPat := fs.String("run", "", "run only tests whose full name matches `REGEX`")
	timeout := fs.Duration("timeout", time.Minute, "time limit of one test")
	scoreboard := fs.String("scoreboard", "", "write the Markdown scoreboard from a --json `FILE`")
	out := fs.String("out", "", "where --scoreboard writes (default standard output)")
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				fmt.Fprintln(stdout, conformanceUsage)
				return 0
			}
			fmt.Fprintf(stderr, "sluice conformance: %v\n\n%s\n", err, conformanceUsage)
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}

	if *scoreboard != "" {
		return writeScoreboard(*scoreboard, *out, stdout, stderr)
	}

	var re *regexp.Regexp
	if *runPat != "" {
		if re, err = regexp.Compile(*runPat); err != nil {
			fmt.Fprintf(stderr, "sluice conformance: --run: %v\n", err)
			return 2
		}
	}
	if len(paths) == 0 {
		dir, err := conformance.DefaultDir()
		if err != nil {
			fmt.Fprintf(stderr, "sluice conformance: %v\n", err)
			return 2
		}
		paths = []string{dir}
	}
	var files []*conformance.File
	for _, p := range paths {
		fsFiles, err := loadCases(p)
		if err != nil {
			fmt.Fprintf(stderr, "sluice conformance: %v\n", err)
			return 2
		}
		files = append(files, fsFiles...)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	results := conformance.Run(ctx, conformance.Expand(files), conformance.Options{
		Open:     conformance.OpenEngine,
		Parallel: *parallel,
		Timeout:  *timeout,
		Run:      re,
		Report:   func(r *conformance.Result) { fmt.Fprintln(stdout, r.Line()) },
	})
	sum := conformance.Summarize(results)
	fmt.Fprintf(stdout, "expected errors rejected with another message: %d\n", sum.RejectedOther)
	fmt.Fprintf(stdout, "no windows, joins or aggregation, JSON/DELIMITED/KAFKA: %d/%d passed (%.1f%%)\n",
		sum.CorePassed, sum.Core, sum.CoreRate())
	fmt.Fprintln(stdout, sum.Line())
	if *jsonOut != "" {
		if err := conformance.WriteJSON(*jsonOut, results); err != nil {
			fmt.Fprintf(stderr, "sluice conformance: %v\n", err)
			return 2
		}
	}
	if sum.Failed > 0 {
		return 1
	}
	return 0
}

// loadCases reads a case file or every case file under a directory.
func loadCases(path string) ([]*conformance.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return conformance.LoadDir(path)
	}
	f, err := conformance.LoadFile(path)
	if err != nil {
		return nil, err
	}
	return []*conformance.File{f}, nil
}

func writeScoreboard(in, out string, stdout, stderr io.Writer) int {
	rep, err := conformance.ReadJSON(in)
	if err != nil {
		fmt.Fprintf(stderr, "sluice conformance: %v\n", err)
		return 2
	}
	w := stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			fmt.Fprintf(stderr, "sluice conformance: %v\n", err)
			return 2
		}
		defer f.Close()
		w = f
	}
	if err := conformance.WriteScoreboard(w, rep.Results); err != nil {
		fmt.Fprintf(stderr, "sluice conformance: %v\n", err)
		return 2
	}
	return 0
}
