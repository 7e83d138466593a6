package commitlog

import (
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog/vfs"
)

// TestIndexFiles checks that closed segments get index files, that open
// then reads none of their data, that the snapshot in them carries an open
// transaction across a crash, and that a damaged index only costs a scan.
func TestIndexFiles(t *testing.T) {
	mem := vfs.NewMemFS()
	l := openTestLog(t, "/d", mem)
	if err := l.CreateTopic(bg, "x", broker.TopicConfig{SegmentBytes: 1024}); err != nil {
		t.Fatal(err)
	}
	pr, err := l.NewProducer(bg, broker.ProducerOptions{TransactionalID: "ix"})
	if err != nil {
		t.Fatal(err)
	}
	pr.BeginTxn()
	if _, err := pr.Append(bg, tp0("x"), []broker.Record{{Value: []byte("txn")}}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 0; i < 30; i++ {
		v := strings.Repeat(string(rune('a'+i%26)), 200)
		want = append(want, v)
		if _, err := l.Append(bg, tp0("x"), []broker.Record{{Value: []byte(v)}}); err != nil {
			t.Fatal(err)
		}
	}
	nsegs := len(l.topics["x"].parts[0].segs)
	if nsegs < 4 {
		t.Fatalf("only %d segments", nsegs)
	}
	// Crash with the transaction open.
	crashed := mem.Crash(rand.New(rand.NewPCG(5, 6)))
	l.Close()
	names, _ := crashed.List("/d/topics/x/0")
	indexes := 0
	for _, n := range names {
		if strings.HasSuffix(n, ".index") {
			indexes++
		}
	}
	if indexes != nsegs-1 {
		t.Fatalf("%d index files for %d closed segments: %v", indexes, nsegs-1, names)
	}
	var closedReads atomic.Int64
	last := segPath("/d", "x", l.topics["x"].parts[0].active().base)
	fs := vfs.Inject(crashed, func(op vfs.Op, name string) error {
		if op == vfs.OpRead && strings.HasPrefix(name, "/d/topics/x/") && strings.HasSuffix(name, ".log") && name != last {
			closedReads.Add(1)
		}
		return nil
	})
	l = openTestLog(t, "/d", fs)
	if n := closedReads.Load(); n != 0 {
		t.Fatalf("open read closed segments %d times despite their index files", n)
	}
	check := func(l *Log) {
		t.Helper()
		got := readValues(t, l, tp0("x"), broker.ReadCommitted)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("read-committed after recovery: %d records, want %d (the open transaction must be aborted)", len(got), len(want))
		}
		d, _ := l.DescribeTopic(bg, "x")
		if pi := d.Partitions[0]; pi.StableOffset != pi.EndOffset {
			t.Fatalf("transaction still open after recovery: %+v", pi)
		}
	}
	check(l)
	l.Close()

	// Damage one index and delete another: both segments are scanned and
	// their index files rewritten.
	f, _ := crashed.Open(indexName(segPath("/d", "x", 0)))
	f.WriteAt([]byte{0xee}, 20)
	crashed.Remove(indexName(segPath("/d", "x", l.topics["x"].parts[0].segs[1].base)))
	closedReads.Store(0)
	l = openTestLog(t, "/d", fs)
	if closedReads.Load() == 0 {
		t.Fatal("damaged index was trusted")
	}
	check(l)
	l.Close()
	closedReads.Store(0)
	l = openTestLog(t, "/d", fs)
	defer l.Close()
	if n := closedReads.Load(); n != 0 {
		t.Fatalf("index files were not rebuilt: %d reads of closed segments", n)
	}
	check(l)
}
