package planner

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/types"
)

// exprGen builds random typed expressions twice: once with literal values
// and once with column references bound to the same values. Planning folds
// the first and not the second, aligns constants in comparisons, and picks
// typed fast paths, so the two must still agree: same value or both an
// error.
type exprGen struct {
	rng  *rand.Rand
	cols []types.Column
	row  []any
}

func (g *exprGen) bind(lit string, t *types.Type, v any) (string, string) {
	name := fmt.Sprintf("C%d", len(g.cols))
	g.cols = append(g.cols, types.Column{Name: name, Type: t})
	g.row = append(g.row, v)
	return lit, name
}

// leaf returns a literal of kind k and the matching column reference.
func (g *exprGen) leaf(k types.Kind) (string, string) {
	if g.rng.Intn(8) == 0 {
		t := map[types.Kind]string{types.Integer: "INT", types.Bigint: "BIGINT", types.Double: "DOUBLE", types.String: "STRING", types.Boolean: "BOOLEAN"}[k]
		lit := "CAST(NULL AS " + t + ")"
		g.cols = append(g.cols, types.Column{Name: fmt.Sprintf("C%d", len(g.cols)), Type: &types.Type{Kind: k}})
		g.row = append(g.row, nil)
		return lit, g.cols[len(g.cols)-1].Name
	}
	switch k {
	case types.Integer:
		v := int32(g.rng.Intn(41) - 20)
		return g.bind(strconv.Itoa(int(v)), types.IntegerType, v)
	case types.Bigint:
		v := int64(g.rng.Intn(41)-20) + 3_000_000_000
		return g.bind(strconv.FormatInt(v, 10), types.BigintType, v)
	case types.Double:
		v := float64(g.rng.Intn(81)-40) / 4
		return g.bind(strconv.FormatFloat(v, 'E', -1, 64), types.DoubleType, v)
	case types.String:
		v := []string{"a", "b", "ab", "ba", "", "x%y"}[g.rng.Intn(6)]
		return g.bind(types.SQLLiteral(v), types.StringType, v)
	}
	v := g.rng.Intn(2) == 0
	return g.bind(strings.ToUpper(strconv.FormatBool(v)), types.BooleanType, v)
}

var numericKinds = []types.Kind{types.Integer, types.Bigint, types.Double}

// gen returns an expression of kind k in both forms.
func (g *exprGen) gen(k types.Kind, depth int) (string, string) {
	if depth <= 0 || g.rng.Intn(4) == 0 {
		return g.leaf(k)
	}
	pair := func(format string, parts ...[2]string) (string, string) {
		a, b := make([]any, len(parts)), make([]any, len(parts))
		for i, p := range parts {
			a[i], b[i] = p[0], p[1]
		}
		return fmt.Sprintf(format, a...), fmt.Sprintf(format, b...)
	}
	sub := func(k types.Kind) [2]string {
		x, y := g.gen(k, depth-1)
		return [2]string{x, y}
	}
	switch k {
	case types.Integer, types.Bigint, types.Double:
		switch g.rng.Intn(5) {
		case 0:
			op := []string{"+", "-", "*", "/", "%"}[g.rng.Intn(5)]
			return pair("(%s "+op+" %s)", sub(k), sub(k))
		case 1:
			return pair("ABS(%s)", sub(k))
		case 2:
			return pair("CASE WHEN %s THEN %s ELSE %s END", sub(types.Boolean), sub(k), sub(k))
		case 3:
			return pair("IFNULL(%s, %s)", sub(k), sub(k))
		}
		return pair("(-(%s))", sub(k))
	case types.String:
		switch g.rng.Intn(3) {
		case 0:
			return pair("CONCAT(%s, %s)", sub(types.String), sub(types.String))
		case 1:
			return pair("UCASE(%s)", sub(types.String))
		}
		return pair("CAST(%s AS STRING)", sub(numericKinds[g.rng.Intn(3)]))
	}
	switch g.rng.Intn(7) {
	case 0:
		op := []string{"=", "<>", "<", "<=", ">", ">="}[g.rng.Intn(6)]
		nk := numericKinds[g.rng.Intn(3)]
		return pair("(%s "+op+" %s)", sub(nk), sub(numericKinds[g.rng.Intn(3)]))
	case 1:
		return pair("(%s AND %s)", sub(types.Boolean), sub(types.Boolean))
	case 2:
		return pair("(%s OR %s)", sub(types.Boolean), sub(types.Boolean))
	case 3:
		return pair("(NOT %s)", sub(types.Boolean))
	case 4:
		return pair("(%s BETWEEN %s AND %s)", sub(types.Integer), sub(types.Integer), sub(types.Integer))
	case 5:
		return pair("(%s LIKE %s)", sub(types.String), sub(types.String))
	}
	return pair("(%s IN (%s, %s))", sub(types.Bigint), sub(types.Bigint), sub(types.Integer))
}

// TestFoldedAndColumnEvaluationAgree is the metamorphic test: set
// SLUICE_SEED to reproduce a failure, SLUICE_CASES to run more.
func TestFoldedAndColumnEvaluationAgree(t *testing.T) {
	seed := time.Now().UnixNano()
	if s := os.Getenv("SLUICE_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	n := 2000
	if s := os.Getenv("SLUICE_CASES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	t.Logf("seed %d (SLUICE_SEED=%d to reproduce)", seed, seed)
	rng := rand.New(rand.NewSource(seed))
	kinds := []types.Kind{types.Integer, types.Bigint, types.Double, types.String, types.Boolean}
	for i := 0; i < n; i++ {
		g := &exprGen{rng: rng}
		litSQL, colSQL := g.gen(kinds[rng.Intn(len(kinds))], 4)
		lv, lt, lerr := evalSQL(litSQL, g.cols, g.row)
		cv, ct, cerr := evalSQL(colSQL, g.cols, g.row)
		if (lerr != nil) != (cerr != nil) {
			t.Fatalf("seed %d case %d:\n%s\n  -> %s, %v\n%s\n  -> %s, %v", seed, i, litSQL, lv, lerr, colSQL, cv, cerr)
		}
		if lerr == nil && (lv != cv || lt != ct) {
			t.Fatalf("seed %d case %d:\n%s\n  -> %s (%s)\n%s\n  -> %s (%s)", seed, i, litSQL, lv, lt, colSQL, cv, ct)
		}
	}
}

// evalSQL plans and evaluates an expression; planning and evaluation
// errors both count as errors.
func evalSQL(sql string, cols []types.Column, row []any) (string, string, error) {
	e, err := parser.ParseExpression(sql)
	if err != nil {
		return "", "", err
	}
	ev, typ, err := CompileExpression(e, cols, Options{})
	if err != nil {
		return "", "", err
	}
	full := append(append([]any(nil), row...), int64(0), int32(0), int64(0))
	v, err := ev.Eval(full)
	if err != nil {
		return "", "", err
	}
	return types.Format(v), typ.String(), nil
}
