package commitlog

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog/vfs"
)

// TestRandomTransactions interleaves plain appends and transactions of
// several producers over several partitions at random, against a model of
// what read-committed readers must see: at every step, each partition's
// read-committed contents must be a prefix of its final contents, never a
// record of an open or aborted transaction; at the end, exactly the
// committed and plain records in offset order, before and after a reopen.
func TestRandomTransactions(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("SLUICE_RANDOM_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (set SLUICE_RANDOM_SEED to reproduce)", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	for _, segBytes := range []int64{1024, 1 << 20} {
		t.Run(fmt.Sprintf("segment=%d", segBytes), func(t *testing.T) {
			fs := vfs.NewMemFS()
			l := openTestLog(t, "/r", fs)
			const parts = 3
			if err := l.CreateTopic(bg, "r", broker.TopicConfig{Partitions: parts, SegmentBytes: segBytes}); err != nil {
				t.Fatal(err)
			}
			type entry struct {
				val   string
				txn   string // "" for plain records
				state *string
			}
			log := make([][]entry, parts)
			type txnState struct {
				pr    broker.Producer
				id    string
				state *string // "open", "commit", "abort"
			}
			var prods []*txnState
			for i := 0; i < 3; i++ {
				pr, err := l.NewProducer(bg, broker.ProducerOptions{TransactionalID: fmt.Sprintf("p%d", i)})
				if err != nil {
					t.Fatal(err)
				}
				prods = append(prods, &txnState{pr: pr})
			}
			expect := func(p int, final bool) []string {
				var out []string
				for _, e := range log[p] {
					switch {
					case e.txn == "" || *e.state == "commit":
						out = append(out, e.val)
					case *e.state == "open" && !final:
						return out // the stable offset stops here
					}
				}
				return out
			}
			check := func(final bool) {
				for p := 0; p < parts; p++ {
					got := strings.Join(readValues(t, l, broker.TopicPartition{Topic: "r", Partition: int32(p)}, broker.ReadCommitted), ",")
					want := strings.Join(expect(p, final), ",")
					if got != want {
						t.Fatalf("partition %d read-committed:\n got %s\nwant %s", p, got, want)
					}
				}
			}
			n := 0
			for step := 0; step < 400; step++ {
				p := rng.IntN(parts)
				tp := broker.TopicPartition{Topic: "r", Partition: int32(p)}
				switch op := rng.IntN(10); {
				case op < 3:
					n++
					v := fmt.Sprintf("plain%d", n)
					if _, err := l.Append(bg, tp, []broker.Record{{Value: []byte(v)}}); err != nil {
						t.Fatal(err)
					}
					log[p] = append(log[p], entry{val: v})
				default:
					ts := prods[rng.IntN(len(prods))]
					switch {
					case ts.state == nil || *ts.state != "open":
						if err := ts.pr.BeginTxn(); err != nil {
							t.Fatal(err)
						}
						s := "open"
						ts.state, ts.id = &s, fmt.Sprintf("t%d", step)
					case op < 8:
						n++
						v := fmt.Sprintf("%s.%d", ts.id, n)
						if _, err := ts.pr.Append(bg, tp, []broker.Record{{Value: []byte(v)}}); err != nil {
							t.Fatal(err)
						}
						log[p] = append(log[p], entry{val: v, txn: ts.id, state: ts.state})
					case op == 8:
						if err := ts.pr.CommitTxn(bg); err != nil {
							t.Fatal(err)
						}
						*ts.state = "commit"
					default:
						if err := ts.pr.AbortTxn(bg); err != nil {
							t.Fatal(err)
						}
						*ts.state = "abort"
					}
				}
				if step%20 == 0 {
					check(false)
				}
			}
			for _, ts := range prods {
				if ts.state != nil && *ts.state == "open" {
					if err := ts.pr.CommitTxn(bg); err != nil {
						t.Fatal(err)
					}
					*ts.state = "commit"
				}
			}
			check(true)
			l.Close()
			l = openTestLog(t, "/r", fs)
			defer l.Close()
			check(true)
		})
	}
}
