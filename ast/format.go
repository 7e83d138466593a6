package ast

import (
	"strconv"
	"strings"
)

// Format returns the canonical SQL text of a statement, without the
// terminating semicolon. Parsing the result gives back the same tree (up to
// positions); tests check this for every statement of the conformance
// corpus.
func Format(s Statement) string {
	var f formatter
	f.statement(s)
	return f.b.String()
}

// FormatScript formats statements one after another, each ended by ";" and
// a newline, as `sluice fmt` prints a file.
func FormatScript(stmts []Statement) string {
	var b strings.Builder
	for _, s := range stmts {
		b.WriteString(Format(s))
		b.WriteString(";\n")
	}
	return b.String()
}

type formatter struct {
	b strings.Builder
}

// column is the length of the line being written so far.
func (f *formatter) column() int {
	s := f.b.String()
	return len(s) - strings.LastIndexByte(s, '\n') - 1
}

func (f *formatter) w(parts ...string) {
	for _, p := range parts {
		f.b.WriteString(p)
	}
}

func (f *formatter) statement(s Statement) {
	switch s := s.(type) {
	case *QueryStatement:
		f.query(s.Query)
	case *Show:
		f.w("SHOW ")
		switch {
		case s.Kind == ShowTopics && s.AllTopics:
			f.w("ALL TOPICS")
		case s.Kind == ShowConnectors && s.Scope == SourceConnector:
			f.w("SOURCE CONNECTORS")
		case s.Kind == ShowConnectors && s.Scope == SinkConnector:
			f.w("SINK CONNECTORS")
		default:
			f.w(s.Kind.String())
		}
		if s.Extended {
			f.w(" EXTENDED")
		}
	case *DescribeSources:
		if s.Kind == TableSource {
			f.w("DESCRIBE TABLES")
		} else {
			f.w("DESCRIBE STREAMS")
		}
		if s.Extended {
			f.w(" EXTENDED")
		}
	case *DescribeSource:
		f.w("DESCRIBE ", QuoteIdent(s.Name))
		if s.Extended {
			f.w(" EXTENDED")
		}
	case *DescribeFunction:
		f.w("DESCRIBE FUNCTION ", QuoteIdent(s.Name))
	case *DescribeConnector:
		f.w("DESCRIBE CONNECTOR ", QuoteIdent(s.Name))
	case *Print:
		f.w("PRINT ")
		if s.Quoted {
			f.w(QuoteString(s.Topic))
		} else {
			f.w(QuoteIdent(s.Topic))
		}
		if s.FromBeginning {
			f.w(" FROM BEGINNING")
		}
		if s.Interval != nil {
			f.w(" INTERVAL ", strconv.FormatInt(*s.Interval, 10))
		}
		if s.Limit != nil {
			f.w(" LIMIT ", strconv.FormatInt(*s.Limit, 10))
		}
	case *QueryControl:
		f.w(s.Action.String(), " ")
		if s.All {
			f.w("ALL")
		} else {
			f.w(QuoteIdent(s.QueryID))
		}
	case *SetProperty:
		if s.System {
			f.w("ALTER SYSTEM ")
		} else {
			f.w("SET ")
		}
		f.w(QuoteString(s.Name), "=", QuoteString(s.Value))
	case *UnsetProperty:
		f.w("UNSET ", QuoteString(s.Name))
	case *DefineVariable:
		f.w("DEFINE ", s.Name, " = ", QuoteString(s.Value))
	case *UndefineVariable:
		f.w("UNDEFINE ", s.Name)
	case *Explain:
		f.w("EXPLAIN ")
		if s.Statement != nil {
			f.statement(s.Statement)
		} else {
			f.w(QuoteIdent(s.QueryID))
		}
	case *CreateSource:
		f.w("CREATE ")
		if s.OrReplace {
			f.w("OR REPLACE ")
		}
		if s.IsSource {
			f.w("SOURCE ")
		}
		f.w(s.Kind.String(), " ")
		if s.IfNotExists {
			f.w("IF NOT EXISTS ")
		}
		f.w(QuoteIdent(s.Name))
		if len(s.Elements) > 0 {
			f.writeList(elements(s.Elements), " (", ")", len(formatProperties(s.Properties)))
		}
		f.properties(s.Properties)
	case *CreateAsSelect:
		f.w("CREATE ")
		if s.OrReplace {
			f.w("OR REPLACE ")
		}
		f.w(s.Kind.String(), " ")
		if s.IfNotExists {
			f.w("IF NOT EXISTS ")
		}
		f.w(QuoteIdent(s.Name))
		f.properties(s.Properties)
		f.w(" AS\n")
		f.query(s.Query)
	case *CreateConnector:
		f.w("CREATE ")
		if s.Scope == SinkConnector {
			f.w("SINK")
		} else {
			f.w("SOURCE")
		}
		f.w(" CONNECTOR ")
		if s.IfNotExists {
			f.w("IF NOT EXISTS ")
		}
		f.w(QuoteIdent(s.Name))
		f.properties(s.Properties)
	case *InsertInto:
		f.w("INSERT INTO ", QuoteIdent(s.Target))
		f.properties(s.Properties)
		f.w("\n")
		f.query(s.Query)
	case *InsertValues:
		f.w("INSERT INTO ", QuoteIdent(s.Target))
		if len(s.Columns) > 0 {
			f.w(" (")
			for i, c := range s.Columns {
				if i > 0 {
					f.w(", ")
				}
				f.w(QuoteIdent(c))
			}
			f.w(")")
		}
		f.w(" VALUES (")
		f.exprs(s.Values)
		f.w(")")
	case *DropSource:
		f.w("DROP ", s.Kind.String(), " ")
		if s.IfExists {
			f.w("IF EXISTS ")
		}
		f.w(QuoteIdent(s.Name))
		if s.DeleteTopic {
			f.w(" DELETE TOPIC")
		}
	case *DropConnector:
		f.w("DROP CONNECTOR ")
		if s.IfExists {
			f.w("IF EXISTS ")
		}
		f.w(QuoteIdent(s.Name))
	case *DropType:
		f.w("DROP TYPE ")
		if s.IfExists {
			f.w("IF EXISTS ")
		}
		f.w(QuoteIdent(s.Name))
	case *CreateType:
		f.w("CREATE TYPE ")
		if s.IfNotExists {
			f.w("IF NOT EXISTS ")
		}
		f.w(QuoteIdent(s.Name), " AS ", FormatType(s.Type))
	case *AlterSource:
		f.w("ALTER ", s.Kind.String(), " ", QuoteIdent(s.Name), " ")
		for i, c := range s.Columns {
			if i > 0 {
				f.w(", ")
			}
			f.w("ADD COLUMN ", QuoteIdent(c.Name), " ", FormatType(c.Type))
		}
	case *AssertTopic:
		f.w("ASSERT ")
		if s.NotExists {
			f.w("NOT EXISTS ")
		}
		f.w("TOPIC ", QuoteIdent(s.Topic))
		f.properties(s.Properties)
		f.timeout(s.Timeout)
	case *AssertSchema:
		f.w("ASSERT ")
		if s.NotExists {
			f.w("NOT EXISTS ")
		}
		f.w("SCHEMA")
		if s.Subject != nil {
			f.w(" SUBJECT ", QuoteIdent(*s.Subject))
		}
		if s.ID != nil {
			f.w(" ID ", strconv.FormatInt(*s.ID, 10))
		}
		f.timeout(s.Timeout)
	case *RunScript:
		f.w("RUN SCRIPT ", QuoteString(s.Path))
	default:
		panic("ast: unknown statement node")
	}
}

