package engine

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// diffRecord is one input record of a differential case. Nil pointers are
// SQL NULLs; a nil key is a record without key. A tombstone (tables) has no
// value; a malformed record carries a value, or with badKey a key, that no
// JSON decoder accepts: the record is dropped whole.
type diffRecord struct {
	part      int32
	key       *string
	g         *string
	h, v      *int64
	tombstone bool
	malformed bool
	badKey    bool
	ts        int64
}

// diffAgg is one aggregate of the generated query: fn is the SQL function,
// COUNT(*) is "COUNT*"; every other function reads V.
type diffAgg struct{ fn string }

// diffCase is a generated input and query. The generator only produces
// cases the model predicts exactly: see orderFree and the window rules in
// genDiffCase.
type diffCase struct {
	table      bool
	partitions int
	records    []diffRecord
	groupBy    []string // K, G, H, or HM (the expression H % 3)
	aggs       []diffAgg
	where      string // "", "V > 1", "G <> 'c'", "H IS NOT NULL"
	having     string // "", "COUNT(*) > 1", "SUM(V) < 8"
	window     string // "", TUMBLING, HOPPING, SESSION
	size       int64  // window size, or the session gap (ms)
	advance    int64  // HOPPING only (ms)
	grace      int64  // ms (RETENTION is 2 days: no window expires)
	noGrace    bool   // no GRACE PERIOD clause: grace holds ksqlDB's default
	final      bool   // EMIT FINAL
	push       bool   // the query also runs as a push query (not windowed)
	restartAt  int    // > 0: the engine restarts after this many records
	stateDir   bool   // the restart keeps a state directory (else rebuilt from changelogs)
}

// repartitions says whether the rows reach the aggregate through a
// repartition topic, where records of different input partitions
// interleave in an order no model can know. Only GROUP BY the key of a
// stream keeps every group in its input partition.
func (c *diffCase) repartitions() bool {
	return c.table || len(c.groupBy) != 1 || c.groupBy[0] != "K"
}

// orderFree says whether results may depend on nothing but the set of
// records per group: true unless the aggregation sees one partition in
// offset order.
func (c *diffCase) orderFree() bool {
	return c.partitions > 1 && c.repartitions()
}

func diffPick[T any](rng *rand.Rand, xs ...T) T { return xs[rng.IntN(len(xs))] }

func diffStr(rng *rand.Rand, nullPct int, dom ...string) *string {
	if rng.IntN(100) < nullPct {
		return nil
	}
	s := diffPick(rng, dom...)
	return &s
}

func diffInt(rng *rand.Rand, nullPct int, lo, hi int) *int64 {
	if rng.IntN(100) < nullPct {
		return nil
	}
	v := int64(lo + rng.IntN(hi-lo+1))
	return &v
}

