package functions

import (
	"strconv"
	"strings"

	"github.com/sluicedb/sluice/types"
)

// patternKind says what a Pattern matches.
type patternKind uint8

const (
	patConcrete patternKind = iota // one exact SQL type (any DECIMAL if Decimal)
	patVar                         // a type variable (T, K, V, ...)
	patArray                       // ARRAY<elem pattern>
	patMap                         // MAP<key pattern, value pattern>
	patStruct                      // any STRUCT
	patDecimal                     // any DECIMAL(p, s)
	patLambda                      // a lambda with typed inputs and output
	patAny                         // any type, each argument keeping its own (Java Object)
)

// Pattern is the declared type of a function parameter or result. Besides
// plain SQL types it expresses what ksqlDB's UDF framework expresses with
// Java generics: type variables (T, K, V) that bind to the actual argument
// types, collections of them, any STRUCT, any DECIMAL, and lambdas with
// their arity. Patterns are immutable and shared between signatures.
type Pattern struct {
	kind     patternKind
	typ      *types.Type
	name     string
	elem     *Pattern
	key      *Pattern
	lambdaIn []*Pattern
}

// Shared patterns for the parameterless SQL types.
var (
	PBoolean   = Of(types.BooleanType)
	PInt       = Of(types.IntegerType)
	PBigint    = Of(types.BigintType)
	PDouble    = Of(types.DoubleType)
	PString    = Of(types.StringType)
	PBytes     = Of(types.BytesType)
	PDate      = Of(types.DateType)
	PTime      = Of(types.TimeType)
	PTimestamp = Of(types.TimestampType)
	// PDecimal matches a DECIMAL of any precision and scale.
	PDecimal = &Pattern{kind: patDecimal}
	// PStruct matches a STRUCT with any fields.
	PStruct = &Pattern{kind: patStruct}
	// PAny matches an argument of any type, which the function receives
	// unconverted: ksqlDB's Object parameter (a UDF declaring Object, or
	// VariadicArgs<Object>, takes primitives, decimals of any scale and
	// collections alike). Unlike a type variable it binds nothing, so
	// the arguments of one variadic Object parameter may differ in type.
	PAny = &Pattern{kind: patAny}
	// T, K and V are the type variables of ksqlDB's generic UDFs.
	T = Var("T")
	K = Var("K")
	V = Var("V")
	U = Var("U")
	S = Var("S")
)

// Of returns a pattern matching exactly the SQL type t.
func Of(t *types.Type) *Pattern { return &Pattern{kind: patConcrete, typ: t} }

// Var returns a type variable. All occurrences of the same name in one
// signature bind to the same SQL type.
func Var(name string) *Pattern { return &Pattern{kind: patVar, name: name} }

// ArrayP returns a pattern matching ARRAY<elem>.
func ArrayP(elem *Pattern) *Pattern { return &Pattern{kind: patArray, elem: elem} }

// MapP returns a pattern matching MAP<key, value>.
func MapP(key, value *Pattern) *Pattern { return &Pattern{kind: patMap, key: key, elem: value} }

// LambdaP returns a lambda parameter whose inputs have the given patterns
// and whose body has type out. The arity of the lambda is len(in).
func LambdaP(out *Pattern, in ...*Pattern) *Pattern {
	return &Pattern{kind: patLambda, elem: out, lambdaIn: in}
}

// IsLambda reports whether the pattern is a lambda parameter.
func (p *Pattern) IsLambda() bool { return p.kind == patLambda }

// LambdaArity returns the number of inputs of a lambda pattern.
func (p *Pattern) LambdaArity() int { return len(p.lambdaIn) }

// String spells the pattern the way DESCRIBE FUNCTION prints parameter
// types: SQL names, with type variables as written.
func (p *Pattern) String() string {
	switch p.kind {
	case patConcrete:
		return p.typ.String()
	case patVar:
		return p.name
	case patArray:
		return "ARRAY<" + p.elem.String() + ">"
	case patMap:
		return "MAP<" + p.key.String() + ", " + p.elem.String() + ">"
	case patStruct:
		return "STRUCT<ANY>"
	case patDecimal:
		return "DECIMAL"
	case patAny:
		return "ANY"
	case patLambda:
		ins := make([]string, len(p.lambdaIn))
		for i, in := range p.lambdaIn {
			ins[i] = in.String()
		}
		return "LAMBDA (" + strings.Join(ins, ", ") + ") => " + p.elem.String()
	}
	return "KIND(" + strconv.Itoa(int(p.kind)) + ")"
}

