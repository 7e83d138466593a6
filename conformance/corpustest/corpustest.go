// Package corpustest locates the ksqlDB conformance corpus for tests.
package corpustest

import (
	"os"
	"testing"

	"github.com/sluicedb/sluice/conformance/corpus"
)

// Dir returns the corpus directory for a test. In CI (CI=true) a missing
// corpus fails the test; elsewhere the test is skipped with the reason, so
// a checkout without shared/ can still run the rest of the suite.
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := corpus.DefaultDir()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return dir
}
