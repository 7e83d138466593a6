package ast

import "testing"

func TestQuoteIdent(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ABC", "ABC"},
		{"A_1@X", "A_1@X"},
		{"_X", "_X"},
		{"abc", "`abc`"},
		{"1ABC", "`1ABC`"},
		{"SELECT", "`SELECT`"},
		{"KEY", "KEY"},
		{"a`b", "`a``b`"},
		{"", "``"},
		{"${var}", "${var}"},
		{"${}", "`${}`"},
		{"${1x}", "`${1x}`"},
	}
	for _, tt := range tests {
		if got := QuoteIdent(tt.in); got != tt.want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestQuoteString(t *testing.T) {
	if got := QuoteString("it's"); got != "'it''s'" {
		t.Errorf("QuoteString = %s", got)
	}
}

// TestFormatExprParentheses checks the precedence rules on trees built by
// hand, including shapes the parser never produces directly.
func TestFormatExprParentheses(t *testing.T) {
	a, b, c := &ColumnRef{Name: "A"}, &ColumnRef{Name: "B"}, &ColumnRef{Name: "C"}
	tests := []struct {
		e    Expr
		want string
	}{
		{&Binary{Op: OpMul, Left: &Binary{Op: OpAdd, Left: a, Right: b}, Right: c}, "(A + B) * C"},
		{&Binary{Op: OpSub, Left: a, Right: &Binary{Op: OpSub, Left: b, Right: c}}, "A - (B - C)"},
		{&Binary{Op: OpSub, Left: &Binary{Op: OpSub, Left: a, Right: b}, Right: c}, "A - B - C"},
		{&Binary{Op: OpEq, Left: &Binary{Op: OpEq, Left: a, Right: b}, Right: c}, "(A = B) = C"},
		{&Not{Expr: &Binary{Op: OpAnd, Left: a, Right: b}}, "NOT (A AND B)"},
		{&Not{Expr: &Binary{Op: OpEq, Left: a, Right: b}}, "NOT A = B"},
		{&Unary{Op: UnaryMinus, Expr: &IntegerLiteral{Value: -1}}, "-(-1)"},
		{&Binary{Op: OpSub, Left: a, Right: &IntegerLiteral{Value: -1}}, "A - -1"},
		{&Subscript{Base: &Binary{Op: OpAdd, Left: a, Right: b}, Index: &IntegerLiteral{Value: 1}}, "(A + B)[1]"},
		{&Dereference{Base: &IntegerLiteral{Value: -1}, Field: "F"}, "(-1)->F"},
		{&IsNull{Expr: &Binary{Op: OpOr, Left: a, Right: b}, Not: true}, "(A OR B) IS NOT NULL"},
		{&Between{Expr: a, Low: &Binary{Op: OpAnd, Left: b, Right: c}, High: c}, "A BETWEEN (B AND C) AND C"},
		{&DoubleLiteral{Value: 1.5}, "1.5E+00"},
		{&StringLiteral{Value: "x'y"}, "'x''y'"},
	}
	for _, tt := range tests {
		if got := FormatExpr(tt.e); got != tt.want {
			t.Errorf("FormatExpr = %s, want %s", got, tt.want)
		}
	}
}

func TestDumpSkipsPositions(t *testing.T) {
	x := &ColumnRef{Pos: Pos{Line: 3, Col: 4}, Name: "X"}
	y := &ColumnRef{Pos: Pos{Line: 9, Col: 9}, Name: "X"}
	if Dump(x) != Dump(y) {
		t.Fatalf("dumps differ by position:\n%s\n%s", Dump(x), Dump(y))
	}
	if Dump(x) == Dump(&ColumnRef{Name: "Y"}) {
		t.Fatal("dump ignores the name")
	}
}
