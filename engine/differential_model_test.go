package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sluicedb/sluice/broker"
)

// The reference model of the differential test: ksqlDB's aggregation
// semantics as its documentation and Kafka Streams' describe them, written
// out plainly over Go maps, sharing no code with exec or functions.
//
//   - A stream row reaches the aggregate if it decodes, passes WHERE, and
//     every grouping value is non-NULL; only such rows advance the
//     aggregate's stream time (Kafka Streams keeps it per task in the
//     window and session aggregate processors).
//   - TUMBLING/HOPPING: a row joins each window containing its time whose
//     end is after stream time minus grace; the others of its windows are
//     late and dropped.
//   - SESSION: a row merges every session of its group whose end is at
//     least its time minus the gap and whose start is at most its time plus
//     the gap; the merged session is dropped as late if it ends before
//     stream time minus gap minus grace. Merged-away sessions are deleted.
//   - EMIT FINAL: each window's newest value waits until it can change no
//     more: stream time at its end plus grace for TUMBLING/HOPPING (the
//     bound of the late check), past its end plus gap plus grace for
//     SESSION; then it is emitted if it passes HAVING. A merged-away
//     session is forgotten.
//   - Tables: each key's current row (after WHERE, with non-NULL grouping
//     values) contributes to one group; an update or tombstone retracts the
//     previous row. A group once added to stays, with aggregates over no
//     rows (COUNT 0, SUM 0).
//   - HAVING false removes the group's row from the table.

// diffPartition is the partition a producer puts a keyed record in.
func diffPartition(key string, n int) int32 {
	return broker.PartitionForKey([]byte(fmt.Sprintf("%q", key)), n)
}

// modelAcc is a group's accumulator: one field per aggregate the generator
// can ask for, plus what HAVING reads.
type modelAcc struct {
	n, nv, sum int64
	min, max   *int64
	latest     *int64
	latestSeq  int
	list       []*int64
}

func (a *modelAcc) add(r *diffRecord, seq int) {
	a.n++
	a.list = append(a.list, r.v)
	if r.v == nil {
		return
	}
	v := *r.v
	a.nv++
	a.sum += v
	if a.min == nil || v < *a.min {
		a.min = &v
	}
	if a.max == nil || v > *a.max {
		a.max = &v
	}
	if a.latest == nil || seq > a.latestSeq {
		a.latest, a.latestSeq = &v, seq
	}
}

// sub retracts a table row (the functions allowed over tables only).
func (a *modelAcc) sub(r *diffRecord) {
	a.n--
	for i, x := range a.list {
		if (x == nil && r.v == nil) || (x != nil && r.v != nil && *x == *r.v) {
			a.list = slices.Delete(a.list, i, i+1)
			break
		}
	}
	if r.v != nil {
		a.nv--
		a.sum -= *r.v
	}
}

// merge folds b into a (sessions merging).
func (a *modelAcc) merge(b *modelAcc) {
	a.n += b.n
	a.nv += b.nv
	a.sum += b.sum
	if b.min != nil && (a.min == nil || *b.min < *a.min) {
		a.min = b.min
	}
	if b.max != nil && (a.max == nil || *b.max > *a.max) {
		a.max = b.max
	}
	if b.latest != nil && (a.latest == nil || b.latestSeq > a.latestSeq) {
		a.latest, a.latestSeq = b.latest, b.latestSeq
	}
	a.list = append(a.list, b.list...)
}

func (a *modelAcc) clone() *modelAcc {
	c := *a
	c.list = slices.Clone(a.list)
	return &c
}

// having evaluates the case's HAVING on the accumulator.
func (c *diffCase) havingOK(a *modelAcc) bool {
	switch c.having {
	case "COUNT(*) > 1":
		return a.n > 1
	case "SUM(V) < 8":
		return a.sum < 8
	}
	return true
}

func (c *diffCase) whereOK(r *diffRecord) bool {
	switch c.where {
	case "V > 1":
		return r.v != nil && *r.v > 1
	case "G <> 'c'":
		return r.g != nil && *r.g != "c"
	case "H IS NOT NULL":
		return r.h != nil
	}
	return true
}

// canonNumber renders a number the same whichever way it was decoded.
func canonNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// canonInt renders an optional integer.
func canonInt(p *int64) string {
	if p == nil {
		return "null"
	}
	return canonNumber(float64(*p))
}

// canonList renders a COLLECT_LIST as a sorted multiset: rows of several
// partitions reach a group in an order the model cannot know.
func canonList(xs []string) string {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return "[" + strings.Join(xs, ",") + "]"
}

// render is the value row of the accumulator, column=value joined.
func (c *diffCase) render(a *modelAcc) string {
	var out []string
	for i, ag := range c.aggs {
		var s string
		switch ag.fn {
		case "COUNT*":
			s = canonNumber(float64(a.n))
		case "COUNT":
			s = canonNumber(float64(a.nv))
		case "SUM":
			s = canonNumber(float64(a.sum))
		case "AVG":
			if a.nv == 0 {
				s = "0"
			} else {
				s = canonNumber(float64(a.sum) / float64(a.nv))
			}
		case "MIN":
			s = canonInt(a.min)
		case "MAX":
			s = canonInt(a.max)
		case "LATEST_BY_OFFSET":
			s = canonInt(a.latest)
		case "COLLECT_LIST":
			var xs []string
			for _, x := range a.list {
				xs = append(xs, canonInt(x))
			}
			s = canonList(xs)
		}
		out = append(out, aggColumn(i)+"="+s)
	}
	return strings.Join(out, " ")
}

