package parser

import (
	"math"
	"strconv"

	"github.com/antlr4-go/antlr/v4"
	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/parser/gen"
)

func (b builder) expression(ctx gen.IExpressionContext) ast.Expr {
	return b.booleanExpression(ctx.BooleanExpression())
}

func (b builder) booleanExpression(ctx gen.IBooleanExpressionContext) ast.Expr {
	p := pos(ctx)
	switch c := ctx.(type) {
	case *gen.PredicatedExpressionContext:
		return b.predicated(c.Predicated())
	case *gen.LogicalNotContext:
		return &ast.Not{Pos: p, Expr: b.booleanExpression(c.BooleanExpression())}
	case *gen.LogicalAndContext:
		return &ast.Binary{Pos: p, Op: ast.OpAnd, Left: b.booleanExpression(c.GetLeft()), Right: b.booleanExpression(c.GetRight())}
	case *gen.LogicalOrContext:
		return &ast.Binary{Pos: p, Op: ast.OpOr, Left: b.booleanExpression(c.GetLeft()), Right: b.booleanExpression(c.GetRight())}
	}
	b.fail(ctx.GetStart(), "Syntax Error\nunsupported expression")
	return nil
}

func (b builder) predicated(ctx gen.IPredicatedContext) ast.Expr {
	left := b.valueExpression(ctx.ValueExpression())
	pred := ctx.Predicate()
	if pred == nil {
		return left
	}
	p := pos(ctx)
	switch c := pred.(type) {
	case *gen.ComparisonPredicateContext:
		var op ast.BinaryOp
		switch c.ComparisonOperator().GetStart().GetTokenType() {
		case gen.SluiceParserEQ:
			op = ast.OpEq
		case gen.SluiceParserNEQ:
			op = ast.OpNeq
		case gen.SluiceParserLT:
			op = ast.OpLt
		case gen.SluiceParserLTE:
			op = ast.OpLte
		case gen.SluiceParserGT:
			op = ast.OpGt
		case gen.SluiceParserGTE:
			op = ast.OpGte
		}
		return &ast.Binary{Pos: p, Op: op, Left: left, Right: b.valueExpression(c.GetRight())}
	case *gen.BetweenPredicateContext:
		return &ast.Between{Pos: p, Expr: left, Low: b.valueExpression(c.GetLower()), High: b.valueExpression(c.GetUpper()), Not: c.NOT() != nil}
	case *gen.InPredicateContext:
		in := &ast.In{Pos: p, Expr: left, Not: c.NOT() != nil}
		for _, e := range c.AllExpression() {
			in.List = append(in.List, b.expression(e))
		}
		return in
	case *gen.LikePredicateContext:
		l := &ast.Like{Pos: p, Expr: left, Pattern: b.valueExpression(c.GetPattern()), Not: c.NOT() != nil}
		if c.GetEscape() != nil {
			esc := b.str(c.GetEscape())
			l.Escape = &esc
		}
		return l
	case *gen.NullPredicateContext:
		return &ast.IsNull{Pos: p, Expr: left, Not: c.NOT() != nil}
	case *gen.DistinctFromPredicateContext:
		return &ast.IsDistinctFrom{Pos: p, Left: left, Right: b.valueExpression(c.GetRight()), Not: c.NOT() != nil}
	}
	b.fail(pred.GetStart(), "Syntax Error\nunsupported predicate")
	return nil
}

