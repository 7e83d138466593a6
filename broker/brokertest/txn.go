package brokertest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sluicedb/sluice/broker"
)

// Transactions, fencing and consumer group offsets.

func newTxnProducer(t *testing.T, l broker.Log, id string) broker.Producer {
	t.Helper()
	pr, err := l.NewProducer(ctx(t), broker.ProducerOptions{TransactionalID: id})
	if err != nil {
		t.Fatalf("NewProducer(%s): %v", id, err)
	}
	t.Cleanup(func() { pr.Close() })
	return pr
}

func prAppend(t *testing.T, pr broker.Producer, p broker.TopicPartition, recs ...broker.Record) int64 {
	t.Helper()
	off, err := pr.Append(ctx(t), p, recs)
	if err != nil {
		t.Fatalf("producer Append(%v): %v", p, err)
	}
	return off
}

func testTxnCommit(t *testing.T, h Harness) {
	l := open(t, h)
	a := newTopic(t, l, broker.TopicConfig{Partitions: 2})
	b := newTopic(t, l, broker.TopicConfig{Partitions: 1})
	pr := newTxnProducer(t, l, t.Name())
	if err := pr.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	prAppend(t, pr, tp(a, 0), rec("k", "a0-1"), rec("k", "a0-2"))
	prAppend(t, pr, tp(a, 1), rec("k", "a1-1"))
	prAppend(t, pr, tp(b, 0), rec("k", "b0-1"))
	prAppend(t, pr, tp(a, 0), rec("k", "a0-3"))
	for _, p := range []broker.TopicPartition{tp(a, 0), tp(a, 1), tp(b, 0)} {
		if got := readAll(t, l, p, 0, broker.ReadCommitted); len(got) != 0 {
			t.Fatalf("%v: read-committed sees open transaction: %s", p, values(got))
		}
	}
	// (Whether read-uncommitted readers see an open transaction's records
	// before the commit depends on when the producer flushes them, so the
	// suite does not require it; after an abort they must, see TxnAbort.)
	if err := pr.CommitTxn(ctx(t)); err != nil {
		t.Fatal(err)
	}
	want := map[broker.TopicPartition]string{tp(a, 0): "a0-1,a0-2,a0-3", tp(a, 1): "a1-1", tp(b, 0): "b0-1"}
	for p, w := range want {
		if got := values(readAll(t, l, p, 0, broker.ReadCommitted)); got != w {
			t.Fatalf("%v after commit: %q, want %q", p, got, w)
		}
	}
	// A second transaction on the same producer.
	if err := pr.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	prAppend(t, pr, tp(a, 1), rec("k", "a1-2"))
	if err := pr.CommitTxn(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got := values(readAll(t, l, tp(a, 1), 0, broker.ReadCommitted)); got != "a1-1,a1-2" {
		t.Fatalf("second transaction: %q", got)
	}
}

func testTxnAbort(t *testing.T, h Harness) {
	l := open(t, h)
	a := newTopic(t, l, broker.TopicConfig{Partitions: 2})
	pr := newTxnProducer(t, l, t.Name())
	mustAppend(t, l, tp(a, 0), rec("k", "before"))
	if err := pr.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	prAppend(t, pr, tp(a, 0), rec("k", "aborted-0"))
	prAppend(t, pr, tp(a, 1), rec("k", "aborted-1"))
	if err := pr.AbortTxn(ctx(t)); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, l, tp(a, 0), rec("k", "after"))
	if err := pr.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	prAppend(t, pr, tp(a, 1), rec("k", "committed-1"))
	if err := pr.CommitTxn(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got := values(readAll(t, l, tp(a, 0), 0, broker.ReadCommitted)); got != "before,after" {
		t.Fatalf("partition 0 read-committed: %q", got)
	}
	if got := values(readAll(t, l, tp(a, 1), 0, broker.ReadCommitted)); got != "committed-1" {
		t.Fatalf("partition 1 read-committed: %q", got)
	}
	if got := values(readAll(t, l, tp(a, 0), 0, broker.ReadUncommitted)); got != "before,aborted-0,after" {
		t.Fatalf("partition 0 read-uncommitted: %q", got)
	}
}

func testReadCommittedOrdering(t *testing.T, h Harness) {
	l := open(t, h)
	a := newTopic(t, l, broker.TopicConfig{})
	p := tp(a, 0)
	pr := newTxnProducer(t, l, t.Name())
	if err := pr.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	prAppend(t, pr, p, rec("k", "txn"))
	mustAppend(t, l, p, rec("k", "plain"))
	// The plain record sits after an open transaction: a read-committed
	// reader must not see it yet, or it would later see "txn" out of order.
	r, err := l.NewReader(p, broker.ReaderOptions{Offset: 0, Isolation: broker.ReadCommitted})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	recs, err := r.Fetch(ctx(t))
	if err != nil || len(recs) != 0 {
		t.Fatalf("read-committed fetch past the stable offset: %v %v", recs, err)
	}
	d, err := l.DescribeTopic(ctx(t), a)
	if err != nil {
		t.Fatal(err)
	}
	if pi := d.Partitions[0]; pi.StableOffset != 0 || pi.EndOffset != 2 {
		t.Fatalf("stable/end offsets with open transaction: %+v", pi)
	}
	waited := make(chan error, 1)
	go func() { waited <- r.Wait(ctx(t)) }()
	if err := pr.CommitTxn(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; err != nil {
		t.Fatalf("Wait across commit: %v", err)
	}
	var got []owned
	for {
		recs, err := r.Fetch(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			break
		}
		for _, rc := range recs {
			got = append(got, own(rc))
		}
	}
	if values(got) != "txn,plain" {
		t.Fatalf("after commit: %q", values(got))
	}
}

func testTxnFencing(t *testing.T, h Harness) {
	l := open(t, h)
	a := newTopic(t, l, broker.TopicConfig{})
	p := tp(a, 0)
	old := newTxnProducer(t, l, t.Name())
	if err := old.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	prAppend(t, old, p, rec("k", "zombie"))
	nu := newTxnProducer(t, l, t.Name())
	if _, err := old.Append(ctx(t), p, []broker.Record{rec("k", "late")}); !errors.Is(err, broker.ErrProducerFenced) {
		t.Fatalf("append by fenced producer: %v", err)
	}
	if err := old.CommitTxn(ctx(t)); !errors.Is(err, broker.ErrProducerFenced) {
		t.Fatalf("commit by fenced producer: %v", err)
	}
	if err := nu.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	prAppend(t, nu, p, rec("k", "fresh"))
	if err := nu.CommitTxn(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got := values(readAll(t, l, p, 0, broker.ReadCommitted)); got != "fresh" {
		t.Fatalf("after fencing: %q (the zombie's open transaction must be aborted)", got)
	}
}

func testTxnStateErrors(t *testing.T, h Harness) {
	l := open(t, h)
	a := newTopic(t, l, broker.TopicConfig{})
	pr := newTxnProducer(t, l, t.Name())
	c := ctx(t)
	if err := pr.CommitTxn(c); !errors.Is(err, broker.ErrInvalidTxnState) {
		t.Errorf("commit without begin: %v", err)
	}
	if err := pr.AbortTxn(c); !errors.Is(err, broker.ErrInvalidTxnState) {
		t.Errorf("abort without begin: %v", err)
	}
	if err := pr.SendOffsets(c, "g", map[broker.TopicPartition]int64{tp(a, 0): 1}); !errors.Is(err, broker.ErrInvalidTxnState) {
		t.Errorf("SendOffsets without begin: %v", err)
	}
	if err := pr.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	if err := pr.BeginTxn(); !errors.Is(err, broker.ErrInvalidTxnState) {
		t.Errorf("begin twice: %v", err)
	}
	// An empty transaction commits.
	if err := pr.CommitTxn(c); err != nil {
		t.Errorf("empty commit: %v", err)
	}
	idem, err := l.NewProducer(c, broker.ProducerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer idem.Close()
	if err := idem.BeginTxn(); !errors.Is(err, broker.ErrInvalidTxnState) {
		t.Errorf("begin on idempotent producer: %v", err)
	}
	for i := 0; i < 3; i++ {
		if _, err := idem.Append(c, tp(a, 0), []broker.Record{rec("k", fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	if got := values(readAll(t, l, tp(a, 0), 0, broker.ReadCommitted)); got != "0,1,2" {
		t.Fatalf("idempotent producer appends: %q", got)
	}
}

func testGroupOffsets(t *testing.T, h Harness) {
	l := open(t, h)
	a := newTopic(t, l, broker.TopicConfig{Partitions: 2})
	c := ctx(t)
	got, err := l.CommittedOffsets(c, "nobody")
	if err != nil || len(got) != 0 {
		t.Fatalf("unknown group: %v %v", got, err)
	}
	if err := l.CommitOffsets(c, "g1", map[broker.TopicPartition]int64{tp(a, 0): 5, tp(a, 1): 7}); err != nil {
		t.Fatal(err)
	}
	if err := l.CommitOffsets(c, "g1", map[broker.TopicPartition]int64{tp(a, 0): 9}); err != nil {
		t.Fatal(err)
	}
	if err := l.CommitOffsets(c, "g2", map[broker.TopicPartition]int64{tp(a, 0): 1}); err != nil {
		t.Fatal(err)
	}
	got, err = l.CommittedOffsets(c, "g1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[tp(a, 0)] != 9 || got[tp(a, 1)] != 7 {
		t.Fatalf("g1 offsets: %v", got)
	}
	got, _ = l.CommittedOffsets(c, "g2")
	if len(got) != 1 || got[tp(a, 0)] != 1 {
		t.Fatalf("g2 offsets: %v", got)
	}
}

func testTxnOffsets(t *testing.T, h Harness) {
	l := open(t, h)
	in := newTopic(t, l, broker.TopicConfig{})
	out := newTopic(t, l, broker.TopicConfig{Partitions: 2})
	c := ctx(t)
	pr := newTxnProducer(t, l, t.Name())
	group := "eos-" + in
	if err := l.CommitOffsets(c, group, map[broker.TopicPartition]int64{tp(in, 0): 3}); err != nil {
		t.Fatal(err)
	}
	// Aborted: neither outputs nor offsets.
	if err := pr.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	prAppend(t, pr, tp(out, 0), rec("k", "x"))
	if err := pr.SendOffsets(c, group, map[broker.TopicPartition]int64{tp(in, 0): 10}); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.CommittedOffsets(c, group); got[tp(in, 0)] != 3 {
		t.Fatalf("offsets visible before commit: %v", got)
	}
	if err := pr.AbortTxn(c); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.CommittedOffsets(c, group); got[tp(in, 0)] != 3 {
		t.Fatalf("offsets after abort: %v", got)
	}
	// Committed: outputs in two partitions and the offsets, together.
	if err := pr.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	prAppend(t, pr, tp(out, 0), rec("k", "y0"))
	prAppend(t, pr, tp(out, 1), rec("k", "y1"))
	if err := pr.SendOffsets(c, group, map[broker.TopicPartition]int64{tp(in, 0): 11}); err != nil {
		t.Fatal(err)
	}
	if err := pr.CommitTxn(c); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.CommittedOffsets(c, group); got[tp(in, 0)] != 11 {
		t.Fatalf("offsets after commit: %v", got)
	}
	if got := values(readAll(t, l, tp(out, 0), 0, broker.ReadCommitted)); got != "y0" {
		t.Fatalf("outputs after commit: %q", got)
	}
	if h.Reopen != nil {
		l = h.Reopen(t, l)
		t.Cleanup(func() { l.Close() })
		got, err := l.CommittedOffsets(ctx(t), group)
		if err != nil || got[tp(in, 0)] != 11 {
			t.Fatalf("offsets after reopen: %v %v", got, err)
		}
	}
}
