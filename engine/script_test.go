package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/commitlog/vfs"
	"github.com/sluicedb/sluice/internal/golden"
)

// The script tests are data: each file under testdata/engine is a sequence
// of blocks, an input (SQL, or a !directive) and the expected output after
// a "----" line, ending at a blank line. Run with -rewrite to regenerate the
// outputs and review the diff.
//
// Directives:
//
//	!produce TOPIC        lines "key | value [| timestamp]", key "-" for none,
//	                      value "<null>" for a tombstone
//	!consume TOPIC        committed records of every partition
//	!wait                 WaitCaughtUp over all persistent queries
//	!restart              close the engine and open it again on the same log
//	!create-topic NAME N  create a topic with N partitions
//	!write FILE           write the following lines to FILE in a temporary
//	                      directory; $TMP in statements names it
//
// SQL blocks run through one session; a push query or PRINT must have a
// LIMIT, and its rows are collected until it ends.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("../testdata/engine/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no script files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runScriptFile(t, f) })
	}
}

type scriptBlock struct {
	input, want string
	// prefix is the comment and blank lines before the block, kept
	// verbatim when the file is rewritten.
	prefix []string
}

func parseScriptFile(t *testing.T, data string) (blocks []scriptBlock) {
	lines := strings.Split(strings.TrimSuffix(data, "\n"), "\n")
	var prefix []string
	for i := 0; i < len(lines); {
		if strings.TrimSpace(lines[i]) == "" || strings.HasPrefix(lines[i], "#") {
			prefix = append(prefix, lines[i])
			i++
			continue
		}
		var in []string
		for i < len(lines) && lines[i] != "----" {
			in = append(in, lines[i])
			i++
		}
		if i == len(lines) {
			t.Fatalf("block %q has no ---- line", strings.Join(in, "\n"))
		}
		i++
		var out []string
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
			out = append(out, lines[i])
			i++
		}
		blocks = append(blocks, scriptBlock{input: strings.Join(in, "\n"), want: strings.Join(out, "\n"), prefix: prefix})
		prefix = nil
	}
	return blocks
}

// testEnv is an engine on an in-memory commit log that survives restarts.
type testEnv struct {
	t    *testing.T
	log  *commitlog.Log
	e    *Engine
	s    *Session
	cfg  Config
	ctx  context.Context
	stop context.CancelFunc
	tmp  string
}

