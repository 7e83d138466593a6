// Package format turns record bytes into SQL values and back: the key and
// value formats of ksqlDB (JSON, DELIMITED, KAFKA, NONE), chosen per source
// with KEY_FORMAT/VALUE_FORMAT/FORMAT. A format sees only the columns it
// serializes: the key columns for the key format, the value columns for the
// value format.
//
// Decoding has two paths. The hot path appends straight into the Arrow
// column builders of a types.BatchBuilder (DecodeInto), with no
// intermediate maps or boxed values for scalar columns. The slow path fills
// a row of Go values (DecodeRow), for the REST API, tests and the
// processing log. Both validate fully: a malformed record is a *DecodeError
// that the engine sends to the processing log, and nothing of it is
// appended.
//
// What a format cannot represent is rejected when a statement is analysed
// (Validate), not when the first record arrives. Schema-registry formats
// (AVRO, PROTOBUF, JSON_SR) will plug in through Register with a Format
// that consults the registry when it builds its Decoder and Encoder.
package format

import (
	"sort"
	"strings"
	"sync"

	"github.com/sluicedb/sluice/types"
)

// The built-in format names, as written in WITH clauses.
const (
	JSON      = "JSON"
	Delimited = "DELIMITED"
	Kafka     = "KAFKA"
	None      = "NONE"
)

// Options are the per-source serde properties of the WITH clause.
type Options struct {
	// WrapSingleValue is WRAP_SINGLE_VALUE: whether a value schema with
	// a single column is written as an object/record holding it (true) or
	// as the bare value (false). Nil means not set: formats apply their
	// default (wrapped for JSON values, always unwrapped for keys and for
	// DELIMITED and KAFKA).
	WrapSingleValue *bool
	// Delimiter is VALUE_DELIMITER/KEY_DELIMITER for DELIMITED: a single
	// character or one of the keywords TAB and SPACE. Empty means comma.
	Delimiter string
	// Key says the format serializes the record key rather than the value.
	Key bool
}

// Format is one serialization format. Implementations are stateless and
// safe for concurrent use; the Decoders and Encoders they create are not
// (each task makes its own).
type Format interface {
	// Name is the format name as written in WITH clauses (upper case).
	Name() string
	// Validate reports whether the format can represent the columns with
	// the options, with an error a user can act on. The engine calls it
	// for CREATE and for the output of CREATE ... AS SELECT.
	Validate(cols []types.Column, opts Options) error
	// NewDecoder returns a decoder for the columns; it validates first.
	NewDecoder(cols []types.Column, opts Options) (Decoder, error)
	// NewEncoder returns an encoder for the columns; it validates first.
	NewEncoder(cols []types.Column, opts Options) (Encoder, error)
}

// Decoder turns record bytes into the values of its columns.
type Decoder interface {
	// DecodeRow decodes data into dst, one value per column in the Go
	// representation of package types, and returns dst (grown if
	// needed). A record that is null as a whole (an empty or JSON null
	// value, a tombstone) returns a nil row and no error.
	DecodeRow(data []byte, dst []any) ([]any, error)
	// DecodeInto decodes data and appends one value to each builder,
	// out[i] receiving column i. It returns false, without appending,
	// for a null record and on error.
	DecodeInto(data []byte, out []*types.ColumnBuilder) (bool, error)
}

// Encoder turns the values of its columns into record bytes.
type Encoder interface {
	// EncodeRow appends the encoding of row (one value per column) to
	// dst. A nil row is a null record: the result is nil, meaning no
	// bytes (a tombstone for a table). Conversely a nil result always
	// means a null record; a row whose encoding is empty (an empty STRING
	// in KAFKA) comes back as a non-nil empty slice.
	EncodeRow(dst []byte, row []any) ([]byte, error)
	// EncodeBatchRow appends the encoding of one row of a batch, taking
	// column i of the encoder from batch column cols[i].
	EncodeBatchRow(dst []byte, b *types.Batch, cols []int, row int) ([]byte, error)
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Format{}
)

// Register makes a format available by name. Built-in formats register
// themselves; AVRO, PROTOBUF and JSON_SR will register from their own
// packages once a schema registry client exists. Registering a name twice
// replaces the earlier format, which lets tests substitute a faulty one.
func Register(f Format) {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry[strings.ToUpper(f.Name())] = f
}

func init() {
	Register(jsonFormat{})
	Register(delimitedFormat{})
	Register(kafkaFormat{})
	Register(noneFormat{})
}

// Lookup returns the format with the given name, case-insensitively. The
// error text is ksqlDB's: "Unknown format: FOO".
func Lookup(name string) (Format, error) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	upper := strings.ToUpper(strings.TrimSpace(name))
	if f, ok := registry[upper]; ok {
		return f, nil
	}
	if registryFormats[upper] {
		return nil, &SchemaError{Format: upper, Reason: "The '" + upper + "' format is not supported yet: it needs a schema registry, which Sluice does not have yet."}
	}
	return nil, &SchemaError{Format: upper, Reason: "Unknown format: " + name}
}

