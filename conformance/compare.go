package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sluicedb/sluice/types"
)

// The comparison rules are ksqlDB's (ExpectedRecordComparator, FORMAT.md):
// objects need the same number of fields, with names matched as written or
// upper-cased; arrays are ordered; doubles match within 1e-6; decimals
// compare numerically, except that an expected integer matches only a
// decimal of scale 0; a timestamp is checked only when the file gives one;
// headers are checked when given and must be absent otherwise.

// doubleTolerance is how far apart two doubles may be and still match.
const doubleTolerance = 1e-6

// actual is a record read back from an output topic, decoded to the generic
// JSON form of the expected records.
type actual struct {
	Key       any
	Value     any
	Timestamp int64
	Window    *Window
	Headers   []Header
	Partition int32
	Offset    int64
}

// String renders the record for a failure message.
func (a actual) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "key=%s value=%s ts=%d", render(a.Key), render(a.Value), a.Timestamp)
	if a.Window != nil {
		fmt.Fprintf(&b, " window=[%d,%d %s]", a.Window.Start, a.Window.End, a.Window.Type)
	}
	if len(a.Headers) > 0 {
		hb, _ := json.Marshal(a.Headers)
		fmt.Fprintf(&b, " headers=%s", hb)
	}
	return b.String()
}

// render prints a generic value compactly.
func render(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// expected is a file record with key and value parsed.
type expected struct {
	rec   Record
	key   any
	value any
}

func parseExpected(r Record) (expected, error) {
	e := expected{rec: r}
	var err error
	if !isNull(r.Key) {
		if e.key, err = parseJSON(r.Key); err != nil {
			return e, fmt.Errorf("key: %w", err)
		}
	}
	if !isNull(r.Value) {
		if e.value, err = parseJSON(r.Value); err != nil {
			return e, fmt.Errorf("value: %w", err)
		}
	}
	return e, nil
}

// String renders the expected record for a failure message.
func (e expected) String() string {
	a := actual{Key: e.key, Value: e.value, Window: e.rec.Window, Headers: e.rec.Headers}
	s := fmt.Sprintf("key=%s value=%s", render(a.Key), render(a.Value))
	if e.rec.Timestamp != nil {
		s += fmt.Sprintf(" ts=%d", *e.rec.Timestamp)
	}
	if a.Window != nil {
		s += fmt.Sprintf(" window=[%d,%d %s]", a.Window.Start, a.Window.End, a.Window.Type)
	}
	if len(a.Headers) > 0 {
		hb, _ := json.Marshal(a.Headers)
		s += " headers=" + string(hb)
	}
	return s
}

// compareRecord returns "" when got matches want, else what differs.
// keyShape and valueShape are the column types of the output, for numbers.
func compareRecord(want expected, got actual, keyShape, valueShape *types.Type) string {
	if d := compareValue("key", want.key, got.Key, keyShape); d != "" {
		return d
	}
	if d := compareValue("value", want.value, got.Value, valueShape); d != "" {
		return d
	}
	if ts := want.rec.Timestamp; ts != nil && *ts != got.Timestamp {
		return fmt.Sprintf("timestamp: got %d, want %d", got.Timestamp, *ts)
	}
	if w := want.rec.Window; w != nil {
		switch {
		case got.Window == nil:
			return fmt.Sprintf("window: got none, want [%d,%d]", w.Start, w.End)
		case got.Window.Start != w.Start || got.Window.End != w.End:
			return fmt.Sprintf("window: got [%d,%d], want [%d,%d]", got.Window.Start, got.Window.End, w.Start, w.End)
		}
	}
	wantHeaders := want.rec.Headers
	if len(wantHeaders) != len(got.Headers) {
		return fmt.Sprintf("headers: got %d, want %d", len(got.Headers), len(wantHeaders))
	}
	for i, h := range wantHeaders {
		g := got.Headers[i]
		if h.Key != g.Key || !bytes.Equal(h.Value, g.Value) || (h.Value == nil) != (g.Value == nil) {
			return fmt.Sprintf("header %d: got %q=%q, want %q=%q", i, g.Key, g.Value, h.Key, h.Value)
		}
	}
	return ""
}

// compareValue compares an expected generic value with an actual one; t is
// the SQL type of the position when known (nil otherwise) and decides how
// numbers compare.
func compareValue(path string, want, got any, t *types.Type) string {
	mismatch := func() string {
		return fmt.Sprintf("%s: got %s, want %s", path, render(got), render(want))
	}
	switch w := want.(type) {
	case nil:
		if got != nil {
			return mismatch()
		}
	case string:
		// ksqlDB's harness reads expected values through the column's
		// type: text where a DECIMAL is due is that decimal ("3.40").
		if g, ok := got.(json.Number); ok && t != nil && t.Kind == types.DecimalKind {
			if !numbersMatch(json.Number(w), g, t) {
				return mismatch()
			}
			return ""
		}
		if got != w {
			return mismatch()
		}
	case bool:
		if got != w {
			return mismatch()
		}
	case json.Number:
		g, ok := got.(json.Number)
		if !ok || !numbersMatch(w, g, t) {
			return mismatch()
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return mismatch()
		}
		var elem *types.Type
		if t != nil && t.Kind == types.Array {
			elem = t.Elem
		}
		for i := range w {
			if d := compareValue(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], elem); d != "" {
				return d
			}
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return mismatch()
		}
		if len(g) != len(w) {
			return fmt.Sprintf("%s: got %d fields %s, want %d fields %s", path, len(g), render(got), len(w), render(want))
		}
		for name, wv := range w {
			key := name
			gv, ok := g[key]
			if !ok {
				key = strings.ToUpper(name)
				if gv, ok = g[key]; !ok {
					// ksqlDB looks fields up by name and a missing one
					// reads as null, so it matches an expected null.
					if wv == nil {
						continue
					}
					return fmt.Sprintf("%s: no field %s in %s", path, name, render(got))
				}
			}
			var ft *types.Type
			switch {
			case t != nil && t.Kind == types.StructKind:
				if i := t.FieldIndex(key); i >= 0 {
					ft = t.Fields[i].Type
				}
			case t != nil && t.Kind == types.MapKind:
				ft = t.Elem
			}
			if d := compareValue(path+"."+name, wv, gv, ft); d != "" {
				return d
			}
		}
	default:
		return fmt.Sprintf("%s: unexpected expected value %T", path, want)
	}
	return ""
}

