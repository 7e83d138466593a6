package conformance

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

// topicSerde writes a case's records to one topic and reads them back, with
// the formats and columns of the source declared on the topic. A nil src
// means no statement declared the topic: values are then written as their
// JSON text (strings as their bare content) and read back as JSON when they
// parse as JSON.
type topicSerde struct {
	src *planner.Source
}

// side is one half of a record: the key or the value.
type side struct {
	format string
	opts   format.Options
	cols   []types.Column
}

func (s *topicSerde) key() side {
	if s.src == nil {
		return side{}
	}
	opts := s.src.KeyOptions
	opts.Key = true
	return side{format: strings.ToUpper(s.src.KeyFormat), opts: opts, cols: s.src.KeyColumns()}
}

func (s *topicSerde) value() side {
	if s.src == nil {
		return side{}
	}
	return side{format: strings.ToUpper(s.src.ValueFormat), opts: s.src.ValueOptions, cols: s.src.ValueColumns()}
}

// wrapped reports whether the side's JSON form is an object of its columns
// rather than the bare value of its single column.
func (sd side) wrapped() bool {
	if len(sd.cols) != 1 {
		return true
	}
	if sd.opts.Key {
		return false
	}
	if sd.opts.WrapSingleValue != nil {
		return *sd.opts.WrapSingleValue
	}
	return sd.format == format.JSON
}

// shape is the SQL type the side's JSON form has, used to compare numbers
// by their column types: a struct of the columns when wrapped, the single
// column's type otherwise; nil when unknown.
func (sd side) shape() *types.Type {
	switch {
	case len(sd.cols) == 0:
		return nil
	case !sd.wrapped():
		return sd.cols[0].Type
	}
	fields := make([]types.Field, len(sd.cols))
	for i, c := range sd.cols {
		fields[i] = types.Field{Name: c.Name, Type: c.Type}
	}
	return types.StructOf(fields...)
}

// encode turns the JSON of a record's key or value into record bytes. JSON
// is written as given (what ksqlDB's test harness does with its JSON
// serializer), DELIMITED strings as their content, and other formats by
// reading the JSON as the columns' values and encoding them with the
// format, so a KAFKA INT key 8 becomes four big-endian bytes.
func (sd side) encode(raw json.RawMessage) ([]byte, error) {
	if isNull(raw) {
		return nil, nil
	}
	raw = bytes.TrimSpace(raw)
	var str string
	isString := json.Unmarshal(raw, &str) == nil
	switch sd.format {
	case format.JSON:
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	case "", format.Delimited:
		if isString {
			return []byte(str), nil
		}
		return append([]byte(nil), raw...), nil
	case format.None:
		return nil, nil
	}
	if len(sd.cols) == 0 {
		if isString {
			return []byte(str), nil
		}
		return append([]byte(nil), raw...), nil
	}
	row, err := jsonRow(raw, sd.cols, sd.wrapped())
	if err != nil {
		// A value the columns cannot hold is how cases feed bad records:
		// write its text and let the engine's deserializer reject it.
		if isString {
			return []byte(str), nil
		}
		return append([]byte(nil), raw...), nil
	}
	f, err := format.Lookup(sd.format)
	if err != nil {
		return nil, err
	}
	enc, err := f.NewEncoder(sd.cols, sd.opts)
	if err != nil {
		return nil, err
	}
	return enc.EncodeRow(nil, row)
}

// jsonRow reads JSON into one value per column with the JSON format's own
// decoder, so the conversion rules are the engine's.
func jsonRow(raw []byte, cols []types.Column, wrapped bool) ([]any, error) {
	f, err := format.Lookup(format.JSON)
	if err != nil {
		return nil, err
	}
	dec, err := f.NewDecoder(cols, format.Options{WrapSingleValue: &wrapped})
	if err != nil {
		return nil, err
	}
	row, err := dec.DecodeRow(raw, nil)
	if err != nil {
		return nil, err
	}
	if row == nil {
		return nil, fmt.Errorf("conformance: null record")
	}
	return row, nil
}

