package exec

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/types"
)

// The table of the regroup crash test and its regrouped rows.
var (
	userCols = []types.Column{
		{Name: "ID", Type: types.StringType, Key: true},
		{Name: "REGION", Type: types.StringType},
		{Name: "SCORE", Type: types.IntegerType},
	}
	regroupedCols = []types.Column{
		{Name: "ID", Type: types.StringType},
		{Name: "REGION", Type: types.StringType},
		{Name: "SCORE", Type: types.IntegerType},
		{Name: "KSQL_GROUP_0", Type: types.StringType, Key: true},
		{Name: "ROWTIME", Type: types.BigintType},
		{Name: "ROWPARTITION", Type: types.IntegerType},
		{Name: "ROWOFFSET", Type: types.BigintType},
		{Name: "SLUICE_CHANGE", Type: types.IntegerType},
	}
	regionCols = []types.Column{
		{Name: "REGION", Type: types.StringType, Key: true},
		{Name: "N", Type: types.BigintType},
		{Name: "TOTAL", Type: types.IntegerType},
	}
)

// tableChange is change i of the users table: 97 users moving between 5
// regions with scores from -3 (filtered out by WHERE SCORE >= 0) to 20,
// one change in 11 a tombstone.
func tableChange(i int) broker.Record {
	h := uint64(i+1) * 0x9E3779B97F4A7C15
	rec := broker.Record{Key: fmt.Appendf(nil, "u%d", h%97), Timestamp: 1_700_000_000_000 + int64(i)}
	if (h>>20)%11 == 0 {
		return rec
	}
	rec.Value = fmt.Appendf(nil, `{"REGION":"r%d","SCORE":%d}`, (h>>8)%5, int64((h>>32)%24)-3)
	return rec
}

// regroupSpecs are the two queries of SELECT REGION, COUNT(*) AS N,
// SUM(SCORE) AS TOTAL FROM USERS WHERE SCORE >= 0 GROUP BY REGION over a
// 4-partition table, as the planner lays them out: the regrouping stage
// and the aggregation over its repartition topic.
func regroupSpecs() (stage, agg *QuerySpec, err error) {
	reg := functions.Builtins()
	count, err := reg.Resolve("COUNT", nil)
	if err != nil {
		return nil, nil, err
	}
	sum, err := reg.Resolve("SUM", functions.TypeArgs(types.IntegerType))
	if err != nil {
		return nil, nil, err
	}
	newCount, err := count.Accumulator(nil, functions.Config{})
	if err != nil {
		return nil, nil, err
	}
	newSum, err := sum.Accumulator(nil, functions.Config{})
	if err != nil {
		return nil, nil, err
	}
	col := func(i int) Evaluator { return EvalFunc(func(row []any) (any, error) { return row[i], nil }) }
	users := types.MustSchema(userCols...)
	regrouped := types.MustSchema(regroupedCols...)
	value := []int{0, 1, 2, 4, 5, 6, 7}
	var valueCols []types.Column
	for _, i := range value {
		valueCols = append(valueCols, regroupedCols[i])
	}
	sink := &SinkSpec{
		Topic: "users-repartition", Partitions: 4, KeyColumns: []int{3}, ValueColumns: value,
		Key:   SerdeSpec{Format: format.Kafka, Columns: regroupedCols[3:4]},
		Value: SerdeSpec{Format: format.JSON, Columns: valueCols}, TimestampColumn: -1,
	}
	stage = &QuerySpec{
		ID: "CTAS_BY_REGION_0_REPARTITION",
		Source: SourceSpec{
			Topic: "users", Partitions: 4, Schema: users, TimestampColumn: -1, FromBeginning: true,
			Key:   SerdeSpec{Format: format.Kafka, Columns: userCols[:1]},
			Value: SerdeSpec{Format: format.JSON, Columns: userCols[1:]},
		},
		Operators: []Operator{NewTableRegroup(&RegroupSpec{
			Input: users, KeyColumns: []int{0}, GroupBy: []Evaluator{col(1)}, Schema: regrouped,
			Where: EvalFunc(func(row []any) (any, error) {
				s, ok := row[2].(int32)
				return ok && s >= 0, nil
			}),
			Operator: "Aggregate-GroupBy-Source", Changelog: "users-rows-changelog",
		})},
		Sink: sink,
	}
	agg = &QuerySpec{
		ID: "CTAS_BY_REGION_0",
		Source: SourceSpec{
			Topic: sink.Topic, Partitions: 4, Schema: regrouped, TimestampColumn: -1, FromBeginning: true,
			Key: sink.Key, Value: sink.Value,
		},
		Operators: []Operator{NewAggregate(&AggregateSpec{
			Schema:  types.MustSchema(regionCols...),
			GroupBy: []Evaluator{col(3)},
			Calls: []AggregateCall{
				{New: func() Accumulator { return newCount() }},
				{New: func() Accumulator { return newSum() }, Args: []Evaluator{col(2)}},
			},
			Project:   []Evaluator{col(0), col(1), col(2)},
			Operator:  "Aggregate",
			Changelog: "by-region-changelog",
			Regrouped: &RegroupedInput{Flag: 7},
		})},
		Sink: &SinkSpec{
			Topic: "by_region", Partitions: 3, KeyColumns: []int{0}, ValueColumns: []int{1, 2},
			Key:   SerdeSpec{Format: format.Kafka, Columns: regionCols[:1]},
			Value: SerdeSpec{Format: format.JSON, Columns: regionCols[1:]}, TimestampColumn: -1,
		},
	}
	return stage, agg, nil
}

