package parser

import (
	"strconv"
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/parser/gen"
)

// builder turns a parse tree into an AST. Semantic errors found while
// building (a numeric literal out of range, say) abort the build through
// fail, which the parse entry points turn back into a returned error.
type builder struct{}

// bailout carries a build error up to the entry point's recover.
type bailout struct{ err *Error }

func (builder) fail(tok antlr.Token, msg string) {
	panic(bailout{&Error{Line: tok.GetLine(), Col: tok.GetColumn() + 1, Token: tok.GetText(), Message: msg}})
}

// failLiteral aborts on a numeric literal out of range, with the column
// ksqlDB prints for it (see Error.MessageCol).
func (builder) failLiteral(tok antlr.Token, msg string) {
	col := tok.GetColumn() + 1
	panic(bailout{&Error{Line: tok.GetLine(), Col: col, MessageCol: col + 1, Token: tok.GetText(), Message: msg}})
}

// failSemantic aborts with an error about meaning rather than syntax.
func (builder) failSemantic(p ast.Pos, msg string) {
	panic(bailout{&Error{Line: p.Line, Col: p.Col, Message: msg, Semantic: true}})
}

func pos(ctx antlr.ParserRuleContext) ast.Pos {
	t := ctx.GetStart()
	return ast.Pos{Line: t.GetLine(), Col: t.GetColumn() + 1}
}

func tokPos(t antlr.Token) ast.Pos {
	return ast.Pos{Line: t.GetLine(), Col: t.GetColumn() + 1}
}

