package functions

import (
	"testing"
)

// treeExtract is the reference EXTRACTJSONFIELD: parse the whole document
// into a tree and walk it. The fuzz test checks the streaming lookup
// against it.
func treeExtract(doc string, steps []jsonPathStep) (any, bool) {
	v, err := parseJSON(doc)
	if err != nil {
		return nil, false
	}
	for _, st := range steps {
		switch x := v.(type) {
		case *jsonObject:
			if st.isIdx {
				return nil, true
			}
			var ok bool
			if v, ok = x.get(st.field); !ok {
				return nil, true
			}
		case []any:
			if !st.isIdx || st.index < 0 || st.index >= len(x) {
				return nil, true
			}
			v = x[st.index]
		default:
			return nil, true
		}
	}
	switch x := v.(type) {
	case jsonNullT:
		return nil, true
	case string:
		return x, true
	}
	return jsonNodeText(v), true
}

func FuzzExtractJSONField(f *testing.F) {
	for _, s := range []string{
		`{"log": {"cloud": "gcp", "tags": ["a", {"b": null}], "n": 1.50}}`,
		`[1, [2, 3], {"a": "\u00e9\"x"}]`,
		`{"a": 1, "a": 2}`, `{"a b": {"c\"d": [1]}}`, `{}`, `[]`, `"x"`, `12`, `{"a": tru}`, `{"a":[1,2,]}`,
	} {
		for _, path := range []string{"$", "$.a", "$.log.tags[1]", "$[1][0]", "$.log.n", "$[2].a", "$['a b']['c\"d'][0]"} {
			f.Add(s, path)
		}
	}
	f.Fuzz(func(t *testing.T, doc, path string) {
		steps, err := parseJSONPath(path)
		if err != nil {
			return
		}
		got, err := extractJSONField([]any{doc, path})
		if err != nil {
			t.Fatalf("extract(%q, %q): %v", doc, path, err)
		}
		want, valid := treeExtract(doc, steps)
		if !valid {
			want = nil
		}
		if got != want {
			t.Fatalf("extract(%q, %q) = %#v, tree walk gives %#v", doc, path, got, want)
		}
		if validJSON(doc) != valid {
			t.Fatalf("validJSON(%q) = %v, parseJSON says %v", doc, !valid, valid)
		}
	})
}
