package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sluicedb/sluice/types"
)

// appendValue appends a SQL value as ksqlDB's REST API writes it in a row:
// numbers as JSON numbers (DOUBLE in Java's spelling, DECIMAL exactly),
// BYTES as base64, DATE/TIME/TIMESTAMP as ISO text, MAP as an object with
// its keys as text, STRUCT as an object by field name. NaN and the
// infinities, which JSON cannot hold as numbers, are written as strings.
func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case int32:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return strconv.AppendQuote(b, types.FormatDouble(v))
		}
		return append(b, types.FormatDouble(v)...)
	case types.Decimal:
		return v.AppendText(b)
	case string:
		return appendJSONString(b, v)
	case []byte:
		return appendJSONString(b, base64.StdEncoding.EncodeToString(v))
	case types.Date:
		return appendJSONString(b, v.String())
	case types.Time:
		return appendJSONString(b, v.String())
	case types.Timestamp:
		return appendJSONString(b, v.String())
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	case *types.Map:
		if v == nil {
			return append(b, "null"...)
		}
		b = append(b, '{')
		for i := range v.Keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, mapKeyText(v.Keys[i]))
			b = append(b, ':')
			b = appendValue(b, v.Values[i])
		}
		return append(b, '}')
	case *types.Struct:
		if v == nil {
			return append(b, "null"...)
		}
		b = append(b, '{')
		for i, f := range v.Type.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, f.Name)
			b = append(b, ':')
			var fv any
			if i < len(v.Values) {
				fv = v.Values[i]
			}
			b = appendValue(b, fv)
		}
		return append(b, '}')
	default:
		// A Go type outside the documented representation: render its
		// text rather than fail the whole stream.
		return appendJSONString(b, fmt.Sprint(v))
	}
}

// mapKeyText is a map key as an object member name: strings as they are,
// other scalars in their SQL text.
func mapKeyText(k any) string {
	switch k := k.(type) {
	case string:
		return k
	case nil:
		return "null"
	default:
		return strings.Trim(string(appendValue(nil, k)), `"`)
	}
}

func appendJSONString(b []byte, s string) []byte {
	return append(b, marshal(s)...)
}

// marshal is json.Marshal without HTML escaping: responses are read by
// programs and people, never embedded in HTML, and "ARRAY<STRING>" should
// read as written.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte("null")
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})
}

// appendRow appends a row as a JSON array of its values.
func appendRow(b []byte, row []any) []byte {
	return appendValue(b, row)
}

// schemaString is ksqlDB's header schema: "`ID` INTEGER, `NAME` STRING".
func schemaString(cols []types.Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = "`" + c.Name + "` " + c.Type.String()
	}
	return strings.Join(parts, ", ")
}

func columnNames(cols []types.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

func columnTypes(cols []types.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Type.String()
	}
	return out
}
