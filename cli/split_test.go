package cli

import (
	"reflect"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	for _, tc := range []struct {
		in    string
		stmts []string
		rest  string
	}{
		{"SHOW STREAMS;", []string{"SHOW STREAMS;"}, ""},
		{"SHOW STREAMS", nil, "SHOW STREAMS"},
		{"a; b;\nc", []string{"a;", "b;"}, "\nc"},
		{"SELECT 'x;y' FROM s;", []string{"SELECT 'x;y' FROM s;"}, ""},
		{"SELECT 'it''s; ok' FROM s;", []string{"SELECT 'it''s; ok' FROM s;"}, ""},
		{"SELECT 'open;\n", nil, "SELECT 'open;\n"},
		{"SELECT `a;b`, \"c;d\" FROM s;", []string{"SELECT `a;b`, \"c;d\" FROM s;"}, ""},
		{"SELECT x -- not the end;\nFROM s;", []string{"SELECT x -- not the end;\nFROM s;"}, ""},
		{"SELECT /* ; */ x FROM s;", []string{"SELECT /* ; */ x FROM s;"}, ""},
		{"/* unterminated ; comment", nil, "/* unterminated ; comment"},
		{";;  ;", nil, ""},
		{"-- only a comment;\n", nil, "-- only a comment;\n"},
		{"-- c\n;", nil, ""},
	} {
		stmts, rest := splitStatements(tc.in)
		if !reflect.DeepEqual(stmts, tc.stmts) || rest != tc.rest {
			t.Errorf("splitStatements(%q) = %q, %q; want %q, %q", tc.in, stmts, rest, tc.stmts, tc.rest)
		}
	}
}

func TestFirstWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"  run script 'x';", []string{"RUN", "SCRIPT"}},
		{"-- c\n/* d */ select(1)", []string{"SELECT", "1)"}},
		{"exit;", []string{"EXIT"}},
		{"-- only", nil},
	} {
		if got := firstWords(tc.in, 2); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("firstWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPositionFromMessage(t *testing.T) {
	for _, tc := range []struct {
		msg       string
		line, col int
	}{
		{"line 3:11: Syntax Error", 3, 11},
		{"Line: 1, Col: 8: SELECT column 'NOPE' cannot be resolved.", 1, 8},
		{"Could not find STREAM/TABLE 'X'", 0, 0},
	} {
		if l, c := positionFromMessage(tc.msg); l != tc.line || c != tc.col {
			t.Errorf("positionFromMessage(%q) = %d:%d, want %d:%d", tc.msg, l, c, tc.line, tc.col)
		}
	}
}

func TestFitAndWrap(t *testing.T) {
	cols := []Column{{Name: "ID"}, {Name: "DESCRIPTION"}}
	// 2 columns + 3 borders = 25 fits; a 15-wide terminal squeezes the
	// widest column, never below its name.
	if got := fitWidths(cols, []int{10, 12}, 25); !reflect.DeepEqual(got, []int{10, 12}) {
		t.Errorf("fits: %v", got)
	}
	if got := fitWidths(cols, []int{10, 40}, 30); !reflect.DeepEqual(got, []int{10, 17}) {
		t.Errorf("squeezed: %v", got)
	}
	if got := fitWidths(cols, []int{10, 40}, 5); !reflect.DeepEqual(got, []int{8, 11}) {
		t.Errorf("floor: %v", got)
	}
	if got := wrap("abcdefg", 3); !reflect.DeepEqual(got, []string{"abc", "def", "g"}) {
		t.Errorf("wrap: %q", got)
	}
	if got := wrap("héllo", 2); !reflect.DeepEqual(got, []string{"hé", "ll", "o"}) {
		t.Errorf("wrap runes: %q", got)
	}
}
