package state

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/sluicedb/sluice/internal/golden"
)

// TestScripts runs the command scripts in testdata/state/*.txt. Each block
// is one command line, a "----" line and the expected output, separated
// from the next block by a blank line; -rewrite regenerates the outputs.
//
// Comment lines are kept. Commands (times are integers, keys and values words; "-" is the empty
// key):
//
//	kv put K V | kv del K | kv get K | kv range LO HI | kv prefix P
//	win put K START V | win del K START | win get K START
//	win fetch K FROM TO | win scan FROM TO | win expire T
//	sess put K START END V | sess remove K START END
//	sess find K EARLIEST_END LATEST_START | sess scan | sess expire T
//	changes | commit | abort | crash
func TestScripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "state", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			cfgs := []storeConfig{{name: "cache", segInterval: 10}, {name: "nocache", disableCache: true, segInterval: 3}}
			if strings.HasPrefix(filepath.Base(file), "cache_") {
				// What reaches the changelog depends on the cache.
				cfgs = cfgs[:1]
			}
			for _, cfg := range cfgs {
				s := &sut{t: t, fs: vfs.NewMem(), cfg: cfg}
				s.open()
				got := runScript(t, s, file)
				s.db.Close()
				if golden.Rewriting() && cfg.name == "cache" {
					if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, _ := os.ReadFile(file)
				if got != string(want) {
					t.Errorf("%s (%s): output differs (run with -rewrite to accept):\n%s", file, cfg.name, got)
				}
			}
		})
	}
}

func runScript(t *testing.T, s *sut, file string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			out.WriteString(line + "\n")
			continue
		}
		// Skip the old expected output, which ends at a blank line.
		j := i + 1
		if j < len(lines) && lines[j] == "----" {
			for j < len(lines) && lines[j] != "" {
				j++
			}
		}
		out.WriteString(line + "\n----\n")
		res, err := s.script(strings.Fields(line))
		if err != nil {
			res = "error: " + err.Error()
		}
		if res != "" {
			out.WriteString(strings.TrimRight(res, "\n") + "\n")
		}
		out.WriteString("\n")
		i = j - 1
	}
	return strings.TrimRight(out.String(), "\n") + "\n"
}

func word(w string) []byte {
	if w == "-" {
		return []byte{}
	}
	return []byte(w)
}

func num(w string) int64 {
	n, err := strconv.ParseInt(w, 10, 64)
	if err != nil {
		panic(fmt.Sprintf("bad number %q", w))
	}
	return n
}

// sortWindows orders scan results by key, start and end: Scan's own order
// is by segment first, which depends on the segment interval.
func sortWindows(ws []Window) []Window {
	slices.SortFunc(ws, func(x, y Window) int {
		return cmp.Or(bytes.Compare(x.Key, y.Key), cmp.Compare(x.Start, y.Start), cmp.Compare(x.End, y.End))
	})
	return ws
}

func fmtWindows(ws []Window) string {
	if len(ws) == 0 {
		return "(none)"
	}
	var b strings.Builder
	for _, w := range ws {
		fmt.Fprintf(&b, "%s [%d,%d] %s\n", w.Key, w.Start, w.End, w.Value)
	}
	return b.String()
}

func (s *sut) script(f []string) (string, error) {
	if len(f) == 0 {
		return "", nil
	}
	found := func(v []byte, ok bool, err error) (string, error) {
		if err != nil || !ok {
			return "(not found)", err
		}
		return string(v), nil
	}
	expired := func(err error) (string, error) {
		if errors.Is(err, ErrExpired) {
			return "expired", nil
		}
		return "", err
	}
	switch strings.Join(f[:min(2, len(f))], " ") {
	case "kv put":
		return "", s.kv.Put(word(f[2]), word(f[3]))
	case "kv del":
		return "", s.kv.Delete(word(f[2]))
	case "kv get":
		return found(s.kv.Get(word(f[2])))
	case "kv range", "kv prefix":
		var b strings.Builder
		fn := func(k, v []byte) error {
			fmt.Fprintf(&b, "%s=%s\n", k, v)
			return nil
		}
		var err error
		if f[1] == "prefix" {
			err = s.kv.Prefix(word(f[2]), fn)
		} else {
			err = s.kv.Range(word(f[2]), word(f[3]), fn)
		}
		if b.Len() == 0 {
			return "(none)", err
		}
		return b.String(), err
	case "win put":
		return expired(s.win.Put(word(f[2]), num(f[3]), word(f[4])))
	case "win del":
		return "", s.win.Delete(word(f[2]), num(f[3]))
	case "win get":
		return found(s.win.Get(word(f[2]), num(f[3])))
	case "win fetch":
		ws, err := s.win.Fetch(word(f[2]), num(f[3]), num(f[4]))
		return fmtWindows(ws), err
	case "win scan":
		var ws []Window
		err := s.win.Scan(num(f[2]), num(f[3]), func(w Window) error {
			ws = append(ws, Window{Key: bytes.Clone(w.Key), Start: w.Start, End: w.End, Value: bytes.Clone(w.Value)})
			return nil
		})
		return fmtWindows(sortWindows(ws)), err
	case "win expire":
		return "", s.win.Expire(num(f[2]))
	case "sess put":
		return expired(s.sess.Put(word(f[2]), num(f[3]), num(f[4]), word(f[5])))
	case "sess remove":
		return "", s.sess.Remove(word(f[2]), num(f[3]), num(f[4]))
	case "sess find":
		ws, err := s.sess.FindSessions(word(f[2]), num(f[3]), num(f[4]))
		return fmtWindows(ws), err
	case "sess scan":
		var ws []Window
		err := s.sess.Scan(func(w Window) error {
			ws = append(ws, Window{Key: bytes.Clone(w.Key), Start: w.Start, End: w.End, Value: bytes.Clone(w.Value)})
			return nil
		})
		return fmtWindows(sortWindows(ws)), err
	case "sess expire":
		return "", s.sess.Expire(num(f[2]))
	case "changes":
		cs, err := s.task.Changes()
		var b strings.Builder
		for _, c := range cs {
			v := "<tombstone>"
			if c.Value != nil {
				v = fmt.Sprintf("%q", c.Value)
			}
			fmt.Fprintf(&b, "%s %x %s\n", c.Store, c.Key, v)
		}
		if b.Len() == 0 {
			return "(none)", err
		}
		return b.String(), err
	case "commit":
		err := s.task.Commit(Checkpoint{})
		cp, _, _ := s.task.Checkpoint()
		return fmt.Sprintf("seq=%d", cp.Seq), err
	case "abort":
		return "", s.task.Abort()
	case "crash":
		if err := s.db.Close(); err != nil {
			return "", err
		}
		s.open()
		return "", nil
	}
	return "", fmt.Errorf("unknown command %q", strings.Join(f, " "))
}
