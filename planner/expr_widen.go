package planner

import (
	"fmt"

	"github.com/sluicedb/sluice/types"
)

// commonType folds types.CommonType over the non-NULL types; it returns
// NullType when all are NULL.
func commonType(ts []*types.Type) (*types.Type, error) {
	out := types.NullType
	for _, t := range ts {
		if t.Kind == types.Null {
			continue
		}
		if out.Kind == types.Null {
			out = t
			continue
		}
		c, err := widerType(out, t)
		if err != nil {
			return nil, err
		}
		out = c
	}
	return out, nil
}

// widerType is types.CommonType, extended as ksqlDB does for structs: two
// structs widen to the struct with the fields of both (by name, in order of
// first appearance), each field at the common type of its occurrences.
func widerType(a, b *types.Type) (*types.Type, error) {
	if a.Kind == types.StructKind && b.Kind == types.StructKind {
		fields := append([]types.Field(nil), a.Fields...)
		for _, f := range b.Fields {
			i := a.FieldIndex(f.Name)
			if i < 0 {
				fields = append(fields, f)
				continue
			}
			ft, err := widerType(fields[i].Type, f.Type)
			if err != nil {
				return nil, err
			}
			fields[i] = types.Field{Name: f.Name, Type: ft}
		}
		return types.StructOf(fields...), nil
	}
	if a.Kind == types.Array && b.Kind == types.Array {
		e, err := widerType(a.Elem, b.Elem)
		if err != nil {
			return nil, err
		}
		return types.ArrayOf(e), nil
	}
	if a.Kind == types.Null {
		return b, nil
	}
	if b.Kind == types.Null {
		return a, nil
	}
	return types.CommonType(a, b)
}

// widenValue converts a value to a wider type, including struct widening
// (missing fields are NULL), which types.CoerceTo does not know.
func widenValue(v any, from, to *types.Type) (any, error) {
	if v == nil || from.Equal(to) {
		return v, nil
	}
	switch {
	case from.Kind == types.StructKind && to.Kind == types.StructKind:
		s, ok := v.(*types.Struct)
		if !ok {
			return nil, fmt.Errorf("planner: struct value %T", v)
		}
		vals := make([]any, len(to.Fields))
		for i, f := range to.Fields {
			j := from.FieldIndex(f.Name)
			if j < 0 {
				continue
			}
			fv, err := widenValue(s.Values[j], from.Fields[j].Type, f.Type)
			if err != nil {
				return nil, err
			}
			vals[i] = fv
		}
		return &types.Struct{Type: to, Values: vals}, nil
	case from.Kind == types.Array && to.Kind == types.Array:
		list, _ := v.([]any)
		out := make([]any, len(list))
		for i, e := range list {
			ev, err := widenValue(e, from.Elem, to.Elem)
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	}
	return types.CoerceTo(v, from, to)
}
