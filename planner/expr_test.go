package planner

import (
	"strings"
	"testing"

	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/types"
)

// exprColumns and exprRow are the row every expression test evaluates on.
var exprColumns = []types.Column{
	{Name: "A", Type: types.IntegerType},
	{Name: "B", Type: types.BigintType},
	{Name: "S", Type: types.StringType},
	{Name: "D", Type: types.DoubleType},
	{Name: "N", Type: types.IntegerType},
	{Name: "ARR", Type: types.ArrayOf(types.IntegerType)},
	{Name: "M", Type: types.MapOf(types.StringType, types.IntegerType)},
	{Name: "ST", Type: types.StructOf(types.Field{Name: "X", Type: types.IntegerType}, types.Field{Name: "Y", Type: types.StringType})},
	{Name: "DEC", Type: types.DecimalOf(4, 2)},
	{Name: "NS", Type: types.StringType},
	{Name: "TS", Type: types.TimestampType},
}

func exprRow() []any {
	st := types.StructOf(types.Field{Name: "X", Type: types.IntegerType}, types.Field{Name: "Y", Type: types.StringType})
	return []any{
		int32(7), int64(10), "hello", 2.5, nil,
		[]any{int32(1), int32(2), int32(3)},
		&types.Map{Keys: []any{"a", "b"}, Values: []any{int32(1), int32(2)}},
		&types.Struct{Type: st, Values: []any{int32(5), "five"}},
		types.NewDecimal(1234, 2), nil, types.Timestamp(1000),
		// pseudo columns: ROWTIME, ROWPARTITION, ROWOFFSET
		int64(42), int32(3), int64(99),
	}
}

