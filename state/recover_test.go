package state

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
)

// harness plays the runtime's side of the exactly-once protocol on a real
// commitlog: changes go to a compacted changelog inside a transaction that
// also commits the group's input offsets, then the pebble batch commits.
type harness struct {
	t     *testing.T
	ctx   context.Context
	dir   string
	log   *commitlog.Log
	prod  broker.Producer
	db    *DB
	task  *Task
	kv    *KVStore
	win   *WindowStore
	sess  *SessionStore
	input broker.TopicPartition
	sesCL broker.TopicPartition
	kvCL  broker.TopicPartition
	winCL broker.TopicPartition
}

const testGroup = "q1"

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, ctx: context.Background(), dir: t.TempDir(),
		input: broker.TopicPartition{Topic: "in", Partition: 0},
		kvCL:  broker.TopicPartition{Topic: "q1-agg-changelog", Partition: 0},
		winCL: broker.TopicPartition{Topic: "q1-win-changelog", Partition: 0},
		sesCL: broker.TopicPartition{Topic: "q1-sess-changelog", Partition: 0},
	}
	var err error
	h.log, err = commitlog.Open(filepath.Join(h.dir, "log"), commitlog.Options{CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.log.Close() })
	for _, tp := range []broker.TopicPartition{h.kvCL, h.winCL, h.sesCL} {
		cfg := broker.TopicConfig{Partitions: 1, CleanupPolicy: broker.CleanupCompact, Durability: broker.DurabilityNone}
		if err := h.log.CreateTopic(h.ctx, tp.Topic, cfg); err != nil {
			t.Fatal(err)
		}
	}
	h.newProducer()
	h.openState()
	t.Cleanup(func() {
		if h.db != nil {
			h.db.Close()
		}
	})
	return h
}

