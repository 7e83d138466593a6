package functions

import (
	"cmp"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/sluicedb/sluice/types"
)

// Arg describes one argument of a call for overload resolution: its SQL
// type (nil or types.NullType for an untyped NULL literal) or, for a
// lambda, the lambda's arity and a callback that types its body.
type Arg struct {
	Type   *types.Type
	Lambda *LambdaArg
}

// LambdaArg is a lambda argument during resolution. The planner does not
// know the types of a lambda's inputs until the call is matched against a
// signature (TRANSFORM's x is the array's element type), so it hands the
// resolver a callback: given the input types, type the body.
type LambdaArg struct {
	Arity int
	// Body returns the type of the lambda body when its inputs have the
	// given types.
	Body func(inputs []*types.Type) (*types.Type, error)
}

// TypeArgs is a convenience for calls without lambdas.
func TypeArgs(ts ...*types.Type) []Arg {
	args := make([]Arg, len(ts))
	for i, t := range ts {
		args[i] = Arg{Type: t}
	}
	return args
}

// Call is a resolved function call: the chosen variant and the concrete
// types of its arguments and result.
type Call struct {
	Function  *Function
	Signature *Signature
	// ArgTypes are the types each argument must be converted to before the
	// call (implicit casts the planner inserts). Lambda arguments have nil.
	ArgTypes []*types.Type
	// LambdaInputs holds, for each lambda argument, the types of its inputs.
	LambdaInputs [][]*types.Type
	// LambdaTypes holds, for each lambda argument, the type of its body.
	LambdaTypes []*types.Type
	Return      *types.Type
}

// Resolution errors. Their text follows ksqlDB's messages word for word
// (the conformance tests compare them), so unlike other errors of the
// package they carry no "functions:" prefix; match them with errors.Is.
var (
	ErrUnknownFunction = errors.New("unknown function")
	ErrNoMatch         = errors.New("no matching signature")
	ErrAmbiguous       = errors.New("ambiguous call")
)

// ResolveError is a failed resolution with ksqlDB's message.
type ResolveError struct {
	Kind error // ErrUnknownFunction, ErrNoMatch or ErrAmbiguous
	Msg  string
}

// Error returns ksqlDB's message text.
func (e *ResolveError) Error() string { return e.Msg }

// Is lets errors.Is match the kind sentinels.
func (e *ResolveError) Is(target error) bool { return target == e.Kind }

// Resolve picks the variant of the named function that a call with the
// given arguments invokes, following ksqlDB: first the variants the
// arguments fit exactly (NULL fits anything), then, if none, the variants
// they fit after implicit widening. Among several fits the most specific
// wins (see preference); a tie is ambiguous, never guessed.
func (r *Registry) Resolve(name string, args []Arg) (*Call, error) {
	f, ok := r.Lookup(name)
	if !ok {
		return nil, &ResolveError{Kind: ErrUnknownFunction,
			Msg: fmt.Sprintf("Can't find any functions with the name '%s'", name)}
	}
	return f.Resolve(args)
}

// Resolve is Registry.Resolve for one function.
func (f *Function) Resolve(args []Arg) (*Call, error) {
	for _, casts := range []bool{false, true} {
		var cands []*Call
		for _, s := range f.Signatures {
			if c, ok := s.bind(f, args, casts); ok {
				cands = append(cands, c)
			}
		}
		if len(cands) == 0 {
			continue
		}
		sort.SliceStable(cands, func(i, j int) bool { return preference(cands[i].Signature, cands[j].Signature) > 0 })
		if len(cands) == 1 || preference(cands[0].Signature, cands[1].Signature) > 0 {
			return finish(cands[0])
		}
		return nil, &ResolveError{Kind: ErrAmbiguous,
			Msg: fmt.Sprintf("Function '%s' cannot be resolved due to ambiguous method parameters (%s).", f.displayName(), argList(args)) +
				"\nUse CAST() to explicitly cast your parameters to one of the supported function calls." +
				"\nValid function calls are:\n" + f.alternatives() +
				"\nFor detailed information on a function run: DESCRIBE FUNCTION <Function-Name>;"}
	}
	return nil, &ResolveError{Kind: ErrNoMatch,
		Msg: fmt.Sprintf("Function '%s' does not accept parameters (%s).", f.displayName(), argList(args)) +
			"\nValid alternatives are:\n" + f.alternatives() +
			"\nFor detailed information on a function run: DESCRIBE FUNCTION <Function-Name>;"}
}