// genDiffCase draws one case from rng.
func genDiffCase(rng *rand.Rand) *diffCase {
	c := &diffCase{table: rng.IntN(4) == 0, partitions: 1 + rng.IntN(4)}
	if c.table {
		c.groupBy = diffPick(rng, []string{"G"}, []string{"H"}, []string{"HM"}, []string{"G", "H"}, []string{"K"})
	} else {
		c.groupBy = diffPick(rng, []string{"K"}, []string{"K"}, []string{"G"}, []string{"HM"}, []string{"G", "H"}, []string{"K", "G"})
	}
	fns := []string{"COUNT*", "COUNT", "SUM", "AVG", "COLLECT_LIST"}
	if !c.table {
		// MIN, MAX and LATEST_BY_OFFSET have no undo: ksqlDB refuses them
		// over tables.
		fns = append(fns, "MIN", "MAX")
	}
	if !c.table && !c.orderFree() {
		fns = append(fns, "LATEST_BY_OFFSET")
	}
	for n := 1 + rng.IntN(3); n > 0; n-- {
		c.aggs = append(c.aggs, diffAgg{diffPick(rng, fns...)})
	}
	c.where = diffPick(rng, "", "", "V > 1", "G <> 'c'", "H IS NOT NULL")
	c.having = diffPick(rng, "", "", "COUNT(*) > 1", "SUM(V) < 8")
	if !c.table && rng.IntN(3) > 0 {
		c.window = diffPick(rng, "TUMBLING", "HOPPING", "SESSION")
		switch c.window {
		case "TUMBLING":
			c.size = diffPick[int64](rng, 5000, 10000)
		case "HOPPING":
			hop := diffPick(rng, [2]int64{10000, 5000}, [2]int64{6000, 2000}, [2]int64{4000, 4000})
			c.size, c.advance = hop[0], hop[1]
		default:
			c.size = diffPick[int64](rng, 3000, 5000)
		}
		c.final = rng.IntN(2) == 0
		c.grace = diffPick[int64](rng, 0, 2000, 10000)
		if c.orderFree() {
			// Stream time of a repartition partition depends on the
			// interleaving of the input partitions: a grace no input spans
			// keeps every record in time and every window open.
			c.grace = 86_400_000
		}
		if rng.IntN(5) == 0 && !(c.orderFree() && c.final) {
			// Without GRACE PERIOD ksqlDB keeps Kafka Streams' 24 hours,
			// except for EMIT FINAL, which emits at the window's end (qtt
			// suppress.json: "should emit at window end if no grace period
			// given").
			c.noGrace, c.grace = true, 86_400_000
			if c.final {
				c.grace = 0
			}
		}
	}
	c.records = genDiffRecords(rng, c)
	c.push = c.window == "" && rng.IntN(6) == 0
	if rng.IntN(12) == 0 { // a restart costs as much as ten cases
		c.restartAt = 1 + rng.IntN(len(c.records))
		c.stateDir = rng.IntN(2) == 0
	}
	return c
}

// genDiffRecords draws the input: keys from a small domain with NULLs,
// event times mostly rising with some out of order and some far behind
// (late past any grace but the largest), a few malformed records, and for
// tables updates and tombstones of the same keys.
func genDiffRecords(rng *rand.Rand, c *diffCase) []diffRecord {
	n := 10 + rng.IntN(60)
	keys := []string{"k0", "k1", "k2", "k3", "k4", "k5"}
	var out []diffRecord
	// Times are multiples of 500 ms, as are window sizes, gaps and graces,
	// so records often fall exactly on window ends and grace bounds.
	const tick = 500
	t := int64(1_000_000 + tick*rng.IntN(20))
	for i := 0; i < n; i++ {
		t += tick * int64(rng.IntN(6))
		r := diffRecord{ts: t}
		switch p := rng.IntN(100); {
		case p < 15:
			r.ts = t - tick*int64(rng.IntN(10))
		case p < 22:
			r.ts = t - 10_000 - tick*int64(rng.IntN(100))
		}
		if r.ts < 0 {
			r.ts = 0
		}
		nullKey := 8
		if c.table {
			nullKey = 3
		}
		r.key = diffStr(rng, nullKey, keys...)
		switch p := rng.IntN(100); {
		case p < 4:
			r.malformed = true
		case p < 6 && r.key != nil:
			r.malformed, r.badKey = true, true
			r.g, r.h, r.v = diffStr(rng, 0, "a"), diffInt(rng, 0, 0, 4), diffInt(rng, 0, 0, 6)
		case c.table && p < 20:
			r.tombstone = true
		default:
			r.g = diffStr(rng, 15, "a", "b", "c")
			r.h = diffInt(rng, 15, 0, 4)
			r.v = diffInt(rng, 20, -2, 6)
		}
		if r.key != nil {
			r.part = diffPartition(*r.key, c.partitions)
		} else {
			r.part = int32(rng.IntN(c.partitions))
		}
		out = append(out, r)
	}
	return out
}

