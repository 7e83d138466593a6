package format

import (
	stdjson "encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/types"
)

func TestJSONDecode(t *testing.T) {
	st := types.StructOf(types.Field{Name: "A", Type: types.DoubleType}, types.Field{Name: "b", Type: types.StringType})
	tests := []struct {
		name string
		cols []types.Column
		opts Options
		in   string
		want []any // nil: null record
	}{
		{"case-insensitive", []types.Column{col("FOO", types.IntegerType), col("BAR", types.StringType)}, Options{},
			`{"foo": 10, "Bar": "x"}`, []any{int32(10), "x"}},
		{"exact match wins", []types.Column{col("FOO", types.IntegerType)}, Options{},
			`{"FOO": 1, "foo": 2}`, []any{int32(1)}},
		{"exact match wins either order", []types.Column{col("FOO", types.IntegerType)}, Options{},
			`{"foo": 2, "FOO": 1}`, []any{int32(1)}},
		{"quoted column names", []types.Column{col("foo", types.IntegerType), col("FOO", types.IntegerType)}, Options{},
			`{"foo": 2, "FOO": 1}`, []any{int32(2), int32(1)}},
		{"missing and extra", []types.Column{col("A", types.IntegerType), col("B", types.StringType)}, Options{},
			`{"c": {"deep": [1, {"x": null}]}, "a": 5}`, []any{int32(5), nil}},
		{"explicit null", []types.Column{col("A", types.IntegerType)}, Options{}, `{"A": null}`, []any{nil}},
		{"empty object", []types.Column{col("A", types.IntegerType)}, Options{}, `{}`, []any{nil}},
		{"null record", []types.Column{col("A", types.IntegerType)}, Options{}, ` null `, nil},
		{"empty record", []types.Column{col("A", types.IntegerType)}, Options{}, ``, nil},
		{"numbers from strings", []types.Column{col("I", types.IntegerType), col("L", types.BigintType), col("D", types.DoubleType), col("DEC", types.DecimalOf(4, 2))}, Options{},
			`{"I": "10", "L": " -5 ", "D": "1.5e1", "DEC": "1.005"}`, []any{int32(10), int64(-5), 15.0, types.MustParseDecimal("1.01")}},
		{"strings from scalars", []types.Column{col("S1", types.StringType), col("S2", types.StringType), col("S3", types.StringType)}, Options{},
			`{"S1": 1.50, "S2": true, "S3": {"a": [1, 2]}}`, []any{"1.50", "true", `{"a": [1, 2]}`}},
		{"fraction into integer truncates", []types.Column{col("I", types.IntegerType), col("L", types.BigintType)}, Options{},
			`{"I": -1.9, "L": 2e3}`, []any{int32(-1), int64(2000)}},
		{"decimal exact", []types.Column{col("DEC", types.DecimalOf(21, 19))}, Options{},
			`{"DEC": 10.1234512345123451234}`, []any{types.MustParseDecimal("10.1234512345123451234")}},
		{"decimal scale up", []types.Column{col("DEC", types.DecimalOf(5, 3))}, Options{}, `{"DEC": 10}`, []any{types.MustParseDecimal("10.000")}},
		{"temporal", []types.Column{col("D", types.DateType), col("T", types.TimeType), col("TS", types.TimestampType)}, Options{},
			`{"d": 10, "t": "1000", "ts": "2022-04-28T21:44:47.943Z"}`, []any{types.Date(10), types.Time(1000), types.Timestamp(1651182287943)}},
		{"date from ISO text", []types.Column{col("D", types.DateType)}, Options{}, `{"D": "1970-01-11"}`, []any{types.Date(10)}},
		{"bytes base64", []types.Column{col("B", types.BytesType)}, Options{}, `{"B": "IQ=="}`, []any{[]byte("!")}},
		{"escapes", []types.Column{col("S", types.StringType)}, Options{},
			`{"S": "a\"b\\c\/d\n\u00e9\ud83d\ude00\ud800x"}`, []any{"a\"b\\c/d\né😀\ufffdx"}},
		{"invalid utf8 replaced", []types.Column{col("S", types.StringType)}, Options{}, "{\"S\": \"a\xffb\"}", []any{"a\ufffdb"}},
		{"struct case-insensitive", []types.Column{col("V", st)}, Options{}, `{"v": {"a": 45.67, "B": "x"}}`,
			[]any{&types.Struct{Type: st, Values: []any{45.67, "x"}}}},
		{"array with nulls and coercion", []types.Column{col("A", types.ArrayOf(types.StringType))}, Options{}, `{"A": [1, "b", null]}`, []any{[]any{"1", "b", nil}}},
		{"map with int keys", []types.Column{col("M", types.MapOf(types.IntegerType, types.DoubleType))}, Options{}, `{"M": {"1": 2, "3": null}}`,
			[]any{&types.Map{Keys: []any{int32(1), int32(3)}, Values: []any{2.0, nil}}}},
		{"unwrapped boolean", []types.Column{col("V", types.BooleanType)}, Options{WrapSingleValue: boolPtr(false)}, `true`, []any{true}},
		{"unwrapped null", []types.Column{col("V", types.BooleanType)}, Options{WrapSingleValue: boolPtr(false)}, `null`, nil},
		{"unwrapped struct", []types.Column{col("V", st)}, Options{WrapSingleValue: boolPtr(false)}, `{"a": 45.67}`,
			[]any{&types.Struct{Type: st, Values: []any{45.67, nil}}}},
		{"unwrapped array", []types.Column{col("FOO", types.ArrayOf(types.StringType))}, Options{WrapSingleValue: boolPtr(false)}, `["a", "b", null]`,
			[]any{[]any{"a", "b", nil}}},
		{"single key unwrapped by default", []types.Column{key("K", types.StringType)}, Options{Key: true}, `"hello"`, []any{"hello"}},
		{"multi-column key", []types.Column{key("K1", types.StringType), key("K2", types.BigintType)}, Options{Key: true}, `{"K1": "a", "K2": 2}`, []any{"a", int64(2)}},
		{"whitespace everywhere", []types.Column{col("A", types.ArrayOf(types.IntegerType))}, Options{}, " \n{ \"A\" :\t[ 1 , 2 ] }\r\n", []any{[]any{int32(1), int32(2)}}},
		{"big double", []types.Column{col("D", types.DoubleType)}, Options{}, `{"D": 1e400}`, []any{mustInf()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := jsonFormat{}.NewDecoder(tc.cols, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.DecodeRow([]byte(tc.in), nil)
			if err != nil {
				t.Fatalf("DecodeRow(%s): %v", tc.in, err)
			}
			if (got == nil) != (tc.want == nil) {
				t.Fatalf("DecodeRow(%s) = %v, want %v", tc.in, got, tc.want)
			}
			for i := range tc.want {
				if !same(got[i], tc.want[i]) {
					t.Fatalf("DecodeRow(%s)[%d] = %#v, want %#v", tc.in, i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestJSONLargeMap(t *testing.T) {
	cols := []types.Column{col("M", types.MapOf(types.StringType, types.IntegerType))}
	var b strings.Builder
	b.WriteString(`{"M": {`)
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, `"k%d": %d, `, i%30, i)
	}
	b.WriteString(`"k0": -1}}`)
	d, _ := jsonFormat{}.NewDecoder(cols, Options{})
	row, err := d.DecodeRow([]byte(b.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := row[0].(*types.Map)
	if m.Len() != 30 {
		t.Fatalf("map has %d entries, want 30", m.Len())
	}
	for i := 0; i < 30; i++ {
		v, ok := m.Lookup(fmt.Sprintf("k%d", i))
		want := int32(i)
		switch {
		case i == 0:
			want = -1
		case i < 10:
			want = int32(i + 30)
		}
		if !ok || v != want {
			t.Fatalf("k%d = %v, %v; want %d (last duplicate wins)", i, v, ok, want)
		}
	}
	// Entries come in java.util.HashMap order for 30 entries (a 64-slot
	// table): by spread hash bucket, ties in first-seen order.
	for i := 1; i < m.Len(); i++ {
		a, b := javaSpreadHash(m.Keys[i-1].(string))&63, javaSpreadHash(m.Keys[i].(string))&63
		if a > b {
			t.Fatalf("keys %v: not in HashMap bucket order", m.Keys)
		}
	}
}

// TestJavaMapOrder pins the order ksqlDB's HashMap gives a few maps, the
// order its REDUCE and TRANSFORM walk.
func TestJavaMapOrder(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"yes, thanks", "nope", "sure, yeah"}, []string{"yes, thanks", "sure, yeah", "nope"}},
		{[]string{"123", "12", "1234"}, []string{"12", "1234", "123"}},
		{[]string{"b", "a"}, []string{"a", "b"}},
		{[]string{"only"}, []string{"only"}},
	} {
		m := &types.Map{}
		for i, k := range tc.in {
			m.Put(k, int32(i))
		}
		javaMapOrder(m)
		for i, k := range tc.want {
			if m.Keys[i] != k {
				t.Fatalf("%q: order %v, want %q", tc.in, m.Keys, tc.want)
			}
			if v, _ := m.Lookup(k); v != int32(slices.Index(tc.in, k)) {
				t.Fatalf("%q: value of %s moved away from its key", tc.in, k)
			}
		}
	}
	for n, want := range map[int]int{2: 4, 3: 4, 4: 8, 6: 8, 7: 16, 12: 16, 13: 32, 30: 64} {
		if got := javaTableSize(n); got != want {
			t.Errorf("javaTableSize(%d) = %d, want %d", n, got, want)
		}
	}
}

func mustInf() float64 {
	f, _ := types.ParseDouble("Infinity")
	return f
}

func TestJSONDecodeErrors(t *testing.T) {
	cols := []types.Column{col("I", types.IntegerType), col("S", types.StringType), col("A", types.ArrayOf(types.BigintType)), col("B", types.BooleanType)}
	tests := []struct {
		in     string
		column string // column named in the error, "" for syntax errors
	}{
		{`{"I": 1`, ""},
		{`{"I": 1.}`, "I"},
		{`{"I" 1}`, ""},
		{`{I: 1}`, ""},
		{`[1, 2]`, ""},
		{`"text"`, ""},
		{`{"I": 1} x`, ""},
		{`{"I": 01}`, ""},
		{`{"I": 1.}`, "I"},
		{`{"I": -}`, "I"},
		{`{"I": tru}`, "I"},
		{`{"S": "abc}`, "S"},
		{`{"S": "a\qb"}`, "S"},
		{"{\"S\": \"a\x01b\"}", "S"},
		{`{"S": "\u12"}`, "S"},
		{`{"I": 2147483648}`, "I"},
		{`{"I": "x"}`, "I"},
		{`{"I": true}`, "I"},
		{`{"I": [1]}`, "I"},
		{`{"A": {"x": 1}}`, "A"},
		{`{"A": [1, "x"]}`, "A"},
		{`{"A": [1 2]}`, "A"},
		{`{"B": 1}`, "B"},
		{`{"B": "maybe"}`, "B"},
		{`{"X": [[[[` + strings.Repeat("[", 600) + `}`, ""},
	}
	d, err := jsonFormat{}.NewDecoder(cols, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bb := types.NewBatchBuilder(nil, types.MustSchema(cols...))
	defer bb.Release()
	out, _ := BuildersFor(bb, cols)
	for _, tc := range tests {
		_, err := d.DecodeRow([]byte(tc.in), nil)
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("DecodeRow(%s) error = %v, want *DecodeError", tc.in, err)
			continue
		}
		if de.Column != tc.column {
			t.Errorf("DecodeRow(%s) error column = %q, want %q (%v)", tc.in, de.Column, tc.column, err)
		}
		if !strings.HasPrefix(err.Error(), "format: json: ") {
			t.Errorf("error %q lacks prefix", err)
		}
		if ok, err := d.DecodeInto([]byte(tc.in), out); ok || err == nil {
			t.Errorf("DecodeInto(%s) = %v, %v", tc.in, ok, err)
		}
		for i := range cols {
			if n := bb.Col(i).Len(); n != 0 {
				t.Fatalf("DecodeInto(%s) left %d values in column %d", tc.in, n, i)
			}
		}
	}
}

func TestJSONEncode(t *testing.T) {
	st := types.StructOf(types.Field{Name: "A", Type: types.DoubleType})
	tests := []struct {
		name string
		cols []types.Column
		opts Options
		row  []any
		want string
	}{
		{"object", []types.Column{col("FOO", types.StringType), col("FOO2", types.StringType)}, Options{}, []any{"bar", nil}, `{"FOO":"bar","FOO2":null}`},
		{"doubles as Java", []types.Column{col("D", types.DoubleType), col("E", types.DoubleType), col("N", types.DoubleType)}, Options{}, []any{10.0, 1e10, mustInf()}, `{"D":10.0,"E":1.0E10,"N":"Infinity"}`},
		{"decimal keeps zeros", []types.Column{col("DEC", types.DecimalOf(4, 2))}, Options{}, []any{types.MustParseDecimal("10.00")}, `{"DEC":10.00}`},
		{"temporal as numbers", []types.Column{col("D", types.DateType), col("T", types.TimeType), col("TS", types.TimestampType)}, Options{}, []any{types.Date(-10), types.Time(5), types.Timestamp(1700000000123)}, `{"D":-10,"T":5,"TS":1700000000123}`},
		{"bytes", []types.Column{col("B", types.BytesType)}, Options{}, []any{[]byte("!")}, `{"B":"IQ=="}`},
		{"escaping", []types.Column{col("S", types.StringType)}, Options{}, []any{"a\"\\\n\x01é/"}, `{"S":"a\"\\\n\u0001é/"}`},
		{"unwrapped", []types.Column{col("V", types.IntegerType)}, Options{WrapSingleValue: boolPtr(false)}, []any{int32(123)}, `123`},
		{"unwrapped struct", []types.Column{col("V", st)}, Options{WrapSingleValue: boolPtr(false)}, []any{&types.Struct{Type: st, Values: []any{76.54}}}, `{"A":76.54}`},
		{"unwrapped null", []types.Column{col("V", types.IntegerType)}, Options{WrapSingleValue: boolPtr(false)}, []any{nil}, ``},
		{"map keys as text", []types.Column{col("M", types.MapOf(types.IntegerType, types.StringType))}, Options{}, []any{&types.Map{Keys: []any{int32(1)}, Values: []any{"x"}}}, `{"M":{"1":"x"}}`},
		{"null record", []types.Column{col("V", types.IntegerType)}, Options{}, nil, ``},
		{"single key", []types.Column{key("K", types.StringType)}, Options{Key: true}, []any{"hello"}, `"hello"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := jsonFormat{}.NewEncoder(tc.cols, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.EncodeRow(nil, tc.row)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("EncodeRow = %s, want %s", got, tc.want)
			}
		})
	}
	e, _ := jsonFormat{}.NewEncoder([]types.Column{col("I", types.IntegerType)}, Options{})
	if _, err := e.EncodeRow(nil, []any{"not an int", 1}); err == nil {
		t.Fatal("EncodeRow accepted a row of the wrong length")
	}
}

// TestUnscaled64MatchesExact checks the decimal fast path against the exact
// big.Int path on random number tokens.
func TestUnscaled64MatchesExact(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + r.Intn(10))
		}
		return string(b)
	}
	for i := 0; i < 50000; i++ {
		tok := digits(r.Intn(12) + 1)
		if len(tok) > 1 && tok[0] == '0' {
			tok = "1" + tok[1:]
		}
		if r.Intn(3) > 0 {
			tok += "." + digits(r.Intn(8)+1)
		}
		if r.Intn(2) == 0 {
			tok = "-" + tok
		}
		precision := r.Intn(20) + 1
		scale := r.Intn(precision + 1)
		u, ok := unscaled64([]byte(tok), precision, scale)
		want, err := types.MustParseDecimal(tok).Fit(precision, scale)
		if !ok {
			if err == nil && want.Unscaled.IsInt64() && len(strings.TrimLeft(strings.TrimPrefix(want.Unscaled.String(), "-"), "0")) <= 17 {
				t.Fatalf("seed %d: %s DECIMAL(%d,%d): fast path declined a small value %s", seed, tok, precision, scale, want)
			}
			continue
		}
		if err != nil {
			t.Fatalf("seed %d: %s DECIMAL(%d,%d): fast path gave %d, exact path fails: %v", seed, tok, precision, scale, u, err)
		}
		if got := types.NewDecimal(u, int32(scale)); got.Cmp(want) != 0 {
			t.Fatalf("seed %d: %s DECIMAL(%d,%d): fast %s, exact %s", seed, tok, precision, scale, got, want)
		}
	}
}

// TestJSONStringsAgainstStdlib: any string encoding/json writes (its
// escapes include \u003c, \u2028 and \ufffd for invalid UTF-8) reads back
// through our scanner as encoding/json reads it, and our encoder's output
// reads back in encoding/json unchanged.
func TestJSONStringsAgainstStdlib(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	cols := []types.Column{col("S", types.StringType)}
	dec, _ := jsonFormat{}.NewDecoder(cols, Options{})
	enc, _ := jsonFormat{}.NewEncoder(cols, Options{})
	for i := 0; i < 5000; i++ {
		b := make([]byte, r.Intn(12))
		for j := range b {
			switch r.Intn(4) {
			case 0:
				b[j] = byte(r.Intn(0x20))
			case 1:
				b[j] = byte(r.Intn(256))
			default:
				b[j] = byte(0x20 + r.Intn(0x60))
			}
		}
		s := string(b)
		if r.Intn(4) == 0 {
			s += "\u2028😀<>&"
		}
		doc, err := stdjson.Marshal(map[string]string{"S": s})
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]string
		if err := stdjson.Unmarshal(doc, &want); err != nil {
			t.Fatal(err)
		}
		row, err := dec.DecodeRow(doc, nil)
		if err != nil || row[0] != want["S"] {
			t.Fatalf("seed %d: %s decoded to %q, %v; encoding/json says %q", seed, doc, row[0], err, want["S"])
		}
		out, err := enc.EncodeRow(nil, []any{want["S"]})
		if err != nil {
			t.Fatal(err)
		}
		var back map[string]string
		if err := stdjson.Unmarshal(out, &back); err != nil || back["S"] != want["S"] {
			t.Fatalf("seed %d: we wrote %s for %q; encoding/json reads %q, %v", seed, out, want["S"], back["S"], err)
		}
	}
}

// TestNumberFastPaths checks the hand-written integer and double token
// parsers against strconv on random tokens.
func TestNumberFastPaths(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	for i := 0; i < 100000; i++ {
		n := r.Intn(20) + 1
		b := []byte{byte('1' + r.Intn(9))}
		for len(b) < n {
			b = append(b, byte('0'+r.Intn(10)))
		}
		if r.Intn(5) == 0 {
			b = []byte("0")
		}
		tok := string(b)
		if r.Intn(2) == 0 {
			tok = "-" + tok
		}
		if v, ok := parseIntToken([]byte(tok)); ok {
			if want, err := strconv.ParseInt(tok, 10, 64); err != nil || v != want {
				t.Fatalf("seed %d: parseIntToken(%s) = %d, strconv %d, %v", seed, tok, v, want, err)
			}
		}
		ftok := tok
		if r.Intn(3) > 0 {
			frac := make([]byte, r.Intn(25)+1)
			for j := range frac {
				frac[j] = byte('0' + r.Intn(10))
			}
			ftok += "." + string(frac)
		}
		if f, ok := parseFloatToken([]byte(ftok)); ok {
			if want, err := strconv.ParseFloat(ftok, 64); err != nil || f != want {
				t.Fatalf("seed %d: parseFloatToken(%s) = %v, strconv %v, %v", seed, ftok, f, want, err)
			}
		}
	}
}