func (b builder) valueExpression(ctx gen.IValueExpressionContext) ast.Expr {
	p := pos(ctx)
	switch c := ctx.(type) {
	case *gen.ValueDefaultContext:
		return b.primary(c.PrimaryExpression())
	case *gen.ArithmeticUnaryContext:
		if c.GetOp().GetTokenType() == gen.SluiceParserMINUS {
			// A minus sign directly before a number is part of the literal,
			// so the most negative BIGINT is representable and
			// out-of-range literals are reported with their sign.
			if num := numericOperand(c.ValueExpression()); num != nil {
				return b.number(num, c.GetOp())
			}
			return &ast.Unary{Pos: p, Op: ast.UnaryMinus, Expr: b.valueExpression(c.ValueExpression())}
		}
		return &ast.Unary{Pos: p, Op: ast.UnaryPlus, Expr: b.valueExpression(c.ValueExpression())}
	case *gen.ArithmeticMultiplicativeContext:
		op := ast.OpMul
		switch c.GetOp().GetTokenType() {
		case gen.SluiceParserSLASH:
			op = ast.OpDiv
		case gen.SluiceParserPERCENT:
			op = ast.OpMod
		}
		return &ast.Binary{Pos: p, Op: op, Left: b.valueExpression(c.GetLeft()), Right: b.valueExpression(c.GetRight())}
	case *gen.ArithmeticAdditiveContext:
		op := ast.OpAdd
		if c.GetOp().GetTokenType() == gen.SluiceParserMINUS {
			op = ast.OpSub
		}
		return &ast.Binary{Pos: p, Op: op, Left: b.valueExpression(c.GetLeft()), Right: b.valueExpression(c.GetRight())}
	case *gen.ConcatenationContext:
		return &ast.Binary{Pos: p, Op: ast.OpConcat, Left: b.valueExpression(c.GetLeft()), Right: b.valueExpression(c.GetRight())}
	}
	b.fail(ctx.GetStart(), "Syntax Error\nunsupported expression")
	return nil
}

// numericOperand returns the number of a value expression that is exactly an
// unsigned numeric literal, or nil.
func numericOperand(ctx gen.IValueExpressionContext) gen.INumberContext {
	vd, ok := ctx.(*gen.ValueDefaultContext)
	if !ok {
		return nil
	}
	le, ok := vd.PrimaryExpression().(*gen.LiteralExpressionContext)
	if !ok {
		return nil
	}
	nl, ok := le.Literal().(*gen.NumericLiteralContext)
	if !ok {
		return nil
	}
	return nl.Number()
}

func (b builder) primary(ctx gen.IPrimaryExpressionContext) ast.Expr {
	p := pos(ctx)
	switch c := ctx.(type) {
	case *gen.LiteralExpressionContext:
		return b.literal(c.Literal())
	case *gen.SimpleCaseContext:
		e := &ast.Case{Pos: p, Operand: b.expression(c.GetOperand())}
		e.Whens = b.whens(c.AllWhenClause())
		if c.GetElseExpr() != nil {
			e.Else = b.expression(c.GetElseExpr())
		}
		return e
	case *gen.SearchedCaseContext:
		e := &ast.Case{Pos: p, Whens: b.whens(c.AllWhenClause())}
		if c.GetElseExpr() != nil {
			e.Else = b.expression(c.GetElseExpr())
		}
		return e
	case *gen.CastContext:
		return &ast.Cast{Pos: p, Expr: b.expression(c.Expression()), Type: b.sqlType(c.SqlType())}
	case *gen.ArrayConstructorContext:
		e := &ast.ArrayConstructor{Pos: p}
		for _, x := range c.AllExpression() {
			e.Elems = append(e.Elems, b.expression(x))
		}
		return e
	case *gen.MapConstructorContext:
		e := &ast.MapConstructor{Pos: p}
		for _, en := range c.AllMapEntry() {
			e.Entries = append(e.Entries, ast.MapEntry{Key: b.expression(en.GetKey()), Value: b.expression(en.GetValue())})
		}
		return e
	case *gen.StructConstructorContext:
		e := &ast.StructConstructor{Pos: p}
		for _, f := range c.AllStructField() {
			e.Fields = append(e.Fields, ast.StructFieldValue{Name: b.identifier(f.Identifier()), Value: b.expression(f.Expression())})
		}
		return e
	case *gen.FunctionCallStarContext:
		return &ast.FunctionCall{Pos: p, Name: b.identifier(c.FunctionName().Identifier()), Star: true}
	case *gen.FunctionCallContext:
		e := &ast.FunctionCall{Pos: p, Name: b.identifier(c.FunctionName().Identifier())}
		for _, a := range c.AllFunctionArgument() {
			if l := a.LambdaFunction(); l != nil {
				e.Args = append(e.Args, b.lambda(l))
			} else {
				e.Args = append(e.Args, b.expression(a.Expression()))
			}
		}
		return e
	case *gen.SubscriptContext:
		return &ast.Subscript{Pos: p, Base: b.primary(c.GetBase()), Index: b.valueExpression(c.GetIndex())}
	case *gen.ColumnReferenceContext:
		return &ast.ColumnRef{Pos: p, Name: b.identifier(c.Identifier())}
	case *gen.QualifiedColumnReferenceContext:
		return &ast.ColumnRef{Pos: p, Source: b.identifier(c.GetQualifier()), Name: b.identifier(c.GetName())}
	case *gen.DereferenceContext:
		return &ast.Dereference{Pos: p, Base: b.primary(c.GetBase()), Field: b.identifier(c.GetField())}
	case *gen.ParenthesizedExpressionContext:
		return b.expression(c.Expression())
	}
	b.fail(ctx.GetStart(), "Syntax Error\nunsupported expression")
	return nil
}