// keyBytes is the record key as the JSON key format writes a STRING.
func (r *diffRecord) keyBytes() []byte {
	switch {
	case r.key == nil:
		return nil
	case r.badKey:
		return []byte(*r.key) // a bare word is no JSON
	}
	return []byte(fmt.Sprintf("%q", *r.key))
}

// valueBytes is the record value in the JSON value format.
func (r *diffRecord) valueBytes() []byte {
	switch {
	case r.tombstone:
		return nil
	case r.malformed && !r.badKey:
		return []byte(`{"G": "a", "V": `)
	}
	js := func(p any) string {
		switch p := p.(type) {
		case *string:
			if p != nil {
				return fmt.Sprintf("%q", *p)
			}
		case *int64:
			if p != nil {
				return fmt.Sprint(*p)
			}
		}
		return "null"
	}
	return []byte(fmt.Sprintf(`{"G":%s,"H":%s,"V":%s}`, js(r.g), js(r.h), js(r.v)))
}

// aggColumn names the i-th aggregate's output column.
func aggColumn(i int) string { return fmt.Sprintf("A%d", i) }

// groupExpr is the SQL of a grouping column.
func groupExpr(g string) string {
	if g == "HM" {
		return "H % 3"
	}
	return g
}

// sourceSQL declares the input.
func (c *diffCase) sourceSQL() string {
	if c.table {
		return fmt.Sprintf("CREATE TABLE src (k STRING PRIMARY KEY, g STRING, h INT, v INT) WITH (kafka_topic='src', key_format='JSON', value_format='JSON', partitions=%d);", c.partitions)
	}
	return fmt.Sprintf("CREATE STREAM src (k STRING KEY, g STRING, h INT, v INT) WITH (kafka_topic='src', key_format='JSON', value_format='JSON', partitions=%d);", c.partitions)
}

// querySQL is the CTAS under test.
func (c *diffCase) querySQL() string {
	var sel, gb []string
	for _, g := range c.groupBy {
		if g == "HM" {
			sel = append(sel, "H % 3 AS HM")
		} else {
			sel = append(sel, g)
		}
		gb = append(gb, groupExpr(g))
	}
	for i, a := range c.aggs {
		switch a.fn {
		case "COUNT*":
			sel = append(sel, "COUNT(*) AS "+aggColumn(i))
		default:
			sel = append(sel, a.fn+"(V) AS "+aggColumn(i))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE out AS SELECT %s FROM src", strings.Join(sel, ", "))
	grace := fmt.Sprintf(", GRACE PERIOD %d MILLISECONDS", c.grace)
	if c.noGrace {
		grace = ""
	}
	switch c.window {
	case "TUMBLING":
		fmt.Fprintf(&b, " WINDOW TUMBLING (SIZE %d MILLISECONDS, RETENTION 2 DAYS%s)", c.size, grace)
	case "HOPPING":
		fmt.Fprintf(&b, " WINDOW HOPPING (SIZE %d MILLISECONDS, ADVANCE BY %d MILLISECONDS, RETENTION 2 DAYS%s)", c.size, c.advance, grace)
	case "SESSION":
		fmt.Fprintf(&b, " WINDOW SESSION (%d MILLISECONDS, RETENTION 2 DAYS%s)", c.size, grace)
	}
	if c.where != "" {
		b.WriteString(" WHERE " + c.where)
	}
	b.WriteString(" GROUP BY " + strings.Join(gb, ", "))
	if c.having != "" {
		b.WriteString(" HAVING " + c.having)
	}
	if c.final {
		b.WriteString(" EMIT FINAL")
	} else {
		b.WriteString(" EMIT CHANGES")
	}
	return b.String() + ";"
}

// describeInput renders the input records, one per line, for failure
// reports.
func (c *diffCase) describeInput() string {
	var b strings.Builder
	for i, r := range c.records {
		fmt.Fprintf(&b, "  %3d p%d ts=%d key=%s value=%s\n", i, r.part, r.ts, r.keyBytes(), r.valueBytes())
	}
	return b.String()
}
