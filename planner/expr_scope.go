package planner

import (
	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/types"
)

// evalFn is the compiled form of an expression: it reads a row laid out as
// the operator's input columns, then exec.PseudoColumns, then the
// parameters of the lambdas being evaluated, innermost last.
type evalFn func(row []any) (any, error)

// compiled is a typed, compiled expression. Constant expressions (literals
// and what folds from them) also carry their value, so that planning can
// use it (a LIKE pattern, a constant PARTITION BY) without evaluating.
type compiled struct {
	eval    evalFn
	typ     *types.Type
	isConst bool
	val     any
	// reads lists the row positions the expression reads; set by
	// compileTop for the expressions handed to exec.
	reads []int
	// isCol marks a bare read of row position col, which exec copies with
	// a typed kernel (exec.ColumnRef) instead of evaluating per row.
	isCol bool
	col   int
}

// column is a name an expression may reference.
type column struct {
	name string
	// source is the qualifier that may prefix the name (the source name or
	// its alias); empty for columns that no source owns.
	source string
	typ    *types.Type
	index  int
}

// lambdaVar is a lambda parameter in scope.
type lambdaVar struct {
	name  string
	typ   *types.Type
	index int
}

// scope is what names mean while an expression is compiled: the columns
// of the input row, the source qualifiers, the pseudo columns and the
// lambda parameters in scope.
type scope struct {
	cols []column
	// qualifiers maps every accepted qualifier (source name, alias) to the
	// source name used in messages.
	qualifiers map[string]string
	// pseudo is the row position of ROWTIME (ROWPARTITION and ROWOFFSET
	// follow), or -1 where pseudo columns are not available.
	pseudo int
	// width is the row width before lambda parameters.
	width   int
	lambdas []lambdaVar
	// clause names the clause for resolution errors ("SELECT",
	// "WHERE", "PARTITION BY").
	clause string
	reg    *functions.Registry
	cat    Catalog
	// reads, when set, collects the row positions compiled column
	// references read (exec's ColumnReader lets operators fill only those).
	reads *[]int
	// tableFunctions allows table function calls (only at the top of a
	// select item, where the planner turns them into a flat-map).
	tableFunctions bool
	// subst, when set, is asked first for every expression compiled in
	// the scope: an aggregation's result scope turns aggregate calls and
	// GROUP BY expressions into reads of the aggregate's output (agg_*.go).
	subst func(e ast.Expr, sc *scope) (*compiled, bool, error)
}

// newScope returns a scope over cols (positions 0..len-1) followed by the
// pseudo columns.
func newScope(cols []types.Column, source, alias string, reg *functions.Registry) *scope {
	sc := &scope{qualifiers: map[string]string{}, reg: reg}
	if source != "" {
		sc.qualifiers[source] = source
	}
	if alias != "" {
		sc.qualifiers[alias] = source
	}
	for i, c := range cols {
		sc.cols = append(sc.cols, column{name: c.Name, source: source, typ: c.Type, index: i})
	}
	sc.pseudo = len(cols)
	sc.width = len(cols) + len(exec.PseudoColumns)
	return sc
}

// catalog returns the catalog custom types resolve against (nil is
// allowed: then only built-in types exist).
func (sc *scope) catalog() Catalog { return sc.cat }

// withClause returns a copy of the scope reporting resolution errors for
// the named clause.
func (sc *scope) withClause(clause string) *scope {
	c := *sc
	c.clause = clause
	return &c
}

// pseudoColumn returns the row position and type of a pseudo column name.
func (sc *scope) pseudoColumn(name string) (int, *types.Type, bool) {
	if sc.pseudo < 0 {
		return 0, nil, false
	}
	for i, pc := range exec.PseudoColumns {
		if pc.Name == name {
			return sc.pseudo + i, pc.Type, true
		}
	}
	return 0, nil, false
}

// isPseudoName reports whether name is one of ksqlDB's system column names,
// which user columns and aliases may not take.
func isPseudoName(name string) bool {
	switch name {
	case "ROWTIME", "ROWPARTITION", "ROWOFFSET", "WINDOWSTART", "WINDOWEND":
		return true
	}
	return false
}
