package engine

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
)

// TestDifferentialAggregate runs random aggregation queries over random
// streams and tables through the engine and compares the final table (the
// output changelog reduced to the newest row per key and window, and the
// pull queries SELECT * and a key lookup) with the reference model in
// differential_model_test.go. SLUICE_DIFF_CASES sets the number of cases
// and SLUICE_DIFF_SEED the seed; a failure prints the seed, the case's
// SQL, its input and the first differing row.
func TestDifferentialAggregate(t *testing.T) {
	cases := 600
	if s := os.Getenv("SLUICE_DIFF_CASES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("SLUICE_DIFF_CASES=%q: %v", s, err)
		}
		cases = n
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SLUICE_DIFF_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SLUICE_DIFF_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("SLUICE_DIFF_SEED=%d SLUICE_DIFF_CASES=%d", seed, cases)
	// Each case has its own seed, so one failing case reproduces alone
	// with SLUICE_DIFF_SEED=<case seed> SLUICE_DIFF_CASES=1. The seeds of
	// testdata/engine/differential/seeds.txt run first.
	var seeds []uint64
	if os.Getenv("SLUICE_DIFF_SEED") == "" {
		seeds = regressionSeeds(t)
	}
	for i := 0; i < cases; i++ {
		seeds = append(seeds, seed+uint64(i))
	}
	start := time.Now()
	kinds := map[string]int{}
	rows := 0
	for i, caseSeed := range seeds {
		c := genDiffCase(rand.New(rand.NewPCG(caseSeed, caseSeed^0x9e3779b97f4a7c15)))
		kinds[c.kind()]++
		rows += len(c.model())
		if msg := runDiffCase(t, c); msg != "" {
			t.Fatalf("case %d (SLUICE_DIFF_SEED=%d SLUICE_DIFF_CASES=1): %s\n%s\n%s\ninput (%d partitions, restart after %d records, state dir %v):\n%s",
				i, caseSeed, msg, c.sourceSQL(), c.querySQL(), c.partitions, c.restartAt, c.stateDir, c.describeInput())
		}
	}
	t.Logf("%d cases in %v, %d final rows compared; cases by kind: %v", len(seeds), time.Since(start).Round(time.Millisecond), rows, kinds)
}

// regressionSeeds reads the case seeds that once told the model's rules
// apart (testdata/engine/differential/seeds.txt: a seed per line, # starts
// a comment).
func regressionSeeds(t *testing.T) []uint64 {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "engine", "differential", "seeds.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, line := range strings.Split(string(b), "\n") {
		line, _, _ = strings.Cut(line, "#")
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		n, err := strconv.ParseUint(line, 10, 64)
		if err != nil {
			t.Fatalf("seeds.txt: %q: %v", line, err)
		}
		out = append(out, n)
	}
	return out
}

// kind classifies a case for the coverage summary.
func (c *diffCase) kind() string {
	k := "stream"
	if c.table {
		k = "table"
	}
	if c.window != "" {
		k += "/" + strings.ToLower(c.window)
		if c.final {
			k += "/final"
		}
	}
	if c.repartitions() {
		k += "/regroup"
	}
	return k
}

// runDiffCase runs c in a fresh engine and returns the first difference
// from the model, or "".
func runDiffCase(t *testing.T, c *diffCase) string {
	cfg := Config{}
	if c.stateDir {
		cfg.StateDir = t.TempDir()
	}
	env := newTestEnv(t, cfg)
	defer func() {
		env.e.Close()
		env.e = nil
	}()
	mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
	mustExec(t, env, c.sourceSQL())
	produce := func(recs []diffRecord) {
		for _, r := range recs {
			rec := broker.Record{Key: r.keyBytes(), Value: r.valueBytes(), Timestamp: r.ts}
			if _, err := env.log.Append(env.ctx, broker.TopicPartition{Topic: "src", Partition: r.part}, []broker.Record{rec}); err != nil {
				t.Fatal(err)
			}
		}
	}
	first := c.records
	if c.restartAt > 0 {
		first = c.records[:c.restartAt]
	}
	produce(first)
	if _, err := env.s.Execute(env.ctx, c.querySQL()); err != nil {
		return fmt.Sprintf("query refused: %v", err)
	}
	if c.restartAt > 0 {
		if err := env.e.WaitCaughtUp(env.ctx); err != nil {
			t.Fatal(err)
		}
		env.restart()
		mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';") // a new session
		produce(c.records[c.restartAt:])
	}
	if err := env.e.WaitCaughtUp(env.ctx); err != nil {
		t.Fatal(err)
	}
	want := c.model()
	recs, err := consumeAll(env.ctx, env.log, "OUT")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.reduceChangelog(recs)
	if err != nil {
		return err.Error()
	}
	if d := diffTables("changelog", got, want); d != "" {
		return d
	}
	if c.push {
		if d := c.checkPush(env, want); d != "" {
			return d
		}
	}
	if c.final {
		// A pull query reads the aggregate's state, where EMIT FINAL's
		// open windows are too: not comparable with the emitted rows.
		return ""
	}
	rows, err := c.pull(env, "SELECT * FROM out;")
	if err != nil {
		return err.Error()
	}
	if d := diffTables("SELECT * FROM out", rows, want); d != "" {
		return d
	}
	for _, q := range c.lookups() {
		sql := "SELECT * FROM out WHERE " + q.where + ";"
		rows, err = c.pull(env, sql)
		if err != nil {
			return err.Error()
		}
		sub := map[string]string{}
		for id, v := range want {
			if q.match(id) {
				sub[id] = v
			}
		}
		if d := diffTables(sql, rows, sub); d != "" {
			return d
		}
	}
	return ""
}