// hasVars reports whether the pattern contains type variables.
func (p *Pattern) hasVars() bool {
	switch p.kind {
	case patVar:
		return true
	case patArray:
		return p.elem.hasVars()
	case patMap:
		return p.key.hasVars() || p.elem.hasVars()
	case patLambda:
		for _, in := range p.lambdaIn {
			if in.hasVars() {
				return true
			}
		}
		return p.elem.hasVars()
	}
	return false
}

// bindings maps type variable names to the SQL types they stand for.
type bindings map[string]*types.Type

// isNullType reports whether t is the type of an untyped NULL literal,
// which matches any parameter.
func isNullType(t *types.Type) bool { return t == nil || t.Kind == types.Null }

// match unifies the argument type arg with the pattern, extending b. With
// casts false the argument must have exactly the declared type; with casts
// true it may also be implicitly castable to it. It reports whether the
// argument fits.
func (p *Pattern) match(arg *types.Type, b bindings, casts bool) bool {
	if isNullType(arg) {
		return p.kind != patLambda
	}
	switch p.kind {
	case patConcrete:
		if p.typ.Equal(arg) {
			return true
		}
		if !casts {
			return false
		}
		// ksqlDB lets a STRING stand for a DATE, TIME or TIMESTAMP
		// argument (GREATEST(dateCol, '2022-06-14')); the planner's cast
		// parses it.
		if arg.Kind == types.String {
			switch p.typ.Kind {
			case types.DateKind, types.TimeKind, types.TimestampKind:
				return true
			}
		}
		return types.CanImplicitlyCast(arg, p.typ)
	case patDecimal:
		if arg.Kind == types.DecimalKind {
			return true
		}
		// INT and BIGINT widen to a DECIMAL that holds them exactly.
		return casts && (arg.Kind == types.Integer || arg.Kind == types.Bigint)
	case patStruct:
		return arg.Kind == types.StructKind
	case patAny:
		return true
	case patVar:
		bound, ok := b[p.name]
		if !ok {
			b[p.name] = arg
			return true
		}
		if bound.Equal(arg) {
			return true
		}
		if casts {
			if types.CanImplicitlyCast(arg, bound) {
				return true
			}
			if types.CanImplicitlyCast(bound, arg) {
				// A later, wider argument widens the variable (so
				// COALESCE(INT, BIGINT) is BIGINT).
				b[p.name] = arg
				return true
			}
		}
		return false
	case patArray:
		if arg.Kind != types.Array {
			return false
		}
		if isNullType(arg.Elem) {
			return true
		}
		return p.elem.match(arg.Elem, b, casts)
	case patMap:
		if arg.Kind != types.MapKind {
			return false
		}
		if isNullType(arg.Key) && isNullType(arg.Elem) {
			return true
		}
		return p.key.match(arg.Key, b, casts) && p.elem.match(arg.Elem, b, casts)
	}
	return false
}

// resolve substitutes bound variables, returning the concrete SQL type the
// pattern denotes, or nil when a variable is unbound (only NULLs were
// passed for it) or the pattern is not a single type (any DECIMAL).
func (p *Pattern) resolve(b bindings) *types.Type {
	switch p.kind {
	case patConcrete:
		return p.typ
	case patVar:
		return b[p.name]
	case patArray:
		e := p.elem.resolve(b)
		if e == nil {
			return nil
		}
		return types.ArrayOf(e)
	case patMap:
		k, v := p.key.resolve(b), p.elem.resolve(b)
		if k == nil || v == nil {
			return nil
		}
		return types.MapOf(k, v)
	}
	return nil
}

// resolveArg returns the type an argument of type arg is converted to when
// passed to a parameter of this pattern: the declared type when it is a
// single type, else the argument's own type (DECIMAL, STRUCT, widened
// variables are resolved through b).
func (p *Pattern) resolveArg(arg *types.Type, b bindings) *types.Type {
	switch p.kind {
	case patDecimal:
		if arg != nil {
			switch arg.Kind {
			case types.Integer:
				return types.DecimalOf(10, 0)
			case types.Bigint:
				return types.DecimalOf(19, 0)
			}
		}
		return arg
	case patStruct, patLambda, patAny:
		return arg
	}
	if t := p.resolve(b); t != nil {
		return t
	}
	return arg
}
