package planner

import (
	"strings"

	"github.com/sluicedb/sluice/ast"
)

// exprText prints an expression the way ksqlDB's messages do, which is not
// quite canonical SQL: binary operations are always parenthesised
// ("(A + 1)"), boolean literals are lower case and column names keep their
// qualifier. Users and the conformance corpus match on these strings.
func exprText(e ast.Expr) string {
	var b strings.Builder
	writeText(&b, e)
	return b.String()
}

func writeText(b *strings.Builder, e ast.Expr) {
	switch e := e.(type) {
	case *ast.BooleanLiteral:
		if e.Value {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case *ast.NullLiteral:
		b.WriteString("null")
	case *ast.ColumnRef:
		if e.Source != "" {
			b.WriteString(ast.QuoteIdent(e.Source))
			b.WriteByte('.')
		}
		b.WriteString(ast.QuoteIdent(e.Name))
	case *ast.Binary:
		b.WriteByte('(')
		writeText(b, e.Left)
		b.WriteByte(' ')
		b.WriteString(e.Op.String())
		b.WriteByte(' ')
		writeText(b, e.Right)
		b.WriteByte(')')
	case *ast.Dereference:
		writeText(b, e.Base)
		b.WriteString("->")
		b.WriteString(ast.QuoteIdent(e.Field))
	case *ast.FunctionCall:
		b.WriteString(e.Name)
		b.WriteByte('(')
		if e.Star {
			b.WriteByte('*')
		}
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			writeText(b, a)
		}
		b.WriteByte(')')
	case *ast.MapConstructor:
		b.WriteString("MAP(")
		for i, en := range e.Entries {
			if i > 0 {
				b.WriteString(", ")
			}
			writeText(b, en.Key)
			b.WriteString(":=")
			writeText(b, en.Value)
		}
		b.WriteByte(')')
	case *ast.Not:
		b.WriteString("(NOT ")
		writeText(b, e.Expr)
		b.WriteByte(')')
	default:
		b.WriteString(ast.FormatExpr(e))
	}
}

// qualifiedText is exprText with every unqualified column reference
// qualified by source, the form ksqlDB uses in messages about the
// partitioning expressions ("ABS(INPUT.ID)").
func qualifiedText(e ast.Expr, source string) string {
	return exprText(qualify(e, source))
}

// qualify returns a copy of e whose top-level column references (and those
// inside function calls, operators and dereferences) carry source.
func qualify(e ast.Expr, source string) ast.Expr {
	switch e := e.(type) {
	case *ast.ColumnRef:
		if e.Source == "" && !isPseudoName(e.Name) {
			c := *e
			c.Source = source
			return &c
		}
	case *ast.Binary:
		c := *e
		c.Left, c.Right = qualify(e.Left, source), qualify(e.Right, source)
		return &c
	case *ast.Dereference:
		c := *e
		c.Base = qualify(e.Base, source)
		return &c
	case *ast.FunctionCall:
		c := *e
		c.Args = make([]ast.Expr, len(e.Args))
		for i, a := range e.Args {
			c.Args[i] = qualify(a, source)
		}
		return &c
	case *ast.Cast:
		c := *e
		c.Expr = qualify(e.Expr, source)
		return &c
	}
	return e
}