// TestCrashTableRegroupExactlyOnce runs the two queries of a GROUP BY over
// a 4-partition table under crashSoak: a child process runs them with
// their state in pebble and is SIGKILLed at seeded random moments (in
// processing, in either query's transaction, changelog appends or pebble
// checkpoints) and restarted. At the end the table of regions must equal
// a batch recomputation over the users table's final rows: a change
// subtracted twice, or lost, shows. SLUICE_CRASH_SEED, SLUICE_CRASH_KILLS
// and SLUICE_CRASH_RECORDS scale it.
func TestCrashTableRegroupExactlyOnce(t *testing.T) {
	s := crashSoak(t, crashConfig{
		Kills: 6, Records: 6000,
		Source: crashTopic{"users", 4, broker.DurabilityNone},
		// One change per append: many small transactions.
		Batch:  1,
		Topics: []crashTopic{{"users-repartition", 4, broker.DurabilityFsync}, {"by_region", 3, broker.DurabilityFsync}},
		Input:  crashInputOf(tableChange),
		// The stage reads the users table; the kills' commits are both
		// queries'.
		Group: "CTAS_BY_REGION_0_REPARTITION",
		Specs: func() ([]*QuerySpec, error) {
			stage, agg, err := regroupSpecs()
			return []*QuerySpec{stage, agg}, err
		},
	})

	type user struct {
		region string
		score  int64
	}
	final := map[string]user{}
	for _, r := range s.Input {
		if r.Value == nil {
			delete(final, string(r.Key))
			continue
		}
		var v struct {
			REGION string
			SCORE  int64
		}
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatal(err)
		}
		final[string(r.Key)] = user{v.REGION, v.SCORE}
	}
	type row struct{ N, TOTAL int64 }
	want := map[string]row{}
	for _, u := range final {
		if u.score >= 0 {
			w := want[u.region]
			w.N++
			w.TOTAL += u.score
			want[u.region] = w
		}
	}
	l := openLog(t, s.Dir)
	defer l.Close()
	got := map[string]row{}
	for _, r := range readAll(t, l, "by_region") {
		var v row
		if err := json.Unmarshal([]byte(r.Value), &v); err != nil {
			t.Fatalf("%s: %q: %v", r.Key, r.Value, err)
		}
		got[r.Key] = v
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("seed %d: region %s: %+v, batch recomputation %+v", s.Seed, k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && g != (row{}) {
			t.Errorf("seed %d: region %s: %+v, batch recomputation has no rows", s.Seed, k, g)
		}
	}
}