func (b builder) statement(ctx gen.IStatementContext) ast.Statement {
	p := pos(ctx)
	switch c := ctx.(type) {
	case *gen.QueryStatementContext:
		return &ast.QueryStatement{Pos: p, Query: b.query(c.Query())}
	case *gen.ListTopicsContext:
		return &ast.Show{Pos: p, Kind: ast.ShowTopics, AllTopics: c.ALL() != nil, Extended: c.EXTENDED() != nil}
	case *gen.ListStreamsContext:
		return &ast.Show{Pos: p, Kind: ast.ShowStreams, Extended: c.EXTENDED() != nil}
	case *gen.ListTablesContext:
		return &ast.Show{Pos: p, Kind: ast.ShowTables, Extended: c.EXTENDED() != nil}
	case *gen.ListFunctionsContext:
		return &ast.Show{Pos: p, Kind: ast.ShowFunctions}
	case *gen.ListConnectorsContext:
		s := &ast.Show{Pos: p, Kind: ast.ShowConnectors}
		if c.SOURCE() != nil {
			s.Scope = ast.SourceConnector
		} else if c.SINK() != nil {
			s.Scope = ast.SinkConnector
		}
		return s
	case *gen.ListConnectorPluginsContext:
		return &ast.Show{Pos: p, Kind: ast.ShowConnectorPlugins}
	case *gen.ListTypesContext:
		return &ast.Show{Pos: p, Kind: ast.ShowTypes}
	case *gen.ListVariablesContext:
		return &ast.Show{Pos: p, Kind: ast.ShowVariables}
	case *gen.ListQueriesContext:
		return &ast.Show{Pos: p, Kind: ast.ShowQueries, Extended: c.EXTENDED() != nil}
	case *gen.ListPropertiesContext:
		return &ast.Show{Pos: p, Kind: ast.ShowProperties}
	case *gen.DescribeSourcesContext:
		k := ast.StreamSource
		if c.TABLES() != nil {
			k = ast.TableSource
		}
		return &ast.DescribeSources{Pos: p, Kind: k, Extended: c.EXTENDED() != nil}
	case *gen.DescribeFunctionContext:
		return &ast.DescribeFunction{Pos: p, Name: b.identifier(c.Identifier())}
	case *gen.DescribeConnectorContext:
		return &ast.DescribeConnector{Pos: p, Name: b.identifier(c.Identifier())}
	case *gen.DescribeSourceExtendedContext:
		// The older spelling, DESCRIBE EXTENDED name.
		return &ast.DescribeSource{Pos: p, Name: b.identifier(c.SourceName().Identifier()), Extended: true}
	case *gen.DescribeSourceContext:
		return &ast.DescribeSource{Pos: p, Name: b.identifier(c.SourceName().Identifier()), Extended: c.EXTENDED() != nil}
	case *gen.PrintTopicContext:
		s := &ast.Print{Pos: p}
		if c.String_() != nil {
			s.Topic, s.Quoted = b.str(c.String_()), true
		} else {
			s.Topic = b.identifier(c.Identifier())
		}
		pc := c.PrintClause()
		s.FromBeginning = pc.BEGINNING() != nil
		if ic := pc.IntervalClause(); ic != nil {
			s.Interval = b.int64Ptr(ic.IntegerLiteral())
		}
		if lc := pc.LimitClause(); lc != nil {
			s.Limit = b.int64Ptr(lc.IntegerLiteral())
		}
		return s
	case *gen.TerminateQueryContext:
		return b.queryControl(p, ast.Terminate, c.Identifier(), c.ALL())
	case *gen.PauseQueryContext:
		return b.queryControl(p, ast.Pause, c.Identifier(), c.ALL())
	case *gen.ResumeQueryContext:
		return b.queryControl(p, ast.Resume, c.Identifier(), c.ALL())
	case *gen.SetPropertyContext:
		return &ast.SetProperty{Pos: p, Name: b.str(c.String_(0)), Value: b.str(c.String_(1))}
	case *gen.AlterSystemPropertyContext:
		return &ast.SetProperty{Pos: p, System: true, Name: b.str(c.String_(0)), Value: b.str(c.String_(1))}
	case *gen.UnsetPropertyContext:
		return &ast.UnsetProperty{Pos: p, Name: b.str(c.String_())}
	case *gen.DefineVariableContext:
		return &ast.DefineVariable{Pos: p, Name: c.VariableName().GetText(), Value: b.str(c.String_())}
	case *gen.UndefineVariableContext:
		return &ast.UndefineVariable{Pos: p, Name: c.VariableName().GetText()}
	case *gen.ExplainContext:
		if c.Statement() != nil {
			return &ast.Explain{Pos: p, Statement: b.statement(c.Statement())}
		}
		return &ast.Explain{Pos: p, QueryID: b.identifier(c.Identifier())}
	case *gen.CreateStreamContext:
		return b.checkKeys(&ast.CreateSource{Pos: p, Kind: ast.StreamSource, OrReplace: c.REPLACE() != nil,
			IsSource: c.SOURCE() != nil, IfNotExists: c.EXISTS() != nil,
			Name: b.identifier(c.SourceName().Identifier()), Elements: b.tableElements(c.TableElements()),
			Properties: b.properties(c.WithProperties())})
	case *gen.CreateTableContext:
		return b.checkKeys(&ast.CreateSource{Pos: p, Kind: ast.TableSource, OrReplace: c.REPLACE() != nil,
			IsSource: c.SOURCE() != nil, IfNotExists: c.EXISTS() != nil,
			Name: b.identifier(c.SourceName().Identifier()), Elements: b.tableElements(c.TableElements()),
			Properties: b.properties(c.WithProperties())})
	case *gen.CreateStreamAsContext:
		return &ast.CreateAsSelect{Pos: p, Kind: ast.StreamSource, OrReplace: c.REPLACE() != nil,
			IfNotExists: c.EXISTS() != nil, Name: b.identifier(c.SourceName().Identifier()),
			Properties: b.properties(c.WithProperties()), Query: b.query(c.Query())}
	case *gen.CreateTableAsContext:
		return &ast.CreateAsSelect{Pos: p, Kind: ast.TableSource, OrReplace: c.REPLACE() != nil,
			IfNotExists: c.EXISTS() != nil, Name: b.identifier(c.SourceName().Identifier()),
			Properties: b.properties(c.WithProperties()), Query: b.query(c.Query())}
	case *gen.CreateConnectorContext:
		scope := ast.SourceConnector
		if c.SINK() != nil {
			scope = ast.SinkConnector
		}
		return &ast.CreateConnector{Pos: p, Scope: scope, IfNotExists: c.EXISTS() != nil,
			Name: b.identifier(c.Identifier()), Properties: b.properties(c.WithProperties())}
	case *gen.InsertIntoContext:
		return &ast.InsertInto{Pos: p, Target: b.identifier(c.SourceName().Identifier()),
			Properties: b.properties(c.WithProperties()), Query: b.query(c.Query())}
	case *gen.InsertValuesContext:
		s := &ast.InsertValues{Pos: p, Target: b.identifier(c.SourceName().Identifier())}
		for _, id := range c.GetColumns() {
			s.Columns = append(s.Columns, b.identifier(id))
		}
		for _, v := range c.GetValues() {
			s.Values = append(s.Values, b.expression(v))
		}
		return s
	case *gen.DropStreamContext:
		return &ast.DropSource{Pos: p, Kind: ast.StreamSource, IfExists: c.EXISTS() != nil,
			Name: b.identifier(c.SourceName().Identifier()), DeleteTopic: c.DELETE() != nil}
	case *gen.DropTableContext:
		return &ast.DropSource{Pos: p, Kind: ast.TableSource, IfExists: c.EXISTS() != nil,
			Name: b.identifier(c.SourceName().Identifier()), DeleteTopic: c.DELETE() != nil}
	case *gen.DropConnectorContext:
		return &ast.DropConnector{Pos: p, IfExists: c.EXISTS() != nil, Name: b.identifier(c.Identifier())}
	case *gen.DropTypeContext:
		return &ast.DropType{Pos: p, IfExists: c.EXISTS() != nil, Name: b.identifier(c.Identifier())}
	case *gen.RegisterTypeContext:
		return &ast.CreateType{Pos: p, IfNotExists: c.EXISTS() != nil, Name: b.identifier(c.Identifier()),
			Type: b.sqlType(c.SqlType())}
	case *gen.AlterSourceContext:
		k := ast.StreamSource
		if c.TABLE() != nil {
			k = ast.TableSource
		}
		s := &ast.AlterSource{Pos: p, Kind: k, Name: b.identifier(c.SourceName().Identifier())}
		for _, o := range c.AllAlterOption() {
			s.Columns = append(s.Columns, &ast.TableElement{Pos: pos(o), Name: b.identifier(o.Identifier()),
				Type: b.sqlType(o.SqlType())})
		}
		return s
	case *gen.AssertTopicContext:
		return &ast.AssertTopic{Pos: p, NotExists: c.EXISTS() != nil,
			Topic: b.identifierOrString(c.IdentifierOrString()), Properties: b.properties(c.WithProperties()),
			Timeout: b.timeout(c.TimeoutClause())}
	case *gen.AssertSchemaContext:
		s := &ast.AssertSchema{Pos: p, NotExists: c.EXISTS() != nil, Timeout: b.timeout(c.TimeoutClause())}
		if c.SUBJECT() != nil {
			subj := b.identifierOrString(c.IdentifierOrString())
			s.Subject = &subj
		}
		if c.ID() != nil {
			s.ID = b.int64Ptr(c.IntegerLiteral())
		}
		return s
	case *gen.RunScriptContext:
		return &ast.RunScript{Pos: p, Path: b.str(c.String_())}
	}
	b.fail(ctx.GetStart(), "Syntax Error\nunsupported statement")
	return nil
}

