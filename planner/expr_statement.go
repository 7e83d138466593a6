package planner

import (
	"errors"
	"strconv"
	"strings"

	"github.com/sluicedb/sluice/ast"
)

// statementText prints a CREATE ... AS SELECT the way ksqlDB prints the
// statement a planning error is about: after its sanitizer ran, so every
// select item carries its name ("TEST.F2 F2", "(TEST.F2 + TEST.F1)
// KSQL_COL_0"), column references carry the source's alias, the source is
// written with its alias ("FROM TEST TEST") and EMIT CHANGES is explicit;
// then laid out by ksqlDB's formatter, one select item per line. A run of
// items from `*` prints as `*`.
func (a *analysis) statementText(s *ast.CreateAsSelect) string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if s.OrReplace {
		b.WriteString("OR REPLACE ")
	}
	b.WriteString(strings.ToUpper(s.Kind.String()))
	b.WriteByte(' ')
	if s.IfNotExists {
		b.WriteString("IF NOT EXISTS ")
	}
	b.WriteString(ast.QuoteIdent(s.Name))
	if len(s.Properties) > 0 {
		b.WriteString(" WITH (")
		for i, p := range s.Properties {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strings.ToUpper(p.Name))
			b.WriteByte('=')
			b.WriteString(ast.FormatExpr(p.Value))
		}
		b.WriteByte(')')
	}
	b.WriteString(" AS SELECT")
	alias := a.alias
	if alias == "" {
		alias = a.src.Name
	}
	text := func(e ast.Expr) string { return exprText(upperCalls(qualify(e, alias))) }
	star := false
	first := true
	for _, it := range a.items {
		if it.fromStar && star {
			continue
		}
		star = it.fromStar
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString("\n  ")
		if it.fromStar {
			b.WriteByte('*')
			continue
		}
		b.WriteString(text(it.expr))
		b.WriteByte(' ')
		b.WriteString(ast.QuoteIdent(it.name))
	}
	q := a.q
	b.WriteString("\nFROM " + ast.QuoteIdent(a.src.Name) + " " + ast.QuoteIdent(alias))
	if w := q.Window; w != nil {
		b.WriteString("\nWINDOW " + w.Kind.String() + " (")
		switch w.Kind {
		case ast.SessionWindow:
			b.WriteString(ast.FormatDuration(w.Size))
		case ast.HoppingWindow:
			b.WriteString("SIZE " + ast.FormatDuration(w.Size) + ", ADVANCE BY " + ast.FormatDuration(w.Advance))
		default:
			b.WriteString("SIZE " + ast.FormatDuration(w.Size))
		}
		b.WriteString(")")
	}
	if q.Where != nil {
		b.WriteString("\nWHERE " + text(q.Where))
	}
	list := func(kw string, es []ast.Expr) {
		if len(es) == 0 {
			return
		}
		parts := make([]string, len(es))
		for i, e := range es {
			parts[i] = text(e)
		}
		b.WriteString("\n" + kw + " " + strings.Join(parts, ", "))
	}
	list("GROUP BY", q.GroupBy)
	list("PARTITION BY", q.PartitionBy)
	if q.Having != nil {
		b.WriteString("\nHAVING " + text(q.Having))
	}
	if q.Emit == ast.EmitFinal {
		b.WriteString("\nEMIT FINAL")
	} else {
		b.WriteString("\nEMIT CHANGES")
	}
	if q.Limit != nil {
		b.WriteString("\nLIMIT " + strconv.FormatInt(*q.Limit, 10))
	}
	return b.String()
}

// upperCalls returns a copy of e whose function names are upper case, as
// ksqlDB prints them.
func upperCalls(e ast.Expr) ast.Expr {
	switch e := e.(type) {
	case *ast.FunctionCall:
		c := *e
		c.Name = strings.ToUpper(e.Name)
		c.Args = make([]ast.Expr, len(e.Args))
		for i, x := range e.Args {
			c.Args[i] = upperCalls(x)
		}
		return &c
	case *ast.Binary:
		c := *e
		c.Left, c.Right = upperCalls(e.Left), upperCalls(e.Right)
		return &c
	case *ast.Not:
		c := *e
		c.Expr = upperCalls(e.Expr)
		return &c
	case *ast.Cast:
		c := *e
		c.Expr = upperCalls(e.Expr)
		return &c
	}
	return e
}

// withStatement ends a planning error with the statement it is about, as
// ksqlDB's statement errors do ("...\nStatement: CREATE TABLE ..."). Errors
// that are not the planner's pass unchanged.
func withStatement(err error, text string) error {
	var pe *Error
	if !errors.As(err, &pe) {
		return err
	}
	return &Error{Pos: pe.Pos, Msg: pe.Msg + "\nStatement: " + text}
}
