package functions

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/sluicedb/sluice/types"
)

// defaultCollectLimit is ksqlDB's default for ksql.functions.collect_list.limit,
// collect_set.limit and the histogram's distinct-value limit.
const defaultCollectLimit = 1000

// listAcc is COLLECT_LIST (dup true) or COLLECT_SET (dup false): values in
// arrival order up to a limit; later values are ignored.
type listAcc struct {
	dup   bool
	limit int
	valueList
}

func (a *listAcc) Add(args []any) error {
	if len(a.vals) >= a.limit {
		return nil
	}
	v := args[0]
	if !a.dup && containsValue(a.vals, v) {
		return nil
	}
	a.vals = append(a.vals, v)
	return nil
}

func (a *listAcc) Undo(args []any) error {
	if !a.dup {
		return ErrUndoUnsupported
	}
	// Remove the last equal value, as ksqlDB does; a value never added
	// (beyond the limit) is not found and nothing changes.
	for i := len(a.vals) - 1; i >= 0; i-- {
		if types.NotDistinct(a.vals[i], args[0]) {
			a.vals = append(a.vals[:i], a.vals[i+1:]...)
			break
		}
	}
	return nil
}

func (a *listAcc) Merge(o Accumulator) error {
	b, err := sameKind[*listAcc](o)
	if err != nil {
		return err
	}
	return addEach(a, b.vals)
}

// histogramAcc counts occurrences of each distinct non-NULL string.
type histogramAcc struct {
	limit  int
	keys   []string
	counts map[string]int64
}

func (a *histogramAcc) Add(args []any) error {
	s, ok := args[0].(string)
	if !ok {
		return nil
	}
	if _, seen := a.counts[s]; !seen {
		if len(a.keys) >= a.limit {
			return nil
		}
		a.keys = append(a.keys, s)
	}
	a.counts[s]++
	return nil
}

func (a *histogramAcc) Undo(args []any) error {
	s, ok := args[0].(string)
	if !ok {
		return nil
	}
	if c, seen := a.counts[s]; seen {
		if c <= 1 {
			delete(a.counts, s)
			for i, k := range a.keys {
				if k == s {
					a.keys = append(a.keys[:i], a.keys[i+1:]...)
					break
				}
			}
		} else {
			a.counts[s] = c - 1
		}
	}
	return nil
}

func (a *histogramAcc) Merge(o Accumulator) error {
	b, err := sameKind[*histogramAcc](o)
	if err != nil {
		return err
	}
	for _, k := range b.keys {
		if _, seen := a.counts[k]; !seen {
			if len(a.keys) >= a.limit {
				continue
			}
			a.keys = append(a.keys, k)
		}
		a.counts[k] += b.counts[k]
	}
	return nil
}

func (a *histogramAcc) Result() (any, error) {
	m := &types.Map{}
	for _, k := range a.keys {
		m.Keys = append(m.Keys, k)
		m.Values = append(m.Values, a.counts[k])
	}
	return m, nil
}

func (a *histogramAcc) MarshalBinary() ([]byte, error) {
	r, _ := a.Result()
	return encodeValues(r)
}

func (a *histogramAcc) UnmarshalBinary(b []byte) error {
	vs, err := decodeValues(b, 1)
	if err != nil {
		return err
	}
	m, ok := vs[0].(*types.Map)
	if !ok {
		return errCorruptState
	}
	a.keys, a.counts = nil, map[string]int64{}
	for i, k := range m.Keys {
		ks, ok1 := k.(string)
		c, ok2 := m.Values[i].(int64)
		if !ok1 || !ok2 {
			return errCorruptState
		}
		a.keys = append(a.keys, ks)
		a.counts[ks] = c
	}
	return nil
}

// topkAcc keeps the k largest non-NULL values, descending; distinct drops
// duplicates (TOPKDISTINCT).
type topkAcc struct {
	k        int
	distinct bool
	valueList
	err error
}

func (a *topkAcc) Add(args []any) error {
	v := args[0]
	if v == nil {
		return nil
	}
	if a.distinct && containsValue(a.vals, v) {
		return nil
	}
	// Insert keeping descending order; k is small, so linear is fine.
	i := sort.Search(len(a.vals), func(i int) bool {
		c, err := types.Compare(a.vals[i], v)
		if err != nil {
			a.err = err
		}
		return c < 0
	})
	if a.err != nil {
		err := a.err
		a.err = nil
		return err
	}
	if i >= a.k {
		return nil
	}
	a.vals = append(a.vals, nil)
	copy(a.vals[i+1:], a.vals[i:])
	a.vals[i] = v
	if len(a.vals) > a.k {
		a.vals = a.vals[:a.k]
	}
	return nil
}

func (a *topkAcc) Undo([]any) error { return ErrUndoUnsupported }