// numbersMatch compares two JSON numbers under the column type t.
func numbersMatch(want, got json.Number, t *types.Type) bool {
	integral := func(n json.Number) bool { return !strings.ContainsAny(string(n), ".eE") }
	if t != nil && t.Kind == types.DecimalKind && integral(want) && !integral(got) {
		return false
	}
	double := t != nil && t.Kind == types.Double
	if t == nil || double {
		if double || !integral(want) || !integral(got) {
			wf, err1 := strconv.ParseFloat(string(want), 64)
			gf, err2 := strconv.ParseFloat(string(got), 64)
			if err1 != nil || err2 != nil {
				return false
			}
			if wf == gf {
				return true
			}
			diff := math.Abs(wf - gf)
			return diff < doubleTolerance || diff <= doubleTolerance*math.Max(math.Abs(wf), math.Abs(gf))
		}
	}
	wr, ok1 := numberRat(want)
	gr, ok2 := numberRat(got)
	return ok1 && ok2 && wr.Cmp(gr) == 0
}

// compareTopic matches a topic's records with the expected ones, in order
// when the topic has one partition; with several partitions only the order
// within a partition is defined, so each expected record takes the first
// unmatched actual record it equals.
func compareTopic(topic string, want []expected, got []actual, ordered bool, keyShape, valueShape *types.Type) string {
	if ordered {
		for i := 0; i < len(want) && i < len(got); i++ {
			if d := compareRecord(want[i], got[i], keyShape, valueShape); d != "" {
				return fmt.Sprintf("topic %s record %d: %s (got %s; want %s)", topic, i, d, got[i], want[i])
			}
		}
		switch {
		case len(got) > len(want):
			return fmt.Sprintf("topic %s: %d records, want %d; first extra: %s", topic, len(got), len(want), got[len(want)])
		case len(got) < len(want):
			return fmt.Sprintf("topic %s: %d records, want %d; first missing: %s", topic, len(got), len(want), want[len(got)])
		}
		return ""
	}
	used := make([]bool, len(got))
	for i, w := range want {
		found := false
		for j, g := range got {
			if !used[j] && compareRecord(w, g, keyShape, valueShape) == "" {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return fmt.Sprintf("topic %s: expected record %d not produced: %s (%d records in topic)", topic, i, w, len(got))
		}
	}
	for j, g := range got {
		if !used[j] {
			return fmt.Sprintf("topic %s: %d records, want %d; unexpected: %s", topic, len(got), len(want), g)
		}
	}
	return ""
}
