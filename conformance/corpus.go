// Package conformance runs ksqlDB's functional test cases (QTT and RQTT
// files, see ../shared/conformance/ksql/FORMAT.md) against Sluice. The
// corpus is read from disk at test time and never copied into this
// repository.
package conformance

import "github.com/sluicedb/sluice/conformance/corpus"

// The case-file model lives in package corpus, which imports nothing of
// Sluice (the parser's tests read the corpus too, and must not depend on
// the engine). Aliases keep the runner's code short; methods on these types
// belong in package corpus, runner logic in functions here.
type (
	// File is one test-case file.
	File = corpus.File
	// Case is one test case as written in a file.
	Case = corpus.Case
	// ExpectedError is the error a case expects.
	ExpectedError = corpus.ExpectedError
)

// DefaultDir returns the corpus directory (see corpus.DefaultDir).
func DefaultDir() (string, error) { return corpus.DefaultDir() }

// LoadDir reads every case file under dir (see corpus.LoadDir).
func LoadDir(dir string) ([]*File, error) { return corpus.LoadDir(dir) }

// LoadFile reads one case file (see corpus.LoadFile).
func LoadFile(path string) (*File, error) { return corpus.LoadFile(path) }
