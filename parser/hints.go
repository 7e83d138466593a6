package parser

import (
	"sort"
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/parser/gen"
)

// statementStarts are the tokens a statement can begin with.
var statementStarts = map[int]bool{
	gen.SluiceParserSELECT: true, gen.SluiceParserCREATE: true, gen.SluiceParserINSERT: true,
	gen.SluiceParserDROP: true, gen.SluiceParserLIST: true, gen.SluiceParserSHOW: true,
	gen.SluiceParserDESCRIBE: true, gen.SluiceParserPRINT: true, gen.SluiceParserTERMINATE: true,
	gen.SluiceParserPAUSE: true, gen.SluiceParserRESUME: true, gen.SluiceParserSET: true,
	gen.SluiceParserUNSET: true, gen.SluiceParserALTER: true, gen.SluiceParserDEFINE: true,
	gen.SluiceParserUNDEFINE: true, gen.SluiceParserEXPLAIN: true, gen.SluiceParserASSERT: true,
	gen.SluiceParserRUN: true,
}

func startsStatement(tokenType int) bool { return statementStarts[tokenType] }

// tokenDisplay names a token type for "expecting" lists: keywords and
// punctuation as written, the rest in words.
func tokenDisplay(t int) string {
	switch t {
	case antlr.TokenEOF:
		return "end of input"
	case gen.SluiceParserIDENTIFIER, gen.SluiceParserQUOTED_IDENTIFIER, gen.SluiceParserBACKQUOTED_IDENTIFIER,
		gen.SluiceParserDIGIT_IDENTIFIER:
		return "an identifier"
	case gen.SluiceParserSTRING:
		return "a string"
	case gen.SluiceParserINTEGER_VALUE:
		return "an integer"
	case gen.SluiceParserDECIMAL_VALUE, gen.SluiceParserFLOATING_POINT_VALUE:
		return "a number"
	case gen.SluiceParserVARIABLE:
		return "a ${variable}"
	}
	lit := gen.SluiceLexerLexerStaticData.LiteralNames
	if t > 0 && t < len(lit) && lit[t] != "" {
		return lit[t]
	}
	sym := gen.SluiceLexerLexerStaticData.SymbolicNames
	if t > 0 && t < len(sym) {
		return sym[t]
	}
	return "?"
}

// maxExpected bounds the "expecting one of" list: past it, the list says
// more about the grammar than about the mistake.
const maxExpected = 12

func describeExpected(types []int) []string {
	if len(types) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	identifier := contains(types, gen.SluiceParserIDENTIFIER)
	for _, t := range types {
		if identifier && isNonReservedKeyword(t) {
			// Non-reserved keywords are accepted wherever an identifier
			// is; listing each of them would only add noise.
			continue
		}
		d := tokenDisplay(t)
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	if len(out) == 0 || len(out) > maxExpected {
		return nil
	}
	sort.Strings(out)
	return out
}

// isNonReservedKeyword reports whether t is a keyword that can also serve as
// an identifier; such keywords are expected wherever an identifier is.
func isNonReservedKeyword(t int) bool {
	if t <= 0 {
		return false
	}
	lit := gen.SluiceLexerLexerStaticData.LiteralNames
	if t >= len(lit) || len(lit[t]) < 3 || lit[t][1] < 'A' || lit[t][1] > 'Z' {
		return false
	}
	return !reservedWord[strings.Trim(lit[t], "'")]
}

var reservedWord = map[string]bool{}

func init() {
	for _, w := range ast.ReservedWords {
		reservedWord[w] = true
	}
}

// hint suggests a fix for the common slips: a misspelled keyword, a missing
// semicolon between statements, clauses after EMIT, a string in double
// quotes, an unterminated string.
func hint(tokens *antlr.CommonTokenStream, tok antlr.Token, expected []int) string {
	text := tok.GetText()
	tt := tok.GetTokenType()
	switch {
	case text == "*" && follows(tokens, tok, gen.SluiceParserSLASH):
		return "a /* comment is not terminated"
	case tt == gen.SluiceParserUNRECOGNIZED && text == "'":
		return "a string literal is not terminated; strings are written in single quotes, with '' for a quote inside"
	case tt == gen.SluiceParserQUOTED_IDENTIFIER && (contains(expected, gen.SluiceParserSTRING) || follows(tokens, tok, gen.SluiceParserEQ)):
		return "string literals use single quotes; double quotes are for identifiers"
	case isClauseKeyword(tt):
		if prev := previousToken(tokens, tok, 1); prev != nil &&
			(prev.GetTokenType() == gen.SluiceParserCHANGES || prev.GetTokenType() == gen.SluiceParserFINAL) {
			return "EMIT CHANGES/EMIT FINAL comes after WINDOW, WHERE, GROUP BY, PARTITION BY and HAVING, just before LIMIT"
		}
	}
	if startsStatement(tt) && !atStatementStart(tokens, tok) {
		return "is a ';' missing at the end of the previous statement?"
	}
	if tt == gen.SluiceParserIDENTIFIER || isNonReservedKeyword(tt) {
		candidates := append([]int(nil), expected...)
		switch {
		case atStatementStart(tokens, tok):
			for t := range statementStarts {
				candidates = append(candidates, t)
			}
		case len(candidates) == 0:
			// Where the expected set is unknown, any keyword is a
			// candidate: an error at a near-miss of one is almost always
			// a typo.
			for t := 1; t < len(gen.SluiceLexerLexerStaticData.LiteralNames); t++ {
				candidates = append(candidates, t)
			}
		}
		if kw := closestKeyword(strings.ToUpper(text), candidates); kw != "" {
			return "did you mean " + kw + "?"
		}
	}
	return ""
}

// follows reports whether the token before tok has type t.
func follows(tokens *antlr.CommonTokenStream, tok antlr.Token, t int) bool {
	prev := previousToken(tokens, tok, 1)
	return prev != nil && prev.GetTokenType() == t
}

func isClauseKeyword(t int) bool {
	switch t {
	case gen.SluiceParserWHERE, gen.SluiceParserGROUP, gen.SluiceParserPARTITION,
		gen.SluiceParserHAVING, gen.SluiceParserWINDOW:
		return true
	}
	return false
}

func contains(list []int, t int) bool {
	for _, x := range list {
		if x == t {
			return true
		}
	}
	return false
}

// closestKeyword returns the keyword among candidates nearest to word by
// edit distance, if it is near enough to be a likely misspelling.
func closestKeyword(word string, candidates []int) string {
	if len(word) < 3 {
		return ""
	}
	best, bestDist := "", 3
	lit := gen.SluiceLexerLexerStaticData.LiteralNames
	sort.Ints(candidates)
	for _, t := range candidates {
		if t <= 0 || t >= len(lit) || lit[t] == "" {
			continue
		}
		kw := strings.Trim(lit[t], "'")
		if kw == word || len(kw) < 3 {
			continue
		}
		limit := 2
		if len(word) <= 4 {
			limit = 1
		}
		if d := editDistance(word, kw); d <= limit && d < bestDist {
			best, bestDist = kw, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between two ASCII words.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
