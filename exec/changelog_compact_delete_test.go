package exec

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/state"
)

// TestWindowedChangelogBounded runs a tumbling-window count for many
// simulated half-days (the log's clock is fake) with cleanup after each:
// the changelog is created compact,delete, the window keys it holds stay
// bounded while the windows written grow without bound, and a store
// rebuilt from it (a lost state directory) holds exactly the windows the
// original store holds.
func TestWindowedChangelogBounded(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	now := func() time.Time { return time.UnixMilli(clock.Load()) }
	dir := t.TempDir()
	l, err := commitlog.Open(filepath.Join(dir, "log"), commitlog.Options{CleanupInterval: -1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	createTopic(t, l, "readings", 1, broker.DurabilityNone)
	createTopic(t, l, "counts", 1, broker.DurabilityNone)
	openDB := func(name string) *state.DB {
		db, err := state.Open(filepath.Join(dir, name), state.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	w := &WindowSpec{Size: 1000, Advance: 1000, Retention: 5000}
	spec, _ := windowedCountSpec(t, "CTAS_BOUNDED", "counts", w, false)
	changelog := spec.Operators[0].(*Aggregate).spec.Changelog

	orig := openDB("orig")
	defer orig.Close()
	rt := NewRuntime(l, RuntimeOptions{State: orig})
	q, err := rt.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}

	// Each phase is half a day later on the log's clock and 10 s later in
	// event time: 4 keys x 2 windows, all earlier windows past retention.
	const phases, perPhase = 16, 80
	written := map[string]bool{}
	maxHeld := 0
	for p := 0; p < phases; p++ {
		clock.Add(12 * 60 * 60 * 1000)
		var recs []broker.Record
		for i := 0; i < perPhase; i++ {
			r := reading(i % 4)
			r.Timestamp = 1_000_000 + int64(p)*10_000 + int64(i)*25
			recs = append(recs, r)
		}
		if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "readings"}, recs); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := q.WaitCaughtUp(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if err := l.RunCleanup(context.Background()); err != nil {
			t.Fatal(err)
		}
		held := map[string]bool{}
		for _, r := range readAll(t, l, changelog) {
			written[r.Key] = true
			held[r.Key] = true
		}
		if p >= 4 {
			maxHeld = max(maxHeld, len(held))
		}
	}
	rt.Close()
	d, err := l.DescribeTopic(context.Background(), changelog)
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Config; c.CleanupPolicy != broker.CleanupCompactDelete || c.RetentionMs != w.Retention+WindowedChangelogExtraRetentionMs {
		t.Fatalf("windowed changelog created with %+v", c)
	}
	t.Logf("changelog: at most %d keys held after warm-up, %d written, partition %+v", maxHeld, len(written), d.Partitions[0])
	// 8 windows and the stream-time key per phase: the changelog holds a
	// few days' worth, never all of it.
	if maxHeld > 6*9 || len(written) < phases*8 {
		t.Fatalf("changelog held up to %d keys after warm-up, %d keys seen in all", maxHeld, len(written))
	}
	if d.Partitions[0].StartOffset == 0 {
		t.Fatalf("nothing was deleted from the changelog: %+v", d.Partitions[0])
	}

	// A lost state directory: the store is rebuilt from what is left.
	rebuilt := openDB("rebuilt")
	defer rebuilt.Close()
	rt = NewRuntime(l, RuntimeOptions{State: rebuilt})
	q, err = rt.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := q.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	rt.Close()
	rows := func(db *state.DB) []string {
		snap := db.NewSnapshot()
		defer snap.Close()
		var out []string
		err := ReadMaterialized(snap, spec, AllWindows(), func(r TableRow) error {
			out = append(out, fmt.Sprintf("%v [%d,%d) %v", r.Row[0], r.Start, r.End, r.Row[1]))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	want, got := rows(orig), rows(rebuilt)
	if len(want) != 8 {
		t.Fatalf("the original store holds %d windows, want the last phase's 8: %v", len(want), want)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("rebuilt store:\n%s\noriginal:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
