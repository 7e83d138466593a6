package functions

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Patterns usually arrive as literals, so each distinct pattern is
// compiled once. The cache is bounded so a column of ever-changing
// patterns cannot grow it without limit.
var regexpCache struct {
	sync.Mutex
	m map[string]*regexp.Regexp
}

const regexpCacheSize = 1024

// compileJavaRegexp compiles a java.util.regex pattern. RE2 accepts the
// common subset (classes, groups, quantifiers, anchors); features it lacks
// (back-references, look-around) fail with an error naming the pattern.
func compileJavaRegexp(pattern string) (*regexp.Regexp, error) {
	regexpCache.Lock()
	defer regexpCache.Unlock()
	if re, ok := regexpCache.m[pattern]; ok {
		return re, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("functions: invalid regular expression %q: %w", pattern, err)
	}
	if regexpCache.m == nil || len(regexpCache.m) >= regexpCacheSize {
		regexpCache.m = map[string]*regexp.Regexp{}
	}
	regexpCache.m[pattern] = re
	return re, nil
}

// javaReplacement converts a java.util.regex.Matcher replacement string
// ($1, \$ escapes) to Go's Expand syntax (${1}, $$).
func javaReplacement(r string) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '\\' && i+1 < len(r):
			i++
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case c == '$':
			j := i + 1
			for j < len(r) && r[j] >= '0' && r[j] <= '9' {
				j++
			}
			if j == i+1 {
				b.WriteString("$$")
				continue
			}
			b.WriteString("${" + r[i+1:j] + "}")
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func regexpFunctions() []*Function {
	return []*Function{
		scalar("REGEXP_EXTRACT", catString, "Returns the first substring matched by a regular expression, or the given capturing group of it; NULL if there is no match.",
			sig(PString, "Whole match.", regexpExtract, p("pattern", PString), p("input", PString)),
			sig(PString, "Capturing group of the match.", regexpExtract, p("pattern", PString), p("input", PString), p("group", PInt))),
		scalar("REGEXP_EXTRACT_ALL", catString, "Returns every substring matched by a regular expression, or the given capturing group of each match.",
			sig(ArrayP(PString), "Whole matches.", regexpExtractAll, p("pattern", PString), p("input", PString)),
			sig(ArrayP(PString), "Capturing group of each match.", regexpExtractAll, p("pattern", PString), p("input", PString), p("group", PInt))),
		scalar("REGEXP_REPLACE", catString, "Replaces every match of a regular expression with a replacement ($n refers to groups).",
			sig(PString, "Replaces all matches.", func(a []any) (any, error) {
				re, err := compileJavaRegexp(a[1].(string))
				if err != nil {
					return nil, err
				}
				return re.ReplaceAllString(a[0].(string), javaReplacement(a[2].(string))), nil
			}, p("input", PString), p("pattern", PString), p("replacement", PString))),
		scalar("REGEXP_SPLIT_TO_ARRAY", catString, "Splits a string on a regular expression; an empty pattern splits every character.",
			sig(ArrayP(PString), "Splits the input.", func(a []any) (any, error) {
				s, pat := a[0].(string), a[1].(string)
				if pat == "" {
					return splitString([]any{s, ""})
				}
				re, err := compileJavaRegexp(pat)
				if err != nil {
					return nil, err
				}
				parts := re.Split(s, -1)
				out := make([]any, len(parts))
				for i, x := range parts {
					out[i] = x
				}
				return out, nil
			}, p("input", PString), p("pattern", PString))),
	}
}

func regexpGroup(a []any, re *regexpRegexp) (int, error) {
	if len(a) < 3 {
		return 0, nil
	}
	g := int(a[2].(int32))
	if g < 0 || g > re.NumSubexp() {
		return 0, fmt.Errorf("functions: no group %d in regular expression %q", g, re.String())
	}
	return g, nil
}

type regexpRegexp = regexp.Regexp

func regexpExtract(a []any) (any, error) {
	re, err := compileJavaRegexp(a[0].(string))
	if err != nil {
		return nil, err
	}
	g, err := regexpGroup(a, re)
	if err != nil {
		return nil, err
	}
	m := re.FindStringSubmatchIndex(a[1].(string))
	if m == nil || m[2*g] < 0 {
		return nil, nil
	}
	return a[1].(string)[m[2*g]:m[2*g+1]], nil
}

func regexpExtractAll(a []any) (any, error) {
	re, err := compileJavaRegexp(a[0].(string))
	if err != nil {
		return nil, err
	}
	g, err := regexpGroup(a, re)
	if err != nil {
		return nil, err
	}
	s := a[1].(string)
	out := []any{}
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		if m[2*g] < 0 {
			out = append(out, nil)
		} else {
			out = append(out, s[m[2*g]:m[2*g+1]])
		}
	}
	return out, nil
}