func TestExpressions(t *testing.T) {
	cases := []struct {
		sql  string
		want string // types.Format of the value, or "error: <substring>" for a row error
		typ  string // the static type
	}{
		{"A", "7", "INTEGER"},
		{"A + 1", "8", "INTEGER"},
		{"A + B", "17", "BIGINT"},
		{"A * D", "17.5", "DOUBLE"},
		{"A / 2", "3", "INTEGER"},
		{"A % 4", "3", "INTEGER"},
		{"A / 0", "error: ", "INTEGER"},
		{"DEC + 1", "13.34", "DECIMAL(13, 2)"},
		{"-A", "-7", "INTEGER"},
		{"N + 1", "null", "INTEGER"},
		{"2147483647", "2147483647", "INTEGER"},
		{"2147483648", "2147483648", "BIGINT"},
		{"1.50", "1.50", "DECIMAL(3, 2)"},
		{"1e3", "1000.0", "DOUBLE"},
		{"S || ' world'", "hello world", "STRING"},
		{"S + '!'", "hello!", "STRING"},
		{"NS || 'x'", "null", "STRING"},
		{"S + CAST(NULL AS STRING)", "null", "STRING"},
		{"A = 7", "true", "BOOLEAN"},
		{"A <> 7", "false", "BOOLEAN"},
		{"A < B", "true", "BOOLEAN"},
		{"A >= 8", "false", "BOOLEAN"},
		{"N = 1", "false", "BOOLEAN"}, // ksqlDB: a NULL operand compares FALSE
		{"B > N", "false", "BOOLEAN"},
		{"D > A", "false", "BOOLEAN"},
		{"D > 2.4", "true", "BOOLEAN"},
		{"D <= 2.5", "true", "BOOLEAN"},
		{"B = 10", "true", "BOOLEAN"},
		{"A < 3000000000", "true", "BOOLEAN"},
		{"S < 'i'", "true", "BOOLEAN"},
		{"DEC > 12.3", "true", "BOOLEAN"},
		{"DEC = 12.34", "true", "BOOLEAN"},
		{"D <> D / 0.0", "true", "BOOLEAN"},
		{"S = 'hello'", "true", "BOOLEAN"},
		{"TS > '1970-01-01T00:00:00'", "true", "BOOLEAN"},
		{"ARR = ARRAY[1, 2, 3]", "true", "BOOLEAN"},
		{"TRUE AND CAST(NULL AS BOOLEAN)", "null", "BOOLEAN"},
		{"FALSE AND CAST(NULL AS BOOLEAN)", "false", "BOOLEAN"},
		{"TRUE OR CAST(NULL AS BOOLEAN)", "true", "BOOLEAN"},
		{"FALSE OR CAST(NULL AS BOOLEAN)", "null", "BOOLEAN"},
		{"NOT CAST(NULL AS BOOLEAN)", "null", "BOOLEAN"},
		{"ROWTIME > '1970-01-01T00:00:00.041'", "true", "BOOLEAN"},
		{"ROWTIME BETWEEN '1970' AND '1971'", "true", "BOOLEAN"},
		{"IFNULL(CAST(CAST(S AS INT) AS STRING), 'bad')", "bad", "STRING"},
		{"TIMESTAMPADD(SECONDS, 2, TS)", "1970-01-01T00:00:03.000", "TIMESTAMP"},
		{"NOT (A = 1)", "true", "BOOLEAN"},
		{"A BETWEEN 1 AND 7", "true", "BOOLEAN"},
		{"A NOT BETWEEN 1 AND 7", "false", "BOOLEAN"},
		{"N BETWEEN 1 AND 7", "false", "BOOLEAN"},
		{"N NOT BETWEEN 1 AND 7", "true", "BOOLEAN"},
		{"A IN (1, 7)", "true", "BOOLEAN"},
		{"A IN (1, 2)", "false", "BOOLEAN"},
		{"A IN (1, N)", "false", "BOOLEAN"},
		{"N IN (1, N)", "false", "BOOLEAN"},
		{"N NOT IN (1, 2)", "true", "BOOLEAN"},
		{"A NOT IN (1, 2)", "true", "BOOLEAN"},
		{"S LIKE 'he%'", "true", "BOOLEAN"},
		{"S LIKE '_ello'", "true", "BOOLEAN"},
		{"S LIKE 'h%l%o'", "true", "BOOLEAN"},
		{"S LIKE 'h%x'", "false", "BOOLEAN"},
		{"S NOT LIKE '%ll%'", "false", "BOOLEAN"},
		{"'50%' LIKE '50!%' ESCAPE '!'", "true", "BOOLEAN"},
		{"'500' LIKE '50!%' ESCAPE '!'", "false", "BOOLEAN"},
		{"NS LIKE '%'", "null", "BOOLEAN"},
		{"N IS NULL", "true", "BOOLEAN"},
		{"A IS NOT NULL", "true", "BOOLEAN"},
		{"N IS DISTINCT FROM NULL", "false", "BOOLEAN"},
		{"N IS NOT DISTINCT FROM NULL", "true", "BOOLEAN"},
		{"A IS DISTINCT FROM N", "true", "BOOLEAN"},
		{"CASE WHEN A > 5 THEN 'big' ELSE 'small' END", "big", "STRING"},
		{"CASE WHEN A > 50 THEN 'big' END", "null", "STRING"},
		{"CASE A WHEN 1 THEN 1 WHEN 7 THEN B END", "10", "BIGINT"},
		{"CASE WHEN N = 1 THEN 1 ELSE 2.5 END", "2.5", "DECIMAL(11, 1)"},
		{"CAST(A AS STRING)", "7", "STRING"},
		{"CAST('12' AS INT) + 1", "13", "INTEGER"},
		{"CAST(S AS INT)", "error: ", "INTEGER"},
		{"CAST(D AS DECIMAL(4, 1))", "2.5", "DECIMAL(4, 1)"},
		{"ST->X", "5", "INTEGER"},
		{"ST->Y", "five", "STRING"},
		{"ARR[1]", "1", "INTEGER"},
		{"ARR[-1]", "3", "INTEGER"},
		{"ARR[4]", "null", "INTEGER"},
		{"ARR[0]", "null", "INTEGER"},
		{"M['b']", "2", "INTEGER"},
		{"M['z']", "null", "INTEGER"},
		{"ARRAY[1, 2]", "[1, 2]", "ARRAY<INTEGER>"},
		{"ARRAY[1, '2']", "[1, 2]", "ARRAY<DECIMAL(10, 0)>"},
		{"ARRAY[NULL, 10, '2e1', A, B]", "[null, 10, 20, 7, 10]", "ARRAY<DECIMAL(19, 0)>"},
		{"ARRAY[D, '2.5']", "[2.5, 2.5]", "ARRAY<DOUBLE>"},
		{"ARRAY[1, B]", "[1, 10]", "ARRAY<BIGINT>"},
		{"MAP('k' := A)", "{k=7}", "MAP<STRING, INTEGER>"},
		{"MAP(S := A, NS := NULL)['hello']", "7", "INTEGER"},
		{"STRUCT(P := A, Q := S)->Q", "hello", "STRING"},
		{"UCASE(S)", "HELLO", "STRING"},
		{"ABS(-A)", "7", "INTEGER"},
		{"LEN(NS)", "null", "INTEGER"},
		{"TRANSFORM(ARR, x => x * 10)", "[10, 20, 30]", "ARRAY<INTEGER>"},
		{"FILTER(ARR, x => x > A - 6)", "[2, 3]", "ARRAY<INTEGER>"},
		{"TRANSFORM(ARR, x => TRANSFORM(ARR, y => x * y))[2]", "[2, 4, 6]", "ARRAY<INTEGER>"},
		{"REDUCE(ARR, 0, (s, x) => s + x)", "6", "INTEGER"},
		{"TRANSFORM(ARRAY[5, N], x => x + 5)", "error: NULL operand", "ARRAY<INTEGER>"},
		{"TRANSFORM(ARRAY[5, N], x => x > 5)", "[false, false]", "ARRAY<BOOLEAN>"},
		{"ROWTIME", "42", "BIGINT"},
		{"ROWPARTITION", "3", "INTEGER"},
		{"ROWOFFSET + 1", "100", "BIGINT"},
		{"ABS(B)", "10", "BIGINT"},
		{"CONCAT(S, '-', CAST(A AS STRING))", "hello-7", "STRING"},
	}
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
			e, err := parser.ParseExpression(tc.sql)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			ev, typ, err := CompileExpression(e, exprColumns, Options{})
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			if got := typ.String(); got != tc.typ {
				t.Errorf("type = %s, want %s", got, tc.typ)
			}
			v, err := ev.Eval(exprRow())
			if strings.HasPrefix(tc.want, "error: ") {
				if err == nil {
					t.Fatalf("eval = %v, want an error containing %q", types.Format(v), tc.want[7:])
				}
				if !strings.Contains(err.Error(), tc.want[7:]) {
					t.Fatalf("eval error %q, want it to contain %q", err, tc.want[7:])
				}
				return
			}
			if err != nil {
				t.Fatalf("eval: %v", err)
			}
			if got := types.Format(v); got != tc.want {
				t.Errorf("value = %s, want %s", got, tc.want)
			}
			// Operators fill only the positions an evaluator says it reads
			// (exec's ColumnReader); the value must not change.
			reader, ok := ev.(interface{ ReadsColumns() []int })
			if !ok {
				t.Fatal("evaluator does not report the columns it reads")
			}
			sparse := make([]any, len(exprRow()))
			full := exprRow()
			for _, i := range reader.ReadsColumns() {
				sparse[i] = full[i]
			}
			if v2, err := ev.Eval(sparse); err != nil || types.Format(v2) != types.Format(v) {
				t.Errorf("with only columns %v filled: %s, %v; want %s", reader.ReadsColumns(), types.Format(v2), err, types.Format(v))
			}
			if v != nil {
				if err := types.CheckValue(v, typ); err != nil {
					t.Errorf("value %s does not fit its static type %s: %v", types.Format(v), typ, err)
				}
			}
		})
	}
}