func (f *formatter) timeout(d *Duration) {
	if d != nil {
		f.w(" TIMEOUT ", FormatDuration(*d))
	}
}

// FormatDuration returns `n UNITS`, or `1 UNIT` for one.
func FormatDuration(d Duration) string {
	u := d.Unit.String()
	if d.Value == 1 {
		u = strings.TrimSuffix(u, "S")
	}
	return strconv.FormatInt(d.Value, 10) + " " + u
}

// lineWidth is where the formatter breaks a list over several lines.
const lineWidth = 100

// writeList writes items separated by commas: on one line when the line
// stays under lineWidth, else one item per indented line (the caller has
// written the opening text and writes the closing one).
//
// tail is the length of what will follow on the same line, so a list is
// also broken when what comes after it would make the line too long.
func (f *formatter) writeList(items []string, open, close string, tail int) {
	total := f.column() + len(open) + len(close) + tail
	for _, it := range items {
		total += len(it) + 2
		if strings.Contains(it, "\n") {
			total = lineWidth + 1
		}
	}
	if total <= lineWidth {
		f.w(open, strings.Join(items, ", "), close)
		return
	}
	f.w(strings.TrimRight(open, " "), "\n  ", strings.Join(items, ",\n  "))
	if close != "" {
		f.w("\n", strings.TrimLeft(close, " "))
	}
}

