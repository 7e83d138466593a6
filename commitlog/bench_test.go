package commitlog

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog/vfs"
)

// Benchmarks compare the log with the machine's raw sequential write +
// fdatasync on the same disk in the same run. Payload MB/s counts record
// values only (100 bytes each), not the log's framing, so the ratio is a
// conservative measure of the log's overhead.

const benchRecord = 100

func benchLog(b *testing.B, cfg broker.TopicConfig) (*Log, *partition) {
	b.Helper()
	l, err := Open(b.TempDir(), Options{CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	if err := l.CreateTopic(bg, "bench", cfg); err != nil {
		b.Fatal(err)
	}
	p, _ := l.partition(tp0("bench"))
	return l, p
}

func benchRecords(n int) []broker.Record {
	recs := make([]broker.Record, n)
	v := make([]byte, benchRecord)
	for i := range v {
		v[i] = byte('a' + i%26)
	}
	for i := range recs {
		recs[i] = broker.Record{Value: v, Timestamp: 1}
	}
	return recs
}

// rawWriter writes sequentially to a file and fdatasyncs after every
// write: the floor the log is measured against.
type rawWriter struct {
	f   *os.File
	pos int64
}

func newRawWriter(b *testing.B) *rawWriter {
	f, err := os.Create(filepath.Join(b.TempDir(), "raw"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return &rawWriter{f: f}
}

func (w *rawWriter) write(b *testing.B, buf []byte) {
	if _, err := w.f.WriteAt(buf, w.pos); err != nil {
		b.Fatal(err)
	}
	w.pos += int64(len(buf))
	if err := syscall.Fdatasync(int(w.f.Fd())); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRawFdatasync is the raw floor by itself: sequential writes of
// the given size, each followed by fdatasync.
func BenchmarkRawFdatasync(b *testing.B) {
	for _, size := range []int{100, 4 << 10, 100 << 10, 1 << 20} {
		b.Run(fmt.Sprintf("write=%d", size), func(b *testing.B) {
			w := newRawWriter(b)
			buf := make([]byte, size)
			b.SetBytes(int64(size))
			for i := 0; i < b.N; i++ {
				w.write(b, buf)
			}
		})
	}
}

// BenchmarkAppendVsRaw appends batches of 100-byte records with the default
// fsync durability from one goroutine, and interleaves raw writes of the
// same payload size with fdatasync, reporting both rates and their ratio.
func BenchmarkAppendVsRaw(b *testing.B) {
	for _, batch := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			l, _ := benchLog(b, broker.TopicConfig{})
			w := newRawWriter(b)
			recs := benchRecords(batch)
			raw := make([]byte, batch*benchRecord)
			var logT, rawT time.Duration
			b.SetBytes(int64(batch * benchRecord))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := l.Append(bg, tp0("bench"), recs); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				b.StopTimer() // ns/op and MB/s cover the log only
				w.write(b, raw)
				rawT += time.Since(t1)
				logT += t1.Sub(t0)
				b.StartTimer()
			}
			b.StopTimer()
			mb := float64(b.N*batch*benchRecord) / 1e6
			b.ReportMetric(mb/logT.Seconds(), "log-MB/s")
			b.ReportMetric(float64(b.N*batch)/logT.Seconds(), "log-rec/s")
			b.ReportMetric(mb/rawT.Seconds(), "raw-MB/s")
			b.ReportMetric(rawT.Seconds()/logT.Seconds(), "log/raw")
		})
	}
}

// BenchmarkAppendConcurrent has many goroutines append single 100-byte
// records with fsync durability: group commit is what makes this fast. The
// raw comparison writes, per fdatasync, as many bytes as the log's group
// commits averaged, so both sync equally often. The disk of a shared
// machine drifts, so the run alternates log and raw phases and compares
// their sums.
func BenchmarkAppendConcurrent(b *testing.B) {
	for _, writers := range []int{16, 64, 256} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			var syncs atomic.Int64
			fs := vfs.Inject(vfs.Default, func(op vfs.Op, name string) error {
				if op == vfs.OpSync {
					syncs.Add(1)
				}
				return nil
			})
			l, err := Open(b.TempDir(), Options{FS: fs, CleanupInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			if err := l.CreateTopic(bg, "bench", broker.TopicConfig{}); err != nil {
				b.Fatal(err)
			}
			rw := newRawWriter(b)
			recs := benchRecords(1)
			const phases = 16
			var logT, rawT time.Duration
			var totalSyncs int64
			b.SetBytes(benchRecord)
			b.ResetTimer()
			for ph := 0; ph < phases; ph++ {
				n := int64(b.N / phases)
				if ph == phases-1 {
					n = int64(b.N) - int64(phases-1)*int64(b.N/phases)
				}
				syncs.Store(0)
				var next atomic.Int64
				var wg sync.WaitGroup
				t0 := time.Now()
				for w := 0; w < writers; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for next.Add(1) <= n {
							if _, err := l.Append(bg, tp0("bench"), recs); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				logT += time.Since(t0)
				k := max(syncs.Load(), 1)
				totalSyncs += k
				b.StopTimer() // ns/op and MB/s cover the log phases only
				buf := make([]byte, max(1, n*benchRecord/k))
				t1 := time.Now()
				for i := int64(0); i < k; i++ {
					rw.write(b, buf)
				}
				rawT += time.Since(t1)
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/logT.Seconds(), "rec/s")
			b.ReportMetric(float64(b.N)/float64(totalSyncs), "rec/sync")
			b.ReportMetric(float64(b.N*benchRecord)/1e6/rawT.Seconds(), "raw-MB/s")
			b.ReportMetric(rawT.Seconds()/logT.Seconds(), "log/raw")
		})
	}
}

// BenchmarkAppendLatency measures single-record acknowledged appends from
// one goroutine (each waits for its own fdatasync) and reports percentiles.
func BenchmarkAppendLatency(b *testing.B) {
	l, _ := benchLog(b, broker.TopicConfig{})
	recs := benchRecords(1)
	lat := make([]time.Duration, 0, b.N)
	b.SetBytes(benchRecord)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := l.Append(bg, tp0("bench"), recs); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkReadSequential reads a partition of 100-byte records from the
// start with a read-committed reader, restarting at the end.
func BenchmarkReadSequential(b *testing.B) {
	const total = 200_000
	l, _ := benchLog(b, broker.TopicConfig{Durability: broker.DurabilityNone})
	recs := benchRecords(1000)
	for i := 0; i < total/1000; i++ {
		if _, err := l.Append(bg, tp0("bench"), recs); err != nil {
			b.Fatal(err)
		}
	}
	r, err := l.NewReader(tp0("bench"), broker.ReaderOptions{Offset: 0})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchRecord)
	b.ReportAllocs()
	b.ResetTimer()
	var sum int
	for n := 0; n < b.N; {
		got, err := r.Fetch(bg)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) == 0 {
			r.SetOffset(0)
			continue
		}
		for _, rec := range got {
			sum += len(rec.Value)
		}
		n += len(got)
	}
	if sum == 0 {
		b.Fatal("read nothing")
	}
}

// BenchmarkTxnCommit runs the exactly-once commit cycle of a task: a
// transaction with one record to each of N partitions plus the group's
// input offsets. Transactional appends do not sync; the commit syncs the
// partitions in parallel, then the decision, then the markers.
func BenchmarkTxnCommit(b *testing.B) {
	for _, parts := range []int{1, 4} {
		b.Run(fmt.Sprintf("partitions=%d", parts), func(b *testing.B) {
			l, _ := benchLog(b, broker.TopicConfig{Partitions: parts})
			pr, err := l.NewProducer(bg, broker.ProducerOptions{TransactionalID: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			recs := benchRecords(1)
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if err := pr.BeginTxn(); err != nil {
					b.Fatal(err)
				}
				for p := 0; p < parts; p++ {
					if _, err := pr.Append(bg, broker.TopicPartition{Topic: "bench", Partition: int32(p)}, recs); err != nil {
						b.Fatal(err)
					}
				}
				if err := pr.SendOffsets(bg, "g", map[broker.TopicPartition]int64{{Topic: "in"}: int64(i)}); err != nil {
					b.Fatal(err)
				}
				if err := pr.CommitTxn(bg); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
