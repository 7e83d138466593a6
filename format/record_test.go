package format

import (
	"errors"
	"testing"

	"github.com/sluicedb/sluice/types"
)

func TestRecordDecoder(t *testing.T) {
	schema := types.MustSchema(
		types.Column{Name: "K", Type: types.StringType, Key: true},
		types.Column{Name: "FOO", Type: types.IntegerType},
		types.Column{Name: "BAR", Type: types.StringType},
		types.Column{Name: "H", Type: types.ArrayOf(types.StructOf(types.Field{Name: "KEY", Type: types.StringType}, types.Field{Name: "VALUE", Type: types.BytesType})), Headers: true},
	)
	bb := types.NewBatchBuilder(nil, schema)
	defer bb.Release()
	d, err := NewRecordDecoder(bb, SourceOptions{KeyFormat: Kafka, ValueFormat: JSON})
	if err != nil {
		t.Fatal(err)
	}
	records := []struct {
		key, value string
		nullValue  bool
		bad        bool
	}{
		{"a", `{"foo": 1, "bar": "x"}`, false, false},
		{"b", ``, true, false},                // null value: a null row (tombstone for tables)
		{"c", `{"foo": "nope"}`, false, true}, // bad value: nothing appended
		{"d", `{"FOO": 4}`, false, false},
		{"e", `null`, false, false}, // JSON null: also a null value
	}
	for i, r := range records {
		var value []byte
		if !r.nullValue {
			value = []byte(r.value)
		}
		err := d.Append([]byte(r.key), value, types.RowMeta{Offset: int64(i)})
		var de *DecodeError
		if r.bad != errors.As(err, &de) || (!r.bad && err != nil) {
			t.Fatalf("record %d: Append = %v", i, err)
		}
	}
	b, err := bb.NewBatch()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	want := [][]any{{"a", int32(1), "x", nil}, {"b", nil, nil, nil}, {"d", int32(4), nil, nil}, {"e", nil, nil, nil}}
	changes := []types.ChangeKind{types.Insert, types.Delete, types.Insert, types.Delete}
	if b.NumRows() != len(want) {
		t.Fatalf("%d rows, want %d", b.NumRows(), len(want))
	}
	for i, w := range want {
		got := b.Row(i, nil)
		for c := range w {
			if !same(got[c], w[c]) {
				t.Fatalf("row %d col %d = %v, want %v", i, c, got[c], w[c])
			}
		}
		if m := b.Meta(i); m.Change != changes[i] || string(m.Key) != w[0] {
			t.Fatalf("row %d meta %+v", i, m)
		}
	}
}

func TestRecordDecoderKeyFailureIsAtomic(t *testing.T) {
	schema := types.MustSchema(
		types.Column{Name: "K", Type: types.BigintType, Key: true},
		types.Column{Name: "V", Type: types.StringType},
	)
	bb := types.NewBatchBuilder(nil, schema)
	defer bb.Release()
	d, err := NewRecordDecoder(bb, SourceOptions{KeyFormat: Kafka, ValueFormat: Delimited})
	if err != nil {
		t.Fatal(err)
	}
	// The value decodes, the 3-byte key does not: nothing may be appended.
	if err := d.Append([]byte("abc"), []byte("hello"), types.RowMeta{}); err == nil {
		t.Fatal("Append accepted a 3-byte BIGINT key")
	}
	if n := bb.Col(0).Len() + bb.Col(1).Len() + bb.Len(); n != 0 {
		t.Fatalf("a failed record left %d values behind", n)
	}
	if _, err := NewRecordDecoder(bb, SourceOptions{KeyFormat: Kafka, ValueFormat: "NOPE"}); err == nil {
		t.Fatal("unknown value format accepted")
	}
	bad := types.MustSchema(types.Column{Name: "K", Type: types.BooleanType, Key: true}, types.Column{Name: "V", Type: types.StringType})
	if _, err := NewRecordDecoder(types.NewBatchBuilder(nil, bad), SourceOptions{KeyFormat: Kafka, ValueFormat: JSON}); err == nil {
		t.Fatal("BOOLEAN KAFKA key accepted")
	}
}

// TestRecordDecoderExternalFormat: a registered format that only implements
// the public Decoder still decodes atomically through DecodeRow.
func TestRecordDecoderExternalFormat(t *testing.T) {
	Register(rowOnlyFormat{})
	defer func() {
		registryMu.Lock()
		delete(registry, "ROWONLY")
		registryMu.Unlock()
	}()
	schema := types.MustSchema(types.Column{Name: "V", Type: types.StringType})
	bb := types.NewBatchBuilder(nil, schema)
	defer bb.Release()
	d, err := NewRecordDecoder(bb, SourceOptions{KeyFormat: None, ValueFormat: "rowonly"})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Append(nil, []byte("x"), types.RowMeta{}); err != nil {
		t.Fatalf("Append: %v", err)
	}
	b, _ := bb.NewBatch()
	defer b.Release()
	if b.Value(0, 0) != "x" {
		t.Fatalf("value = %v", b.Value(0, 0))
	}
}

// rowOnlyFormat decodes a value as its raw text through DecodeRow only.
type rowOnlyFormat struct{}

func (rowOnlyFormat) Name() string                           { return "ROWONLY" }
func (rowOnlyFormat) Validate([]types.Column, Options) error { return nil }
func (rowOnlyFormat) NewDecoder([]types.Column, Options) (Decoder, error) {
	return rowOnlyDecoder{}, nil
}
func (rowOnlyFormat) NewEncoder([]types.Column, Options) (Encoder, error) {
	return nil, errors.New("not supported")
}

type rowOnlyDecoder struct{}

func (rowOnlyDecoder) DecodeRow(data []byte, dst []any) ([]any, error) {
	if data == nil {
		return nil, nil
	}
	return append(dst[:0], string(data)), nil
}

func (rowOnlyDecoder) DecodeInto([]byte, []*types.ColumnBuilder) (bool, error) {
	return false, errors.New("not used")
}
