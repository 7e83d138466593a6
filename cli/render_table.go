package cli

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// box draws query rows in ksqlDB's CLI style:
//
//	+------+-------+
//	|ID    |NAME   |
//	+------+-------+
//	|1     |alice  |
//
// A value wider than its column wraps onto continuation lines inside the
// cell instead of breaking the alignment, which matters for push queries:
// their widths are fixed before the first row arrives.
type box struct {
	cols   []Column
	widths []int
}

// cellEscaper keeps a value on its row: control characters that would move
// the cursor are shown escaped.
var cellEscaper = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`)

func newBox(cols []Column, widths []int, termWidth int) *box {
	return &box{cols: cols, widths: fitWidths(cols, widths, termWidth)}
}

// naturalWidths are the widths that show every value of a finished result
// on one line.
func naturalWidths(cols []Column, rows [][]any) []int {
	w := make([]int, len(cols))
	for i, c := range cols {
		w[i] = utf8.RuneCountInString(c.Name)
	}
	for _, row := range rows {
		for i := range cols {
			if i < len(row) {
				w[i] = max(w[i], utf8.RuneCountInString(cellEscaper.Replace(display(row[i]))))
			}
		}
	}
	return w
}

// streamWidths guess widths from the column types, since a push query's
// values are not known when its header is printed.
func streamWidths(cols []Column) []int {
	w := make([]int, len(cols))
	for i, c := range cols {
		t := strings.ToUpper(c.Type)
		n := 20
		switch {
		case strings.HasPrefix(t, "BOOLEAN"):
			n = 7
		case strings.HasPrefix(t, "INTEGER") || strings.HasPrefix(t, "INT"):
			n = 11
		case strings.HasPrefix(t, "BIGINT"):
			n = 20
		case strings.HasPrefix(t, "DOUBLE"), strings.HasPrefix(t, "DECIMAL"):
			n = 22
		case strings.HasPrefix(t, "DATE"):
			n = 10
		case strings.HasPrefix(t, "TIMESTAMP"):
			n = 23
		case strings.HasPrefix(t, "ARRAY"), strings.HasPrefix(t, "MAP"), strings.HasPrefix(t, "STRUCT"):
			n = 30
		}
		w[i] = max(n, utf8.RuneCountInString(c.Name))
	}
	return w
}

// fitWidths narrows the widest columns until the table fits termWidth
// (when it is known), never below the column name or 8 characters.
func fitWidths(cols []Column, widths []int, termWidth int) []int {
	w := append([]int(nil), widths...)
	if termWidth <= 0 {
		return w
	}
	total := func() int {
		t := len(w) + 1
		for _, x := range w {
			t += x
		}
		return t
	}
	for total() > termWidth {
		widest := -1
		for i, x := range w {
			floor := max(8, utf8.RuneCountInString(cols[i].Name))
			if x > floor && (widest < 0 || x > w[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		w[widest]--
	}
	return w
}

func (b *box) border(w io.Writer) {
	var s strings.Builder
	s.WriteByte('+')
	for _, x := range b.widths {
		s.WriteString(strings.Repeat("-", x))
		s.WriteByte('+')
	}
	s.WriteByte('\n')
	io.WriteString(w, s.String())
}

func (b *box) header(w io.Writer) {
	b.border(w)
	cells := make([]string, len(b.cols))
	for i, c := range b.cols {
		cells[i] = c.Name
	}
	b.line(w, cells)
	b.border(w)
}

func (b *box) row(w io.Writer, row []any) {
	cells := make([]string, len(b.cols))
	for i := range b.cols {
		if i < len(row) {
			cells[i] = cellEscaper.Replace(display(row[i]))
		}
	}
	b.line(w, cells)
}

// tombstone writes a table row's deletion: its key cells, and the mark
// in the cells it has no value for.
func (b *box) tombstone(w io.Writer, row []any) {
	cells := make([]string, len(b.cols))
	for i := range b.cols {
		switch {
		case i < len(row) && row[i] != nil:
			cells[i] = cellEscaper.Replace(display(row[i]))
		default:
			cells[i] = tombstoneMark
		}
	}
	b.line(w, cells)
}

// line writes one logical row, wrapping cells wider than their column.
func (b *box) line(w io.Writer, cells []string) {
	parts := make([][]string, len(cells))
	height := 1
	for i, c := range cells {
		parts[i] = wrap(c, b.widths[i])
		height = max(height, len(parts[i]))
	}
	var s strings.Builder
	for l := 0; l < height; l++ {
		s.WriteByte('|')
		for i := range cells {
			piece := ""
			if l < len(parts[i]) {
				piece = parts[i][l]
			}
			s.WriteString(piece)
			s.WriteString(strings.Repeat(" ", b.widths[i]-utf8.RuneCountInString(piece)))
			s.WriteByte('|')
		}
		s.WriteByte('\n')
	}
	io.WriteString(w, s.String())
}

// wrap cuts s into pieces of at most width runes.
func wrap(s string, width int) []string {
	if width <= 0 {
		return []string{s}
	}
	var out []string
	r := []rune(s)
	for len(r) > width {
		out = append(out, string(r[:width]))
		r = r[width:]
	}
	return append(out, string(r))
}

// writeListing draws a SHOW result the way ksqlDB's CLI draws listings:
// a header, a rule, the rows, a closing rule.
func writeListing(w io.Writer, t *Table) {
	widths := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = utf8.RuneCountInString(c)
	}
	for _, row := range t.Rows {
		for i := range t.Columns {
			if i < len(row) {
				widths[i] = max(widths[i], utf8.RuneCountInString(cellEscaper.Replace(row[i])))
			}
		}
	}
	total := 0
	for _, x := range widths {
		total += x + 3
	}
	rule := strings.Repeat("-", max(total-1, 1)) + "\n"
	line := func(cells []string) {
		var s strings.Builder
		for i := range t.Columns {
			c := ""
			if i < len(cells) {
				c = cellEscaper.Replace(cells[i])
			}
			if i > 0 {
				s.WriteByte('|')
			}
			s.WriteByte(' ')
			s.WriteString(c)
			s.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)))
			s.WriteByte(' ')
		}
		io.WriteString(w, strings.TrimRight(s.String(), " ")+"\n")
	}
	if t.Title != "" {
		fmt.Fprintln(w, t.Title)
	}
	line(t.Columns)
	io.WriteString(w, rule)
	for _, row := range t.Rows {
		line(row)
	}
	io.WriteString(w, rule)
}

// writeDoc draws a description: aligned "name : value" pairs, tables as
// listings, plan text indented, sections separated by a blank line.
func writeDoc(w io.Writer, d *Doc) {
	for i, s := range d.Sections {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if s.Heading != "" {
			fmt.Fprintln(w, s.Heading)
			fmt.Fprintln(w, strings.Repeat("-", utf8.RuneCountInString(s.Heading)))
		}
		if len(s.Pairs) > 0 {
			kw := 0
			for _, p := range s.Pairs {
				kw = max(kw, utf8.RuneCountInString(p[0]))
			}
			for _, p := range s.Pairs {
				// Continuation lines of a multi-line value line up
				// under its first line.
				v := strings.ReplaceAll(strings.TrimRight(p[1], "\n"), "\n", "\n"+strings.Repeat(" ", kw+3))
				fmt.Fprintf(w, "%-*s : %s\n", kw, p[0], v)
			}
		}
		if s.Table != nil {
			if len(s.Table.Rows) == 0 && s.Heading != "" {
				fmt.Fprintln(w, "(none)")
			} else {
				writeListing(w, s.Table)
			}
		}
		if s.Text != "" {
			for _, l := range strings.Split(s.Text, "\n") {
				fmt.Fprintln(w, " "+l)
			}
		}
	}
}

// writeMessageBox draws a status message as ksqlDB's CLI does.
func writeMessageBox(w io.Writer, text string) {
	writeListing(w, &Table{Columns: []string{"Message"}, Rows: [][]string{{text}}})
}
