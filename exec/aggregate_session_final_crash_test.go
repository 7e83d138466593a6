package exec

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sluicedb/sluice/broker"
)

// sessionFinalCrashWindow is the window of the crash test: small enough
// that many sessions close and some records are late.
var sessionFinalCrashWindow = &WindowSpec{Size: 15, Advance: 15, Grace: 10, Session: true}

// TestCrashSessionFinal is TestCrashAggregateExactlyOnce for EMIT FINAL on
// session windows: crashSoak runs the query in a child process and
// SIGKILLs it at seeded random moments (in processing, in the log
// transaction, in the changelog append, in the pebble checkpoint) and
// restarts it; at the end the final rows must be exactly the model's, in
// its order: no session emitted twice, none lost, none that a record
// merged away. SLUICE_CRASH_SEED, SLUICE_CRASH_KILLS and
// SLUICE_CRASH_RECORDS (up to 10,000) scale it.
func TestCrashSessionFinal(t *testing.T) {
	s := crashSoak(t, crashConfig{
		// Times stay below one store segment (60 s), which the model
		// assumes.
		Kills: 6, Records: 10_000, MaxRecords: 10_000,
		Source: crashTopic{"readings", 1, broker.DurabilityNone},
		// Small appends make a run commit many times, so that its
		// commit-keyed kill lands before it finishes.
		Batch:  20,
		Topics: []crashTopic{{"finals", 1, broker.DurabilityFsync}},
		Input: func(rng *rand.Rand, n int) []broker.Record {
			var recs []broker.Record
			ts := int64(0)
			for i := 0; i < n; i++ {
				r := reading(i % 7)
				ts += int64(rng.IntN(12))
				r.Timestamp = max(1, ts-int64(rng.IntN(40)))
				recs = append(recs, r)
			}
			return recs
		},
		Group: "CTAS_FINALS_0",
		Specs: func() ([]*QuerySpec, error) {
			return []*QuerySpec{sessionFinalSpec(t, "CTAS_FINALS_0", "finals", sessionFinalCrashWindow)}, nil
		},
	})
	want := modelSessionFinals(s.Input, sessionFinalCrashWindow)
	l := openLog(t, s.Dir)
	defer l.Close()
	got := sessionFinalRows(t, readAll(t, l, "finals"))
	if !slices.Equal(got, want) {
		for i := range max(len(got), len(want)) {
			if i >= len(got) || i >= len(want) || got[i] != want[i] {
				t.Fatalf("seed %d: final row %d differs (%d rows, model %d): got %v, model %v", s.Seed, i, len(got), len(want),
					got[i:min(i+3, len(got))], want[i:min(i+3, len(want))])
			}
		}
	}
	t.Logf("%d final rows, exactly the model's", len(got))
}
