package corpus_test

import (
	"encoding/json"
	"testing"

	"github.com/sluicedb/sluice/conformance/corpus"
	"github.com/sluicedb/sluice/conformance/corpustest"
)

func TestStripComments(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a": 1} // tail`, `{"a": 1} `},
		{`{"a": "x // not a comment"}`, `{"a": "x // not a comment"}`},
		{`{/* c */"a": "\"/*"}`, `{ "a": "\"/*"}`},
		{"[1, // one\n 2]", "[1, \n 2]"},
	}
	for _, tt := range tests {
		got := string(corpus.StripComments([]byte(tt.in)))
		if got != tt.want {
			t.Errorf("corpus.StripComments(%q) = %q, want %q", tt.in, got, tt.want)
		}
		var v any
		if err := json.Unmarshal([]byte(got), &v); err != nil {
			t.Errorf("result of %q is not JSON: %v", tt.in, err)
		}
	}
}

func TestLoadCorpus(t *testing.T) {
	dir := corpustest.Dir(t)
	files, err := corpus.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, f := range files {
		if len(f.Cases) == 0 {
			t.Errorf("%s: no cases", f.Path)
		}
		for _, c := range f.Cases {
			if len(c.Statements) == 0 {
				t.Errorf("%s: case %q has no statements", f.Path, c.Name)
			}
			cases++
		}
	}
	if len(files) < 100 || cases < 1000 {
		t.Fatalf("corpus looks truncated: %d files, %d cases", len(files), cases)
	}
}
