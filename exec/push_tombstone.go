package exec

import "github.com/sluicedb/sluice/types"

// TombstoneColumns says, per output column of a query over a table, whether
// a tombstone shows it: ksqlDB's push queries show a table's deletes as
// rows that carry the key (and, for a windowed table, the window bounds)
// in the columns that project them unchanged, and NULL in every other
// column, since a deleted row has no values to compute them from.
//
// It follows the columns through the operators: the source's key columns
// and window bounds, a projection's plain column references to them
// (ColumnRef), and the input columns a flat-map passes on. Operators it
// does not know keep the columns their schema marks as key.
func TombstoneColumns(spec *QuerySpec) []bool {
	cur := make([]bool, spec.Source.Schema.Len())
	for i, c := range spec.Source.Schema.Columns {
		cur[i] = c.Key
	}
	if w := spec.Source.Window; w != nil {
		for _, c := range []int{w.StartColumn, w.EndColumn} {
			if c >= 0 && c < len(cur) {
				cur[c] = true
			}
		}
	}
	for _, op := range spec.Operators {
		out := op.Schema()
		switch op := op.(type) {
		case *Filter, *TableFilter, *DropNullKeys:
			continue // the schema is unchanged
		case *FlatMap:
			cur = append(cur[:len(cur):len(cur)], make([]bool, max(0, out.Len()-len(cur)))...)
		case *Project:
			next := make([]bool, out.Len())
			for j, e := range op.exprs {
				if c, ok := e.(ColumnRef); ok && int(c) < len(cur) {
					next[j] = cur[c]
				}
			}
			cur = next
		default:
			cur = keyFlags(out)
		}
	}
	return cur
}

func keyFlags(s *types.Schema) []bool {
	out := make([]bool, s.Len())
	for i, c := range s.Columns {
		out[i] = c.Key
	}
	return out
}
