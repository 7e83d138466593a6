package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/engine"
	"github.com/sluicedb/sluice/server"
)

// BenchmarkPullQueryLatency is issue 7's pull-query workload: key lookups
//
//	SELECT * FROM AGG WHERE ID = 'k…';
//
// on a table materialised by an aggregation (CREATE TABLE AGG AS SELECT
// ID, COUNT(*), SUM(V) FROM S GROUP BY ID) of SLUICE_PULL_BENCH_KEYS keys
// (default 100,000) over 4 partitions, with the log and the state on disk.
// Keys are drawn from a seeded generator (SLUICE_PULL_BENCH_SEED, logged).
// Each sub-benchmark reports queries/s and the p50 and p99 latency of one
// query:
//
//	engine           one client through Session.Execute
//	engine-parallel  GOMAXPROCS clients at once, each with its own session
//	rest             one client through the REST server's /query-stream
//	                 (HTTP/1.1 on a loopback port, JSON response)
func BenchmarkPullQueryLatency(b *testing.B) {
	keys := int(benchEnvInt("SLUICE_PULL_BENCH_KEYS", 100_000))
	seed := uint64(benchEnvInt("SLUICE_PULL_BENCH_SEED", 1))
	b.Logf("%d keys, seed %d (SLUICE_PULL_BENCH_SEED)", keys, seed)
	ctx := context.Background()
	dir := b.TempDir()
	l, err := commitlog.Open(filepath.Join(dir, "log"), commitlog.Options{CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	e, err := engine.Open(ctx, engine.Config{Log: l, StateDir: filepath.Join(dir, "state")})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	for _, sql := range []string{
		"SET 'auto.offset.reset' = 'earliest';",
		"CREATE STREAM s (id STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON', partitions=4);",
		"CREATE TABLE agg AS SELECT id, COUNT(*) AS n, SUM(v) AS total FROM s GROUP BY id;",
	} {
		if _, err := s.Execute(ctx, sql); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
	byPart := make([][]broker.Record, 4)
	for i := 0; i < keys; i++ {
		key := []byte("k" + strconv.Itoa(i))
		p := broker.PartitionForKey(key, 4)
		byPart[p] = append(byPart[p], broker.Record{Key: key, Value: fmt.Appendf(nil, `{"V":%d}`, i), Timestamp: int64(i)})
	}
	for p, recs := range byPart {
		for len(recs) > 0 {
			n := min(len(recs), 4096)
			if _, err := l.Append(ctx, broker.TopicPartition{Topic: "s", Partition: int32(p)}, recs[:n]); err != nil {
				b.Fatal(err)
			}
			recs = recs[n:]
		}
	}
	if err := e.WaitCaughtUp(ctx); err != nil {
		b.Fatal(err)
	}

	// lookup runs the query for key i through one client and checks the
	// row: key i has one row with COUNT 1 and SUM i.
	type client func(i int) error
	viaEngine := func() client {
		s := e.NewSession()
		return func(i int) error {
			rs, err := s.Execute(ctx, "SELECT * FROM agg WHERE id = 'k"+strconv.Itoa(i)+"';")
			if err != nil {
				return err
			}
			r, ok := rs[0].(*engine.Rows)
			if !ok || len(r.Rows) != 1 || r.Rows[0][2] != int32(i) {
				return fmt.Errorf("lookup k%d: %v", i, rs[0])
			}
			return nil
		}
	}
	run := func(b *testing.B, clients int, newClient func() client) {
		lat := make([][]time.Duration, clients)
		per := (b.N + clients - 1) / clients
		var wg sync.WaitGroup
		errs := make([]error, clients)
		b.ResetTimer()
		start := time.Now()
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				do := newClient()
				rng := rand.New(rand.NewPCG(seed, uint64(c)))
				lat[c] = make([]time.Duration, 0, per)
				for range per {
					k := rng.IntN(keys)
					t0 := time.Now()
					if err := do(k); err != nil {
						errs[c] = err
						return
					}
					lat[c] = append(lat[c], time.Since(t0))
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		all := slices.Concat(lat...)
		slices.Sort(all)
		b.ReportMetric(float64(len(all))/elapsed.Seconds(), "queries/s")
		b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-us")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-us")
		b.ReportMetric(0, "ns/op")
	}
	b.Run("engine", func(b *testing.B) { run(b, 1, viaEngine) })
	b.Run("engine-parallel", func(b *testing.B) { run(b, max(2, runtime.GOMAXPROCS(0)), viaEngine) })

	srv, err := server.New(e, server.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Shutdown(ctx)
	url := "http://" + ln.Addr().String() + "/query-stream"
	viaREST := func() client {
		hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
		return func(i int) error {
			body, _ := json.Marshal(map[string]any{"sql": "SELECT * FROM agg WHERE id = 'k" + strconv.Itoa(i) + "';", "properties": map[string]any{}})
			req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Accept", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			data, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			// A JSON array: the header object, then one array per row.
			var out []json.RawMessage
			var row []any
			if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &out) != nil || len(out) != 2 ||
				json.Unmarshal(out[1], &row) != nil || len(row) != 3 || row[2] != float64(i) {
				return fmt.Errorf("lookup k%d: %d %s", i, resp.StatusCode, data)
			}
			return nil
		}
	}
	b.Run("rest", func(b *testing.B) { run(b, 1, viaREST) })
}

func benchEnvInt(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return def
}
