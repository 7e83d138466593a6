package brokertest

import (
	"testing"

	"github.com/sluicedb/sluice/broker"
)

// testDeleteGroup checks DeleteGroup: the group's offsets are gone, other
// groups keep theirs, deleting an unknown group is no error, a deleted
// group can commit again, and (with Reopen) the deletion survives a
// restart.
func testDeleteGroup(t *testing.T, h Harness) {
	l := h.Open(t)
	defer func() { l.Close() }() // the reopened log, when there is one
	a := newTopic(t, l, broker.TopicConfig{Partitions: 2})
	c := ctx(t)
	if err := l.DeleteGroup(c, "nobody"); err != nil {
		t.Fatalf("DeleteGroup(unknown): %v", err)
	}
	commit := func(group string, offsets map[broker.TopicPartition]int64) {
		t.Helper()
		if err := l.CommitOffsets(c, group, offsets); err != nil {
			t.Fatal(err)
		}
	}
	commit("gone", map[broker.TopicPartition]int64{tp(a, 0): 5, tp(a, 1): 7})
	commit("kept", map[broker.TopicPartition]int64{tp(a, 0): 2})
	commit("back", map[broker.TopicPartition]int64{tp(a, 1): 3})
	for _, g := range []string{"gone", "back"} {
		if err := l.DeleteGroup(c, g); err != nil {
			t.Fatalf("DeleteGroup(%s): %v", g, err)
		}
	}
	commit("back", map[broker.TopicPartition]int64{tp(a, 0): 4})
	check := func(l broker.Log, when string) {
		t.Helper()
		want := map[string]map[broker.TopicPartition]int64{
			"gone": {},
			"kept": {tp(a, 0): 2},
			"back": {tp(a, 0): 4},
		}
		for g, w := range want {
			got, err := l.CommittedOffsets(c, g)
			if err != nil {
				t.Fatalf("%s: CommittedOffsets(%s): %v", when, g, err)
			}
			if len(got) != len(w) {
				t.Fatalf("%s: group %s offsets %v, want %v", when, g, got, w)
			}
			for p, off := range w {
				if got[p] != off {
					t.Fatalf("%s: group %s offsets %v, want %v", when, g, got, w)
				}
			}
		}
	}
	check(l, "before reopen")
	if h.Reopen == nil {
		return
	}
	l = h.Reopen(t, l)
	check(l, "after reopen")
}