// checkPush runs the query as a push query (EMIT CHANGES, not windowed)
// and reduces its rows to a table, tombstone rows deleting, until it equals
// the model's and no row follows for a moment, or a deadline passes.
func (c *diffCase) checkPush(env *testEnv, want map[string]string) string {
	sql := strings.TrimPrefix(c.querySQL(), "CREATE TABLE out AS ")
	rs, err := env.s.Execute(env.ctx, sql)
	if err != nil {
		return fmt.Sprintf("%s: %v", sql, err)
	}
	st, ok := rs[0].(*RowStream)
	if !ok {
		return fmt.Sprintf("%s: result %T", sql, rs[0])
	}
	defer st.Close()
	idx := map[string]int{}
	for i, col := range st.Columns {
		idx[col.Name] = i
	}
	got := map[string]string{}
	deadline := time.Now().Add(10 * time.Second)
	for {
		wait := deadline.Sub(time.Now())
		if diffTables("", got, want) == "" {
			wait = min(wait, 50*time.Millisecond) // quiet: done
		}
		if wait <= 0 {
			break
		}
		ctx, cancel := context.WithTimeout(env.ctx, wait)
		row, ok := st.NextRow(ctx)
		timedOut := ctx.Err() != nil
		cancel()
		if !ok {
			if err := st.Err(); err != nil && !timedOut {
				return fmt.Sprintf("%s: %v", sql, err)
			}
			break
		}
		get := func(col string) any {
			if i, ok := idx[col]; ok {
				return row.Values[i]
			}
			return "<no column " + col + ">"
		}
		var parts []string
		for _, g := range c.groupBy {
			parts = append(parts, canonAny(get(keyColumn(g))))
		}
		id := strings.Join(parts, "|")
		if row.Tombstone {
			delete(got, id)
		} else {
			got[id] = c.renderColumns(get)
		}
	}
	return diffTables("push "+sql, got, want)
}

