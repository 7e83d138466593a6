package functions

import (
	"sort"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/types"
)

// documentedScalar lists every function of ksqlDB's "Scalar functions"
// reference page (numeric, collections, invocation, strings, bytes, nulls,
// date and time, URLs, deprecated), plus the few the conformance corpus
// uses that later releases added (JSON_ITEMS, MD5, TRUNC).
var documentedScalar = []string{
	// Numeric.
	"ABS", "ACOS", "ASIN", "AS_VALUE", "ATAN", "ATAN2", "CBRT", "CEIL", "COS", "COSH", "COT",
	"DEGREES", "ENTRIES", "EXP", "FLOOR", "GENERATE_SERIES", "GEO_DISTANCE", "GREATEST",
	"LEAST", "LN", "LOG", "PI", "POWER", "RADIANS", "RANDOM", "ROUND", "SIGN", "SIN", "SINH",
	"SQRT", "TAN", "TANH", "TRUNC",
	// Collections.
	"ARRAY_CONCAT", "ARRAY_CONTAINS", "ARRAY_DISTINCT", "ARRAY_EXCEPT", "ARRAY_INTERSECT",
	"ARRAY_JOIN", "ARRAY_LENGTH", "ARRAY_MAX", "ARRAY_MIN", "ARRAY_REMOVE", "ARRAY_SORT",
	"ARRAY_UNION", "AS_MAP", "ELT", "FIELD", "JSON_ARRAY_CONTAINS", "MAP_KEYS", "MAP_VALUES",
	"MAP_UNION", "SLICE",
	// Invocation (lambda) functions.
	"FILTER", "REDUCE", "TRANSFORM",
	// Strings.
	"CHR", "CONCAT", "CONCAT_WS", "ENCODE", "EXTRACTJSONFIELD", "FROM_BYTES", "IS_JSON_STRING",
	"JSON_ARRAY_LENGTH", "JSON_CONCAT", "JSON_KEYS", "JSON_RECORDS", "JSON_ITEMS",
	"TO_JSON_STRING", "INITCAP", "INSTR", "LCASE", "LEN", "LPAD", "MASK", "MASK_KEEP_LEFT",
	"MASK_KEEP_RIGHT", "MASK_LEFT", "MASK_RIGHT", "MD5", "REPLACE", "REGEXP_EXTRACT",
	"REGEXP_EXTRACT_ALL", "REGEXP_REPLACE", "REGEXP_SPLIT_TO_ARRAY", "RPAD", "SPLIT",
	"SPLIT_TO_MAP", "SUBSTRING", "TO_BYTES", "TRIM", "UCASE", "UUID",
	// Bytes.
	"BIGINT_FROM_BYTES", "DOUBLE_FROM_BYTES", "INT_FROM_BYTES",
	// Nulls.
	"COALESCE", "IFNULL", "NULLIF",
	// Date and time.
	"CONVERT_TZ", "DATEADD", "DATESUB", "FORMAT_DATE", "FORMAT_TIME", "FORMAT_TIMESTAMP",
	"FROM_DAYS", "FROM_UNIXTIME", "PARSE_DATE", "PARSE_TIME", "PARSE_TIMESTAMP", "TIMEADD",
	"TIMESUB", "TIMESTAMPADD", "TIMESTAMPSUB", "UNIX_DATE", "UNIX_TIMESTAMP",
	// URLs.
	"URL_DECODE_PARAM", "URL_ENCODE_PARAM", "URL_EXTRACT_FRAGMENT", "URL_EXTRACT_HOST",
	"URL_EXTRACT_PARAMETER", "URL_EXTRACT_PATH", "URL_EXTRACT_PORT", "URL_EXTRACT_PROTOCOL",
	"URL_EXTRACT_QUERY",
	// Deprecated, still accepted.
	"DATETOSTRING", "STRINGTODATE", "STRINGTOTIMESTAMP", "TIMESTAMPTOSTRING",
}

// documentedSyntax are entries of the scalar page that are SQL syntax the
// parser and planner handle, not registry functions: CAST(x AS T),
// ARRAY[...], MAP(k := v, ...) and STRUCT(f := v, ...).
var documentedSyntax = []string{"CAST", "ARRAY", "MAP", "STRUCT"}

// documentedAggregate lists ksqlDB's "Aggregate functions" page plus
// ATTR and SUM_LIST, which the conformance corpus uses.
var documentedAggregate = []string{
	"AVG", "COLLECT_LIST", "COLLECT_SET", "CORRELATION", "COUNT", "COUNT_DISTINCT",
	"EARLIEST_BY_OFFSET", "HISTOGRAM", "LATEST_BY_OFFSET", "MAX", "MIN", "STDDEV_SAMP",
	"STDDEV_SAMPLE", "SUM", "TOPK", "TOPKDISTINCT", "ATTR", "SUM_LIST",
}

// documentedTable lists ksqlDB's "Table functions" page.
var documentedTable = []string{"EXPLODE", "CUBE_EXPLODE"}

// testOnly are functions that exist only in ksqlDB's own test code; the
// shipped registry must not contain them.
var testOnly = []string{"TEST_UDF", "MULTI_ARG", "VAR_ARG", "GENERIC_VAR_ARG", "TOSTRING",
	"TEST_UDAF", "TEST_UDTF", "THROWING_UDTF", "BAD_UDF", "OBJ_COL_ARG", "TOSTRUCT", "WONT_FIND_ME"}

