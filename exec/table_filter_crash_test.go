package exec

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/sluicedb/sluice/broker"
)

// TestCrashTableFilterExactlyOnce is TestCrashExactlyOnce for WHERE over a
// table (KEPT, table_filter_restart_test.go): crashSoak runs it in a
// child process with its store of output keys in pebble and SIGKILLs it
// at seeded random moments, in processing or in a commit (the log
// transaction, the changelog append, the pebble checkpoint), and restarts
// it. At the end KEPT's changelog must be exactly the model's: a store
// that lost or replayed a key's presence would drop a tombstone or send
// one too many. It runs by default with a small input; SLUICE_CRASH_SEED,
// SLUICE_CRASH_KILLS and SLUICE_CRASH_RECORDS scale it up.
func TestCrashTableFilterExactlyOnce(t *testing.T) {
	s := crashSoak(t, crashConfig{
		Kills: 6, Records: 20000,
		Source: crashTopic{"people", 2, broker.DurabilityNone},
		// One change per append: many small transactions.
		Batch:  1,
		Topics: []crashTopic{{"kept", 3, broker.DurabilityFsync}},
		Input: func(rng *rand.Rand, n int) []broker.Record {
			recs := make([]broker.Record, n)
			for i := range recs {
				recs[i] = peopleRecord(rng, i)
			}
			return recs
		},
		Group: "CTAS_KEPT_0",
		Specs: func() ([]*QuerySpec, error) { return []*QuerySpec{keptSpec("CTAS_KEPT_0")}, nil },
	})
	l := openLog(t, s.Dir)
	defer l.Close()
	got := map[string][]string{}
	out := readAll(t, l, "kept")
	for _, r := range out {
		got[r.Key] = append(got[r.Key], r.Value)
	}
	want := keptModel(s.Input)
	for k := range want {
		if !reflect.DeepEqual(got[k], want[k]) {
			i := 0
			for i < len(got[k]) && i < len(want[k]) && got[k][i] == want[k][i] {
				i++
			}
			t.Fatalf("seed %d: key %s: %d records, want %d; first difference at %d: got %q, want %q",
				s.Seed, k, len(got[k]), len(want[k]), i, got[k][i:min(i+3, len(got[k]))], want[k][i:min(i+3, len(want[k]))])
		}
	}
	if len(got) != len(want) {
		t.Fatalf("seed %d: %d keys in the output, want %d", s.Seed, len(got), len(want))
	}
	t.Logf("output: %d records, exactly the model's per key", len(out))
}
