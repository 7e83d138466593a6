package planner

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/internal/golden"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/types"
)

// memCatalog is the map-backed Catalog the tests plan against.
type memCatalog struct {
	mu      sync.Mutex
	sources map[string]*Source
	types   map[string]*types.Type
}

func newMemCatalog() *memCatalog {
	return &memCatalog{sources: map[string]*Source{}, types: map[string]*types.Type{}}
}

func (c *memCatalog) Source(name string) (*Source, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sources[name]
	return s, ok
}

func (c *memCatalog) Type(name string) (*types.Type, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.types[name]
	return t, ok
}

func (c *memCatalog) add(s *Source) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sources[s.Name] = s
}

// goldenSession runs statements the way the engine will: it keeps the
// catalog and the session properties between them.
type goldenSession struct {
	cat   *memCatalog
	props map[string]string
	n     int
}

// run plans one statement and renders what the planner decided.
func (g *goldenSession) run(sql string) string {
	st, err := parser.ParseStatement(sql)
	if err != nil {
		return "parse error: " + err.Error()
	}
	g.n++
	o := Options{Properties: g.props, QueryID: fmt.Sprintf("QUERY_%d", g.n)}
	switch st := st.(type) {
	case *ast.SetProperty:
		g.props[st.Name] = st.Value
		return "ok"
	case *ast.CreateType:
		t, err := ResolveType(st.Type, g.cat)
		if err != nil {
			return "error: " + err.Error()
		}
		g.cat.types[st.Name] = t
		return "type " + st.Name + " = " + t.String()
	case *ast.CreateSource:
		src, err := AnalyzeCreateSource(st, g.cat, o)
		if err != nil {
			return "error: " + err.Error()
		}
		if src.Partitions == 0 {
			src.Partitions = 1
		}
		g.cat.add(src)
		return describeSource(src)
	case *ast.AlterSource:
		src, err := AnalyzeAlterSource(st, g.cat)
		if err != nil {
			return "error: " + err.Error()
		}
		g.cat.add(src)
		return describeSource(src)
	case *ast.CreateAsSelect:
		p, err := PlanCreateAsSelect(st, g.cat, o)
		if err != nil {
			return "error: " + err.Error()
		}
		g.cat.add(p.Sink)
		return describeSource(p.Sink) + "\n" + Explain(p)
	case *ast.InsertInto:
		p, err := PlanInsertInto(st, g.cat, o)
		if err != nil {
			return "error: " + err.Error()
		}
		return Explain(p)
	case *ast.QueryStatement:
		p, err := PlanQuery(st.Query, g.cat, o)
		if err != nil {
			return "error: " + err.Error()
		}
		return Explain(p)
	case *ast.InsertValues:
		r, err := PlanInsertValues(st, g.cat, o)
		if err != nil {
			return "error: " + err.Error()
		}
		return describeRow(r)
	}
	return fmt.Sprintf("unsupported statement %T", st)
}

func describeSource(s *Source) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s)\n", s.Kind, s.Name, columnsText(s.Columns))
	fmt.Fprintf(&b, "  topic %s, partitions %d", s.Topic, s.Partitions)
	if s.Replicas > 0 {
		fmt.Fprintf(&b, ", replicas %d", s.Replicas)
	}
	fmt.Fprintf(&b, ", key %s%s, value %s%s", s.KeyFormat, optionsText(s.KeyOptions.Delimiter, s.KeyOptions.WrapSingleValue),
		s.ValueFormat, optionsText(s.ValueOptions.Delimiter, s.ValueOptions.WrapSingleValue))
	if s.TimestampColumn != "" {
		fmt.Fprintf(&b, ", timestamp %s", s.TimestampColumn)
		if s.TimestampFormat != "" {
			fmt.Fprintf(&b, " '%s'", s.TimestampFormat)
		}
	}
	if s.Window != nil {
		fmt.Fprintf(&b, ", window %s %dms", s.Window.Kind, s.Window.SizeMs)
	}
	if s.IsSource {
		b.WriteString(", read-only")
	}
	if len(s.HeaderKeys) > 0 {
		var ks []string
		for c, k := range s.HeaderKeys {
			ks = append(ks, c+"="+k)
		}
		sort.Strings(ks)
		fmt.Fprintf(&b, ", header keys %s", strings.Join(ks, " "))
	}
	return b.String()
}

func optionsText(delim string, wrap *bool) string {
	var parts []string
	if delim != "" {
		parts = append(parts, "delimiter '"+delim+"'")
	}
	if wrap != nil {
		parts = append(parts, fmt.Sprintf("wrap %t", *wrap))
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func describeRow(r *InsertRow) string {
	var parts []string
	for i, c := range r.Target.Columns {
		parts = append(parts, c.Name+"="+types.SQLLiteral(r.Values[i]))
	}
	out := "row " + strings.Join(parts, ", ")
	if r.HasRowtime {
		out += fmt.Sprintf(" rowtime=%d", r.Rowtime)
	}
	return out
}

// goldenCase is one statement of a golden file and its expected output.
type goldenCase struct {
	comments []string
	sql      string
	want     string
}

// parseGolden reads a golden file: comment lines (#), a statement ended by
// a line "----", the expected output ended by a line "====".
func parseGolden(t *testing.T, path string) []goldenCase {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []goldenCase
	var cur goldenCase
	var buf []string
	inWant := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case !inWant && line == "----":
			cur.sql = strings.Join(buf, "\n")
			buf, inWant = nil, true
		case inWant && line == "====":
			cur.want = strings.Join(buf, "\n")
			out = append(out, cur)
			cur, buf, inWant = goldenCase{}, nil, false
		case !inWant && strings.HasPrefix(line, "#"):
			cur.comments = append(cur.comments, line)
		case !inWant && strings.TrimSpace(line) == "":
		default:
			buf = append(buf, line)
		}
	}
	if inWant || len(buf) > 0 {
		t.Fatalf("%s: unterminated case at the end of the file", path)
	}
	return out
}

func writeGolden(path string, cases []goldenCase) error {
	var b strings.Builder
	for i, c := range cases {
		if i > 0 {
			b.WriteString("\n")
		}
		for _, l := range c.comments {
			b.WriteString(l + "\n")
		}
		b.WriteString(c.sql + "\n----\n" + c.want + "\n====\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// TestGolden plans the statements of every testdata/planner/*.txt file in
// order, in one session per file, and compares what the planner decided
// (source descriptions, EXPLAIN text, rows, errors) with the file.
// Regenerate with `go test ./planner -run TestGolden -rewrite`.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../testdata/planner/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cases := parseGolden(t, path)
			g := &goldenSession{cat: newMemCatalog(), props: map[string]string{}}
			changed := false
			for i := range cases {
				got := strings.TrimRight(g.run(cases[i].sql), "\n")
				if got != cases[i].want {
					if golden.Rewriting() {
						cases[i].want, changed = got, true
						continue
					}
					t.Errorf("%s\n----\ngot:\n%s\n\nwant:\n%s", cases[i].sql, got, cases[i].want)
				}
			}
			if changed {
				if err := writeGolden(path, cases); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
