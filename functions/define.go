package functions

import "github.com/sluicedb/sluice/types"

// Helpers that keep the built-in tables short. Each family file returns its
// functions; builtinFunctions collects them.

func builtinFunctions() []*Function {
	var fs []*Function
	for _, family := range [][]*Function{
		mathFunctions(),
		stringFunctions(),
		regexpFunctions(),
		bytesFunctions(),
		datetimeFunctions(),
		jsonFunctions(),
		arrayFunctions(),
		mapFunctions(),
		urlFunctions(),
		nullFunctions(),
		lambdaFunctions(),
		aggregateFunctions(),
		anomalyFunctions(),
		tableFunctions(),
	} {
		fs = append(fs, family...)
	}
	for _, f := range fs {
		f.Volatile = volatileFunctions[f.Name]
		if state := stateTypes[f.Name]; state != nil {
			for _, s := range f.Signatures {
				s.State = state
			}
		}
	}
	documentParams(fs)
	return fs
}

// scalar declares a scalar function.
func scalar(name, category, description string, sigs ...*Signature) *Function {
	return &Function{Name: name, Kind: Scalar, Category: category, Description: description, Signatures: sigs}
}

// p declares a parameter.
func p(name string, t *Pattern) Param { return Param{Name: name, Type: t} }

// sig declares a scalar variant returning ret.
func sig(ret *Pattern, description string, eval ScalarFunc, params ...Param) *Signature {
	return &Signature{Params: params, Returns: ret, Description: description, Eval: eval}
}

// variadic marks the last parameter of s as repeating.
func variadic(s *Signature) *Signature {
	s.Variadic = true
	return s
}

// nullable makes s receive NULL arguments instead of short-circuiting.
func nullable(s *Signature) *Signature {
	s.CallOnNull = true
	return s
}

// withReturn sets a computed result type.
func withReturn(s *Signature, f ReturnFunc) *Signature {
	s.ReturnFunc = f
	return s
}

// sameAsArg returns a ReturnFunc giving the type of argument i.
func sameAsArg(i int) ReturnFunc {
	return func(args []*types.Type) (*types.Type, error) { return args[i], nil }
}

// Category names, as SHOW FUNCTIONS groups them.
const (
	catMath       = "MATHEMATICAL"
	catString     = "STRING"
	catBytes      = "BYTES"
	catDateTime   = "DATE / TIME"
	catJSON       = "JSON"
	catArray      = "ARRAY"
	catMap        = "MAP"
	catURL        = "URL"
	catConversion = "CONVERSIONS"
	catNulls      = "NULL"
	catLambda     = "LAMBDA"
	catAggregate  = "AGGREGATE"
	catAnomaly    = "ANOMALY DETECTION"
	catTable      = "TABLE"
	catOther      = "OTHER"
)

// volatileFunctions are the built-ins whose result is not determined by
// their arguments alone.
var volatileFunctions = map[string]bool{"RANDOM": true, "UUID": true, "UNIX_TIMESTAMP": true, "UNIX_DATE": true}

// paramDocs documents parameters by name for DESCRIBE FUNCTION; the same
// name means the same thing across the library.
var paramDocs = map[string]string{
	"formatPattern":  "A java.time DateTimeFormatter pattern, such as 'yyyy-MM-dd HH:mm:ss.SSS'; quote literal text with ''.",
	"timeZone":       "A time zone: an IANA name (America/Los_Angeles), UTC, an offset (+05:30) or a Java short ID (PST).",
	"fromTimeZone":   "The zone the timestamp's local time is in.",
	"toTimeZone":     "The zone to convert the local time to.",
	"unit":           "A time unit keyword: MILLISECONDS, SECONDS, MINUTES, HOURS or DAYS.",
	"interval":       "The number of units to add or subtract.",
	"encoding":       "hex, utf8, ascii or base64.",
	"inputEncoding":  "The encoding of the input: hex, utf8, ascii or base64.",
	"outputEncoding": "The encoding of the result: hex, utf8, ascii or base64.",
	"byteOrder":      "BIG_ENDIAN (the default) or LITTLE_ENDIAN.",
	"jsonPath":       "A JSONPath such as $.log.cloud or $.items[0]['name'].",
	"pattern":        "A regular expression (RE2 syntax).",
	"group":          "The capturing group to return; 0 is the whole match.",
	"replacement":    "The replacement text; $1 refers to the first capturing group.",
	"delimiter":      "The delimiter; empty splits every character or byte.",
	"scale":          "Decimal places to keep; negative values round left of the decimal point.",
	"pos":            "The 1-based start position; negative counts from the end.",
	"len":            "The number of characters or bytes to return.",
	"numChars":       "The number of characters to mask or keep.",
	"k":              "How many values to keep.",
	"n":              "How many values to keep.",
	"ignoreNulls":    "Whether NULL values are skipped (true by default).",
	"alpha":          "The smoothing factor in (0, 1]; larger values follow recent values more closely.",
	"epochMilli":     "Milliseconds since 1970-01-01T00:00:00 UTC.",
	"epochDays":      "Days since 1970-01-01.",
	"sorted":         "Whether to sort the entries by key.",
	"step":           "The difference between consecutive values.",
}

func documentParams(fs []*Function) {
	for _, f := range fs {
		for _, s := range f.Signatures {
			for i := range s.Params {
				if s.Params[i].Description == "" {
					s.Params[i].Description = paramDocs[s.Params[i].Name]
				}
			}
		}
	}
}
