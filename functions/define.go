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
		f.StructState = structStateAggregates[f.Name]
	}
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

// structStateAggregates are the aggregates ksqlDB keeps a STRUCT state for.
var structStateAggregates = map[string]bool{"AVG": true, "STDDEV_SAMP": true, "STDDEV_SAMPLE": true,
	"CORRELATION": true, "EARLIEST_BY_OFFSET": true, "LATEST_BY_OFFSET": true}
