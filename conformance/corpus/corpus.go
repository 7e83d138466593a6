// Package corpus reads ksqlDB's functional test-case files (QTT and RQTT,
// see ../shared/conformance/ksql/FORMAT.md): JSON with comments, one file of
// cases per feature. It imports nothing of Sluice, so the parser's tests can
// read the corpus without depending on the engine, as the conformance
// runner does.
package corpus

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// File is one test-case file.
type File struct {
	// Path is where the file was read from.
	Path string
	// Stem is the file name without directory and extension; it prefixes
	// the full names of the cases.
	Stem  string
	Cases []*Case
}

// Label names the file in reports: its directory's name and its base name
// (qtt/where.json), which is stable wherever the corpus lives.
func (f *File) Label() string {
	return filepath.Base(filepath.Dir(f.Path)) + "/" + filepath.Base(f.Path)
}

// Case is one test case as written in a file. Fields the runner does not
// need yet are kept raw so later stages can decode them without re-reading.
type Case struct {
	Name       string            `json:"name"`
	Statements []string          `json:"statements"`
	Formats    []string          `json:"format"`
	Config     []string          `json:"config"`
	Properties map[string]any    `json:"properties"`
	Enabled    *bool             `json:"enabled"`
	Exception  *ExpectedError    `json:"expectedException"`
	RestError  *ExpectedError    `json:"expectedError"`
	Topics     json.RawMessage   `json:"topics"`
	Inputs     []json.RawMessage `json:"inputs"`
	Outputs    []json.RawMessage `json:"outputs"`
	Responses  []json.RawMessage `json:"responses"`
	Post       json.RawMessage   `json:"post"`
	// InputConditions and OutputConditions are RQTT's
	// {waitForActivePushQuery} and {verifyOrder}.
	InputConditions  *InputConditions  `json:"inputConditions"`
	OutputConditions *OutputConditions `json:"outputConditions"`
}

// InputConditions say when an RQTT case's inputs are produced.
type InputConditions struct {
	// WaitForActivePushQuery produces the inputs only once the case's push
	// query runs (so it sees them without reading from the beginning).
	WaitForActivePushQuery bool `json:"waitForActivePushQuery"`
}

// OutputConditions say how an RQTT case's query rows are compared.
type OutputConditions struct {
	// VerifyOrder compares rows in order; otherwise as a multiset.
	VerifyOrder bool `json:"verifyOrder"`
}

// ExpectedError is the error a case expects from its statements.
type ExpectedError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Status  int    `json:"status"`
}

// Expected returns the case's expected error (QTT or RQTT form), or nil.
func (c *Case) Expected() *ExpectedError {
	if c.Exception != nil {
		return c.Exception
	}
	return c.RestError
}

// IsEnabled reports whether the case runs (files can disable cases).
func (c *Case) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// DefaultDir returns the corpus directory: $SLUICE_CONFORMANCE_DIR, or the
// shared/conformance/ksql folder beside the repository found by walking up
// from the working directory.
func DefaultDir() (string, error) {
	if d := os.Getenv("SLUICE_CONFORMANCE_DIR"); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "..", "shared", "conformance", "ksql")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return filepath.Clean(cand), nil
		}
		if filepath.Dir(dir) == dir {
			return "", errors.New("conformance: corpus not found (set SLUICE_CONFORMANCE_DIR)")
		}
	}
}

// LoadDir reads every .json file under dir (recursively), sorted by path.
func LoadDir(dir string) ([]*File, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	files := make([]*File, 0, len(paths))
	for _, p := range paths {
		f, err := LoadFile(p)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// LoadFile reads one case file. The files are JSON with comments.
func LoadFile(path string) (*File, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Tests []*Case `json:"tests"`
	}
	if err := json.Unmarshal(StripComments(raw), &doc); err != nil {
		return nil, fmt.Errorf("conformance: %s: %w", path, err)
	}
	stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return &File{Path: path, Stem: stem, Cases: doc.Tests}, nil
}

// StripComments removes // and /* */ comments outside JSON strings, which
// the case files use (Jackson's ALLOW_COMMENTS).
func StripComments(src []byte) []byte {
	out := make([]byte, 0, len(src))
	inString := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inString {
			out = append(out, c)
			switch c {
			case '\\':
				if i+1 < len(src) {
					i++
					out = append(out, src[i])
				}
			case '"':
				inString = false
			}
			continue
		}
		switch {
		case c == '"':
			inString = true
			out = append(out, c)
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			if i < len(src) {
				out = append(out, '\n')
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(string(src[i+2:]), "*/")
			if end < 0 {
				return out
			}
			i += end + 3
			out = append(out, ' ')
		default:
			out = append(out, c)
		}
	}
	return out
}
