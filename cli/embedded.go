package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/engine"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/types"
)

// Embedded is the default backend: an engine running in the shell's own
// process on a data directory, so an analyst needs no server to start.
type Embedded struct {
	eng     *engine.Engine
	sess    *engine.Session
	dir     string
	ownsEng bool
}

// OpenEmbedded opens an engine on dir for the shell. The engine is opened
// client-side (RUN SCRIPT may read local files) and closed by Close.
func OpenEmbedded(ctx context.Context, dir string) (*Embedded, error) {
	eng, err := engine.Open(ctx, engine.Config{DataDir: dir, ClientSide: true})
	if err != nil {
		return nil, fmt.Errorf("cli: open %s: %w", dir, err)
	}
	return &Embedded{eng: eng, sess: eng.NewSession(), dir: dir, ownsEng: true}, nil
}

// NewEmbedded wraps an engine the caller opened and keeps owning; Close
// then leaves it running. Tests use it to share one engine.
func NewEmbedded(eng *engine.Engine) *Embedded {
	return &Embedded{eng: eng, sess: eng.NewSession(), dir: "(shared engine)"}
}

// Target implements Backend.
func (b *Embedded) Target() string { return "embedded engine on " + b.dir }

// Close implements Backend.
func (b *Embedded) Close() error {
	if b.ownsEng {
		return b.eng.Close()
	}
	return nil
}

// Execute implements Backend.
func (b *Embedded) Execute(ctx context.Context, stmt string) ([]Result, error) {
	res, err := b.sess.Execute(ctx, stmt)
	out := make([]Result, 0, len(res))
	for _, r := range res {
		out = append(out, fromEngine(r)...)
	}
	if err != nil {
		return out, fromEngineError(err, stmt)
	}
	return out, nil
}

// fromEngineError turns the engine's typed error into a StatementError,
// taking the position from the parser's error when the engine's has none.
func fromEngineError(err error, stmt string) error {
	var ee *engine.Error
	if !errors.As(err, &ee) {
		return err
	}
	se := &StatementError{Code: ee.Code, Statement: ee.Statement, Line: ee.Pos.Line, Col: ee.Pos.Col, Message: ee.Message}
	if se.Statement == "" {
		se.Statement = stmt
	}
	var pe *parser.Error
	if se.Line == 0 && errors.As(err, &pe) {
		se.Line, se.Col = pe.Line, pe.Col
	}
	if se.Line == 0 {
		se.Line, se.Col = positionFromMessage(se.Message)
	}
	return se
}