// groupKey is the rendered grouping values of r, or false when one is NULL
// (ksqlDB excludes such rows).
func (c *diffCase) groupKey(r *diffRecord) (string, bool) {
	var parts []string
	for _, g := range c.groupBy {
		switch g {
		case "K":
			if r.key == nil {
				return "", false
			}
			parts = append(parts, strconv.Quote(*r.key))
		case "G":
			if r.g == nil {
				return "", false
			}
			parts = append(parts, strconv.Quote(*r.g))
		case "H":
			if r.h == nil {
				return "", false
			}
			parts = append(parts, canonInt(r.h))
		case "HM":
			if r.h == nil {
				return "", false
			}
			m := *r.h % 3
			parts = append(parts, canonInt(&m))
		}
	}
	return strings.Join(parts, "|"), true
}

// windowID names a row of a windowed result.
func windowID(key string, start, end int64) string {
	return fmt.Sprintf("%s@%d-%d", key, start, end)
}

type modelSession struct {
	start, end int64
	acc        *modelAcc
}

type modelPending struct {
	closeAt int64 // the stream time at which the window is final
	acc     *modelAcc
}

// model computes the final table of c: row identity -> rendered values.
func (c *diffCase) model() map[string]string {
	if c.table {
		return c.modelTable()
	}
	out := map[string]string{}
	current := map[string]*modelAcc{}        // EMIT CHANGES: the window's newest value
	pending := map[string]*modelPending{}    // EMIT FINAL: waiting for close
	sessions := map[string][]*modelSession{} // per group key
	streamTime := map[int32]int64{}
	update := func(id string, acc *modelAcc, closeAt int64) {
		if acc == nil {
			delete(current, id)
			delete(pending, id)
			return
		}
		current[id] = acc
		if c.final {
			pending[id] = &modelPending{closeAt: closeAt, acc: acc.clone()}
		}
	}
	for seq := range c.records {
		r := &c.records[seq]
		if r.malformed || !c.whereOK(r) {
			continue
		}
		key, ok := c.groupKey(r)
		if !ok {
			continue
		}
		if c.window == "" {
			a := current[key]
			if a == nil {
				a = &modelAcc{}
				current[key] = a
			}
			a.add(r, seq)
			continue
		}
		p := r.part
		if c.repartitions() {
			p = 0 // one partition, or a grace no input spans
		}
		st := max(streamTime[p], r.ts)
		if _, seen := streamTime[p]; !seen {
			st = r.ts
		}
		streamTime[p] = st
		switch c.window {
		case "TUMBLING", "HOPPING":
			adv := c.size
			if c.window == "HOPPING" {
				adv = c.advance
			}
			first := max(0, r.ts-c.size+adv) / adv * adv
			for start := first; start <= r.ts; start += adv {
				end := start + c.size
				if end <= st-c.grace {
					continue // late for this window
				}
				id := windowID(key, start, end)
				a := current[id]
				if a == nil {
					a = &modelAcc{}
				}
				a.add(r, seq)
				update(id, a, end+c.grace)
			}
		case "SESSION":
			gap := c.size
			merged := &modelSession{start: r.ts, end: r.ts, acc: &modelAcc{}}
			var keep, absorbed []*modelSession
			for _, s := range sessions[key] {
				if s.end >= r.ts-gap && s.start <= r.ts+gap {
					absorbed = append(absorbed, s)
					merged.start, merged.end = min(merged.start, s.start), max(merged.end, s.end)
				} else {
					keep = append(keep, s)
				}
			}
			if merged.end < st-gap-c.grace {
				break // late
			}
			for _, s := range absorbed {
				merged.acc.merge(s.acc)
				update(windowID(key, s.start, s.end), nil, 0)
			}
			merged.acc.add(r, seq)
			sessions[key] = append(keep, merged)
			// A session ending exactly at stream time minus gap minus
			// grace can still take a record (its merged end would not be
			// before that bound): it closes one millisecond later.
			update(windowID(key, merged.start, merged.end), merged.acc, merged.end+gap+c.grace+1)
		}
		if c.final {
			for id, pw := range pending {
				if pw.closeAt <= st && c.windowPartition(id, p, r) {
					if c.havingOK(pw.acc) {
						out[id] = c.render(pw.acc)
					}
					delete(pending, id)
				}
			}
		}
	}
	if !c.final {
		for id, a := range current {
			if c.havingOK(a) {
				out[id] = c.render(a)
			}
		}
	}
	return out
}

// windowPartition says whether the pending window id lives in the
// aggregate partition p whose stream time just moved: with GROUP BY the key
// of a multi-partition stream every partition has its own stream time.
func (c *diffCase) windowPartition(id string, p int32, r *diffRecord) bool {
	if c.repartitions() {
		return true
	}
	key, _ := strconv.Unquote(id[:strings.LastIndex(id, "@")])
	return diffPartition(key, c.partitions) == p
}

// modelTable aggregates a table: current rows per key, undo on update and
// delete.
func (c *diffCase) modelTable() map[string]string {
	type row struct {
		rec   *diffRecord
		group string
	}
	rows := map[string]row{}
	groups := map[string]*modelAcc{}
	for seq := range c.records {
		r := &c.records[seq]
		if r.malformed || r.key == nil {
			continue
		}
		if old, ok := rows[*r.key]; ok {
			groups[old.group].sub(old.rec)
			delete(rows, *r.key)
		}
		if r.tombstone || !c.whereOK(r) {
			continue
		}
		g, ok := c.groupKey(r)
		if !ok {
			continue
		}
		if groups[g] == nil {
			groups[g] = &modelAcc{}
		}
		groups[g].add(r, seq)
		rows[*r.key] = row{r, g}
	}
	out := map[string]string{}
	for g, a := range groups {
		if c.havingOK(a) {
			out[g] = c.render(a)
		}
	}
	return out
}