// preference orders two matching variants the way ksqlDB's UDF index
// does: a fixed-arity variant beats a variadic one, then more declared
// parameters win, then fewer generic parameters, then a later variadic
// position. It returns > 0 when a is preferred, 0 when they tie.
func preference(a, b *Signature) int {
	if c := cmp.Compare(boolInt(!a.Variadic), boolInt(!b.Variadic)); c != 0 {
		return c
	}
	if c := cmp.Compare(len(a.Params), len(b.Params)); c != 0 {
		return c
	}
	if c := cmp.Compare(b.genericCount(), a.genericCount()); c != 0 {
		return c
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Signature) genericCount() int {
	n := 0
	for _, p := range s.Params {
		if p.Type.hasVars() || p.Type.kind == patAny {
			n++
		}
	}
	return n
}

// alternatives lists the variants as ksqlDB's resolution errors do:
// name(TYPE param, TYPE... params), one per line.
func (f *Function) alternatives() string {
	lines := make([]string, len(f.Signatures))
	for i, s := range f.Signatures {
		var b strings.Builder
		b.WriteString(f.displayName())
		b.WriteByte('(')
		for j, p := range s.Params {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(p.Type.String())
			if s.Variadic && j == len(s.Params)-1 {
				b.WriteString("...")
			}
			if p.Name != "" {
				b.WriteByte(' ')
				b.WriteString(p.Name)
			}
		}
		b.WriteByte(')')
		lines[i] = b.String()
	}
	return strings.Join(lines, "\n")
}

func argList(args []Arg) string {
	parts := make([]string, len(args))
	for i, a := range args {
		switch {
		case a.Lambda != nil:
			parts[i] = "LAMBDA"
		case isNullType(a.Type):
			parts[i] = "null"
		default:
			parts[i] = a.Type.String()
		}
	}
	return strings.Join(parts, ", ")
}

// paramFor returns the declared parameter argument i binds to.
func (s *Signature) paramFor(i int) Param {
	if i >= len(s.Params) {
		return s.Params[len(s.Params)-1]
	}
	return s.Params[i]
}

// bind tries to match args against the signature.
func (s *Signature) bind(f *Function, args []Arg, casts bool) (*Call, bool) {
	n := len(s.Params)
	if s.Variadic {
		if len(args) < n-1 {
			return nil, false
		}
	} else if len(args) != n {
		return nil, false
	}
	b := bindings{}
	// Non-lambda arguments first: they bind the type variables lambdas use.
	for i, a := range args {
		p := s.paramFor(i)
		if p.Type.IsLambda() != (a.Lambda != nil) {
			return nil, false
		}
		if a.Lambda != nil {
			continue
		}
		if !p.Type.match(a.Type, b, casts) {
			return nil, false
		}
	}
	c := &Call{Function: f, Signature: s, ArgTypes: make([]*types.Type, len(args))}
	for i, a := range args {
		p := s.paramFor(i)
		if a.Lambda == nil {
			continue
		}
		if a.Lambda.Arity != p.Type.LambdaArity() {
			return nil, false
		}
		in := make([]*types.Type, a.Lambda.Arity)
		for j, ip := range p.Type.lambdaIn {
			in[j] = ip.resolve(b)
			if in[j] == nil {
				return nil, false
			}
		}
		bodyType, err := a.Lambda.Body(in)
		if err != nil || !p.Type.elem.match(bodyType, b, casts) {
			return nil, false
		}
		c.LambdaInputs = append(c.LambdaInputs, in)
		c.LambdaTypes = append(c.LambdaTypes, bodyType)
	}
	for i, a := range args {
		if a.Lambda == nil {
			c.ArgTypes[i] = s.paramFor(i).Type.resolveArg(a.Type, b)
		}
	}
	var ret *types.Type
	if s.ReturnFunc == nil {
		ret = s.Returns.resolve(b)
		if ret == nil {
			return nil, false
		}
	}
	c.Return = ret
	return c, true
}

// finish computes a ReturnFunc result once the variant is chosen, so a
// type error in it is reported rather than treated as a mismatch.
func finish(c *Call) (*Call, error) {
	if c.Signature.ReturnFunc != nil {
		t, err := c.Signature.ReturnFunc(c.ArgTypes)
		if err != nil {
			return nil, err
		}
		c.Return = t
	}
	return c, nil
}

// Scalar returns the implementation of a resolved scalar call, wrapped
// with the variant's NULL handling.
func (c *Call) Scalar() (ScalarFunc, error) {
	if c.Function.Kind != Scalar {
		return nil, fmt.Errorf("functions: %s is not a scalar function", c.Function.Name)
	}
	fn := c.Signature.Eval
	if c.Signature.Prepare != nil {
		var err error
		if fn, err = c.Signature.Prepare(c.ArgTypes, c.Return); err != nil {
			return nil, err
		}
	}
	name, callOnNull := c.Function.Name, c.Signature.CallOnNull
	return func(args []any) (v any, err error) {
		if !callOnNull {
			for _, a := range args {
				if a == nil {
					return nil, nil
				}
			}
		}
		// An argument of the wrong Go type is an engine bug; report it as
		// the row's error instead of crashing the query.
		defer func() {
			if r := recover(); r != nil {
				v, err = nil, fmt.Errorf("functions: %s: internal error: %v", name, r)
			}
		}()
		return fn(args)
	}, nil
}

// Spelling renders the variant as DESCRIBE FUNCTION and the no-match
// error list it: NAME(name TYPE, name TYPE...).
func (s *Signature) Spelling(f *Function) string {
	var b strings.Builder
	b.WriteString(f.Name)
	b.WriteByte('(')
	for i, p := range s.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		if p.Name != "" {
			b.WriteString(p.Name)
			b.WriteByte(' ')
		}
		b.WriteString(p.Type.String())
		if s.Variadic && i == len(s.Params)-1 {
			b.WriteString("...")
		}
	}
	b.WriteByte(')')
	return b.String()
}
