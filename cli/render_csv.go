package cli

import (
	"encoding/csv"
	"fmt"
)

// csv writes a header and rows in RFC 4180 CSV. A blank line separates
// consecutive result sets so a script can split them.
func (r *renderer) csv(header []string, rows [][]string) {
	r.csvRow(header)
	for _, row := range rows {
		r.csvRow(row)
	}
}

func (r *renderer) csvRow(row []string) {
	w := csv.NewWriter(r.out)
	if err := w.Write(row); err != nil {
		fmt.Fprintf(r.msg, "cli: cannot write CSV: %v\n", err)
		return
	}
	w.Flush()
}
