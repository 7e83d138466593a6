package functions

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/sluicedb/sluice/types"
)

// Kind is the kind of a function: what the planner does with a call.
type Kind uint8

// The kinds of function.
const (
	// Scalar functions map one row's arguments to one value.
	Scalar Kind = iota
	// Aggregate functions fold the rows of a group into one value.
	Aggregate
	// Table functions map one row's arguments to zero or more values, each
	// producing an output row.
	Table
)

// String returns the name DESCRIBE FUNCTION prints for the kind.
func (k Kind) String() string {
	switch k {
	case Scalar:
		return "SCALAR"
	case Aggregate:
		return "AGGREGATE"
	case Table:
		return "TABLE"
	}
	return fmt.Sprintf("KIND(%d)", uint8(k))
}

// ScalarFunc evaluates a scalar function on one row's arguments, already
// converted to the parameter types the call was resolved to. Lambda
// arguments arrive as Lambda values.
type ScalarFunc func(args []any) (any, error)

// Lambda is a lambda argument as the evaluator supplies it: a Go callable
// taking the lambda's inputs and returning the body's value.
type Lambda func(args ...any) (any, error)

// TableFunc evaluates a table function on one row's arguments, returning
// one value per output row.
type TableFunc func(args []any) ([]any, error)

// ReturnFunc computes a signature's result type from the argument types
// (after conversion to the parameter types) when the result depends on
// more than type variables: DECIMAL precision, struct shapes.
type ReturnFunc func(args []*types.Type) (*types.Type, error)

// Param is one declared parameter of a signature.
type Param struct {
	Name        string
	Type        *Pattern
	Description string
}

// Signature is one variant of a function: its parameters, result type,
// documentation and implementation. Exactly one of Eval/Prepare (scalar),
// Aggregate (aggregate) or Table (table) is set, matching the function's
// kind.
type Signature struct {
	Params []Param
	// Variadic makes the last parameter repeat zero or more times.
	Variadic bool
	// Returns is the result type, with type variables bound by the
	// arguments. ReturnFunc, when set, takes precedence.
	Returns    *Pattern
	ReturnFunc ReturnFunc
	// Description is the per-variant text of DESCRIBE FUNCTION.
	Description string
	// CallOnNull makes the engine call Eval even when an argument is NULL;
	// otherwise any NULL argument yields NULL without a call, which is the
	// behaviour of most ksqlDB functions.
	CallOnNull bool
	// Eval implements a scalar variant that does not need type information.
	Eval ScalarFunc
	// Prepare builds a scalar implementation for concrete argument and
	// result types, for variants whose behaviour depends on them.
	Prepare func(args []*types.Type, ret *types.Type) (ScalarFunc, error)
	// Literals is the number of trailing aggregate parameters that must be
	// literal constants (TOPK's k, LATEST_BY_OFFSET's n); their values are
	// passed to Aggregate, not to Add.
	Literals int
	// Aggregate builds the accumulator factory of an aggregate variant.
	Aggregate AggregateFactory
	// State gives the SQL type of the variant's intermediate state when it
	// is not the result type (see Call.StateType).
	State StateFunc
	// Table implements a table function variant.
	Table TableFunc
}

// Function is one named function with all its variants.
type Function struct {
	// Name is the canonical, upper-case name; lookup is case-insensitive.
	Name string
	// DisplayName is the spelling used in error messages, which follows
	// ksqlDB's declared names (often lower case) so messages match.
	DisplayName string
	Kind        Kind
	// Category groups functions in SHOW FUNCTIONS (STRING, MATHEMATICAL...).
	Category    string
	Description string
	Signatures  []*Signature
	// Deprecated, when set, names the replacement of a deprecated alias.
	Deprecated string
	// Volatile functions (RANDOM, UUID, the current time) may return a
	// different value for the same arguments, so the planner must not
	// fold or cache their calls.
	Volatile bool
}

func (f *Function) displayName() string {
	if f.DisplayName != "" {
		return f.DisplayName
	}
	return strings.ToLower(f.Name)
}

// Registry holds functions by name. It is safe for concurrent use: the
// planner resolves calls while statements register functions.
type Registry struct {
	mu    sync.RWMutex
	funcs map[string]*Function
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{funcs: map[string]*Function{}}
}

var (
	builtinsOnce sync.Once
	builtins     *Registry
)

// Builtins returns the shipped registry with every built-in function. It
// is built once and shared; do not Register into it. Build a registry with
// NewRegistry and AddAll(Builtins()) to add functions.
func Builtins() *Registry {
	builtinsOnce.Do(func() {
		r := NewRegistry()
		for _, f := range builtinFunctions() {
			if err := r.Register(f); err != nil {
				// The built-in table is static; a bad entry is a bug that
				// the package tests catch.
				panic(err)
			}
		}
		builtins = r
	})
	return builtins
}

// Register adds a function. It fails if the name is taken or the function
// is malformed (no signatures, a signature without implementation).
func (r *Registry) Register(f *Function) error {
	if err := validate(f); err != nil {
		return err
	}
	key := strings.ToUpper(f.Name)
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.funcs[key]; ok {
		return fmt.Errorf("functions: function %q already registered", key)
	}
	r.funcs[key] = f
	return nil
}

// AddAll registers every function of other into r.
func (r *Registry) AddAll(other *Registry) error {
	for _, f := range other.Functions() {
		if err := r.Register(f); err != nil {
			return err
		}
	}
	return nil
}

func validate(f *Function) error {
	if f.Name == "" {
		return fmt.Errorf("functions: function without a name")
	}
	if len(f.Signatures) == 0 {
		return fmt.Errorf("functions: %s has no signatures", f.Name)
	}
	for i, s := range f.Signatures {
		var ok bool
		switch f.Kind {
		case Scalar:
			ok = s.Eval != nil || s.Prepare != nil
		case Aggregate:
			ok = s.Aggregate != nil
		case Table:
			ok = s.Table != nil
		}
		if !ok {
			return fmt.Errorf("functions: %s variant %d has no %s implementation", f.Name, i+1, strings.ToLower(f.Kind.String()))
		}
		if s.Returns == nil && s.ReturnFunc == nil {
			return fmt.Errorf("functions: %s variant %d has no return type", f.Name, i+1)
		}
		if s.Variadic && len(s.Params) == 0 {
			return fmt.Errorf("functions: %s variant %d is variadic without parameters", f.Name, i+1)
		}
	}
	return nil
}

// Lookup returns the function with the given name, ignoring case.
func (r *Registry) Lookup(name string) (*Function, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.funcs[strings.ToUpper(name)]
	return f, ok
}

// Functions returns all functions sorted by name, as SHOW FUNCTIONS lists
// them.
func (r *Registry) Functions() []*Function {
	r.mu.RLock()
	fs := make([]*Function, 0, len(r.funcs))
	for _, f := range r.funcs {
		fs = append(fs, f)
	}
	r.mu.RUnlock()
	sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	return fs
}
