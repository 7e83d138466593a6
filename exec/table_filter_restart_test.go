package exec

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// The table query the restart test runs, laid out by hand as the planner
// would:
//
//	CREATE TABLE PEOPLE (K STRING PRIMARY KEY, NAME STRING)
//	  WITH (KAFKA_TOPIC='people', KEY_FORMAT='KAFKA', VALUE_FORMAT='JSON');
//	CREATE TABLE KEPT AS SELECT * FROM PEOPLE WHERE NAME <> 'x';
var peopleCols = []types.Column{
	{Name: "K", Type: types.StringType, Key: true},
	{Name: "NAME", Type: types.StringType},
}

func keptSpec(id string) *QuerySpec {
	schema := types.MustSchema(peopleCols...)
	where := EvalFunc(func(row []any) (any, error) {
		if row[1] == nil {
			return nil, nil
		}
		return row[1] != "x", nil
	})
	return &QuerySpec{
		ID: id,
		Source: SourceSpec{
			Topic: "people", Partitions: 2, Schema: schema,
			Key:             SerdeSpec{Format: format.Kafka, Columns: peopleCols[:1]},
			Value:           SerdeSpec{Format: format.JSON, Columns: peopleCols[1:]},
			TimestampColumn: -1,
			FromBeginning:   true,
		},
		Operators: []Operator{NewTableFilter(&TableFilterSpec{
			Schema: schema, Where: where, KeyColumns: []int{0},
			Operator: "TableFilter-Keys", Changelog: id + "-TableFilter-Keys-changelog",
		})},
		Sink: &SinkSpec{
			Topic: "kept", Partitions: 3,
			KeyColumns: []int{0}, ValueColumns: []int{1},
			Key:             SerdeSpec{Format: format.Kafka, Columns: peopleCols[:1]},
			Value:           SerdeSpec{Format: format.JSON, Columns: peopleCols[1:]},
			TimestampColumn: -1,
		},
	}
}

// peopleRecord is one generated change of the PEOPLE table: an upsert
// with a name out of a, b and x (x is filtered out), or a tombstone.
func peopleRecord(rng *rand.Rand, i int) broker.Record {
	key := fmt.Sprintf("p%d", rng.IntN(50))
	r := broker.Record{Key: []byte(key), Timestamp: 1700000000000 + int64(i)}
	switch n := rng.IntN(10); {
	case n == 0:
		// a tombstone
	case n < 4:
		r.Value = []byte(`{"NAME":"x"}`)
	default:
		r.Value = []byte(fmt.Sprintf(`{"NAME":"%c"}`, 'a'+rune(n%2)))
	}
	return r
}

// keptModel is what KEPT's changelog must hold per key for the given
// PEOPLE changes: a row per change that passes, a tombstone when a row
// that was output is deleted or filtered out, nothing otherwise.
func keptModel(recs []broker.Record) map[string][]string {
	out := map[string][]string{}
	present := map[string]bool{}
	for _, r := range recs {
		k := string(r.Key)
		if r.Value != nil && string(r.Value) != `{"NAME":"x"}` {
			out[k] = append(out[k], string(r.Value))
			present[k] = true
			continue
		}
		if present[k] {
			out[k] = append(out[k], "")
			present[k] = false
		}
	}
	return out
}

// TestTableFilterRestart runs CREATE TABLE ... AS SELECT ... WHERE over a
// table three times over a growing input: on a fresh state, restarted on
// the same state (in sync with the log), and restarted on a lost state
// directory (rebuilt from the filter's changelog). Each time the output
// must be exactly the model's: no tombstone for a key never output, none
// missing, none repeated, whatever the restarts.
func TestTableFilterRestart(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	dir := t.TempDir()
	l := openLog(t, dir)
	defer l.Close()
	createTopic(t, l, "people", 2, broker.DurabilityNone)
	createTopic(t, l, "kept", 3, broker.DurabilityNone)
	var all []broker.Record
	produceMore := func(n int) {
		t.Helper()
		for i := 0; i < n; i++ {
			r := peopleRecord(rng, len(all))
			all = append(all, r)
			tp := broker.TopicPartition{Topic: "people", Partition: broker.PartitionForKey(r.Key, 2)}
			if _, err := l.Append(context.Background(), tp, []broker.Record{r}); err != nil {
				t.Fatal(err)
			}
		}
	}
	run := func(db *state.DB) {
		t.Helper()
		rt := NewRuntime(l, RuntimeOptions{CommitInterval: 5 * time.Millisecond, State: db})
		defer rt.Close()
		q, err := rt.Start(context.Background(), keptSpec("CTAS_KEPT_0"))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := q.WaitCaughtUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	check := func(phase string) {
		t.Helper()
		got := map[string][]string{}
		for _, r := range readAll(t, l, "kept") {
			got[r.Key] = append(got[r.Key], r.Value)
		}
		if want := keptModel(all); !reflect.DeepEqual(got, want) {
			for k := range want {
				if !reflect.DeepEqual(got[k], want[k]) {
					t.Fatalf("%s (seed %d): key %s: output %q, want %q", phase, seed, k, got[k], want[k])
				}
			}
			t.Fatalf("%s (seed %d): output %v, want %v", phase, seed, got, want)
		}
	}
	openDB := func(name string) *state.DB {
		db, err := state.Open(filepath.Join(dir, name), state.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := openDB("state")
	produceMore(400)
	run(db)
	check("first run")
	produceMore(400)
	run(db)
	check("restart")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	lost := openDB("state-lost")
	defer lost.Close()
	produceMore(400)
	run(lost)
	check("restart with the state directory lost")

	// Terminating for good drops the state and the changelog.
	spec := keptSpec("CTAS_KEPT_0")
	if err := DropQueryState(context.Background(), spec, lost, l); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DescribeTopic(context.Background(), "CTAS_KEPT_0-TableFilter-Keys-changelog"); err == nil {
		t.Fatal("the changelog survived DropQueryState")
	}
}
