package planner

import (
	"unicode/utf8"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/types"
)

// likeToken is one element of a compiled LIKE pattern.
type likeToken struct {
	kind byte // 'c' a literal rune, '_' any one rune, '%' any run of runes
	r    rune
}

// compileLikePattern turns a LIKE pattern into tokens, honouring the
// escape character (which makes the next %, _ or itself literal).
func compileLikePattern(p string, esc rune, hasEsc bool) []likeToken {
	var out []likeToken
	escaped := false
	for _, r := range p {
		switch {
		case escaped:
			out = append(out, likeToken{kind: 'c', r: r})
			escaped = false
		case hasEsc && r == esc:
			escaped = true
		case r == '%':
			if n := len(out); n == 0 || out[n-1].kind != '%' {
				out = append(out, likeToken{kind: '%'})
			}
		case r == '_':
			out = append(out, likeToken{kind: '_'})
		default:
			out = append(out, likeToken{kind: 'c', r: r})
		}
	}
	return out
}

// likeMatch matches s against tokens with the classic wildcard algorithm:
// on a mismatch, backtrack to just after the last '%' and let it swallow
// one more rune. It runs in O(len(s) * len(tokens)) at worst and needs no
// allocation.
func likeMatch(s string, toks []likeToken) bool {
	si, ti := 0, 0
	starT, starS := -1, 0
	for si < len(s) {
		if ti < len(toks) {
			t := toks[ti]
			switch t.kind {
			case '%':
				starT, starS = ti, si
				ti++
				continue
			case '_':
				_, n := utf8.DecodeRuneInString(s[si:])
				si += n
				ti++
				continue
			default:
				r, n := utf8.DecodeRuneInString(s[si:])
				if r == t.r {
					si += n
					ti++
					continue
				}
			}
		}
		if starT < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		si, ti = starS, starT+1
	}
	for ti < len(toks) && toks[ti].kind == '%' {
		ti++
	}
	return ti == len(toks)
}

// compileLike is x [NOT] LIKE pattern [ESCAPE 'c'] on strings, case
// sensitive; a constant pattern is compiled once.
func compileLike(e *ast.Like, sc *scope) (*compiled, error) {
	x, err := compileExpr(e.Expr, sc)
	if err != nil {
		return nil, err
	}
	p, err := compileExpr(e.Pattern, sc)
	if err != nil {
		return nil, err
	}
	for _, o := range []struct {
		e ast.Expr
		c *compiled
	}{{e.Expr, x}, {e.Pattern, p}} {
		if o.c.typ.Kind != types.String && o.c.typ.Kind != types.Null {
			return nil, errorf(o.e.Position(), "Unsupported type for LIKE: %s (%s)", exprText(o.e), o.c.typ)
		}
	}
	var esc rune
	hasEsc := e.Escape != nil
	if hasEsc {
		if utf8.RuneCountInString(*e.Escape) != 1 {
			return nil, errorf(e.Pos, "Escape character must be a single character: '%s'", *e.Escape)
		}
		esc, _ = utf8.DecodeRuneInString(*e.Escape)
	}
	var fixed []likeToken
	if p.isConst && p.val != nil {
		fixed = compileLikePattern(p.val.(string), esc, hasEsc)
	}
	not, xe, pe := e.Not, x.eval, p.eval
	c := &compiled{typ: types.BooleanType, eval: func(row []any) (any, error) {
		v, err := xe(row)
		if v == nil || err != nil {
			return nil, err
		}
		toks := fixed
		if toks == nil {
			pv, err := pe(row)
			if pv == nil || err != nil {
				return nil, err
			}
			toks = compileLikePattern(pv.(string), esc, hasEsc)
		}
		return likeMatch(v.(string), toks) != not, nil
	}}
	return fold(c, x, p), nil
}