// fromEngine translates one engine result into the shell's model.
func fromEngine(r engine.Result) []Result {
	st := r.StatementText()
	switch r := r.(type) {
	case *engine.Status:
		return []Result{&Message{Statement: st, Text: r.Message}}
	case *engine.Warning:
		return []Result{&Message{Statement: st, Text: r.Message, Warning: true}}
	case *engine.PropertyChange:
		return []Result{&Message{Statement: st, Text: r.Message}}
	case *engine.AssertResult:
		return []Result{&Message{Statement: st, Text: engine.Text(r)}}
	case *engine.ScriptResult:
		var out []Result
		for _, sub := range r.Results {
			out = append(out, fromEngine(sub)...)
		}
		return out
	case *engine.SourceList:
		if len(r.Descriptions) > 0 {
			var out []Result
			for _, d := range r.Descriptions {
				out = append(out, describeSource(d))
			}
			return out
		}
		kind := "Stream"
		if strings.EqualFold(r.Kind, "TABLES") {
			kind = "Table"
		}
		t := &Table{Statement: st, Columns: []string{kind + " Name", "Kafka Topic", "Key Format", "Value Format", "Windowed"}}
		for _, s := range r.Sources {
			t.Rows = append(t.Rows, []string{s.Name, s.Topic, s.KeyFormat, s.ValueFormat, strconv.FormatBool(s.IsWindowed)})
		}
		return []Result{t}
	case *engine.QueryList:
		t := &Table{Statement: st, Columns: []string{"Query ID", "Query Type", "Status", "Sink Name", "Sink Kafka Topic", "Query String"}}
		for _, q := range r.Queries {
			t.Rows = append(t.Rows, []string{q.ID, q.Type, q.State, strings.Join(q.Sinks, ","), strings.Join(q.SinkTopics, ","), q.Statement})
		}
		return []Result{t}
	case *engine.TopicList:
		t := &Table{Statement: st, Columns: []string{"Kafka Topic", "Partitions", "Partition Replicas"}}
		for _, tp := range r.Topics {
			t.Rows = append(t.Rows, []string{tp.Name, strconv.Itoa(tp.Partitions), strconv.Itoa(tp.Replicas)})
		}
		return []Result{t}
	case *engine.FunctionList:
		t := &Table{Statement: st, Columns: []string{"Function Name", "Type", "Category"}}
		for _, f := range r.Functions {
			t.Rows = append(t.Rows, []string{f.Name, f.Type, f.Category})
		}
		return []Result{t}
	case *engine.FunctionDescription:
		return []Result{describeFunction(st, r)}
	case *engine.TypeList:
		names := make([]string, 0, len(r.Types))
		for n := range r.Types {
			names = append(names, n)
		}
		sort.Strings(names)
		t := &Table{Statement: st, Columns: []string{"Type Name", "Schema"}}
		for _, n := range names {
			t.Rows = append(t.Rows, []string{n, r.Types[n].String()})
		}
		return []Result{t}
	case *engine.PropertyList:
		t := &Table{Statement: st, Columns: []string{"Property", "Scope", "Value"}}
		for _, p := range r.Properties {
			t.Rows = append(t.Rows, []string{p.Name, p.Scope, p.Value})
		}
		return []Result{t}
	case *engine.VariableList:
		t := &Table{Statement: st, Columns: []string{"Variable Name", "Value"}}
		for _, v := range r.Variables {
			t.Rows = append(t.Rows, []string{v.Name, v.Value})
		}
		return []Result{t}
	case *engine.SourceDescription:
		return []Result{describeSource(r)}
	case *engine.Explanation:
		return []Result{explain(r)}
	case *engine.Rows:
		rows := &Rows{Statement: st, QueryID: r.QueryID, Columns: columns(r.Columns)}
		for _, row := range r.Rows {
			rows.Rows = append(rows.Rows, jsonRow(row))
		}
		return []Result{rows}
	case *engine.RowStream:
		next := r.NextRow
		var tomb bool
		return []Result{&Stream{
			Statement: st, QueryID: r.QueryID, Columns: columns(r.Columns),
			Next: func(ctx context.Context) ([]any, bool) {
				row, ok := next(ctx)
				if !ok {
					return nil, false
				}
				tomb = row.Tombstone
				return jsonRow(row.Values), true
			},
			Tombstone: func() bool { return tomb },
			Err:       r.Err, Close: r.Close, Limited: hasLimit(st),
		}}
	case *engine.PrintStream:
		return []Result{&Lines{Statement: st, Next: r.Next, Err: r.Err, Close: r.Close}}
	default:
		return []Result{&Message{Statement: st, Text: engine.Text(r)}}
	}
}

// hasLimit reports whether a push query or PRINT has a LIMIT, for the
// "Limit Reached" line at its end. A statement that does not parse here
// (it ran, so that should not happen) counts as unlimited.
func hasLimit(stmt string) bool {
	p, err := parser.ParseStatement(stmt)
	if err != nil {
		return false
	}
	switch p := p.(type) {
	case *ast.QueryStatement:
		return p.Query != nil && p.Query.Limit != nil
	case *ast.Print:
		return p.Limit != nil
	}
	return false
}

func columns(cs []types.Column) []Column {
	out := make([]Column, len(cs))
	for i, c := range cs {
		t := c.Type.String()
		if c.Key {
			t += " KEY"
		}
		out[i] = Column{Name: c.Name, Type: t}
	}
	return out
}

func jsonRow(row []any) []any {
	out := make([]any, len(row))
	for i, v := range row {
		out[i] = jsonValue(v)
	}
	return out
}

// jsonValue converts an engine value into the JSON model, the way ksqlDB's
// REST API writes it: DECIMAL as a number with its scale, temporal types as
// their text, BYTES as base64, STRUCT and MAP as ordered objects.
func jsonValue(v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case bool, string:
		return v
	case int32:
		return json.Number(strconv.FormatInt(int64(v), 10))
	case int64:
		return json.Number(strconv.FormatInt(v, 10))
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return types.Format(v)
		}
		return json.Number(types.FormatDouble(v))
	case []byte:
		return base64.StdEncoding.EncodeToString(v)
	case types.Decimal, *types.Decimal:
		return json.Number(types.Format(v))
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = jsonValue(e)
		}
		return out
	case *types.Map:
		o := &Object{}
		for i, k := range v.Keys {
			ks, ok := k.(string)
			if !ok {
				ks = types.Format(k)
			}
			o.Keys = append(o.Keys, ks)
			o.Values = append(o.Values, jsonValue(v.Values[i]))
		}
		return o
	case *types.Struct:
		o := &Object{}
		for i, f := range v.Type.Fields {
			o.Keys = append(o.Keys, f.Name)
			if i < len(v.Values) {
				o.Values = append(o.Values, jsonValue(v.Values[i]))
			} else {
				o.Values = append(o.Values, nil)
			}
		}
		return o
	default:
		return types.Format(v)
	}
}
