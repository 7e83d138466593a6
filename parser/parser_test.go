package parser

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/parser/gen"
)

// TestGeneratedParserIsFresh fails when grammar/Sluice.g4 changed after the
// committed parser was generated: run `make generate` and commit.
func TestGeneratedParserIsFresh(t *testing.T) {
	src, err := os.ReadFile("../grammar/Sluice.g4")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(src)
	if got := hex.EncodeToString(sum[:]); got != gen.GrammarSHA256 {
		t.Fatalf("parser/gen is stale: grammar sha256 %s, generated from %s; run `make generate`", got, gen.GrammarSHA256)
	}
}

// TestReservedWords checks the formatter's reserved-word list against the
// grammar: a keyword is reserved exactly when it cannot be a column name.
func TestReservedWords(t *testing.T) {
	var reservedByGrammar []string
	for _, lit := range gen.SluiceLexerLexerStaticData.LiteralNames {
		kw := strings.Trim(lit, "'")
		if kw == "" || kw[0] < 'A' || kw[0] > 'Z' {
			continue
		}
		if _, err := ParseStatement("SELECT x AS " + kw + " FROM s"); err != nil {
			reservedByGrammar = append(reservedByGrammar, kw)
		}
	}
	want := append([]string(nil), ast.ReservedWords...)
	sort.Strings(want)
	sort.Strings(reservedByGrammar)
	if strings.Join(want, " ") != strings.Join(reservedByGrammar, " ") {
		t.Fatalf("ast.ReservedWords = %v\ngrammar reserves  %v", want, reservedByGrammar)
	}
	// Every keyword, used as a (quoted where needed) column name, must
	// survive formatting.
	for _, lit := range gen.SluiceLexerLexerStaticData.LiteralNames {
		kw := strings.Trim(lit, "'")
		if kw == "" || kw[0] < 'A' || kw[0] > 'Z' {
			continue
		}
		q := &ast.QueryStatement{Query: &ast.Query{
			Select: []ast.SelectItem{&ast.SelectExpr{Expr: &ast.ColumnRef{Name: kw}, Alias: kw}},
			From:   &ast.Relation{Left: ast.AliasedSource{Name: kw}},
		}}
		if err := roundTrip(ast.Format(q)); err != nil {
			t.Errorf("keyword %s as identifier: %v", kw, err)
		}
	}
}

func TestParseExpressionPositions(t *testing.T) {
	e, err := ParseExpression("a +\n  f(b, 'x') * -3")
	if err != nil {
		t.Fatal(err)
	}
	bin := e.(*ast.Binary)
	mul := bin.Right.(*ast.Binary)
	call := mul.Left.(*ast.FunctionCall)
	lit := mul.Right.(*ast.IntegerLiteral)
	checks := []struct {
		name string
		got  ast.Pos
		want ast.Pos
	}{
		{"a + ...", bin.Pos, ast.Pos{Line: 1, Col: 1}},
		{"column a", bin.Left.Position(), ast.Pos{Line: 1, Col: 1}},
		{"call f", call.Pos, ast.Pos{Line: 2, Col: 3}},
		{"argument b", call.Args[0].Position(), ast.Pos{Line: 2, Col: 5}},
		{"string 'x'", call.Args[1].Position(), ast.Pos{Line: 2, Col: 8}},
		{"literal -3 (at its sign)", lit.Pos, ast.Pos{Line: 2, Col: 15}},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: position %v, want %v", c.name, c.got, c.want)
		}
	}
	if lit.Value != -3 {
		t.Errorf("literal = %d, want -3", lit.Value)
	}
}

func TestParseScriptText(t *testing.T) {
	src := "-- comment\nSHOW STREAMS ;\n\n  DESCRIBE  x EXTENDED;SELECT 1 FROM s"
	got, err := ParseScript(src)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"SHOW STREAMS", "DESCRIBE  x EXTENDED", "SELECT 1 FROM s"}
	if len(got) != len(want) {
		t.Fatalf("got %d statements, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Text != want[i] {
			t.Errorf("statement %d text = %q, want %q", i, got[i].Text, want[i])
		}
	}
	if empty, err := ParseScript("  -- nothing\n"); err != nil || len(empty) != 0 {
		t.Errorf("empty script: %v, %v", empty, err)
	}
}

func TestParseStatementRejectsTwo(t *testing.T) {
	if _, err := ParseStatement("SHOW STREAMS; SHOW TABLES;"); err == nil {
		t.Fatal("two statements accepted by ParseStatement")
	}
}

func TestIdentifierCase(t *testing.T) {
	tests := []struct{ sql, want string }{
		{"SELECT abc FROM s", "ABC"},
		{"SELECT `abc` FROM s", "abc"},
		{`SELECT "a""b" FROM s`, `a"b`},
		{"SELECT `a``b` FROM s", "a`b"},
		{"SELECT 1abc FROM s", "1ABC"},
	}
	for _, tt := range tests {
		st, err := ParseStatement(tt.sql)
		if err != nil {
			t.Errorf("%s: %v", tt.sql, err)
			continue
		}
		col := st.(*ast.QueryStatement).Query.Select[0].(*ast.SelectExpr).Expr.(*ast.ColumnRef)
		if col.Name != tt.want {
			t.Errorf("%s: column name %q, want %q", tt.sql, col.Name, tt.want)
		}
	}
}
