package parser

import (
	"strings"
)

// Substitute replaces `${name}` references in sql with the values of vars
// (names are case-insensitive), as ksqlDB does before parsing a statement
// when variable substitution is enabled. Inside a single-quoted string the
// value is escaped so the string stays one literal; elsewhere it is pasted
// as written (it may be an identifier, a number or a whole expression).
// Comments are left alone. A reference to an undefined variable is an
// error with its position.
func Substitute(sql string, vars map[string]string) (string, error) {
	if !strings.Contains(sql, "${") {
		return sql, nil
	}
	lookup := make(map[string]string, len(vars))
	for k, v := range vars {
		lookup[strings.ToUpper(k)] = v
	}
	var b strings.Builder
	line, col := 1, 1
	advance := func(s string) {
		for _, r := range s {
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
	}
	inString := false
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case !inString && strings.HasPrefix(sql[i:], "--"):
			end := strings.IndexByte(sql[i:], '\n')
			if end < 0 {
				end = len(sql) - i
			}
			b.WriteString(sql[i : i+end])
			advance(sql[i : i+end])
			i += end
			continue
		case !inString && strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				end = len(sql) - i
			} else {
				end += 4
			}
			b.WriteString(sql[i : i+end])
			advance(sql[i : i+end])
			i += end
			continue
		case c == '\'':
			inString = !inString
		case c == '$' && strings.HasPrefix(sql[i:], "${"):
			end := strings.IndexByte(sql[i:], '}')
			if end > 2 && isVariableName(sql[i+2:i+end]) {
				name := sql[i+2 : i+end]
				v, ok := lookup[strings.ToUpper(name)]
				if !ok {
					return "", &Error{Line: line, Col: col, Token: sql[i : i+end+1],
						Message: "Unknown variable: '" + name + "'", Semantic: true}
				}
				if inString {
					v = strings.ReplaceAll(v, "'", "''")
				}
				b.WriteString(v)
				advance(sql[i : i+end+1])
				i += end + 1
				continue
			}
		}
		b.WriteByte(c)
		advance(sql[i : i+1])
		i++
	}
	return b.String(), nil
}

func isVariableName(s string) bool {
	for i, c := range s {
		switch {
		case c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'):
		case i > 0 && c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return s != ""
}
