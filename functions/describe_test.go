package functions

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/internal/golden"
)

// TestDescribeGolden pins the SHOW FUNCTIONS listing and the DESCRIBE
// FUNCTION text of every built-in in testdata/functions/describe.txt, so a
// change to any signature or doc shows up as a reviewable diff. Run with
// -rewrite to regenerate.
func TestDescribeGolden(t *testing.T) {
	var b strings.Builder
	b.WriteString("# SHOW FUNCTIONS\n")
	for _, s := range Builtins().Show() {
		b.WriteString(s.Name + "\t" + s.Type + "\t" + s.Category + "\n")
	}
	for _, f := range Builtins().Functions() {
		b.WriteString("\n# DESCRIBE FUNCTION " + f.Name + "\n")
		b.WriteString(Describe(f).Text())
	}
	path := filepath.Join("..", "testdata", "functions", "describe.txt")
	golden.Check(t, path, b.String())
}
