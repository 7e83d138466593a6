package cli

import "strings"

// splitStatements cuts text into the complete statements it holds (each
// ending with its ';', surrounding space trimmed) and the unfinished rest.
// Semicolons inside string literals, quoted identifiers and comments do not
// end a statement, so a multi-line string or a commented-out ';' keeps the
// shell asking for more input. Empty statements (a lone ';') are dropped.
func splitStatements(text string) (stmts []string, rest string) {
	start := 0
	i := 0
	for i < len(text) {
		c := text[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			i = skipQuoted(text, i, c)
			continue
		case c == '-' && strings.HasPrefix(text[i:], "--"):
			if nl := strings.IndexByte(text[i:], '\n'); nl >= 0 {
				i += nl + 1
			} else {
				i = len(text)
			}
			continue
		case c == '/' && strings.HasPrefix(text[i:], "/*"):
			if end := strings.Index(text[i+2:], "*/"); end >= 0 {
				i += 2 + end + 2
			} else {
				i = len(text)
			}
			continue
		case c == ';':
			s := strings.TrimSpace(text[start : i+1])
			if !onlyComments(strings.TrimSuffix(s, ";")) {
				stmts = append(stmts, s)
			}
			start = i + 1
		}
		i++
	}
	return stmts, text[start:]
}

// skipQuoted returns the index after the quoted text starting at i. A
// doubled quote character is an escaped quote, as in SQL. An unterminated
// quote runs to the end of text.
func skipQuoted(text string, i int, q byte) int {
	i++
	for i < len(text) {
		if text[i] == q {
			if i+1 < len(text) && text[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return len(text)
}

// onlyComments reports whether s holds nothing but white space and
// comments, so that a trailing comment does not count as pending input.
func onlyComments(s string) bool {
	for {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			return true
		case strings.HasPrefix(s, "--"):
			nl := strings.IndexByte(s, '\n')
			if nl < 0 {
				return true
			}
			s = s[nl+1:]
		case strings.HasPrefix(s, "/*"):
			end := strings.Index(s, "*/")
			if end < 0 {
				return false
			}
			s = s[end+2:]
		default:
			return false
		}
	}
}

// firstWords returns the first n words of a statement, upper-cased, for
// recognising client-side commands and the kind of a statement without
// parsing it.
func firstWords(s string, n int) []string {
	s = strings.TrimSpace(s)
	for strings.HasPrefix(s, "--") || strings.HasPrefix(s, "/*") {
		if strings.HasPrefix(s, "--") {
			nl := strings.IndexByte(s, '\n')
			if nl < 0 {
				return nil
			}
			s = strings.TrimSpace(s[nl+1:])
		} else {
			end := strings.Index(s, "*/")
			if end < 0 {
				return nil
			}
			s = strings.TrimSpace(s[end+2:])
		}
	}
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == ';' || r == '(' || r == ','
	})
	if len(fields) > n {
		fields = fields[:n]
	}
	for i := range fields {
		fields[i] = strings.ToUpper(fields[i])
	}
	return fields
}