// decode turns record bytes into the generic JSON form the expected records
// are compared with: nil, bool, string, json.Number, []any, map[string]any.
func (sd side) decode(b []byte) (any, error) {
	if b == nil {
		return nil, nil
	}
	switch sd.format {
	case format.JSON:
		return parseJSON(b)
	case format.Delimited:
		return string(b), nil
	case format.None:
		return nil, nil
	case "":
		if v, err := parseJSON(b); err == nil {
			return v, nil
		}
		return string(b), nil
	}
	f, err := format.Lookup(sd.format)
	if err != nil {
		return nil, err
	}
	dec, err := f.NewDecoder(sd.cols, sd.opts)
	if err != nil {
		return nil, err
	}
	row, err := dec.DecodeRow(b, nil)
	if err != nil {
		return nil, err
	}
	if row == nil {
		return nil, nil
	}
	if !sd.wrapped() {
		return generic(row[0]), nil
	}
	m := make(map[string]any, len(row))
	for i, c := range sd.cols {
		m[c.Name] = generic(row[i])
	}
	return m, nil
}

// parseJSON parses b keeping numbers as their text.
func parseJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("conformance: trailing data after JSON value")
	}
	return v, nil
}

// generic converts a value of package types to the generic JSON form,
// spelling it as the JSON format would write it.
func generic(v any) any {
	switch x := v.(type) {
	case nil, bool, string, json.Number:
		return x
	case map[string]any:
		// Already JSON (rows read back over REST): normalise the values.
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = generic(e)
		}
		return out
	case int32:
		return json.Number(strconv.FormatInt(int64(x), 10))
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case float64:
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64))
	case types.Decimal:
		return json.Number(x.String())
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = generic(e)
		}
		return out
	case *types.Map:
		out := make(map[string]any, len(x.Keys))
		for i, k := range x.Keys {
			out[types.Format(k)] = generic(x.Values[i])
		}
		return out
	case *types.Struct:
		out := make(map[string]any, len(x.Values))
		for i, f := range x.Type.Fields {
			out[f.Name] = generic(x.Values[i])
		}
		return out
	default:
		return types.Format(x)
	}
}

// splitWindow removes the window that a windowed key carries after the
// key proper: the start (time windows) or the end then the start (session
// windows), each an 8-byte big-endian millisecond count, as Kafka Streams'
// windowed serdes write them.
func splitWindow(key []byte, w *planner.WindowInfo) ([]byte, *Window, error) {
	session := w.Kind == ast.SessionWindow
	n := 8
	if session {
		n = 16
	}
	if len(key) < n {
		return nil, nil, fmt.Errorf("windowed key of %d bytes is too short", len(key))
	}
	inner, tail := key[:len(key)-n], key[len(key)-n:]
	if session {
		end := int64(binary.BigEndian.Uint64(tail[:8]))
		start := int64(binary.BigEndian.Uint64(tail[8:]))
		return inner, &Window{Start: start, End: end, Type: "session"}, nil
	}
	start := int64(binary.BigEndian.Uint64(tail))
	return inner, &Window{Start: start, End: start + w.SizeMs, Type: "time"}, nil
}

// appendWindow adds the window to a windowed key, the inverse of
// splitWindow.
func appendWindow(key []byte, w *Window) []byte {
	if w.Type == "session" {
		key = binary.BigEndian.AppendUint64(key, uint64(w.End))
		return binary.BigEndian.AppendUint64(key, uint64(w.Start))
	}
	return binary.BigEndian.AppendUint64(key, uint64(w.Start))
}

// partitionFor picks the partition of a keyed record as Kafka's default
// partitioner does (murmur2 of the key bytes); records without a key go to
// partition 0.
func partitionFor(key []byte, partitions int) int32 {
	if key == nil || partitions <= 1 {
		return 0
	}
	return broker.PartitionForKey(key, partitions)
}

// numberRat reads a JSON number exactly.
func numberRat(n json.Number) (*big.Rat, bool) {
	r, ok := new(big.Rat).SetString(string(n))
	return r, ok
}
