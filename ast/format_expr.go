package ast

import (
	"strconv"
	"strings"
)

// Precedence classes, loosest first. They mirror the grammar: an operand is
// parenthesised exactly when printing it bare would let the parser group it
// differently.
const (
	precOr = iota + 1
	precAnd
	precNot
	precPredicate
	precConcat
	precAdditive
	precMultiplicative
	precUnary
	precPrimary
)

func precedence(e Expr) int {
	switch e := e.(type) {
	case *Binary:
		switch {
		case e.Op == OpOr:
			return precOr
		case e.Op == OpAnd:
			return precAnd
		case e.Op.IsComparison():
			return precPredicate
		case e.Op == OpConcat:
			return precConcat
		case e.Op == OpAdd || e.Op == OpSub:
			return precAdditive
		default:
			return precMultiplicative
		}
	case *Not:
		return precNot
	case *Between, *In, *Like, *IsNull, *IsDistinctFrom:
		return precPredicate
	case *Unary:
		return precUnary
	case *Lambda:
		return precOr - 1
	}
	return precPrimary
}

// FormatExpr returns the canonical SQL text of an expression.
func FormatExpr(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

// writeOperand writes e, parenthesised when its precedence is below min.
func writeOperand(b *strings.Builder, e Expr, min int) {
	if precedence(e) < min {
		b.WriteByte('(')
		writeExpr(b, e)
		b.WriteByte(')')
		return
	}
	writeExpr(b, e)
}

// startsWithMinus reports whether e prints with a leading '-', which must
// not follow another '-' (that would start a comment).
func startsWithMinus(e Expr) bool {
	switch e := e.(type) {
	case *IntegerLiteral:
		return e.Value < 0
	case *DecimalLiteral:
		return strings.HasPrefix(e.Text, "-")
	case *DoubleLiteral:
		return e.Value < 0 || (e.Value == 0 && strconv.FormatFloat(e.Value, 'E', -1, 64)[0] == '-')
	case *Unary:
		return e.Op == UnaryMinus
	case *Binary:
		return precedence(e) >= precConcat && startsWithMinus(e.Left)
	case *Subscript:
		return startsWithMinus(e.Base)
	case *Dereference:
		return startsWithMinus(e.Base)
	}
	return false
}

// writePostfixBase writes the base of a subscript or dereference, which the
// grammar requires to be a primary expression without a sign.
func writePostfixBase(b *strings.Builder, e Expr) {
	if precedence(e) < precPrimary || startsWithMinus(e) {
		b.WriteByte('(')
		writeExpr(b, e)
		b.WriteByte(')')
		return
	}
	writeExpr(b, e)
}

func writeExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case nil:
		b.WriteString("NULL")
	case *NullLiteral:
		b.WriteString("NULL")
	case *BooleanLiteral:
		if e.Value {
			b.WriteString("TRUE")
		} else {
			b.WriteString("FALSE")
		}
	case *IntegerLiteral:
		b.WriteString(strconv.FormatInt(e.Value, 10))
	case *DecimalLiteral:
		b.WriteString(e.Text)
	case *DoubleLiteral:
		b.WriteString(strconv.FormatFloat(e.Value, 'E', -1, 64))
	case *StringLiteral:
		b.WriteString(QuoteString(e.Value))
	case *VariableRef:
		b.WriteString("${" + e.Name + "}")
	case *ColumnRef:
		if e.Source != "" {
			b.WriteString(QuoteIdent(e.Source))
			b.WriteByte('.')
		}
		b.WriteString(QuoteIdent(e.Name))
	case *Dereference:
		writePostfixBase(b, e.Base)
		b.WriteString("->")
		b.WriteString(QuoteIdent(e.Field))
	case *Subscript:
		writePostfixBase(b, e.Base)
		b.WriteByte('[')
		writeExpr(b, e.Index)
		b.WriteByte(']')
	case *FunctionCall:
		b.WriteString(QuoteIdent(e.Name))
		b.WriteByte('(')
		if e.Star {
			b.WriteByte('*')
		}
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, a)
		}
		b.WriteByte(')')
	case *Lambda:
		if len(e.Params) == 1 {
			b.WriteString(QuoteIdent(e.Params[0]))
		} else {
			b.WriteByte('(')
			for i, p := range e.Params {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(QuoteIdent(p))
			}
			b.WriteByte(')')
		}
		b.WriteString(" => ")
		writeExpr(b, e.Body)
	case *Cast:
		b.WriteString("CAST(")
		writeExpr(b, e.Expr)
		b.WriteString(" AS ")
		b.WriteString(FormatType(e.Type))
		b.WriteByte(')')
	case *Case:
		b.WriteString("CASE")
		if e.Operand != nil {
			b.WriteByte(' ')
			writeExpr(b, e.Operand)
		}
		for _, w := range e.Whens {
			b.WriteString(" WHEN ")
			writeExpr(b, w.Condition)
			b.WriteString(" THEN ")
			writeExpr(b, w.Result)
		}
		if e.Else != nil {
			b.WriteString(" ELSE ")
			writeExpr(b, e.Else)
		}
		b.WriteString(" END")
	case *ArrayConstructor:
		b.WriteString("ARRAY[")
		writeExprList(b, e.Elems)
		b.WriteByte(']')
	case *MapConstructor:
		b.WriteString("MAP(")
		for i, en := range e.Entries {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, en.Key)
			b.WriteString(" := ")
			writeExpr(b, en.Value)
		}
		b.WriteByte(')')
	case *StructConstructor:
		b.WriteString("STRUCT(")
		for i, f := range e.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(QuoteIdent(f.Name))
			b.WriteString(" := ")
			writeExpr(b, f.Value)
		}
		b.WriteByte(')')
	case *Unary:
		if e.Op == UnaryMinus {
			b.WriteByte('-')
		} else {
			b.WriteByte('+')
		}
		if precedence(e.Expr) < precUnary || startsWithMinus(e.Expr) {
			b.WriteByte('(')
			writeExpr(b, e.Expr)
			b.WriteByte(')')
		} else {
			writeExpr(b, e.Expr)
		}
	case *Binary:
		p := precedence(e)
		left, right := p, p+1
		if e.Op.IsComparison() {
			// Both sides of a comparison are value expressions.
			left, right = precConcat, precConcat
		}
		writeOperand(b, e.Left, left)
		b.WriteByte(' ')
		b.WriteString(e.Op.String())
		b.WriteByte(' ')
		writeOperand(b, e.Right, right)
	case *Not:
		b.WriteString("NOT ")
		writeOperand(b, e.Expr, precNot)
	case *Between:
		writeOperand(b, e.Expr, precConcat)
		if e.Not {
			b.WriteString(" NOT")
		}
		b.WriteString(" BETWEEN ")
		writeOperand(b, e.Low, precConcat)
		b.WriteString(" AND ")
		writeOperand(b, e.High, precConcat)
	case *In:
		writeOperand(b, e.Expr, precConcat)
		if e.Not {
			b.WriteString(" NOT")
		}
		b.WriteString(" IN (")
		writeExprList(b, e.List)
		b.WriteByte(')')
	case *Like:
		writeOperand(b, e.Expr, precConcat)
		if e.Not {
			b.WriteString(" NOT")
		}
		b.WriteString(" LIKE ")
		writeOperand(b, e.Pattern, precConcat)
		if e.Escape != nil {
			b.WriteString(" ESCAPE ")
			b.WriteString(QuoteString(*e.Escape))
		}
	case *IsNull:
		writeOperand(b, e.Expr, precConcat)
		if e.Not {
			b.WriteString(" IS NOT NULL")
		} else {
			b.WriteString(" IS NULL")
		}
	case *IsDistinctFrom:
		writeOperand(b, e.Left, precConcat)
		if e.Not {
			b.WriteString(" IS NOT DISTINCT FROM ")
		} else {
			b.WriteString(" IS DISTINCT FROM ")
		}
		writeOperand(b, e.Right, precConcat)
	default:
		panic("ast: unknown expression node")
	}
}