func (b builder) whens(list []gen.IWhenClauseContext) []*ast.WhenClause {
	out := make([]*ast.WhenClause, 0, len(list))
	for _, w := range list {
		out = append(out, &ast.WhenClause{Pos: pos(w), Condition: b.expression(w.GetCondition()), Result: b.expression(w.GetResult())})
	}
	return out
}

func (b builder) lambda(ctx gen.ILambdaFunctionContext) ast.Expr {
	l := &ast.Lambda{Pos: pos(ctx)}
	switch c := ctx.(type) {
	case *gen.SingleParamLambdaContext:
		l.Params = []string{b.identifier(c.Identifier())}
		l.Body = b.expression(c.Expression())
	case *gen.MultiParamLambdaContext:
		for _, id := range c.AllIdentifier() {
			l.Params = append(l.Params, b.identifier(id))
		}
		l.Body = b.expression(c.Expression())
	}
	return l
}

func (b builder) literal(ctx gen.ILiteralContext) ast.Expr {
	p := pos(ctx)
	switch c := ctx.(type) {
	case *gen.NullLiteralContext:
		return &ast.NullLiteral{Pos: p}
	case *gen.BooleanLiteralContext:
		return &ast.BooleanLiteral{Pos: p, Value: c.BooleanValue().TRUE() != nil}
	case *gen.NumericLiteralContext:
		return b.number(c.Number(), nil)
	case *gen.StringLiteralContext:
		return &ast.StringLiteral{Pos: p, Value: b.str(c.String_())}
	case *gen.VariableLiteralContext:
		t := c.VARIABLE().GetText()
		return &ast.VariableRef{Pos: p, Name: t[2 : len(t)-1]}
	}
	b.fail(ctx.GetStart(), "Syntax Error\nunsupported literal")
	return nil
}

// number builds a numeric literal; minus is the sign token folded into it,
// or nil. The literal's position is that of its sign when it has one.
func (b builder) number(ctx gen.INumberContext, minus antlr.Token) ast.Expr {
	start := ctx.GetStart()
	text := start.GetText()
	if minus != nil {
		text = "-" + text
		start = minus
	}
	p := tokPos(start)
	switch ctx.(type) {
	case *gen.IntegerNumberContext:
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			b.failLiteral(start, "Invalid numeric literal: "+text)
		}
		return &ast.IntegerLiteral{Pos: p, Value: v}
	case *gen.DecimalNumberContext:
		return &ast.DecimalLiteral{Pos: p, Text: text}
	case *gen.FloatingNumberContext:
		// An underflow rounds to zero, as Java's parser does; only an
		// overflow is an error.
		v, _ := strconv.ParseFloat(text, 64)
		if math.IsInf(v, 0) {
			b.failLiteral(start, "Number overflows DOUBLE: "+text)
		}
		return &ast.DoubleLiteral{Pos: p, Value: v}
	}
	b.fail(start, "Syntax Error\nunsupported number")
	return nil
}