func (h *harness) newProducer() {
	var err error
	if h.prod, err = h.log.NewProducer(h.ctx, broker.ProducerOptions{TransactionalID: "q1-0"}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) openState() {
	var err error
	if h.db, err = Open(filepath.Join(h.dir, "state"), Options{MemoryBudget: minBudget}); err != nil {
		h.t.Fatal(err)
	}
	if h.task, err = h.db.OpenTask("q1/0"); err != nil {
		h.t.Fatal(err)
	}
	if h.kv, err = h.task.KeyValueStore("q1/agg/0"); err != nil {
		h.t.Fatal(err)
	}
	if h.win, err = h.task.WindowStore("q1/win/0", WindowOptions{Size: 10, Retention: 1000, SegmentInterval: 100}); err != nil {
		h.t.Fatal(err)
	}
	if h.sess, err = h.task.SessionStore("q1/sess/0", SessionOptions{Retention: 1000, SegmentInterval: 70}); err != nil {
		h.t.Fatal(err)
	}
}

// crash drops the state DB without committing and reopens it (and a new
// producer, which fences the old one and aborts its open transaction).
func (h *harness) crash(lose bool) {
	h.db.Close()
	if lose {
		h.dir2()
	}
	h.newProducer()
	h.openState()
}

// dir2 loses the state directory entirely.
func (h *harness) dir2() {
	h.dir = h.t.TempDir()
	h.db = nil
}

func (h *harness) recover() Recovery {
	h.t.Helper()
	rec, err := h.task.Recover(h.ctx, h.log, RecoverOptions{
		Group:      testGroup,
		Inputs:     []broker.TopicPartition{h.input},
		Changelogs: map[string]broker.TopicPartition{"q1/agg/0": h.kvCL, "q1/win/0": h.winCL, "q1/sess/0": h.sesCL},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return rec
}

// logTxn runs the log half of a commit and returns the changelog positions.
func (h *harness) logTxn(offset int64, abort bool) map[broker.TopicPartition]int64 {
	h.t.Helper()
	changes, err := h.task.Changes()
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.prod.BeginTxn(); err != nil {
		h.t.Fatal(err)
	}
	byTP := map[broker.TopicPartition][]broker.Record{}
	for _, c := range changes {
		tp := map[string]broker.TopicPartition{"q1/agg/0": h.kvCL, "q1/win/0": h.winCL, "q1/sess/0": h.sesCL}[c.Store]
		byTP[tp] = append(byTP[tp], broker.Record{Key: c.Key, Value: c.Value})
	}
	pos := map[broker.TopicPartition]int64{}
	for tp, recs := range byTP {
		first, err := h.prod.Append(h.ctx, tp, recs)
		if err != nil {
			h.t.Fatal(err)
		}
		pos[tp] = first + int64(len(recs))
	}
	if err := h.prod.SendOffsets(h.ctx, testGroup, map[broker.TopicPartition]int64{h.input: offset}); err != nil {
		h.t.Fatal(err)
	}
	if abort {
		if err := h.prod.AbortTxn(h.ctx); err != nil {
			h.t.Fatal(err)
		}
		return nil
	}
	if err := h.prod.CommitTxn(h.ctx); err != nil {
		h.t.Fatal(err)
	}
	return pos
}

func (h *harness) commit(offset int64) {
	h.t.Helper()
	pos := h.logTxn(offset, false)
	if err := h.task.Commit(Checkpoint{Offsets: map[broker.TopicPartition]int64{h.input: offset}, Changelogs: pos}); err != nil {
		h.t.Fatal(err)
	}
}

// work writes n updates derived from step into both stores and returns the
// expected contents afterwards.
func (h *harness) work(model map[string]string, step, n int) {
	h.t.Helper()
	for i := range n {
		k := fmt.Sprintf("k%02d", (step*7+i*13)%50)
		if (step+i)%11 == 0 {
			if err := h.kv.Delete([]byte(k)); err != nil {
				h.t.Fatal(err)
			}
			delete(model, "kv:"+k)
		} else {
			v := fmt.Sprintf("v%d.%d", step, i)
			if err := h.kv.Put([]byte(k), []byte(v)); err != nil {
				h.t.Fatal(err)
			}
			model["kv:"+k] = v
		}
		start := int64(step * 10)
		v := fmt.Sprintf("w%d.%d", step, i)
		if err := h.win.Put([]byte(k), start, []byte(v)); errors.Is(err, ErrExpired) {
			continue
		} else if err != nil {
			h.t.Fatal(err)
		}
		model[fmt.Sprintf("win:%s@%d", k, start)] = v
		// A session per key and step, merged with the key's previous
		// session when they are close (as the session operator does).
		end := start + 5
		found, err := h.sess.FindSessions([]byte(k), start-20, end+20)
		if err != nil {
			h.t.Fatal(err)
		}
		for _, w := range found {
			if err := h.sess.Remove(w.Key, w.Start, w.End); err != nil {
				h.t.Fatal(err)
			}
			delete(model, fmt.Sprintf("sess:%s@%d-%d", k, w.Start, w.End))
			start, end = min(start, w.Start), max(end, w.End)
		}
		if err := h.sess.Put([]byte(k), start, end, []byte(v)); errors.Is(err, ErrExpired) {
			continue
		} else if err != nil {
			h.t.Fatal(err)
		}
		model[fmt.Sprintf("sess:%s@%d-%d", k, start, end)] = v
	}
}

func (h *harness) dump() map[string]string {
	h.t.Helper()
	out := map[string]string{}
	for k, v := range dumpKV(h.t, h.kv) {
		out["kv:"+k] = v
	}
	if err := h.win.Scan(-1<<62, 1<<62, func(w Window) error {
		out[fmt.Sprintf("win:%s@%d", w.Key, w.Start)] = string(w.Value)
		return nil
	}); err != nil {
		h.t.Fatal(err)
	}
	if err := h.sess.Scan(func(w Window) error {
		out[fmt.Sprintf("sess:%s@%d-%d", w.Key, w.Start, w.End)] = string(w.Value)
		return nil
	}); err != nil {
		h.t.Fatal(err)
	}
	return out
}

// TestRecover covers the protocol's cases, each as a sequence of commits
// followed by a particular crash.
func TestRecover(t *testing.T) {
	cases := []struct {
		name string
		// crash runs after three good commits; it returns the model the
		// recovered state must equal and the input offset to resume at.
		crash   func(h *harness, model map[string]string) (map[string]string, int64)
		outcome Outcome
	}{{
		name: "clean restart",
		crash: func(h *harness, model map[string]string) (map[string]string, int64) {
			h.crash(false)
			return model, 30
		},
		outcome: OutcomeInSync,
	}, {
		name: "uncommitted work is lost",
		crash: func(h *harness, model map[string]string) (map[string]string, int64) {
			before := maps.Clone(model)
			h.work(model, 4, 20)
			h.crash(false)
			return before, 30
		},
		outcome: OutcomeInSync,
	}, {
		name: "crash between log commit and pebble commit",
		crash: func(h *harness, model map[string]string) (map[string]string, int64) {
			h.work(model, 4, 20)
			h.logTxn(40, false)
			h.crash(false)
			return model, 40
		},
		outcome: OutcomeRolledForward,
	}, {
		name: "aborted log transaction",
		crash: func(h *harness, model map[string]string) (map[string]string, int64) {
			before := maps.Clone(model)
			h.work(model, 4, 20)
			h.logTxn(40, true)
			if err := h.task.Abort(); err != nil {
				h.t.Fatal(err)
			}
			if got := h.dump(); !maps.Equal(got, before) {
				h.t.Fatalf("after Abort: %s", mapDiff(got, before))
			}
			h.crash(false)
			return before, 30
		},
		outcome: OutcomeInSync,
	}, {
		name: "crash with the log transaction open",
		crash: func(h *harness, model map[string]string) (map[string]string, int64) {
			before := maps.Clone(model)
			h.work(model, 4, 20)
			if _, err := h.task.Changes(); err != nil {
				h.t.Fatal(err)
			}
			if err := h.prod.BeginTxn(); err != nil {
				h.t.Fatal(err)
			}
			if _, err := h.prod.Append(h.ctx, h.kvCL, []broker.Record{{Key: []byte("k00"), Value: []byte("ghost")}}); err != nil {
				h.t.Fatal(err)
			}
			h.crash(false)
			return before, 30
		},
		outcome: OutcomeInSync,
	}, {
		name: "state directory lost",
		crash: func(h *harness, model map[string]string) (map[string]string, int64) {
			h.crash(true)
			return model, 30
		},
		outcome: OutcomeRolledForward,
	}, {
		name: "pebble ahead of the log",
		crash: func(h *harness, model map[string]string) (map[string]string, int64) {
			before := maps.Clone(model)
			h.work(model, 4, 20)
			// A runtime that commits pebble first and dies before the
			// log commits (or a log that lost its tail).
			if err := h.task.Commit(Checkpoint{Offsets: map[broker.TopicPartition]int64{h.input: 40}}); err != nil {
				h.t.Fatal(err)
			}
			h.crash(false)
			return before, 30
		},
		outcome: OutcomeRebuilt,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if rec := h.recover(); rec.Outcome != OutcomeFresh {
				t.Fatalf("first recover: %s, want %s", rec.Outcome, OutcomeFresh)
			}
			model := map[string]string{}
			for step := 1; step <= 3; step++ {
				h.work(model, step, 20)
				h.commit(int64(step * 10))
			}
			want, offset := tc.crash(h, model)
			rec := h.recover()
			if rec.Outcome != tc.outcome {
				t.Errorf("outcome %s, want %s", rec.Outcome, tc.outcome)
			}
			if got := rec.Offsets[h.input]; got != offset {
				t.Errorf("resume offset %d, want %d", got, offset)
			}
			if got := h.dump(); !maps.Equal(got, want) {
				t.Errorf("state after recovery: %s", mapDiff(got, want))
			}
			// A second restart finds everything in agreement and the same
			// state: recovery is idempotent.
			h.crash(false)
			if rec := h.recover(); rec.Outcome != OutcomeInSync {
				t.Errorf("second recover: %s, want %s", rec.Outcome, OutcomeInSync)
			}
			if got := h.dump(); !maps.Equal(got, want) {
				t.Errorf("state after second recovery: %s", mapDiff(got, want))
			}
			// Processing continues normally.
			h.work(want, 9, 5)
			h.commit(offset + 1)
			h.crash(true)
			h.recover()
			if got := h.dump(); !maps.Equal(got, want) {
				t.Errorf("state rebuilt after more work: %s", mapDiff(got, want))
			}
		})
	}
}

// TestRestoreEqualsOriginal writes random state through the protocol, then
// restores every store into an empty DB and compares everything.
func TestRestoreEqualsOriginal(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 11))
	h := newHarness(t)
	model := map[string]string{}
	streamTime := int64(0)
	for step := 1; step <= 20; step++ {
		// Window starts jump around (late and early records), stream
		// time is the newest start so far, and retention (1000) bites.
		at := rng.IntN(300) + step*20
		h.work(model, at, 1+rng.IntN(200))
		streamTime = max(streamTime, int64(at*10))
		if err := h.win.Expire(streamTime); err != nil {
			t.Fatal(err)
		}
		if err := h.sess.Expire(streamTime); err != nil {
			t.Fatal(err)
		}
		h.commit(int64(step))
	}
	orig := h.dump()
	h.crash(true)
	for _, s := range []interface {
		Name() string
	}{h.kv, h.win, h.sess} {
		var stats RestoreStats
		var err error
		switch s := s.(type) {
		case *KVStore:
			stats, err = s.Restore(h.ctx, h.log, h.kvCL)
		case *WindowStore:
			stats, err = s.Restore(h.ctx, h.log, h.winCL)
		case *SessionStore:
			stats, err = s.Restore(h.ctx, h.log, h.sesCL)
		}
		if err != nil {
			t.Fatal(err)
		}
		if stats.Records == 0 {
			t.Fatalf("%s: restored no records", s.Name())
		}
	}
	if got := h.dump(); !maps.Equal(got, orig) {
		t.Fatalf("seed %d: restored state differs: %s", seed, mapDiff(got, orig))
	}
}

// mapDiff describes the first few differences between got and want.
func mapDiff(got, want map[string]string) string {
	var diffs []string
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			diffs = append(diffs, fmt.Sprintf("%s: got %q (present %v), want %q", k, g, ok, w))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: got %q, want absent", k, g))
		}
	}
	slices.Sort(diffs)
	if len(diffs) > 10 {
		diffs = append(diffs[:10], fmt.Sprintf("... %d more", len(diffs)-10))
	}
	return fmt.Sprintf("%d differences:\n%s", len(diffs), strings.Join(diffs, "\n"))
}
