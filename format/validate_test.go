package format

import (
	"errors"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/types"
)

func col(name string, t *types.Type) types.Column { return types.Column{Name: name, Type: t} }

func key(name string, t *types.Type) types.Column {
	return types.Column{Name: name, Type: t, Key: true}
}

func boolPtr(b bool) *bool { return &b }

func TestValidate(t *testing.T) {
	st := types.StructOf(types.Field{Name: "F1", Type: types.DoubleType})
	tests := []struct {
		name   string
		format string
		cols   []types.Column
		opts   Options
		err    string // substring of the error; "" means accepted
	}{
		{"unknown", "FOO", nil, Options{}, "Unknown format: FOO"},
		{"registry format", "avro", nil, Options{}, "The 'AVRO' format is not supported yet"},
		{"json any type", "json", []types.Column{col("A", types.ArrayOf(types.MapOf(types.StringType, st))), col("B", types.BytesType)}, Options{}, ""},
		{"json wrap multi", JSON, []types.Column{col("F0", types.StringType), col("F1", types.StringType)}, Options{WrapSingleValue: boolPtr(true)}, "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas"},
		{"json unwrap multi", JSON, []types.Column{col("F0", types.StringType), col("F1", types.StringType)}, Options{WrapSingleValue: boolPtr(false)}, "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas"},
		{"json unwrap single", JSON, []types.Column{col("F0", st)}, Options{WrapSingleValue: boolPtr(false)}, ""},
		{"json map key", JSON, []types.Column{key("K", types.MapOf(types.IntegerType, types.DoubleType))}, Options{Key: true}, "Map keys, including types that contain maps, are not supported"},
		{"json nested map key", JSON, []types.Column{key("K", types.ArrayOf(types.MapOf(types.IntegerType, types.DoubleType)))}, Options{Key: true}, "Column type: ARRAY<MAP<INTEGER, DOUBLE>>"},
		{"json int map key", JSON, []types.Column{col("FOO", types.MapOf(types.IntegerType, types.DoubleType))}, Options{}, "JSON only supports MAP types with STRING keys"},
		{"json nested int map key", JSON, []types.Column{col("FOO", types.StructOf(types.Field{Name: "M", Type: types.ArrayOf(types.MapOf(types.BigintType, types.StringType))}))}, Options{}, "JSON only supports MAP types with STRING keys"},
		{"json map of map", JSON, []types.Column{col("FOO", types.MapOf(types.StringType, types.MapOf(types.BooleanType, types.StringType)))}, Options{}, "JSON only supports MAP types with STRING keys"},
		{"json multi key", JSON, []types.Column{key("K1", types.IntegerType), key("K2", types.StringType)}, Options{Key: true}, ""},
		{"kafka int", Kafka, []types.Column{col("FOO", types.IntegerType)}, Options{}, ""},
		{"kafka bytes", Kafka, []types.Column{col("FOO", types.BytesType)}, Options{}, ""},
		{"kafka wrap", Kafka, []types.Column{col("FOO", types.IntegerType)}, Options{WrapSingleValue: boolPtr(true)}, "Format 'KAFKA' does not support 'WRAP_SINGLE_VALUE' set to 'true'."},
		{"kafka unwrap", Kafka, []types.Column{col("FOO", types.IntegerType)}, Options{WrapSingleValue: boolPtr(false)}, ""},
		{"kafka boolean", Kafka, []types.Column{col("K", types.BooleanType)}, Options{Key: true}, "The 'KAFKA' format does not support type 'BOOLEAN'"},
		{"kafka decimal", Kafka, []types.Column{col("K", types.DecimalOf(2, 1))}, Options{Key: true}, "The 'KAFKA' format does not support type 'DECIMAL'"},
		{"kafka array", Kafka, []types.Column{col("FOO", types.ArrayOf(types.IntegerType))}, Options{}, "The 'KAFKA' format does not support type 'ARRAY'"},
		{"kafka struct", Kafka, []types.Column{col("FOO", st)}, Options{}, "The 'KAFKA' format does not support type 'STRUCT'"},
		{"kafka two", Kafka, []types.Column{col("V0", types.IntegerType), col("V1", types.StringType)}, Options{}, "The 'KAFKA' format only supports a single field. Got: [`V0` INTEGER, `V1` STRING]"},
		{"kafka two keys", Kafka, []types.Column{key("K1", types.IntegerType), key("K2", types.IntegerType)}, Options{Key: true}, "Got: [`K1` INTEGER KEY, `K2` INTEGER KEY]"},
		{"kafka no columns", Kafka, nil, Options{Key: true}, ""},
		{"delimited scalars", Delimited, []types.Column{col("A", types.BooleanType), col("B", types.DecimalOf(4, 2)), col("C", types.BytesType), col("D", types.TimestampType)}, Options{}, ""},
		{"delimited struct", Delimited, []types.Column{key("ROWKEY", st)}, Options{Key: true}, "The 'DELIMITED' format does not support type 'STRUCT', column: `ROWKEY`"},
		{"delimited nested", Delimited, []types.Column{col("A", types.ArrayOf(types.IntegerType))}, Options{}, "does not support type 'ARRAY'"},
		{"delimited tab", Delimited, []types.Column{col("A", types.IntegerType)}, Options{Delimiter: "TAB"}, ""},
		{"delimited pipe", Delimited, []types.Column{col("A", types.IntegerType)}, Options{Delimiter: "|"}, ""},
		{"delimited bad", Delimited, []types.Column{col("A", types.IntegerType)}, Options{Delimiter: "||"}, "Invalid delimiter value: '||'"},
		{"delimited quote delimiter", Delimited, []types.Column{col("A", types.IntegerType)}, Options{Delimiter: `"`}, "Invalid delimiter"},
		{"delimited wrap", Delimited, []types.Column{col("A", types.IntegerType)}, Options{WrapSingleValue: boolPtr(true)}, "does not support 'WRAP_SINGLE_VALUE'"},
		{"none empty key", None, nil, Options{Key: true}, ""},
		{"none as value", None, nil, Options{}, "The 'NONE' format can only be used as a key format"},
		{"none with columns", None, []types.Column{key("A", types.IntegerType)}, Options{Key: true}, "The 'NONE' format can only be used when no columns are defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.format, tc.cols, tc.opts)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var se *SchemaError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("Validate error = %v, want SchemaError containing %q", err, tc.err)
			}
			if !strings.HasPrefix(err.Error(), "format: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestRegistrySeam(t *testing.T) {
	if got := strings.Join(Names(), ","); got != "DELIMITED,JSON,KAFKA,NONE" {
		t.Fatalf("Names() = %s", got)
	}
	Register(fakeFormat{})
	defer func() {
		registryMu.Lock()
		delete(registry, "FAKE_SR")
		registryMu.Unlock()
	}()
	f, err := Lookup("fake_sr")
	if err != nil || f.Name() != "FAKE_SR" {
		t.Fatalf("Lookup after Register = %v, %v", f, err)
	}
}

// fakeFormat stands in for a schema-registry format plugging in later.
type fakeFormat struct{}

func (fakeFormat) Name() string                           { return "FAKE_SR" }
func (fakeFormat) Validate([]types.Column, Options) error { return nil }
func (fakeFormat) NewDecoder([]types.Column, Options) (Decoder, error) {
	return nil, errors.New("fake")
}
func (fakeFormat) NewEncoder([]types.Column, Options) (Encoder, error) {
	return nil, errors.New("fake")
}
