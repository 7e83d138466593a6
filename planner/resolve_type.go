package planner

import (
	"strconv"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/types"
)

// resolveType walks the written type itself, rather than printing it and
// calling types.ParseType, so an error points at the offending part of a
// nested type and custom types come from the catalog.
func resolveType(t *ast.Type, cat Catalog) (*types.Type, error) {
	switch t.Kind {
	case ast.ArrayType:
		elem, err := resolveType(t.Elem, cat)
		if err != nil {
			return nil, err
		}
		return types.ArrayOf(elem), nil
	case ast.MapType:
		k, err := resolveType(t.Key, cat)
		if err != nil {
			return nil, err
		}
		v, err := resolveType(t.Elem, cat)
		if err != nil {
			return nil, err
		}
		return types.MapOf(k, v), nil
	case ast.StructType:
		fields := make([]types.Field, 0, len(t.Fields))
		seen := map[string]bool{}
		for _, f := range t.Fields {
			if seen[f.Name] {
				return nil, errorf(f.Pos, "Duplicate field names found in STRUCT: '%s'", f.Name)
			}
			seen[f.Name] = true
			ft, err := resolveType(f.Type, cat)
			if err != nil {
				return nil, err
			}
			fields = append(fields, types.Field{Name: f.Name, Type: ft})
		}
		return types.StructOf(fields...), nil
	}
	return resolveNamedType(t, cat)
}

// resolveNamedType resolves a primitive (with its aliases and DECIMAL
// parameters) or a custom type.
func resolveNamedType(t *ast.Type, cat Catalog) (*types.Type, error) {
	name := strings.ToUpper(t.Name)
	for _, p := range t.Params {
		if _, err := strconv.Atoi(p); err != nil {
			return nil, errorf(t.Pos, "Invalid type parameter %s for %s", p, t.Name)
		}
	}
	switch name {
	case "DECIMAL", "NUMERIC":
		if len(t.Params) != 2 {
			return nil, errorf(t.Pos, "DECIMAL requires precision and scale: DECIMAL(precision, scale)")
		}
		p, _ := strconv.Atoi(t.Params[0])
		s, _ := strconv.Atoi(t.Params[1])
		// ksqlDB takes any precision in a declaration; the bound of 38
		// digits is Sluice's columnar batches', checked when a query's
		// rows are laid out, so a statement that fails for another
		// reason first says so.
		if p > types.MaxDecimalPrecision {
			if s < 0 || s > p {
				return nil, errorf(t.Pos, "DECIMAL scale must be between 0 and precision %d: %d", p, s)
			}
		} else if err := types.ValidateDecimal(p, s); err != nil {
			return nil, errorf(t.Pos, "%s", decimalMessage(err))
		}
		return types.DecimalOf(p, s), nil
	case "BOOLEAN", "INT", "INTEGER", "BIGINT", "DOUBLE", "STRING", "VARCHAR", "BYTES",
		"DATE", "TIME", "TIMESTAMP":
		if len(t.Params) > 0 {
			return nil, errorf(t.Pos, "Type %s takes no parameters", name)
		}
		rt, err := types.ParseType(name, nil)
		if err != nil {
			return nil, errorf(t.Pos, "%v", err)
		}
		return rt, nil
	}
	if cat != nil {
		if ct, ok := cat.Type(t.Name); ok {
			return ct, nil
		}
	}
	return nil, errorf(t.Pos, "Unknown type: %s", t.Name)
}

// decimalMessage strips the types package's code prefix so the user sees
// ksqlDB's sentence.
func decimalMessage(err error) string {
	if te, ok := err.(*types.Error); ok && te.Msg != "" {
		return te.Msg
	}
	return err.Error()
}
