package exec

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/types"
)

// TestAggregateSessions counts session windows over out-of-order input
// and compares the table the changelog describes (upserts and tombstones
// applied in order) with a model that merges sessions closer than the gap.
func TestAggregateSessions(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	dir := t.TempDir()
	l := openLog(t, dir)
	defer l.Close()
	createTopic(t, l, "readings", 1, broker.DurabilityNone)
	createTopic(t, l, "counts", 1, broker.DurabilityNone)
	db := openTestState(t, dir)

	const gap = 100
	var recs []broker.Record
	ts := int64(1)
	for i := 0; i < 400; i++ {
		r := reading(i % 3)
		ts += int64(rng.IntN(60))
		r.Timestamp = max(1, ts-int64(rng.IntN(150)))
		recs = append(recs, r)
	}
	if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "readings"}, recs); err != nil {
		t.Fatal(err)
	}

	// The model: per key, disjoint sessions [start, end] with counts.
	type session struct{ start, end, n int64 }
	model := map[string][]session{}
	for _, r := range recs {
		k, at := string(r.Key), r.Timestamp
		merged := session{at, at, 1}
		var keep []session
		for _, s := range model[k] {
			if s.end >= at-gap && s.start <= at+gap {
				merged = session{min(merged.start, s.start), max(merged.end, s.end), merged.n + s.n}
				continue
			}
			keep = append(keep, s)
		}
		model[k] = append(keep, merged)
	}

	spec, _ := windowedCountSpec(t, "CTAS_S_0", "counts", &WindowSpec{Size: gap, Advance: gap, Grace: 1 << 40, Session: true}, false)
	agg := spec.Operators[0].(*Aggregate)
	agg.spec.Schema = types.MustSchema(append(append([]types.Column(nil), countCols...),
		types.Column{Name: "$WINDOWSTART", Type: types.BigintType}, types.Column{Name: "$WINDOWEND", Type: types.BigintType})...)
	agg.spec.Project = append(agg.spec.Project, EvalFunc(func(row []any) (any, error) { return row[4], nil }))
	spec.Sink.SessionWindowed, spec.Sink.WindowEndColumn = true, 4
	rt := NewRuntime(l, RuntimeOptions{State: db})
	q, err := rt.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := q.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	rt.Close()

	table := map[string]int64{}
	for _, r := range readAll(t, l, "counts") {
		key := []byte(r.Key)
		n := len(key)
		k := fmt.Sprintf("%s [%d, %d]", key[:n-16], int64(binary.BigEndian.Uint64(key[n-8:])), int64(binary.BigEndian.Uint64(key[n-16:n-8])))
		if r.Value == "" {
			delete(table, k)
			continue
		}
		var v countRow
		if err := json.Unmarshal([]byte(r.Value), &v); err != nil {
			t.Fatal(err)
		}
		table[k] = v.CNT
	}
	want := map[string]int64{}
	for k, ss := range model {
		for _, s := range ss {
			want[fmt.Sprintf("%s [%d, %d]", k, s.start, s.end)] = s.n
		}
	}
	if len(table) != len(want) {
		var got []string
		for k := range table {
			got = append(got, k)
		}
		slices.Sort(got)
		t.Fatalf("%d sessions in the table, model %d: %v", len(table), len(want), got)
	}
	for k, n := range want {
		if table[k] != n {
			t.Fatalf("session %s: count %d, model %d", k, table[k], n)
		}
	}
}