func TestDocumentedFunctionsPresent(t *testing.T) {
	r := Builtins()
	var missing []string
	check := func(names []string, kind Kind) {
		for _, n := range names {
			f, ok := r.Lookup(n)
			switch {
			case !ok:
				missing = append(missing, n)
			case f.Kind != kind:
				t.Errorf("%s is %s, want %s", n, f.Kind, kind)
			}
		}
	}
	check(documentedScalar, Scalar)
	check(documentedAggregate, Aggregate)
	check(documentedTable, Table)
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d documented ksqlDB functions missing from the registry: %s", len(missing), strings.Join(missing, ", "))
	}
	t.Logf("documented: %d scalar, %d aggregate, %d table; missing: %d",
		len(documentedScalar), len(documentedAggregate), len(documentedTable), len(missing))
	for _, n := range documentedSyntax {
		if _, ok := r.Lookup(n); ok {
			t.Errorf("%s is syntax and must not be a registry function", n)
		}
	}
}

func TestTestOnlyFunctionsNotShipped(t *testing.T) {
	for _, n := range testOnly {
		if _, ok := Builtins().Lookup(n); ok {
			t.Errorf("test-only function %s is in the shipped registry", n)
		}
	}
}

// TestEveryFunctionDescribed checks that DESCRIBE FUNCTION has text for
// every function and variant.
func TestEveryFunctionDescribed(t *testing.T) {
	fs := Builtins().Functions()
	if len(fs) < len(documentedScalar)+len(documentedAggregate)+len(documentedTable) {
		t.Fatalf("only %d functions registered", len(fs))
	}
	for _, f := range fs {
		d := Describe(f)
		if strings.TrimSpace(d.Overview) == "" || d.Category == "" {
			t.Errorf("%s: missing overview or category", f.Name)
		}
		if len(d.Variations) == 0 {
			t.Errorf("%s: no variations", f.Name)
		}
		for _, v := range d.Variations {
			if strings.TrimSpace(v.Description) == "" || v.ReturnType == "" || !strings.HasPrefix(v.Signature, f.Name+"(") {
				t.Errorf("%s: incomplete variant %+v", f.Name, v)
			}
		}
		text := d.Text()
		for _, want := range []string{"Name        : " + f.Name, "Overview", "Variation"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: DESCRIBE text lacks %q:\n%s", f.Name, want, text)
			}
		}
	}
}

func TestShowFunctionsSorted(t *testing.T) {
	rows := Builtins().Show()
	for i := 1; i < len(rows); i++ {
		if rows[i-1].Name >= rows[i].Name {
			t.Fatalf("SHOW FUNCTIONS not sorted at %s, %s", rows[i-1].Name, rows[i].Name)
		}
	}
}

func TestVolatileFunctions(t *testing.T) {
	for name := range volatileFunctions {
		if f, ok := Builtins().Lookup(name); !ok || !f.Volatile {
			t.Errorf("%s is not marked volatile", name)
		}
	}
	if f, _ := Builtins().Lookup("UCASE"); f.Volatile {
		t.Error("UCASE marked volatile")
	}
}

func TestAggregateStateType(t *testing.T) {
	// The state type is what ksqlDB stores between records: a STRUCT for
	// running sums and offset-stamped values, an ARRAY for collections,
	// the result itself for the simple aggregates.
	dec := types.DecimalOf(4, 2)
	cases := []struct {
		fn   string
		args []*types.Type
		want string
	}{
		{"SUM", []*types.Type{types.IntegerType}, "INTEGER"},
		{"COUNT", nil, "BIGINT"},
		{"MAX", []*types.Type{dec}, "DECIMAL(4, 2)"},
		{"AVG", []*types.Type{types.BigintType}, "STRUCT<`SUM` BIGINT, `COUNT` BIGINT>"},
		{"STDDEV_SAMP", []*types.Type{types.IntegerType}, "STRUCT<`SUM` INTEGER, `COUNT` BIGINT, `M2` DOUBLE>"},
		{"stddev_sample", []*types.Type{types.DoubleType}, "STRUCT<`SUM` DOUBLE, `COUNT` BIGINT, `M2` DOUBLE>"},
		{"CORRELATION", []*types.Type{types.DoubleType, types.DoubleType}, "STRUCT<"},
		{"EARLIEST_BY_OFFSET", []*types.Type{types.StringType}, "STRUCT<`SEQ` BIGINT, `VAL` STRING>"},
		{"LATEST_BY_OFFSET", []*types.Type{types.IntegerType, types.IntegerType}, "ARRAY<STRUCT<`SEQ` BIGINT, `VAL` INTEGER>>"},
		{"COUNT_DISTINCT", []*types.Type{types.StringType}, "ARRAY<INTEGER>"},
		{"COLLECT_LIST", []*types.Type{types.StringType}, "ARRAY<STRING>"},
		{"HISTOGRAM", []*types.Type{types.StringType}, "MAP<STRING, BIGINT>"},
	}
	for _, c := range cases {
		call, err := Builtins().Resolve(c.fn, TypeArgs(c.args...))
		if err != nil {
			t.Fatalf("%s%v: %v", c.fn, c.args, err)
		}
		if got := call.StateType().String(); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s%v state = %s, want %s", c.fn, c.args, got, c.want)
		}
	}
}
