package functions

import (
	"strings"
	"testing"

	"github.com/sluicedb/sluice/types"
)

// TestEveryScalarHandlesNulls calls every scalar variant with NULL for
// every argument (and one or three arguments for variadic ones). Variants
// that short-circuit must return NULL; those that see NULLs must not fail
// with an internal error (a panic recovered at the boundary).
func TestEveryScalarHandlesNulls(t *testing.T) {
	nullLambda := Lambda(func(...any) (any, error) { return nil, nil })
	for _, f := range Builtins().Functions() {
		if f.Kind != Scalar {
			continue
		}
		for _, s := range f.Signatures {
			counts := []int{len(s.Params)}
			if s.Variadic {
				counts = []int{len(s.Params) - 1, len(s.Params), len(s.Params) + 1}
			}
			for _, n := range counts {
				if n <= 0 {
					continue
				}
				c := &Call{Function: f, Signature: s, ArgTypes: make([]*types.Type, n)}
				if s.Prepare != nil {
					// Prepared variants need types; give them the declared
					// ones where the pattern is concrete.
					for i := range c.ArgTypes {
						c.ArgTypes[i] = s.paramFor(i).Type.resolve(bindings{})
					}
					c.Return = types.DecimalOf(10, 2)
					if f.Name == "ENTRIES" {
						c.ArgTypes[0] = types.MapOf(types.StringType, types.IntegerType)
						c.Return, _ = s.ReturnFunc(c.ArgTypes)
					}
				}
				fn, err := c.Scalar()
				if err != nil {
					t.Fatalf("%s: %v", s.Spelling(f), err)
				}
				args := make([]any, n)
				for i := range args {
					if s.paramFor(i).Type.IsLambda() {
						args[i] = nullLambda
					}
				}
				got, err := fn(args)
				if err != nil && strings.Contains(err.Error(), "internal error") {
					t.Errorf("%s with NULLs: %v", s.Spelling(f), err)
				}
				hasLambda := false
				for i := range args {
					hasLambda = hasLambda || args[i] != nil
				}
				if !s.CallOnNull && !hasLambda && (got != nil || err != nil) {
					t.Errorf("%s with NULLs = %v, %v; want NULL", s.Spelling(f), got, err)
				}
			}
		}
	}
}
