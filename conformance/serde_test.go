package conformance

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

func TestEncodeInputs(t *testing.T) {
	f := false
	src := func(keyFmt, valFmt string, wrap *bool, cols ...types.Column) *topicSerde {
		return &topicSerde{src: &planner.Source{Columns: cols, KeyFormat: keyFmt, ValueFormat: valFmt,
			ValueOptions: format.Options{WrapSingleValue: wrap}}}
	}
	intKey := types.Column{Name: "K", Type: types.IntegerType, Key: true}
	bigKey := types.Column{Name: "K", Type: types.BigintType, Key: true}
	strKey := types.Column{Name: "K", Type: types.StringType, Key: true}
	name := types.Column{Name: "NAME", Type: types.StringType}
	num := types.Column{Name: "N", Type: types.BigintType}
	tests := []struct {
		name       string
		serde      *topicSerde
		key, value string
		wantKey    []byte
		wantValue  []byte
	}{
		{"json value as written, KAFKA int key", src("KAFKA", "JSON", nil, intKey, name), `8`, `{"name": "a"}`,
			[]byte{0, 0, 0, 8}, []byte(`{"name":"a"}`)},
		{"KAFKA bigint key", src("KAFKA", "JSON", nil, bigKey, name), `-1`, `{}`,
			[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, []byte(`{}`)},
		{"KAFKA string key", src("KAFKA", "JSON", nil, strKey, name), `"k1"`, `{}`, []byte("k1"), []byte(`{}`)},
		{"null key and tombstone", src("KAFKA", "JSON", nil, strKey, name), `null`, `null`, nil, nil},
		{"absent key", src("KAFKA", "JSON", nil, strKey, name), ``, `{}`, nil, []byte(`{}`)},
		{"delimited value is the string", src("KAFKA", "DELIMITED", nil, strKey, name, num), `"a"`, `"x,1"`,
			[]byte("a"), []byte("x,1")},
		{"JSON key as written", src("JSON", "JSON", nil, intKey, name), `8`, `{}`, []byte("8"), []byte(`{}`)},
		{"KAFKA value", src("KAFKA", "KAFKA", nil, strKey, num), `"a"`, `7`,
			[]byte("a"), []byte{0, 0, 0, 0, 0, 0, 0, 7}},
		{"unwrapped JSON value as written", src("KAFKA", "JSON", &f, strKey, num), `"a"`, `7`, []byte("a"), []byte("7")},
		{"bad KAFKA value written as text", src("KAFKA", "KAFKA", nil, strKey, num), `"a"`, `"not a number"`,
			[]byte("a"), []byte("not a number")},
		{"no source: strings bare, others as JSON", &topicSerde{}, `"k"`, `{"a":1}`, []byte("k"), []byte(`{"a":1}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := inputRecord(tt.serde, Record{Topic: "t", Key: json.RawMessage(tt.key), Value: json.RawMessage(tt.value)})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(rec.Key, tt.wantKey) || (rec.Key == nil) != (tt.wantKey == nil) {
				t.Errorf("key = %q, want %q", rec.Key, tt.wantKey)
			}
			if !bytes.Equal(rec.Value, tt.wantValue) || (rec.Value == nil) != (tt.wantValue == nil) {
				t.Errorf("value = %q, want %q", rec.Value, tt.wantValue)
			}
		})
	}
}

func TestDecodeOutputs(t *testing.T) {
	s := &topicSerde{src: &planner.Source{
		Columns: []types.Column{
			{Name: "K", Type: types.BigintType, Key: true},
			{Name: "N", Type: types.IntegerType},
		},
		KeyFormat: "KAFKA", ValueFormat: "KAFKA",
	}}
	got, err := s.key().decode([]byte{0, 0, 0, 0, 0, 0, 1, 0})
	if err != nil || got != json.Number("256") {
		t.Errorf("KAFKA key = %v, %v; want 256", got, err)
	}
	got, err = s.value().decode([]byte{0, 0, 0, 3})
	if err != nil || got != json.Number("3") {
		t.Errorf("KAFKA value = %v, %v; want 3", got, err)
	}
	if got, err = s.value().decode(nil); err != nil || got != nil {
		t.Errorf("tombstone = %v, %v", got, err)
	}
	js := side{format: format.JSON}
	got, err = js.decode([]byte(`{"A": 1.50}`))
	if err != nil || got.(map[string]any)["A"] != json.Number("1.50") {
		t.Errorf("JSON keeps number text: %v, %v", got, err)
	}
	if _, err := js.decode([]byte(`{"A": 1} x`)); err == nil {
		t.Error("JSON with trailing data must not decode")
	}
	if got, _ := (side{format: format.Delimited}).decode([]byte("a,b")); got != "a,b" {
		t.Errorf("DELIMITED = %v", got)
	}
}

func TestGeneric(t *testing.T) {
	st := types.StructOf(types.Field{Name: "A", Type: types.StringType})
	m := &types.Map{}
	m.Put("k", int32(1))
	in := []any{int32(1), int64(2), 1.5, types.NewDecimal(1230, 2), "s", true, nil, []byte("!"),
		&types.Struct{Type: st, Values: []any{"x"}}, m}
	got := render(generic(in))
	want := `[1,2,1.5,12.30,"s",true,null,"IQ==",{"A":"x"},{"k":1}]`
	if got != want {
		t.Errorf("generic = %s, want %s", got, want)
	}
}

func TestWindowedKeys(t *testing.T) {
	tumbling := &planner.WindowInfo{Kind: ast.TumblingWindow, SizeMs: 30000}
	key := appendWindow([]byte("k"), &Window{Start: 60000, End: 90000, Type: "time"})
	inner, w, err := splitWindow(key, tumbling)
	if err != nil || string(inner) != "k" || w.Start != 60000 || w.End != 90000 {
		t.Errorf("time window: %q %+v %v", inner, w, err)
	}
	session := &planner.WindowInfo{Kind: ast.SessionWindow}
	key = appendWindow([]byte("k"), &Window{Start: 10, End: 25, Type: "session"})
	inner, w, err = splitWindow(key, session)
	if err != nil || string(inner) != "k" || w.Start != 10 || w.End != 25 {
		t.Errorf("session window: %q %+v %v", inner, w, err)
	}
	if _, _, err := splitWindow([]byte("short"), session); err == nil {
		t.Error("a key shorter than its window must be an error")
	}
}

// TestPartitionFor checks the runner's choice of input partitions: keyless
// records go to partition 0, keyed ones where Kafka's partitioner puts them
// (broker.PartitionForKey, tested against Kafka's hashes in package broker).
func TestPartitionFor(t *testing.T) {
	if p := partitionFor(nil, 4); p != 0 {
		t.Errorf("null key went to partition %d", p)
	}
	for _, k := range []string{"a", "b", "c", "21"} {
		if p := partitionFor([]byte(k), 3); p != broker.PartitionForKey([]byte(k), 3) {
			t.Errorf("partitionFor(%q, 3) = %d", k, p)
		}
	}
}