func writeExprList(b *strings.Builder, list []Expr) {
	for i, x := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		writeExpr(b, x)
	}
}

// FormatType returns the SQL spelling of a written type.
func FormatType(t *Type) string {
	var b strings.Builder
	writeType(&b, t)
	return b.String()
}

func writeType(b *strings.Builder, t *Type) {
	switch t.Kind {
	case ArrayType:
		b.WriteString("ARRAY<")
		writeType(b, t.Elem)
		b.WriteByte('>')
	case MapType:
		b.WriteString("MAP<")
		writeType(b, t.Key)
		b.WriteString(", ")
		writeType(b, t.Elem)
		b.WriteByte('>')
	case StructType:
		b.WriteString("STRUCT<")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(QuoteIdent(f.Name))
			b.WriteByte(' ')
			writeType(b, f.Type)
		}
		b.WriteByte('>')
	default:
		b.WriteString(QuoteIdent(t.Name))
		if len(t.Params) > 0 {
			b.WriteByte('(')
			b.WriteString(strings.Join(t.Params, ", "))
			b.WriteByte(')')
		}
	}
}

// QuoteString returns s as a SQL string literal.
func QuoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// QuoteIdent returns name as it must be written to parse back to the same
// identifier: bare when it is an upper-case word that is not reserved,
// backquoted otherwise. A `${var}` reference is written as is.
func QuoteIdent(name string) string {
	if isVariable(name) || (isBareIdent(name) && !reserved[name]) {
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

func isVariable(s string) bool {
	if len(s) < 4 || !strings.HasPrefix(s, "${") || s[len(s)-1] != '}' {
		return false
	}
	for i, c := range s[2 : len(s)-1] {
		if !(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

func isBareIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && ((c >= '0' && c <= '9') || c == '@'):
		default:
			return false
		}
	}
	return true
}

// reserved are the keywords that cannot be used as bare identifiers. It
// mirrors the grammar (every keyword not listed in its nonReserved rule); a
// parser test checks the two agree.
var reserved = map[string]bool{}

func init() {
	for _, w := range ReservedWords {
		reserved[w] = true
	}
}

// ReservedWords lists the reserved keywords of the dialect.
var ReservedWords = []string{
	"ALL", "AND", "AS", "ASSERT", "BETWEEN", "BY", "CASE", "CAST", "CREATE", "DISTINCT",
	"DROP", "ELSE", "END", "ESCAPE", "EXISTS", "FALSE", "FROM", "FULL", "GROUP", "HAVING",
	"IN", "INNER", "INSERT", "INTO", "IS", "JOIN", "LEFT", "LIKE", "LIMIT", "NOT", "NULL",
	"ON", "OR", "OUTER", "PARTITION", "RIGHT", "SELECT", "STREAM", "TABLE", "THEN", "TRUE",
	"WHEN", "WHERE", "WINDOW", "WITH", "WITHIN",
}