func newTestEnv(t *testing.T, cfg Config) *testEnv {
	t.Helper()
	l, err := commitlog.Open("data", commitlog.Options{FS: vfs.NewMemFS(), CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	env := &testEnv{t: t, log: l, cfg: cfg, ctx: ctx, stop: cancel, tmp: t.TempDir()}
	env.cfg.Log = l
	env.cfg.Now = func() time.Time { return time.UnixMilli(1_700_000_000_000) }
	env.open()
	t.Cleanup(func() {
		if env.e != nil {
			env.e.Close()
		}
		l.Close()
		cancel()
	})
	return env
}

func (env *testEnv) open() {
	env.t.Helper()
	e, err := Open(env.ctx, env.cfg)
	if err != nil {
		env.t.Fatal(err)
	}
	env.e, env.s = e, e.NewSession()
}

func (env *testEnv) restart() {
	env.t.Helper()
	if err := env.e.Close(); err != nil {
		env.t.Fatalf("close: %v", err)
	}
	env.open()
}

// run executes a block and renders what it did.
func (env *testEnv) run(input string) string {
	if strings.HasPrefix(input, "!") {
		return env.directive(input)
	}
	rs, err := env.s.Execute(env.ctx, strings.ReplaceAll(input, "$TMP", env.tmp))
	var out []string
	for _, r := range rs {
		out = append(out, env.render(r))
	}
	if err != nil {
		var ee *Error
		if !errors.As(err, &ee) {
			out = append(out, fmt.Sprintf("error (not *engine.Error %T): %v", err, err))
		} else {
			out = append(out, fmt.Sprintf("error %d at %s: %s", ee.Code, ee.Pos, ee.Message))
		}
	}
	if len(out) == 0 {
		return "ok"
	}
	// A blank line ends a block's output in the script files.
	text := strings.ReplaceAll(strings.Join(out, "\n"), "\n\n", "\n")
	return strings.ReplaceAll(text, env.tmp, "$TMP")
}

func (env *testEnv) render(r Result) string {
	ctx, cancel := context.WithTimeout(env.ctx, 20*time.Second)
	defer cancel()
	switch r := r.(type) {
	case *RowStream:
		defer r.Close()
		var b strings.Builder
		b.WriteString(Text(r))
		for {
			row, ok := r.Next(ctx)
			if !ok {
				break
			}
			b.WriteString("\n" + FormatRow(row))
		}
		if err := r.Err(); err != nil {
			b.WriteString("\nstream error: " + err.Error())
		}
		return b.String()
	case *PrintStream:
		defer r.Close()
		var b strings.Builder
		for {
			line, ok := r.Next(ctx)
			if !ok {
				break
			}
			b.WriteString(line + "\n")
		}
		if err := r.Err(); err != nil {
			b.WriteString("stream error: " + err.Error())
		}
		return strings.TrimRight(b.String(), "\n")
	}
	return Text(r)
}

func (env *testEnv) directive(input string) string {
	lines := strings.Split(input, "\n")
	f := strings.Fields(lines[0])
	switch f[0] {
	case "!restart":
		env.restart()
		return "ok"
	case "!wait":
		if err := env.e.WaitCaughtUp(env.ctx); err != nil {
			return "error: " + err.Error()
		}
		return "ok"
	case "!write":
		if err := os.WriteFile(filepath.Join(env.tmp, f[1]), []byte(strings.Join(lines[1:], "\n")), 0o644); err != nil {
			return "error: " + err.Error()
		}
		return "ok"
	case "!create-topic":
		n, _ := strconv.Atoi(f[2])
		if err := env.log.CreateTopic(env.ctx, f[1], broker.TopicConfig{Partitions: n}); err != nil {
			return "error: " + err.Error()
		}
		return "ok"
	case "!produce":
		for _, l := range lines[1:] {
			parts := strings.Split(l, " | ")
			rec := broker.Record{Value: []byte(parts[1]), Timestamp: 1}
			if parts[1] == "<null>" {
				rec.Value = nil // a tombstone
			}
			if parts[0] != "-" {
				rec.Key = []byte(parts[0])
			}
			if len(parts) > 2 {
				rec.Timestamp, _ = strconv.ParseInt(parts[2], 10, 64)
			}
			d, err := env.log.DescribeTopic(env.ctx, f[1])
			if err != nil {
				return "error: " + err.Error()
			}
			p := partitionFor(rec.Key, len(d.Partitions), &env.e.rr)
			if _, err := env.log.Append(env.ctx, broker.TopicPartition{Topic: f[1], Partition: p}, []broker.Record{rec}); err != nil {
				return "error: " + err.Error()
			}
		}
		return "ok"
	case "!consume":
		recs, err := consumeAll(env.ctx, env.log, f[1])
		if err != nil {
			return "error: " + err.Error()
		}
		var out []string
		for _, r := range recs {
			k := "-"
			if r.Key != nil {
				k = printBytes(r.Key)
			}
			out = append(out, fmt.Sprintf("%d: %s | %s | %d", r.Partition, k, printBytes(r.Value), r.Timestamp))
		}
		if len(out) == 0 {
			return "(empty)"
		}
		return strings.Join(out, "\n")
	}
	return "unknown directive " + f[0]
}

// consumeAll reads every committed record of a topic, partition by
// partition, copying them out of the readers' buffers.
func consumeAll(ctx context.Context, l broker.Log, topic string) ([]broker.Record, error) {
	d, err := l.DescribeTopic(ctx, topic)
	if err != nil {
		return nil, err
	}
	var out []broker.Record
	for _, p := range d.Partitions {
		r, err := l.NewReader(broker.TopicPartition{Topic: topic, Partition: p.Partition}, broker.ReaderOptions{Offset: broker.OffsetEarliest})
		if err != nil {
			return nil, err
		}
		for {
			recs, err := r.Fetch(ctx)
			if err != nil {
				r.Close()
				return nil, err
			}
			if len(recs) == 0 {
				break
			}
			for _, rec := range recs {
				c := rec
				c.Key = cloneBytes(rec.Key)
				c.Value = cloneBytes(rec.Value)
				out = append(out, c)
			}
		}
		r.Close()
	}
	return out, nil
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func runScriptFile(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blocks := parseScriptFile(t, string(data))
	// Files named client_*.txt run as the shell and headless mode do, with
	// client-side statements (RUN SCRIPT) allowed.
	env := newTestEnv(t, Config{ClientSide: strings.HasPrefix(filepath.Base(path), "client_")})
	var b strings.Builder
	failed := false
	for _, bl := range blocks {
		got := env.run(bl.input)
		if got != bl.want && !golden.Rewriting() {
			t.Errorf("%s:\n%s\n---- got:\n%s\n---- want:\n%s", filepath.Base(path), bl.input, got, bl.want)
			failed = true
		}
		for _, l := range bl.prefix {
			b.WriteString(l + "\n")
		}
		fmt.Fprintf(&b, "%s\n----\n%s\n", bl.input, got)
	}
	if golden.Rewriting() {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_ = failed
}
