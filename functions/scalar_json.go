package functions

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/sluicedb/sluice/types"
)

func jsonFunctions() []*Function {
	return []*Function{
		scalar("EXTRACTJSONFIELD", catJSON, "Extracts the value at a JSONPath ($.a.b[0]) from a JSON string, as a STRING; NULL if the path does not exist or the JSON is invalid.",
			sig(PString, "Extracts the value.", extractJSONField, p("input", PString), p("jsonPath", PString))),
		scalar("IS_JSON_STRING", catJSON, "Returns true if the string parses as a JSON value; false otherwise, including for NULL.",
			nullable(sig(PBoolean, "Validates the string.", func(a []any) (any, error) {
				s, ok := a[0].(string)
				if !ok {
					return false, nil
				}
				_, err := parseJSON(s)
				return err == nil, nil
			}, p("json", PString)))),
		scalar("JSON_ARRAY_LENGTH", catJSON, "Returns the number of elements of the top-level JSON array in a string; NULL if it is not an array.",
			sig(PInt, "Counts the elements.", func(a []any) (any, error) {
				v, err := parseJSON(a[0].(string))
				if err != nil {
					return nil, nil
				}
				if arr, ok := v.([]any); ok {
					return int32(len(arr)), nil
				}
				return nil, nil
			}, p("json", PString))),
		scalar("JSON_CONCAT", catJSON, "Concatenates JSON strings like PostgreSQL's || operator: objects merge their keys, anything else concatenates as arrays; NULL if any input is NULL or invalid.",
			nullable(variadic(sig(PString, "Concatenates the values.", jsonConcat, p("json", PString))))),
		scalar("JSON_KEYS", catJSON, "Returns the top-level keys of a JSON object string; NULL if it is not an object.",
			sig(ArrayP(PString), "Lists the keys.", func(a []any) (any, error) {
				o, ok := parseObject(a[0].(string))
				if !ok {
					return nil, nil
				}
				out := make([]any, len(o.keys))
				for i, k := range o.keys {
					out[i] = k
				}
				return out, nil
			}, p("json", PString))),
		scalar("JSON_RECORDS", catJSON, "Returns the top-level entries of a JSON object string as a map from key to the value's JSON text; NULL if it is not an object.",
			sig(MapP(PString, PString), "Lists the entries.", func(a []any) (any, error) {
				o, ok := parseObject(a[0].(string))
				if !ok {
					return nil, nil
				}
				m := &types.Map{}
				for i, k := range o.keys {
					m.Keys = append(m.Keys, k)
					m.Values = append(m.Values, jsonNodeText(o.vals[i]))
				}
				return m, nil
			}, p("json", PString))),
		scalar("JSON_ITEMS", catJSON, "Returns the elements of a top-level JSON array string, each as its JSON text; NULL if it is not an array.",
			sig(ArrayP(PString), "Lists the elements.", func(a []any) (any, error) {
				v, err := parseJSON(a[0].(string))
				if err != nil {
					return nil, nil
				}
				arr, ok := v.([]any)
				if !ok {
					return nil, nil
				}
				out := make([]any, len(arr))
				for i, e := range arr {
					out[i] = jsonNodeText(e)
				}
				return out, nil
			}, p("json", PString))),
		scalar("JSON_ARRAY_CONTAINS", catJSON, "Returns true if a JSON array string contains the value (a JSON integer matches INTEGER and BIGINT, a fraction DOUBLE, null NULL); false if it does not or the string is not a JSON array.",
			nullable(sig(PBoolean, "Searches the top level of the array.", jsonArrayContains, p("jsonArray", PString), p("val", T)))),
		scalar("TO_JSON_STRING", catJSON, "Serializes any value to its JSON text.",
			nullable(sig(PString, "Serializes the value.", func(a []any) (any, error) {
				var b strings.Builder
				if err := writeValueJSON(&b, a[0]); err != nil {
					return nil, err
				}
				return b.String(), nil
			}, p("val", T)))),
	}
}

func parseObject(s string) (*jsonObject, bool) {
	v, err := parseJSON(s)
	if err != nil {
		return nil, false
	}
	o, ok := v.(*jsonObject)
	return o, ok
}

// jsonPathStep is one step of a JSONPath: a field name or an array index.
type jsonPathStep struct {
	field string
	index int
	isIdx bool
}

// parseJSONPath parses the JSONPath subset EXTRACTJSONFIELD supports:
// $ followed by .name, ['name'], ["name"] and [index] steps.
func parseJSONPath(path string) ([]jsonPathStep, error) {
	s := strings.TrimSpace(path)
	if !strings.HasPrefix(s, "$") {
		return nil, fmt.Errorf("functions: invalid JSONPath %q: must start with $", path)
	}
	var steps []jsonPathStep
	i := 1
	for i < len(s) {
		switch s[i] {
		case '.':
			j := i + 1
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("functions: invalid JSONPath %q: empty field at %d", path, i)
			}
			steps = append(steps, jsonPathStep{field: s[i+1 : j]})
			i = j
		case '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("functions: invalid JSONPath %q: missing ']'", path)
			}
			inner := strings.TrimSpace(s[i+1 : i+end])
			if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0] {
				steps = append(steps, jsonPathStep{field: inner[1 : len(inner)-1]})
			} else {
				n, err := strconv.Atoi(inner)
				if err != nil {
					return nil, fmt.Errorf("functions: invalid JSONPath %q: bad index %q", path, inner)
				}
				steps = append(steps, jsonPathStep{index: n, isIdx: true})
			}
			i += end + 1
		default:
			return nil, fmt.Errorf("functions: invalid JSONPath %q at %d", path, i)
		}
	}
	return steps, nil
}

