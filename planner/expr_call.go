package planner

import (
	"fmt"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/types"
)

// resolvedCall is a function call after overload resolution, with its
// arguments compiled and converted to the parameter types.
type resolvedCall struct {
	call *functions.Call
	// args evaluate the non-lambda arguments; lambdas[i] is set instead for
	// a lambda argument at position i.
	args    []evalFn
	lambdas []*lambdaBody
	consts  []*compiled
}

// lambdaBody is a compiled lambda: its body reads the row extended with
// the lambda's parameters at base, base+1, ...
type lambdaBody struct {
	base  int
	arity int
	body  evalFn
}

// compileCall compiles a scalar function call. Aggregate calls belong to
// GROUP BY queries (issue 7) and table functions to the select list, where
// the planner turns them into a flat-map; both are rejected here.
func compileCall(e *ast.FunctionCall, sc *scope) (*compiled, error) {
	f, ok := sc.reg.Lookup(e.Name)
	if !ok {
		return nil, errorf(e.Pos, "Can't find any functions with the name '%s'", e.Name)
	}
	switch f.Kind {
	case functions.Aggregate:
		return nil, errorf(e.Pos, "Aggregate functions are not yet supported: %s (aggregation arrives with the stateful operators)", exprText(e))
	case functions.Table:
		return nil, errorf(e.Pos, "Table functions are only supported as select items: %s", exprText(e))
	}
	rc, err := resolveCall(e, sc)
	if err != nil {
		return nil, err
	}
	fn, err := rc.call.Scalar()
	if err != nil {
		return nil, errorf(e.Pos, "%v", err)
	}
	eval := rc.argsEval()
	c := &compiled{typ: rc.call.Return, eval: func(row []any) (any, error) {
		args, err := eval(row)
		if err != nil {
			return nil, err
		}
		return fn(args)
	}}
	// Functions are not folded: some are not deterministic (RANDOM,
	// UNIX_TIMESTAMP) and the registry does not say which.
	return c, nil
}

// compileTableCall compiles a table function call (EXPLODE, ...) into an
// evaluator returning the []any of generated values.
func compileTableCall(e *ast.FunctionCall, sc *scope) (*compiled, error) {
	var reads []int
	inner := *sc
	inner.reads = &reads
	sc = &inner
	rc, err := resolveCall(e, sc)
	if err != nil {
		return nil, err
	}
	fn, err := rc.call.Table()
	if err != nil {
		return nil, errorf(e.Pos, "%v", err)
	}
	callOnNull := rc.call.Signature.CallOnNull
	eval := rc.argsEval()
	c := &compiled{typ: rc.call.Return, eval: func(row []any) (any, error) {
		args, err := eval(row)
		if err != nil {
			return nil, err
		}
		if !callOnNull {
			for _, a := range args {
				if a == nil {
					return nil, nil
				}
			}
		}
		out, err := fn(args)
		if err != nil || out == nil {
			return nil, err
		}
		return out, nil
	}, reads: dedupe(reads)}
	return c, nil
}

// isTableFunction reports whether e calls a table function.
func isTableFunction(e ast.Expr, sc *scope) bool {
	fc, ok := e.(*ast.FunctionCall)
	if !ok {
		return false
	}
	f, ok := sc.reg.Lookup(fc.Name)
	return ok && f.Kind == functions.Table
}

