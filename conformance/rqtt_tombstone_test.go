package conformance

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/types"
)

// TestCheckQueryTombstones checks that the RQTT reader compares each row's
// tombstone flag, not only its values: a tombstone and a row of the same
// values differ.
func TestCheckQueryTombstones(t *testing.T) {
	raw := []json.RawMessage{json.RawMessage(`{"query":[
		{"header":{"schema":"` + "`K` INTEGER, `V` INTEGER" + `"}},
		{"row":{"columns":[10,1]}},
		{"row":{"columns":[10,null],"tombstone":true}},
		{"finalMessage":"Limit Reached"}]}`)}
	want, err := decodeResponses(raw)
	if err != nil {
		t.Fatal(err)
	}
	cols := []types.Column{{Name: "K", Type: types.IntegerType}, {Name: "V", Type: types.IntegerType}}
	rowsOf := func(tombs []bool, tell bool) *Rows {
		vals := [][]any{{int32(10), int32(1)}, {int32(10), nil}}
		i := 0
		r := &Rows{Columns: cols, Close: func() {},
			Next: func(context.Context) ([]any, bool) {
				if i == len(vals) {
					return nil, false
				}
				i++
				return vals[i-1], true
			}}
		if tell {
			r.Tombstone = func() bool { return tombs[i-1] }
		}
		return r
	}
	for _, ordered := range []bool{true, false} {
		if d := checkQuery(context.Background(), 1, rowsOf([]bool{false, true}, true), want[0], ordered); d != "" {
			t.Errorf("ordered %v: matching rows: %s", ordered, d)
		}
		for name, rows := range map[string]*Rows{
			"no tombstone":       rowsOf([]bool{false, false}, true),
			"engine cannot tell": rowsOf(nil, false),
			"wrong row":          rowsOf([]bool{true, true}, true),
		} {
			d := checkQuery(context.Background(), 1, rows, want[0], ordered)
			if d == "" || !strings.Contains(d, "tombstone") {
				t.Errorf("ordered %v, %s: got %q, want a tombstone mismatch", ordered, name, d)
			}
		}
	}
}