// jsonPathCache holds compiled paths; they are almost always literals.
var jsonPathCache sync.Map // path -> []jsonPathStep or error

func compiledJSONPath(path string) ([]jsonPathStep, error) {
	if v, ok := jsonPathCache.Load(path); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.([]jsonPathStep), nil
	}
	steps, err := parseJSONPath(path)
	if err != nil {
		jsonPathCache.Store(path, err)
		return nil, err
	}
	jsonPathCache.Store(path, steps)
	return steps, nil
}

func extractJSONField(a []any) (any, error) {
	steps, err := compiledJSONPath(a[1].(string))
	if err != nil {
		return nil, err
	}
	doc := a[0].(string)
	if !validJSON(doc) {
		return nil, nil
	}
	raw, ok := lookupJSONPath(doc, steps)
	if !ok {
		return nil, nil
	}
	switch {
	case raw == "null":
		return nil, nil
	case raw[0] == '"':
		if strings.IndexByte(raw, '\\') < 0 {
			return raw[1 : len(raw)-1], nil
		}
	case raw[0] != '{' && raw[0] != '[' && !strings.ContainsAny(raw, ".eE"):
		return raw, nil // integers and booleans print as written
	}
	// Strings with escapes, fractions and containers go through the tree
	// so the text is normalised as Jackson prints it.
	v, err := parseJSON(raw)
	if err != nil {
		return nil, nil
	}
	if str, ok := v.(string); ok {
		return str, nil
	}
	return jsonNodeText(v), nil
}

func jsonArrayContains(a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return false, nil
	}
	v, err := parseJSON(s)
	if err != nil {
		return false, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return false, nil
	}
	for _, e := range arr {
		switch want := a[1].(type) {
		case nil:
			if e == jsonNull {
				return true, nil
			}
		case string:
			if str, ok := e.(string); ok && str == want {
				return true, nil
			}
		case bool:
			if b, ok := e.(bool); ok && b == want {
				return true, nil
			}
		case int32, int64:
			n, ok := e.(jsonNumber)
			if !ok || strings.ContainsAny(string(n), ".eE") {
				continue
			}
			w, _ := asInt64(want)
			if iv, err := strconv.ParseInt(string(n), 10, 64); err == nil && iv == w {
				return true, nil
			}
		case float64:
			n, ok := e.(jsonNumber)
			if !ok || !strings.ContainsAny(string(n), ".eE") {
				continue
			}
			if f, err := strconv.ParseFloat(string(n), 64); err == nil && f == want {
				return true, nil
			}
		}
	}
	return false, nil
}

func jsonConcat(a []any) (any, error) {
	var nodes []any
	allObjects, allArrays := true, true
	for _, x := range a {
		s, ok := x.(string)
		if !ok {
			return nil, nil
		}
		v, err := parseJSON(s)
		if err != nil {
			return nil, nil
		}
		if _, ok := v.(*jsonObject); !ok {
			allObjects = false
		}
		if _, ok := v.([]any); !ok {
			allArrays = false
		}
		nodes = append(nodes, v)
	}
	if len(nodes) == 0 {
		return nil, nil
	}
	if allObjects {
		out := &jsonObject{}
		for _, n := range nodes {
			o := n.(*jsonObject)
			for i, k := range o.keys {
				out.set(k, o.vals[i])
			}
		}
		return jsonNodeText(out), nil
	}
	_ = allArrays
	out := []any{}
	for _, n := range nodes {
		if arr, ok := n.([]any); ok {
			out = append(out, arr...)
		} else {
			out = append(out, n)
		}
	}
	return jsonNodeText(out), nil
}

// writeValueJSON serializes a SQL value as ksqlDB's TO_JSON_STRING does:
// DATE, TIME and TIMESTAMP as ISO text, BYTES as base64, DECIMAL as an
// exact number, struct fields under their names.
func writeValueJSON(b *strings.Builder, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int32:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			writeJSONString(b, types.FormatDouble(x))
		} else {
			b.WriteString(types.FormatDouble(x))
		}
	case types.Decimal:
		b.WriteString(x.String())
	case string:
		writeJSONString(b, x)
	case []byte:
		writeJSONString(b, base64.StdEncoding.EncodeToString(x))
	case types.Date:
		writeJSONString(b, x.String())
	case types.Time:
		writeJSONString(b, x.String())
	case types.Timestamp:
		writeJSONString(b, x.String())
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeValueJSON(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case *types.Map:
		b.WriteByte('{')
		for i, k := range x.Keys {
			if i > 0 {
				b.WriteByte(',')
			}
			ks, ok := k.(string)
			if !ok {
				var kb strings.Builder
				if err := writeValueJSON(&kb, k); err != nil {
					return err
				}
				ks = strings.Trim(kb.String(), `"`)
			}
			writeJSONString(b, ks)
			b.WriteByte(':')
			if err := writeValueJSON(b, x.Values[i]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case *types.Struct:
		b.WriteByte('{')
		for i, f := range x.Type.Fields {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, f.Name)
			b.WriteByte(':')
			var fv any
			if i < len(x.Values) {
				fv = x.Values[i]
			}
			if err := writeValueJSON(b, fv); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("functions: cannot serialize %T to JSON", v)
	}
	return nil
}