// resolveCall compiles the arguments, resolves the overload and inserts
// the implicit casts the resolution chose.
func resolveCall(e *ast.FunctionCall, sc *scope) (*resolvedCall, error) {
	// F(*) on a scalar or table function is a call without arguments;
	// aggregates (COUNT(*)) never get here.
	args := make([]functions.Arg, len(e.Args))
	comp := make([]*compiled, len(e.Args))
	// Lambda bodies are compiled once per set of input types: resolution
	// may try a body for several signatures, and nested lambdas would
	// otherwise multiply those attempts at every level.
	lambdaCache := map[string]*compiled{}
	compileCached := func(l *ast.Lambda, inputs []*types.Type) (*compiled, error) {
		key := fmt.Sprintf("%p", l)
		for _, in := range inputs {
			key += "|" + in.String()
		}
		if c, ok := lambdaCache[key]; ok {
			return c, nil
		}
		c, err := compileLambda(l, inputs, sc)
		if err != nil {
			return nil, err
		}
		lambdaCache[key] = c
		return c, nil
	}
	for i, a := range e.Args {
		if ref, ok := a.(*ast.ColumnRef); ok && i == 0 && ref.Source == "" && functions.TakesTimeUnit(e.Name) && isTimeUnit(ref.Name) {
			// DATEADD(DAYS, ...): the unit keyword reaches the function as
			// the string of its name.
			comp[i] = constant(ref.Name, types.StringType)
			args[i] = functions.Arg{Type: types.StringType}
			continue
		}
		if l, ok := a.(*ast.Lambda); ok {
			lam := l
			args[i] = functions.Arg{Lambda: &functions.LambdaArg{
				Arity: len(l.Params),
				Body: func(inputs []*types.Type) (*types.Type, error) {
					b, err := compileCached(lam, inputs)
					if err != nil {
						return nil, err
					}
					return b.typ, nil
				},
			}}
			continue
		}
		c, err := compileExpr(a, sc)
		if err != nil {
			return nil, err
		}
		comp[i] = c
		args[i] = functions.Arg{Type: c.typ}
	}
	call, err := sc.reg.Resolve(e.Name, args)
	if err != nil {
		if pe, ok := err.(*Error); ok {
			return nil, pe
		}
		return nil, errorf(e.Pos, "%v", err)
	}
	rc := &resolvedCall{call: call, args: make([]evalFn, len(e.Args)), lambdas: make([]*lambdaBody, len(e.Args)), consts: comp}
	li := 0
	for i, a := range e.Args {
		if l, ok := a.(*ast.Lambda); ok {
			b, err := compileCached(l, call.LambdaInputs[li])
			if err != nil {
				return nil, err
			}
			li++
			rc.lambdas[i] = &lambdaBody{base: sc.width + len(sc.lambdas), arity: len(l.Params), body: b.eval}
			continue
		}
		c := comp[i]
		if i < len(call.ArgTypes) && call.ArgTypes[i] != nil {
			c = coerce(c, call.ArgTypes[i])
		}
		rc.args[i] = c.eval
	}
	return rc, nil
}

// argsEval returns a function computing the argument values of one call:
// plain values, and functions.Lambda closures over the current row for
// lambda arguments. An argument that fails to evaluate is passed as NULL,
// as ksqlDB does (IFNULL(CAST(bad AS ...), default) gives the default).
func (rc *resolvedCall) argsEval() func(row []any) ([]any, error) {
	args, lambdas := rc.args, rc.lambdas
	return func(row []any) ([]any, error) {
		out := make([]any, len(args))
		for i, f := range args {
			if lb := lambdas[i]; lb != nil {
				out[i] = lb.closure(row)
				continue
			}
			v, err := f(row)
			if err != nil {
				v = nil
			}
			out[i] = v
		}
		return out, nil
	}
}

// closure binds a lambda to the row it is called from: the row is copied
// once, extended with room for the lambda's arguments, and each call
// overwrites the arguments. Calls are sequential (a function invokes its
// lambda argument one element at a time and keeps no row), so one buffer
// per closure is enough; nested lambdas get their own.
func (lb *lambdaBody) closure(row []any) functions.Lambda {
	base, body := lb.base, lb.body
	ext := make([]any, base+lb.arity)
	copy(ext, row[:base])
	return func(args ...any) (any, error) {
		if len(args) != lb.arity {
			return nil, fmt.Errorf("planner: lambda called with %d arguments, want %d", len(args), lb.arity)
		}
		copy(ext[base:], args)
		return body(ext)
	}
}

// compileLambda compiles a lambda body with its parameters bound to the
// given input types.
func compileLambda(l *ast.Lambda, inputs []*types.Type, sc *scope) (*compiled, error) {
	if len(inputs) != len(l.Params) {
		return nil, errorf(l.Pos, "Was expecting %d arguments to lambda function, got %d", len(inputs), len(l.Params))
	}
	inner := *sc
	inner.lambdas = append([]lambdaVar(nil), sc.lambdas...)
	base := sc.width + len(sc.lambdas)
	for i, p := range l.Params {
		inner.lambdas = append(inner.lambdas, lambdaVar{name: p, typ: inputs[i], index: base + i})
	}
	return compileExpr(l.Body, &inner)
}

// isTimeUnit reports whether name is a time unit keyword, which the
// interval functions take as their first argument.
func isTimeUnit(name string) bool {
	switch strings.TrimSuffix(name, "S") {
	case "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY", "MICROSECOND", "NANOSECOND":
		return true
	}
	return false
}