// checkKeys enforces, as ksqlDB's parser does, that streams declare KEY
// columns and tables PRIMARY KEY columns.
func (b builder) checkKeys(s *ast.CreateSource) ast.Statement {
	for _, e := range s.Elements {
		switch {
		case s.Kind == ast.TableSource && e.Constraint == ast.KeyColumn:
			b.failSemantic(e.Pos, "Column "+quoteBack(e.Name)+" is a 'KEY' column: please use 'PRIMARY KEY' for tables.\n"+
				"Tables have PRIMARY KEYs, which are unique and NON NULL.\n"+
				"Streams have KEYs, which have no uniqueness or NON NULL constraints.")
		case s.Kind == ast.StreamSource && e.Constraint == ast.PrimaryKeyColumn:
			b.failSemantic(e.Pos, "Column "+quoteBack(e.Name)+" is a 'PRIMARY KEY' column: please use 'KEY' for streams.\n"+
				"Tables have PRIMARY KEYs, which are unique and NON NULL.\n"+
				"Streams have KEYs, which have no uniqueness or NON NULL constraints.")
		}
	}
	return s
}

func quoteBack(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

func (b builder) queryControl(p ast.Pos, a ast.QueryControlAction, id gen.IIdentifierContext, all antlr.TerminalNode) ast.Statement {
	if all != nil {
		return &ast.QueryControl{Pos: p, Action: a, All: true}
	}
	return &ast.QueryControl{Pos: p, Action: a, QueryID: b.identifier(id)}
}

func (b builder) timeout(ctx gen.ITimeoutClauseContext) *ast.Duration {
	if ctx == nil {
		return nil
	}
	d := b.duration(ctx.Duration())
	return &d
}

func (b builder) tableElements(ctx gen.ITableElementsContext) []*ast.TableElement {
	if ctx == nil {
		return nil
	}
	var out []*ast.TableElement
	for _, e := range ctx.AllTableElement() {
		el := &ast.TableElement{Pos: pos(e), Name: b.identifier(e.Identifier()), Type: b.sqlType(e.SqlType())}
		switch c := e.ColumnConstraint().(type) {
		case nil:
		case *gen.PrimaryKeyConstraintContext:
			el.Constraint = ast.PrimaryKeyColumn
		case *gen.KeyConstraintContext:
			el.Constraint = ast.KeyColumn
		case *gen.HeadersConstraintContext:
			el.Constraint = ast.HeadersColumn
		case *gen.HeaderConstraintContext:
			el.Constraint = ast.HeaderColumn
			el.HeaderKey = b.str(c.String_())
		}
		out = append(out, el)
	}
	return out
}

func (b builder) properties(ctx gen.IWithPropertiesContext) []*ast.Property {
	if ctx == nil {
		return nil
	}
	var out []*ast.Property
	for _, pc := range ctx.AllProperty() {
		name := strings.ToUpper(b.identifierOrString(pc.IdentifierOrString()))
		var v ast.Expr
		if pc.MINUS() != nil {
			v = b.negatedLiteral(pc.MINUS().GetSymbol(), pc.Literal())
		} else {
			v = b.literal(pc.Literal())
		}
		out = append(out, &ast.Property{Pos: pos(pc), Name: name, Value: v})
	}
	return out
}

// negatedLiteral builds `-literal` in a WITH clause, where only numbers may
// carry a sign.
func (b builder) negatedLiteral(minus antlr.Token, ctx gen.ILiteralContext) ast.Expr {
	lit, ok := ctx.(*gen.NumericLiteralContext)
	if !ok {
		b.fail(ctx.GetStart(), "Syntax Error\nonly a number can follow '-'")
	}
	return b.number(lit.Number(), minus)
}

func (b builder) identifierOrString(ctx gen.IIdentifierOrStringContext) string {
	if ctx.String_() != nil {
		return b.str(ctx.String_())
	}
	return b.identifier(ctx.Identifier())
}

func (b builder) query(ctx gen.IQueryContext) *ast.Query {
	q := &ast.Query{Pos: pos(ctx)}
	for _, it := range ctx.AllSelectItem() {
		q.Select = append(q.Select, b.selectItem(it))
	}
	q.From = b.relation(ctx.GetFrom())
	if w := ctx.WindowExpression(); w != nil {
		q.Window = b.window(w)
	}
	if w := ctx.GetWhere(); w != nil {
		q.Where = b.booleanExpression(w)
	}
	if g := ctx.GroupBy(); g != nil {
		for _, e := range g.AllValueExpression() {
			q.GroupBy = append(q.GroupBy, b.valueExpression(e))
		}
		if len(q.GroupBy) == 0 {
			b.failSemantic(pos(g), "GROUP BY requires at least one expression")
		}
	}
	if pb := ctx.PartitionBy(); pb != nil {
		for _, e := range pb.AllValueExpression() {
			q.PartitionBy = append(q.PartitionBy, b.valueExpression(e))
		}
		if len(q.PartitionBy) == 0 {
			b.failSemantic(pos(pb), "PARTITION BY requires at least one expression")
		}
	}
	if h := ctx.GetHaving(); h != nil {
		q.Having = b.booleanExpression(h)
	}
	if m := ctx.ResultMaterialization(); m != nil {
		if m.FINAL() != nil {
			q.Emit = ast.EmitFinal
		} else {
			q.Emit = ast.EmitChanges
		}
	}
	if l := ctx.LimitClause(); l != nil {
		q.Limit = b.int64Ptr(l.IntegerLiteral())
	}
	return q
}

func (b builder) selectItem(ctx gen.ISelectItemContext) ast.SelectItem {
	p := pos(ctx)
	switch c := ctx.(type) {
	case *gen.SelectAllContext:
		return &ast.SelectAll{Pos: p}
	case *gen.SelectAllFromContext:
		return &ast.SelectAll{Pos: p, Source: b.identifier(c.Identifier())}
	case *gen.SelectStructAllContext:
		return &ast.SelectStructAll{Pos: p, Expr: b.primary(c.PrimaryExpression())}
	case *gen.SelectSingleContext:
		it := &ast.SelectExpr{Pos: p, Expr: b.expression(c.Expression())}
		if c.Identifier() != nil {
			it.Alias = b.identifier(c.Identifier())
		}
		return it
	}
	b.fail(ctx.GetStart(), "Syntax Error\nunsupported select item")
	return nil
}

func (b builder) relation(ctx gen.IRelationContext) *ast.Relation {
	r := &ast.Relation{Pos: pos(ctx)}
	switch c := ctx.(type) {
	case *gen.SingleRelationContext:
		r.Left = b.aliased(c.AliasedRelation())
	case *gen.JoinRelationContext:
		r.Left = b.aliased(c.GetLeft())
		for _, j := range c.AllJoinedSource() {
			r.Joins = append(r.Joins, b.join(j))
		}
	}
	return r
}

func (b builder) aliased(ctx gen.IAliasedRelationContext) ast.AliasedSource {
	s := ast.AliasedSource{Pos: pos(ctx), Name: b.identifier(ctx.SourceName().Identifier())}
	if ctx.Identifier() != nil {
		s.Alias = b.identifier(ctx.Identifier())
	}
	return s
}

func (b builder) join(ctx gen.IJoinedSourceContext) *ast.Join {
	j := &ast.Join{Pos: pos(ctx), Right: b.aliased(ctx.AliasedRelation()), On: b.booleanExpression(ctx.BooleanExpression())}
	switch ctx.JoinType().(type) {
	case *gen.LeftJoinContext:
		j.Type = ast.LeftJoin
	case *gen.RightJoinContext:
		j.Type = ast.RightJoin
	case *gen.FullJoinContext:
		j.Type = ast.FullJoin
	}
	if w := ctx.JoinWindow(); w != nil {
		jw := &ast.JoinWindow{Pos: pos(w)}
		switch s := w.JoinWindowSize().(type) {
		case *gen.SingleJoinWindowContext:
			jw.Symmetric = true
			jw.Before = b.duration(s.Duration())
			jw.After = jw.Before
		case *gen.BeforeAfterJoinWindowContext:
			jw.Before = b.duration(s.GetBefore())
			jw.After = b.duration(s.GetAfter())
		}
		if g := w.GracePeriodClause(); g != nil {
			d := b.duration(g.Duration())
			jw.Grace = &d
		}
		j.Within = jw
	}
	return j
}

func (b builder) window(ctx gen.IWindowExpressionContext) *ast.Window {
	w := &ast.Window{Pos: pos(ctx)}
	if ctx.Identifier() != nil {
		w.Name = b.identifier(ctx.Identifier())
	}
	var opts gen.IWindowOptionsContext
	switch s := ctx.WindowSpec().(type) {
	case *gen.TumblingWindowContext:
		w.Kind = ast.TumblingWindow
		w.Size = b.duration(s.Duration())
		opts = s.WindowOptions()
	case *gen.HoppingWindowContext:
		w.Kind = ast.HoppingWindow
		w.Size = b.duration(s.Duration(0))
		w.Advance = b.duration(s.Duration(1))
		opts = s.WindowOptions()
	case *gen.SessionWindowContext:
		w.Kind = ast.SessionWindow
		w.Size = b.duration(s.Duration())
		opts = s.WindowOptions()
	}
	for _, o := range opts.AllWindowOption() {
		switch o := o.(type) {
		case *gen.RetentionOptionContext:
			if w.Retention != nil {
				b.fail(o.GetStart(), "Syntax Error\nRETENTION is given twice")
			}
			d := b.duration(o.Duration())
			w.Retention = &d
		case *gen.GraceOptionContext:
			if w.Grace != nil {
				b.fail(o.GetStart(), "Syntax Error\nGRACE PERIOD is given twice")
			}
			d := b.duration(o.GracePeriodClause().Duration())
			w.Grace = &d
		}
	}
	return w
}

func (b builder) duration(ctx gen.IDurationContext) ast.Duration {
	d := ast.Duration{Pos: pos(ctx), Value: *b.int64Ptr(ctx.IntegerLiteral())}
	switch strings.ToUpper(ctx.TimeUnit().GetText()) {
	case "MILLISECOND", "MILLISECONDS":
		d.Unit = ast.Milliseconds
	case "SECOND", "SECONDS":
		d.Unit = ast.Seconds
	case "MINUTE", "MINUTES":
		d.Unit = ast.Minutes
	case "HOUR", "HOURS":
		d.Unit = ast.Hours
	case "DAY", "DAYS":
		d.Unit = ast.Days
	}
	return d
}

func (b builder) int64Ptr(ctx gen.IIntegerLiteralContext) *int64 {
	tok := ctx.INTEGER_VALUE().GetSymbol()
	v, err := strconv.ParseInt(tok.GetText(), 10, 64)
	if err != nil {
		b.failLiteral(tok, "Invalid numeric literal: "+tok.GetText())
	}
	return &v
}

func (b builder) sqlType(ctx gen.ISqlTypeContext) *ast.Type {
	p := pos(ctx)
	switch c := ctx.(type) {
	case *gen.ArrayTypeContext:
		return &ast.Type{Pos: p, Kind: ast.ArrayType, Elem: b.sqlType(c.SqlType())}
	case *gen.MapTypeContext:
		return &ast.Type{Pos: p, Kind: ast.MapType, Key: b.sqlType(c.GetKeyType()), Elem: b.sqlType(c.GetValueType())}
	case *gen.StructTypeContext:
		t := &ast.Type{Pos: p, Kind: ast.StructType}
		for _, f := range c.AllStructTypeField() {
			t.Fields = append(t.Fields, ast.TypeField{Pos: pos(f), Name: b.identifier(f.Identifier()), Type: b.sqlType(f.SqlType())})
		}
		return t
	case *gen.EmptyStructTypeContext:
		return &ast.Type{Pos: p, Kind: ast.StructType}
	case *gen.NamedTypeContext:
		t := &ast.Type{Pos: p, Kind: ast.NamedType, Name: b.identifier(c.Identifier())}
		for _, tp := range c.AllTypeParameter() {
			t.Params = append(t.Params, tp.GetText())
		}
		return t
	}
	b.fail(ctx.GetStart(), "Syntax Error\nunsupported type")
	return nil
}

// identifier applies ksqlDB's case rules: unquoted names are upper-cased,
// quoted names are kept as written (with doubled quotes undone).
func (b builder) identifier(ctx gen.IIdentifierContext) string {
	text := ctx.GetText()
	switch ctx.(type) {
	case *gen.QuotedIdentifierContext:
		return strings.ReplaceAll(text[1:len(text)-1], `""`, `"`)
	case *gen.BackQuotedIdentifierContext:
		return strings.ReplaceAll(text[1:len(text)-1], "``", "`")
	case *gen.VariableIdentifierContext:
		return text
	}
	return strings.ToUpper(text)
}

// str returns the value of a string literal.
func (b builder) str(ctx gen.IStringContext) string {
	return unquoteString(ctx.GetText())
}

func unquoteString(text string) string {
	return strings.ReplaceAll(text[1:len(text)-1], "''", "'")
}
