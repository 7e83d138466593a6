package conformance

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

// checkPost verifies a case's post-conditions and returns what does not
// hold ("" when all do). Sources are checked by name (the list is not
// exhaustive, as in ksqlDB): kind, schema (parsed and compared as types,
// so `INT` and `INTEGER` agree), key and value formats with window type and
// size, and the source flag. Topics: the blacklist and the existence and
// partition count of listed topics (Sluice's log keeps no per-topic format,
// so listed topic formats are checked through the sources only).
func checkPost(ctx context.Context, eng Engine, post *Post) string {
	for _, want := range post.Sources {
		src := sourceOnTopicName(eng, want.Name)
		if src == nil {
			return fmt.Sprintf("post: source %s does not exist", want.Name)
		}
		if want.Type != "" && !strings.EqualFold(want.Type, src.Kind.String()) {
			return fmt.Sprintf("post: source %s is a %s, want a %s", want.Name, strings.ToLower(src.Kind.String()), want.Type)
		}
		if want.Schema != "" {
			if d := compareSchema(want.Schema, src); d != "" {
				return fmt.Sprintf("post: source %s: %s", want.Name, d)
			}
		}
		if f := want.KeyFormat; f != nil {
			if f.Format != "" && !strings.EqualFold(f.Format, src.KeyFormat) {
				return fmt.Sprintf("post: source %s key format is %s, want %s", want.Name, src.KeyFormat, f.Format)
			}
			if d := compareWindow(f, src.Window); d != "" {
				return fmt.Sprintf("post: source %s: %s", want.Name, d)
			}
		}
		if f := want.ValueFormat; f != nil && f.Format != "" && !strings.EqualFold(f.Format, src.ValueFormat) {
			return fmt.Sprintf("post: source %s value format is %s, want %s", want.Name, src.ValueFormat, f.Format)
		}
		if want.IsSource != nil && *want.IsSource != src.IsSource {
			return fmt.Sprintf("post: source %s: IsSource is %v, want %v", want.Name, src.IsSource, *want.IsSource)
		}
	}
	if post.Topics == nil {
		return ""
	}
	topics, err := eng.Log().ListTopics(ctx)
	if err != nil {
		return "post: list topics: " + err.Error()
	}
	if bl := post.Topics.Blacklist; bl != "" {
		re, err := regexp.Compile("^(?:" + bl + ")$")
		if err != nil {
			return fmt.Sprintf("post: bad blacklist %q: %v", bl, err)
		}
		for _, t := range topics {
			if re.MatchString(t) {
				return fmt.Sprintf("post: topic %s matches the blacklist %q", t, bl)
			}
		}
	}
	for _, want := range post.Topics.Topics {
		desc, err := eng.Log().DescribeTopic(ctx, want.Name)
		if err != nil {
			return fmt.Sprintf("post: topic %s: %v", want.Name, err)
		}
		if want.Partitions > 0 && len(desc.Partitions) != want.Partitions {
			return fmt.Sprintf("post: topic %s has %d partitions, want %d", want.Name, len(desc.Partitions), want.Partitions)
		}
	}
	return ""
}

func compareWindow(f *PostFormat, w *planner.WindowInfo) string {
	if f.WindowType == "" {
		if w != nil {
			return fmt.Sprintf("key is windowed (%s), want not windowed", w.Kind)
		}
		return ""
	}
	if w == nil {
		return fmt.Sprintf("key is not windowed, want %s windows", f.WindowType)
	}
	if !strings.EqualFold(w.Kind.String(), f.WindowType) {
		return fmt.Sprintf("key has %s windows, want %s", w.Kind, f.WindowType)
	}
	if f.WindowSize != nil && *f.WindowSize != w.SizeMs {
		return fmt.Sprintf("window size is %d ms, want %d", w.SizeMs, *f.WindowSize)
	}
	return ""
}

// schemaColumn is one parsed column of a post-condition schema.
type schemaColumn struct {
	col       types.Column
	headerKey string
}

// parseSchema reads `ID INT KEY, NAME STRING` with the SQL parser, as the
// column list of a CREATE statement.
func parseSchema(schema string) ([]schemaColumn, error) {
	kind := "STREAM"
	if strings.Contains(strings.ToUpper(schema), "PRIMARY KEY") {
		kind = "TABLE"
	}
	st, err := parser.ParseStatement("CREATE " + kind + " POST_SCHEMA (" + schema + ") WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON');")
	if err != nil {
		return nil, err
	}
	cs, ok := st.(*ast.CreateSource)
	if !ok {
		return nil, fmt.Errorf("not a column list")
	}
	out := make([]schemaColumn, len(cs.Elements))
	for i, el := range cs.Elements {
		t, err := types.ParseType(ast.FormatType(el.Type), nil)
		if err != nil {
			return nil, fmt.Errorf("column %s: %v", el.Name, err)
		}
		out[i] = schemaColumn{
			col: types.Column{
				Name: el.Name, Type: t,
				Key:     el.Constraint == ast.KeyColumn || el.Constraint == ast.PrimaryKeyColumn,
				Headers: el.Constraint == ast.HeadersColumn || el.Constraint == ast.HeaderColumn,
			},
			headerKey: el.HeaderKey,
		}
	}
	return out, nil
}

// compareSchema compares a post-condition schema with a source's columns,
// in order.
func compareSchema(schema string, src *planner.Source) string {
	want, err := parseSchema(schema)
	if err != nil {
		return fmt.Sprintf("cannot parse expected schema %q: %v", schema, err)
	}
	got := src.Columns
	if len(got) != len(want) {
		return fmt.Sprintf("schema is %s, want %s", renderColumns(src), schema)
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.col.Name || !g.Type.Equal(w.col.Type) || g.Key != w.col.Key || g.Headers != w.col.Headers ||
			src.HeaderKeys[g.Name] != w.headerKey {
			return fmt.Sprintf("schema is %s, want %s", renderColumns(src), schema)
		}
	}
	return ""
}

func renderColumns(src *planner.Source) string {
	parts := make([]string, len(src.Columns))
	for i, c := range src.Columns {
		s := ast.QuoteIdent(c.Name) + " " + c.Type.String()
		switch {
		case c.Key && src.Kind == ast.TableSource:
			s += " PRIMARY KEY"
		case c.Key:
			s += " KEY"
		case c.Headers && src.HeaderKeys[c.Name] != "":
			s += " HEADER(" + ast.QuoteString(src.HeaderKeys[c.Name]) + ")"
		case c.Headers:
			s += " HEADERS"
		}
		parts[i] = s
	}
	return strings.Join(parts, ", ")
}