// registryFormats are ksqlDB formats Sluice knows by name but cannot serve
// until a schema registry exists; naming one gets a clearer error than
// "Unknown format".
var registryFormats = map[string]bool{"AVRO": true, "PROTOBUF": true, "PROTOBUF_NOSR": true, "JSON_SR": true}

// Names lists the registered formats, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Validate checks that the named format can carry the columns with the
// options; it combines Lookup, the rules every key format shares (no MAP
// anywhere in a key column), JSON's STRING-only MAP keys and the format's
// own Validate.
func Validate(name string, cols []types.Column, opts Options) error {
	f, err := Lookup(name)
	if err != nil {
		return err
	}
	if opts.Key {
		for _, c := range cols {
			if containsMap(c.Type) {
				return &SchemaError{Format: f.Name(), Column: c.Name, Reason: "Map keys, including types that contain maps, are not supported as they may lead to unexpected behavior due to inconsistent serialization. Key column name: `" + c.Name + "`. Column type: " + c.Type.String() + "."}
			}
		}
	}
	if f.Name() == JSON {
		for _, c := range cols {
			if nonStringMapKey(c.Type) {
				// A JSON object's field names are strings: ksqlDB refuses
				// other key types at CREATE rather than guess a text form.
				// (The codec itself still reads and writes them as text.)
				return &SchemaError{Format: JSON, Column: c.Name, Reason: "JSON only supports MAP types with STRING keys"}
			}
		}
	}
	return f.Validate(cols, opts)
}

// nonStringMapKey reports whether t holds, at any depth, a MAP whose key
// type is not STRING.
func nonStringMapKey(t *types.Type) bool {
	switch t.Kind {
	case types.MapKind:
		return t.Key.Kind != types.String || nonStringMapKey(t.Elem)
	case types.Array:
		return nonStringMapKey(t.Elem)
	case types.StructKind:
		for _, f := range t.Fields {
			if nonStringMapKey(f.Type) {
				return true
			}
		}
	}
	return false
}

func containsMap(t *types.Type) bool {
	switch t.Kind {
	case types.MapKind:
		return true
	case types.Array:
		return containsMap(t.Elem)
	case types.StructKind:
		for _, f := range t.Fields {
			if containsMap(f.Type) {
				return true
			}
		}
	}
	return false
}

// wrapped resolves WRAP_SINGLE_VALUE for formats that support it: keys are
// never wrapped when they have one column, values are unless told not to,
// and several columns are always an object/record.
func wrapped(cols []types.Column, opts Options) bool {
	if len(cols) != 1 {
		return true
	}
	if opts.Key {
		return opts.WrapSingleValue != nil && *opts.WrapSingleValue
	}
	return opts.WrapSingleValue == nil || *opts.WrapSingleValue
}

// checkWrapOption enforces that WRAP_SINGLE_VALUE, when given, is only
// used with one column.
func checkWrapOption(format string, cols []types.Column, opts Options) error {
	if opts.WrapSingleValue != nil && len(cols) != 1 {
		return &SchemaError{Format: format, Reason: "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas"}
	}
	return nil
}

// columnList prints columns as ksqlDB does in format errors:
// [`V0` INTEGER, `V1` STRING].
func columnList(cols []types.Column) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("`" + c.Name + "` " + c.Type.String())
		if c.Key {
			b.WriteString(" KEY")
		}
	}
	b.WriteByte(']')
	return b.String()
}

// unsupportedType finds the first type in cols (at any nesting depth) for
// which ok is false, returning the column and the kind name.
func unsupportedType(cols []types.Column, ok func(*types.Type) bool) (string, string, bool) {
	for _, c := range cols {
		if k, bad := firstBad(c.Type, ok); bad {
			return c.Name, k, true
		}
	}
	return "", "", false
}

func firstBad(t *types.Type, ok func(*types.Type) bool) (string, bool) {
	if !ok(t) {
		return t.Kind.String(), true
	}
	switch t.Kind {
	case types.Array:
		return firstBad(t.Elem, ok)
	case types.MapKind:
		if k, bad := firstBad(t.Key, ok); bad {
			return k, true
		}
		return firstBad(t.Elem, ok)
	case types.StructKind:
		for _, f := range t.Fields {
			if k, bad := firstBad(f.Type, ok); bad {
				return k, true
			}
		}
	}
	return "", false
}

// BuildersFor returns the column builders of a batch builder for columns taken
// from it by name, the usual way a source wires a key or value decoder to
// the batch it fills.
func BuildersFor(bb *types.BatchBuilder, cols []types.Column) ([]*types.ColumnBuilder, error) {
	out := make([]*types.ColumnBuilder, len(cols))
	for i, c := range cols {
		j := bb.Schema().Index(c.Name)
		if j < 0 {
			return nil, &SchemaError{Column: c.Name, Reason: "column `" + c.Name + "` is not in the batch schema"}
		}
		out[i] = bb.Col(j)
	}
	return out, nil
}