func TestExpressionErrors(t *testing.T) {
	cases := []struct{ sql, want string }{
		{"FOO", "SELECT column 'FOO' cannot be resolved."},
		{"X.A", "'X' is not a valid stream/table name or alias."},
		{"ARR < ARR", "Cannot compare ARR (ARRAY<INTEGER>) to ARR (ARRAY<INTEGER>) with LESS_THAN."},
		{"A >= 'x'", "Cannot compare A (INTEGER) to 'x' (STRING) with GREATER_THAN_OR_EQUAL."},
		{"TRUE + 1.5", "Error processing expression: (true + 1.5). Unsupported arithmetic types. BOOLEAN DECIMAL"},
		{"NULL <> NULL", "Comparison with NULL not supported: NULL <> NULL"},
		{"1 + NULL", "Error processing expression: (1 + null). Arithmetic on types INTEGER and null are not supported."},
		{"5.0 / NULL", "Arithmetic on types DECIMAL(2, 1) and null are not supported."},
		{"MAP(1 := 'cat') + NULL", "Error processing expression: (MAP(1:='cat') + null). Arithmetic on types MAP<INTEGER, STRING> and null are not supported."},
		{"NULL * NULL", "Error processing expression: (null * null). Arithmetic on types null and null are not supported."},
		{"CAST(S AS ARRAY<INT>)", "Cast of STRING to ARRAY<INTEGER> is not supported"},
		{"ARRAY[]", "Array constructor cannot be empty."},
		{"MAP(S := A, NS := 'hello')", "Cannot construct a map with mismatching value types ([INTEGER, STRING]) from expression MAP(S:=A, NS:='hello')."},
		{"MAP(S := NULL, NS := NULL)", "Cannot construct a map with all NULL values"},
		{"MAP(S := A, NULL := A)", "Only STRING keys are supported in maps but got: [STRING, NULL]"},
		{"CASE WHEN A > 1 THEN NULL ELSE NULL END", "Invalid Case expression. All case branches have NULL type"},
		{"ARRAY[NULL]", "Cannot construct an array with all NULL elements"},
		{"ARRAY[1, 'not a number']", `invalid input syntax for type INTEGER: "not a number"`},
		{"STRUCT(A := 1, A := 2)", "Duplicate field names found in STRUCT"},
		{"GREATEST(S, A)", "Function 'greatest' does not accept parameters (STRING, INTEGER)."},
		{"NOPE(A)", "Can't find any functions with the name 'NOPE'"},
		{"COUNT(A)", "not yet supported"},
		{"EXPLODE(ARR)", "Table functions are only supported as select items"},
		{"ST->Z", "Could not find field 'Z'"},
		{"A[1]", "Subscript expression is only supported on ARRAY and MAP"},
		{"A AND TRUE", "requires a BOOLEAN operand"},
		{"WINDOWSTART", "SELECT column 'WINDOWSTART' cannot be resolved."},
	}
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
			e, err := parser.ParseExpression(tc.sql)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			_, _, err = CompileExpression(e, exprColumns, Options{})
			if err == nil {
				t.Fatalf("compiled, want error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want it to contain %q", err, tc.want)
			}
			if !IsPlanningError(err) {
				t.Errorf("error %v is not a planning error", err)
			}
			if !strings.HasPrefix(err.Error(), "Line: 1, Col: ") {
				t.Errorf("error %q has no position", err)
			}
		})
	}
}