func (a *topkAcc) Merge(o Accumulator) error {
	b, err := sameKind[*topkAcc](o)
	if err != nil {
		return err
	}
	return addEach(a, b.vals)
}

// countDistinctAcc estimates distinct non-NULL values. Up to exactLimit
// values it keeps their hashes and is exact; beyond, it switches to a
// HyperLogLog with 2^hllBits registers (about 1.6% standard error), as
// ksqlDB documents COUNT_DISTINCT to be approximate.
type countDistinctAcc struct {
	exact map[uint64]struct{}
	regs  []uint8
}

const (
	exactLimit = 1024
	hllBits    = 12
)

func hashValue(v any) uint64 {
	e := valueEncoder{}
	_ = e.value(v)
	// FNV-1a then a 64-bit finalizer: deterministic across processes, so
	// state persisted by one process merges with state built by another.
	h := uint64(14695981039346656037)
	for _, c := range e.buf {
		h ^= uint64(c)
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func (a *countDistinctAcc) addHash(h uint64) {
	if a.regs == nil {
		if a.exact == nil {
			a.exact = map[uint64]struct{}{}
		}
		a.exact[h] = struct{}{}
		if len(a.exact) <= exactLimit {
			return
		}
		a.regs = make([]uint8, 1<<hllBits)
		for x := range a.exact {
			a.hll(x)
		}
		a.exact = nil
		return
	}
	a.hll(h)
}

func (a *countDistinctAcc) hll(h uint64) {
	idx := h >> (64 - hllBits)
	rank := uint8(bits.LeadingZeros64(h<<hllBits|1<<(hllBits-1))) + 1
	if rank > a.regs[idx] {
		a.regs[idx] = rank
	}
}

func (a *countDistinctAcc) Add(args []any) error {
	if args[0] != nil {
		a.addHash(hashValue(args[0]))
	}
	return nil
}

func (a *countDistinctAcc) Undo([]any) error { return ErrUndoUnsupported }

func (a *countDistinctAcc) Merge(o Accumulator) error {
	b, err := sameKind[*countDistinctAcc](o)
	if err != nil {
		return err
	}
	for h := range b.exact {
		a.addHash(h)
	}
	if b.regs != nil {
		if a.regs == nil {
			a.regs = make([]uint8, 1<<hllBits)
			for h := range a.exact {
				a.hll(h)
			}
			a.exact = nil
		}
		for i, r := range b.regs {
			a.regs[i] = max(a.regs[i], r)
		}
	}
	return nil
}

func (a *countDistinctAcc) Result() (any, error) {
	if a.regs == nil {
		return int64(len(a.exact)), nil
	}
	m := float64(len(a.regs))
	sum, zeros := 0.0, 0
	for _, r := range a.regs {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	est := 0.7213 / (1 + 1.079/m) * m * m / sum
	if est <= 2.5*m && zeros > 0 {
		est = m * math.Log(m/float64(zeros))
	}
	return int64(math.Round(est)), nil
}

func (a *countDistinctAcc) MarshalBinary() ([]byte, error) {
	if a.regs != nil {
		return append([]byte{1}, a.regs...), nil
	}
	// Sorted, so that one set always has one encoding (map order is
	// random): equal states write equal changelog records.
	hashes := make([]uint64, 0, len(a.exact))
	for h := range a.exact {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	out := make([]byte, 1, 1+8*len(hashes))
	for _, h := range hashes {
		out = binary.BigEndian.AppendUint64(out, h)
	}
	return out, nil
}

func (a *countDistinctAcc) UnmarshalBinary(b []byte) error {
	if len(b) == 0 {
		return errCorruptState
	}
	*a = countDistinctAcc{}
	switch b[0] {
	case 1:
		if len(b)-1 != 1<<hllBits {
			return errCorruptState
		}
		a.regs = append([]uint8{}, b[1:]...)
	case 0:
		if (len(b)-1)%8 != 0 {
			return errCorruptState
		}
		a.exact = map[uint64]struct{}{}
		for i := 1; i < len(b); i += 8 {
			a.exact[binary.BigEndian.Uint64(b[i:])] = struct{}{}
		}
	default:
		return errCorruptState
	}
	return nil
}

// offsetSeq orders rows across accumulators so merged session windows
// know which value came first. It starts from the wall clock so values
// added after a restart sort after persisted ones.
var offsetSeq atomic.Int64

func init() { offsetSeq.Store(time.Now().UnixNano()) }

// offsetAcc is EARLIEST_BY_OFFSET / LATEST_BY_OFFSET, single (n = 0) or
// the first/last n values.
type offsetAcc struct {
	latest      bool
	n           int // 0: single value result
	ignoreNulls bool
	vals        []any
	seqs        []int64
}

func (a *offsetAcc) keep() int { return max(a.n, 1) }

func (a *offsetAcc) insert(v any, seq int64) {
	if v == nil && a.ignoreNulls {
		return
	}
	a.vals = append(a.vals, v)
	a.seqs = append(a.seqs, seq)
	// Keep in sequence order, then trim to the n earliest or latest.
	for i := len(a.seqs) - 1; i > 0 && a.seqs[i] < a.seqs[i-1]; i-- {
		a.seqs[i], a.seqs[i-1] = a.seqs[i-1], a.seqs[i]
		a.vals[i], a.vals[i-1] = a.vals[i-1], a.vals[i]
	}
	if k := a.keep(); len(a.vals) > k {
		if a.latest {
			a.vals, a.seqs = a.vals[len(a.vals)-k:], a.seqs[len(a.seqs)-k:]
		} else {
			a.vals, a.seqs = a.vals[:k], a.seqs[:k]
		}
	}
}

func (a *offsetAcc) Add(args []any) error {
	a.insert(args[0], offsetSeq.Add(1))
	return nil
}

func (a *offsetAcc) Undo([]any) error { return ErrUndoUnsupported }

func (a *offsetAcc) Merge(o Accumulator) error {
	b, err := sameKind[*offsetAcc](o)
	if err != nil {
		return err
	}
	for i, v := range b.vals {
		a.insert(v, b.seqs[i])
	}
	return nil
}

func (a *offsetAcc) Result() (any, error) {
	if a.n == 0 {
		if len(a.vals) == 0 {
			return nil, nil
		}
		return a.vals[0], nil
	}
	return append([]any{}, a.vals...), nil
}

func (a *offsetAcc) MarshalBinary() ([]byte, error) {
	seqs := make([]any, len(a.seqs))
	for i, s := range a.seqs {
		seqs[i] = s
	}
	return encodeValues(append([]any{}, a.vals...), seqs)
}

func (a *offsetAcc) UnmarshalBinary(b []byte) error {
	vs, err := decodeValues(b, 2)
	if err != nil {
		return err
	}
	vals, ok1 := vs[0].([]any)
	seqs, ok2 := vs[1].([]any)
	if !ok1 || !ok2 || len(vals) != len(seqs) {
		return errCorruptState
	}
	a.vals, a.seqs = vals, make([]int64, len(seqs))
	for i, s := range seqs {
		n, ok := s.(int64)
		if !ok {
			return errCorruptState
		}
		a.seqs[i] = n
	}
	return nil
}

func offsetFunction(name string, latest bool) *Function {
	which := "earliest"
	if latest {
		which = "latest"
	}
	factory := func(withN bool) AggregateFactory {
		return func(ctx AggregateContext) (func() Accumulator, error) {
			lits := ctx.Literals
			n, ignore := 0, true
			i := 0
			if withN {
				v, _ := asInt64(lits[0])
				if v <= 0 {
					return nil, errorfN(name, v)
				}
				n, i = int(v), 1
			}
			if i < len(lits) {
				ignore, _ = lits[i].(bool)
			}
			return func() Accumulator { return &offsetAcc{latest: latest, n: n, ignoreNulls: ignore} }, nil
		}
	}
	return aggregate(name, "Returns the "+which+" value of a column by offset, or the "+which+" N values as an array; NULLs are ignored unless ignoreNulls is false.",
		asig(T, "The "+which+" non-NULL value.", 0, factory(false), p("val", T)),
		asig(T, "The "+which+" value, NULLs included unless ignoreNulls.", 1, factory(false), p("val", T), p("ignoreNulls", PBoolean)),
		asig(ArrayP(T), "The "+which+" N non-NULL values.", 1, factory(true), p("val", T), p("n", PInt)),
		asig(ArrayP(T), "The "+which+" N values, NULLs included unless ignoreNulls.", 2, factory(true), p("val", T), p("n", PInt), p("ignoreNulls", PBoolean)),
	)
}

// valueList is the state of the aggregates whose result is the list of
// values they keep (COLLECT_LIST/COLLECT_SET, TOPK/TOPKDISTINCT): the
// result, and the state encoding, are that list.
type valueList struct {
	vals []any
}

func (l *valueList) Result() (any, error)           { return append([]any{}, l.vals...), nil }
func (l *valueList) MarshalBinary() ([]byte, error) { return encodeValues(append([]any{}, l.vals...)) }
func (l *valueList) UnmarshalBinary(b []byte) error {
	vs, err := decodeValues(b, 1)
	if err != nil {
		return err
	}
	arr, ok := vs[0].([]any)
	if !ok {
		return errCorruptState
	}
	l.vals = arr
	return nil
}

// addEach merges by adding another accumulator's values one by one, so
// the receiver's own rules (limits, distinctness, ordering) apply.
func addEach(a Accumulator, vals []any) error {
	for _, v := range vals {
		if err := a.Add([]any{v}); err != nil {
			return err
		}
	}
	return nil
}
