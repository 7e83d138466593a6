package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/internal/golden"
)

// transcript runs a script the way a user would type it, statement by
// statement, echoing each input after the prompt and carrying on after
// errors, so one golden file shows many renderings.
func transcript(ctx context.Context, sh *Shell, out *bytes.Buffer, script string) {
	var buf strings.Builder
	for _, line := range strings.SplitAfter(script, "\n") {
		if buf.Len() == 0 && sh.isClientCommand(line) {
			out.WriteString(prompt + strings.TrimSpace(line) + "\n")
			if err := sh.clientCommand(ctx, line); err != nil {
				out.WriteString(formatError(err))
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
			if onlyComments(strings.TrimSuffix(st, ";")) {
				continue
			}
			out.WriteString(prompt + stripComments(st) + "\n")
			if err := sh.Statement(ctx, st); err != nil {
				out.WriteString(formatError(err))
			}
		}
	}
}

// runGolden runs every testdata/cli/*.sql file through an embedded
// engine and compares the transcript with the .golden file beside it.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "cli", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			b, err := OpenEmbedded(ctx, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			var out bytes.Buffer
			// Errors and messages go to the same buffer so the transcript
			// reads in order.
			sh := New(Options{Backend: b, Out: &out, Err: &out, Width: 80})
			// The scripts name files relative to testdata/cli.
			wd, _ := os.Getwd()
			if err := os.Chdir(filepath.Dir(f)); err != nil {
				t.Fatal(err)
			}
			transcript(ctx, sh, &out, string(src))
			os.Chdir(wd)
			checkGolden(t, strings.TrimSuffix(f, ".sql")+".golden", out.String())
		})
	}
}

// checkGolden compares got with a golden file, or rewrites it.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	golden.Check(t, path, got)
}

// stripComments drops the comment lines before a statement, for echoing.
func stripComments(st string) string {
	lines := strings.Split(st, "\n")
	for len(lines) > 1 && strings.HasPrefix(strings.TrimSpace(lines[0]), "--") {
		lines = lines[1:]
	}
	return strings.Join(lines, "\n")
}
