package exec

import (
	"errors"
	"fmt"
	"math"

	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// ErrNotMaterialized: a pull query asked for the rows of a query that
// keeps no aggregation state.
var ErrNotMaterialized = errors.New("exec: query does not materialise its output")

// TableRow is one row of a materialised table as a pull query reads it:
// the aggregation's output row (its Schema's columns, hidden window
// columns included) and, for windowed tables, the window bounds.
type TableRow struct {
	Row        []any
	Rowtime    int64
	Windowed   bool
	Start, End int64
}

// PullLookup narrows a pull query's read of a materialised table. Keys,
// when not nil, are the grouping values to look up (each one full key);
// otherwise every group is read. StartFrom/StartTo bound the window start
// (inclusive) of windowed tables.
type PullLookup struct {
	Keys               [][]any
	StartFrom, StartTo int64
}

// AllWindows is a PullLookup without window bounds.
func AllWindows() PullLookup { return PullLookup{StartFrom: math.MinInt64, StartTo: math.MaxInt64} }

// Materialization returns the aggregation of a persistent query's spec:
// the operator whose state a pull query on its sink table reads.
func Materialization(spec *QuerySpec) (*Aggregate, bool) {
	if spec == nil || len(spec.Operators) == 0 {
		return nil, false
	}
	a, ok := spec.Operators[len(spec.Operators)-1].(*Aggregate)
	if !ok || a.spec.Transient {
		return nil, false
	}
	return a, true
}

// ReadMaterialized calls fn for each row of the table the persistent
// query spec materialises, as of the committed state in snap. It never
// sees the tasks' uncommitted changes. Rows come partition by partition,
// in store key order within each.
func ReadMaterialized(snap *state.Snapshot, spec *QuerySpec, lk PullLookup, fn func(TableRow) error) error {
	a, ok := Materialization(spec)
	if !ok {
		return ErrNotMaterialized
	}
	r := &pullReader{spec: a.spec, accs: make([]Accumulator, len(a.spec.Calls)), fn: fn}
	var keys []lookupKey
	if lk.Keys != nil {
		for _, k := range lk.Keys {
			var b []byte
			for _, v := range k {
				if v == nil {
					b = nil
					break
				}
				b = appendKeyValue(b, v)
			}
			if b != nil {
				keys = append(keys, lookupKey{enc: b, vals: k})
			}
		}
		if len(keys) == 0 {
			return nil
		}
	}
	for p := 0; p < max(spec.Source.Partitions, 1); p++ {
		name := state.StoreName(spec.ID, a.spec.Operator, int32(p))
		err := r.partition(snap, name, keys, lk)
		if errors.Is(err, state.ErrUnknownStore) {
			continue // nothing was ever written to this partition
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// lookupKey is a key to look up: its store encoding and its values,
// which give the row its grouping values even when the encoding cannot
// be decoded (ARRAY, STRUCT and other keys stored by their text).
type lookupKey struct {
	enc  []byte
	vals []any
}

type pullReader struct {
	spec *AggregateSpec
	accs []Accumulator
	keys []any
	post []any
	fn   func(TableRow) error
}

func (r *pullReader) partition(snap *state.Snapshot, name string, keys []lookupKey, lk PullLookup) error {
	w := r.spec.Window
	retention := func() int64 { return max(w.Retention, w.Size+w.Grace) + 1 }
	switch {
	case w == nil:
		v, err := snap.KeyValue(name)
		if err != nil {
			return err
		}
		if keys == nil {
			return v.Range(nil, nil, func(k, val []byte) error { return r.emit(k, nil, val, false, 0, 0) })
		}
		for _, k := range keys {
			val, found, err := v.Get(k.enc)
			if err != nil {
				return err
			}
			if found {
				if err := r.emit(k.enc, k.vals, val, false, 0, 0); err != nil {
					return err
				}
			}
		}
		return nil
	case w.Session:
		v, err := snap.Session(name, state.SessionOptions{Retention: retention()})
		if err != nil {
			return err
		}
		each := func(s state.Window, known []any) error {
			if s.Start < lk.StartFrom || s.Start > lk.StartTo {
				return nil
			}
			return r.emit(s.Key, known, s.Value, true, s.Start, s.End)
		}
		if keys == nil {
			return v.Scan(func(s state.Window) error { return each(s, nil) })
		}
		for _, k := range keys {
			ws, err := v.Fetch(k.enc)
			if err != nil {
				return err
			}
			for _, s := range ws {
				if err := each(s, k.vals); err != nil {
					return err
				}
			}
		}
		return nil
	default:
		v, err := snap.Window(name, state.WindowOptions{Size: w.Size, Retention: retention()})
		if err != nil {
			return err
		}
		each := func(s state.Window, known []any) error {
			return r.emit(s.Key, known, s.Value, true, s.Start, s.Start+w.Size)
		}
		if keys == nil {
			return v.Scan(lk.StartFrom, lk.StartTo, func(s state.Window) error { return each(s, nil) })
		}
		for _, k := range keys {
			ws, err := v.Fetch(k.enc, lk.StartFrom, lk.StartTo)
			if err != nil {
				return err
			}
			for _, s := range ws {
				if err := each(s, k.vals); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// emit rebuilds the output row of one stored group the way the
// aggregate task does: grouping values, results, window bounds and
// pseudo columns, then the projection. Groups without a row in the
// table (HAVING false, or EMIT FINAL windows not yet emitted) are
// skipped. known, when not nil, are the grouping values of key (a
// lookup's), used instead of decoding key.
func (r *pullReader) emit(key []byte, known []any, val []byte, windowed bool, start, end int64) error {
	for c, call := range r.spec.Calls {
		r.accs[c] = call.New()
	}
	hasOutput, rowtime, err := decodeAggValue(val, r.accs)
	if err != nil {
		return err
	}
	if !hasOutput && !r.spec.Final {
		return nil
	}
	if known != nil {
		r.keys = append(r.keys[:0], known...)
	} else if r.keys, err = decodeKeyValues(key, r.keys[:0]); err != nil {
		return fmt.Errorf("exec: pull query: %w", err)
	}
	if len(r.keys) != len(r.spec.GroupBy) {
		return fmt.Errorf("exec: pull query: %w", errKeyEncoding)
	}
	r.post = append(r.post[:0], r.keys...)
	for _, acc := range r.accs {
		v, err := acc.Result()
		if err != nil {
			v = nil
		}
		r.post = append(r.post, v)
	}
	if windowed {
		r.post = append(r.post, start, end)
	} else {
		r.post = append(r.post, nil, nil)
	}
	r.post = append(r.post, rowtime, int32(0), int64(0))
	if r.spec.Final && r.spec.Having != nil {
		v, err := r.spec.Having.Eval(r.post)
		if b, _ := v.(bool); err != nil || !b {
			return nil
		}
	}
	out := make([]any, len(r.spec.Project))
	for i, p := range r.spec.Project {
		v, err := p.Eval(r.post)
		if err != nil {
			v = nil
		}
		out[i] = v
	}
	return r.fn(TableRow{Row: out, Rowtime: rowtime, Windowed: windowed, Start: start, End: end})
}

// ApplyOperators runs rows of the spec's source schema through its
// operators (the filter and projection of a pull query) and returns the
// rows that come out, in order.
func ApplyOperators(spec *QuerySpec, rows [][]any, metas []types.RowMeta) ([][]any, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	tc := &TaskContext{QueryID: spec.ID, Topic: spec.Source.Topic}
	ops := make([]Operator, len(spec.Operators))
	defer func() {
		for _, op := range ops {
			if c, ok := op.(interface{ Close() error }); ok && op != nil {
				c.Close()
			}
		}
	}()
	for i, op := range spec.Operators {
		if tl, ok := op.(TaskLocal); ok {
			o, err := tl.ForTask(tc)
			if err != nil {
				return nil, err
			}
			op = o
		}
		ops[i] = op
	}
	bb := types.NewBatchBuilder(batchAllocator, spec.Source.Schema)
	defer bb.Release()
	for i, row := range rows {
		if err := bb.AppendRow(metas[i], row); err != nil {
			return nil, fmt.Errorf("exec: pull query row: %w", err)
		}
	}
	in, err := bb.NewBatch()
	if err != nil {
		return nil, err
	}
	var out [][]any
	var run func(i int, b *types.Batch) error
	// run owns b, as the task's push does.
	run = func(i int, b *types.Batch) error {
		defer b.Release()
		if i == len(ops) {
			for r := 0; r < b.NumRows(); r++ {
				out = append(out, b.Row(r, nil))
			}
			return nil
		}
		return ops[i].Process(tc, b, func(nb *types.Batch) error { return run(i+1, nb) })
	}
	err = run(0, in)
	return out, err
}