func elements(els []*TableElement) []string {
	out := make([]string, 0, len(els))
	for _, e := range els {
		s := QuoteIdent(e.Name) + " " + FormatType(e.Type)
		switch e.Constraint {
		case KeyColumn:
			s += " KEY"
		case PrimaryKeyColumn:
			s += " PRIMARY KEY"
		case HeadersColumn:
			s += " HEADERS"
		case HeaderColumn:
			s += " HEADER(" + QuoteString(e.HeaderKey) + ")"
		}
		out = append(out, s)
	}
	return out
}

func (f *formatter) properties(props []*Property) {
	f.w(formatProperties(props))
}

// formatProperties returns ` WITH (...)`, or "" when there are none.
func formatProperties(props []*Property) string {
	if len(props) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(" WITH (")
	for i, p := range props {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(QuoteIdent(p.Name))
		b.WriteByte('=')
		b.WriteString(FormatExpr(p.Value))
	}
	b.WriteByte(')')
	return b.String()
}

func (f *formatter) exprs(list []Expr) {
	for i, e := range list {
		if i > 0 {
			f.w(", ")
		}
		f.w(FormatExpr(e))
	}
}

func (f *formatter) query(q *Query) {
	items := make([]string, 0, len(q.Select))
	for _, it := range q.Select {
		switch it := it.(type) {
		case *SelectAll:
			if it.Source != "" {
				items = append(items, QuoteIdent(it.Source)+".*")
			} else {
				items = append(items, "*")
			}
		case *SelectStructAll:
			var b strings.Builder
			writePostfixBase(&b, it.Expr)
			items = append(items, b.String()+"->*")
		case *SelectExpr:
			s := FormatExpr(it.Expr)
			if it.Alias != "" {
				s += " AS " + QuoteIdent(it.Alias)
			}
			items = append(items, s)
		}
	}
	f.writeList(items, "SELECT ", "", 0)
	f.w("\nFROM ")
	f.source(q.From.Left)
	for _, j := range q.From.Joins {
		switch j.Type {
		case InnerJoin:
			f.w("\nINNER JOIN ")
		default:
			f.w("\n", j.Type.String(), " OUTER JOIN ")
		}
		f.source(j.Right)
		if w := j.Within; w != nil {
			f.w(" WITHIN ")
			if w.Symmetric {
				f.w(FormatDuration(w.Before))
			} else {
				f.w("(", FormatDuration(w.Before), ", ", FormatDuration(w.After), ")")
			}
			if w.Grace != nil {
				f.w(" GRACE PERIOD ", FormatDuration(*w.Grace))
			}
		}
		f.w(" ON ", FormatExpr(j.On))
	}
	if w := q.Window; w != nil {
		f.w("\nWINDOW ")
		if w.Name != "" {
			f.w(QuoteIdent(w.Name), " ")
		}
		f.w(w.Kind.String(), " (")
		switch w.Kind {
		case SessionWindow:
			f.w(FormatDuration(w.Size))
		case HoppingWindow:
			f.w("SIZE ", FormatDuration(w.Size), ", ADVANCE BY ", FormatDuration(w.Advance))
		default:
			f.w("SIZE ", FormatDuration(w.Size))
		}
		if w.Retention != nil {
			f.w(", RETENTION ", FormatDuration(*w.Retention))
		}
		if w.Grace != nil {
			f.w(", GRACE PERIOD ", FormatDuration(*w.Grace))
		}
		f.w(")")
	}
	if q.Where != nil {
		f.w("\nWHERE ", FormatExpr(q.Where))
	}
	if len(q.GroupBy) > 0 {
		f.w("\nGROUP BY ")
		f.valueExprs(q.GroupBy)
	}
	if len(q.PartitionBy) > 0 {
		f.w("\nPARTITION BY ")
		f.valueExprs(q.PartitionBy)
	}
	if q.Having != nil {
		f.w("\nHAVING ", FormatExpr(q.Having))
	}
	switch q.Emit {
	case EmitChanges:
		f.w("\nEMIT CHANGES")
	case EmitFinal:
		f.w("\nEMIT FINAL")
	}
	if q.Limit != nil {
		f.w("\nLIMIT ", strconv.FormatInt(*q.Limit, 10))
	}
}

// valueExprs writes GROUP BY / PARTITION BY items, which the grammar takes
// as value expressions: a predicate or boolean item needs parentheses.
func (f *formatter) valueExprs(list []Expr) {
	for i, e := range list {
		if i > 0 {
			f.w(", ")
		}
		var b strings.Builder
		writeOperand(&b, e, precConcat)
		f.w(b.String())
	}
}

func (f *formatter) source(s AliasedSource) {
	f.w(QuoteIdent(s.Name))
	if s.Alias != "" {
		f.w(" ", QuoteIdent(s.Alias))
	}
}
