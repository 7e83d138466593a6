package parser

import (
	"strconv"
	"strings"
)

// Caret renders the line of src that err points at, with a caret under the
// offending column, for terminals:
//
//	2 | SELECT * FROM s WHERE x => 1
//	  |                         ^
//
// It returns "" when the position is outside src.
func Caret(src string, err *Error) string {
	lines := strings.Split(src, "\n")
	if err.Line < 1 || err.Line > len(lines) {
		return ""
	}
	line := strings.TrimRight(lines[err.Line-1], "\r")
	runes := []rune(line)
	col := err.Col - 1
	if col < 0 || col > len(runes) {
		return ""
	}
	// Keep tabs so the caret lines up under them.
	pad := make([]rune, col)
	for i := range pad {
		if runes[i] == '\t' {
			pad[i] = '\t'
		} else {
			pad[i] = ' '
		}
	}
	num := strings.Repeat(" ", 4-min(4, len(strconv.Itoa(err.Line)))) + strconv.Itoa(err.Line)
	return num + " | " + line + "\n" + strings.Repeat(" ", len(num)) + " | " + string(pad) + "^\n"
}
