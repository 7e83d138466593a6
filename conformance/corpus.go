// Package conformance runs ksqlDB's functional test cases (QTT and RQTT
// files, see ../shared/conformance/ksql/FORMAT.md) against Sluice: `sluice
// conformance` and the corpus ratchet test drive it. The corpus is read
// from disk at test time and never copied into this repository.
//
// A run expands each case per format and config (Expand), gives every test
// a fresh engine on its own commit log in a temporary directory (Opener;
// OpenEngine is the real one), creates the case's topics, executes the
// statements, produces the inputs serialized with the formats of the source
// declared on each topic (serde.go), waits for the persistent queries to
// catch up, reads every expected output topic and compares it with ksqlDB's
// rules (compare.go), then checks the post-conditions (post.go). Formats not
// implemented yet and features the engine reports as not yet supported are
// SKIPs, never FAILs; a panic or a hang is a FAIL of that test only.
// ksqlDB's test-only functions are registered in a registry of the runner's
// own (udfs.go, udafs.go), never in the shipped one.
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