// canonAny renders a decoded JSON value or a pull-query value the same way.
func canonAny(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(v)
	case float64:
		return canonNumber(v)
	case int32:
		return canonNumber(float64(v))
	case int64:
		return canonNumber(float64(v))
	case []any:
		xs := make([]string, len(v))
		for i, x := range v {
			xs[i] = canonAny(x)
		}
		return canonList(xs)
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// keyColumn is the output column name of a grouping column.
func keyColumn(g string) string { return g }

// reduceChangelog turns the output topic into the final table: the newest
// record per key (and window) wins, a tombstone deletes.
func (c *diffCase) reduceChangelog(recs []broker.Record) (map[string]string, error) {
	out := map[string]string{}
	for _, r := range recs {
		k := r.Key
		var start, end int64
		switch c.window {
		case "TUMBLING", "HOPPING":
			if len(k) < 8 {
				return nil, fmt.Errorf("output key %q has no window", k)
			}
			start = int64(binary.BigEndian.Uint64(k[len(k)-8:]))
			end = start + c.size
			k = k[:len(k)-8]
		case "SESSION":
			if len(k) < 16 {
				return nil, fmt.Errorf("output key %q has no session window", k)
			}
			end = int64(binary.BigEndian.Uint64(k[len(k)-16:]))
			start = int64(binary.BigEndian.Uint64(k[len(k)-8:]))
			k = k[:len(k)-16]
		}
		var kv any
		if err := json.Unmarshal(k, &kv); err != nil {
			return nil, fmt.Errorf("output key %q: %v", r.Key, err)
		}
		var parts []string
		if obj, ok := kv.(map[string]any); ok && len(c.groupBy) > 1 {
			for _, g := range c.groupBy {
				parts = append(parts, canonAny(obj[keyColumn(g)]))
			}
		} else {
			parts = append(parts, canonAny(kv))
		}
		id := strings.Join(parts, "|")
		if c.window != "" {
			id = windowID(id, start, end)
		}
		if r.Value == nil {
			delete(out, id)
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(r.Value, &m); err != nil {
			return nil, fmt.Errorf("output value %q: %v", r.Value, err)
		}
		out[id] = c.renderColumns(func(col string) any { return m[col] })
	}
	return out, nil
}

func (c *diffCase) renderColumns(col func(string) any) string {
	var out []string
	for i := range c.aggs {
		out = append(out, aggColumn(i)+"="+canonAny(col(aggColumn(i))))
	}
	return strings.Join(out, " ")
}

// pull runs a pull query and returns its rows as a final table.
func (c *diffCase) pull(env *testEnv, sql string) (map[string]string, error) {
	rs, err := env.s.Execute(env.ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", sql, err)
	}
	rows, ok := rs[0].(*Rows)
	if !ok {
		return nil, fmt.Errorf("%s: result %T", sql, rs[0])
	}
	idx := map[string]int{}
	for i, col := range rows.Columns {
		idx[col.Name] = i
	}
	out := map[string]string{}
	for _, row := range rows.Rows {
		get := func(col string) any {
			if i, ok := idx[col]; ok {
				return row[i]
			}
			return "<no column " + col + ">"
		}
		var parts []string
		for _, g := range c.groupBy {
			parts = append(parts, canonAny(get(keyColumn(g))))
		}
		id := strings.Join(parts, "|")
		if c.window != "" {
			ws, _ := strconv.ParseInt(canonAny(get("WINDOWSTART")), 10, 64)
			we, _ := strconv.ParseInt(canonAny(get("WINDOWEND")), 10, 64)
			id = windowID(id, ws, we)
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("%s: row %s twice", sql, id)
		}
		out[id] = c.renderColumns(get)
	}
	return out, nil
}

// diffLookup is a pull query's WHERE and the model rows it selects.
type diffLookup struct {
	where string
	match func(id string) bool
}

// lookups are the key conditions the pull queries try: one key (every key
// column equal), two keys with IN when the key is one column, and on
// windowed tables a key with a lower WINDOWSTART bound.
func (c *diffCase) lookups() []diffLookup {
	lit := func(g string, i int) (sql, canon string) {
		switch g {
		case "K":
			k := []string{"k0", "k1", "k2", "k3"}[i%4]
			return "'" + k + "'", strconv.Quote(k)
		case "G":
			k := []string{"a", "b"}[i%2]
			return "'" + k + "'", strconv.Quote(k)
		}
		return strconv.Itoa(1 + i%2), strconv.Itoa(1 + i%2)
	}
	keyOf := func(id string) string {
		if i := strings.LastIndex(id, "@"); i >= 0 && c.window != "" {
			return id[:i]
		}
		return id
	}
	var conds, parts []string
	for i, g := range c.groupBy {
		sql, canon := lit(g, i)
		conds = append(conds, keyColumn(g)+" = "+sql)
		parts = append(parts, canon)
	}
	one := strings.Join(parts, "|")
	out := []diffLookup{{strings.Join(conds, " AND "), func(id string) bool { return keyOf(id) == one }}}
	if len(c.groupBy) == 1 {
		g := c.groupBy[0]
		s0, c0 := lit(g, 0)
		s1, c1 := lit(g, 1)
		out = append(out, diffLookup{fmt.Sprintf("%s IN (%s, %s)", keyColumn(g), s0, s1), func(id string) bool {
			k := keyOf(id)
			return k == c0 || k == c1
		}})
	}
	if c.window != "" && len(c.records) > 0 {
		bound := c.records[len(c.records)/2].ts
		out = append(out, diffLookup{fmt.Sprintf("%s AND WINDOWSTART >= %d", strings.Join(conds, " AND "), bound), func(id string) bool {
			i := strings.LastIndex(id, "@")
			start, _ := strconv.ParseInt(id[i+1:strings.LastIndex(id, "-")], 10, 64)
			return id[:i] == one && start >= bound
		}})
	}
	return out
}

// diffTables describes the first row where got and want differ.
func diffTables(what string, got, want map[string]string) string {
	ids := map[string]bool{}
	for id := range got {
		ids[id] = true
	}
	for id := range want {
		ids[id] = true
	}
	sorted := slices.Sorted(func(yield func(string) bool) {
		for id := range ids {
			if !yield(id) {
				return
			}
		}
	})
	for _, id := range sorted {
		g, gok := got[id]
		w, wok := want[id]
		switch {
		case !gok:
			return fmt.Sprintf("%s: row %s missing; model: %s (engine %d rows, model %d)", what, id, w, len(got), len(want))
		case !wok:
			return fmt.Sprintf("%s: row %s = %s not in the model (engine %d rows, model %d)", what, id, g, len(got), len(want))
		case g != w:
			return fmt.Sprintf("%s: row %s\n engine: %s\n  model: %s", what, id, g, w)
		}
	}
	return ""
}
