package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicedb/sluice/server"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkPushFanout is the load test of the REST server: N clients run
// the same push query on /query-stream while one /inserts-stream client
// inserts R rows, each stamped with its send time. Every client must see
// every row; reported are inserts/s (acked), rows delivered/s (summed
// over clients) and the p50/p99 of send-to-delivery latency.
// SLUICE_REST_BENCH_CLIENTS (default 8) and SLUICE_REST_BENCH_ROWS
// (default 2000) size it; each b.N iteration is one whole run.
//
// "burst" sends the rows as fast as the client can, so its latency is
// mostly the rows' wait in the insert queue; "paced" sends
// SLUICE_REST_BENCH_RATE rows/s (default 100, a quarter of the rows),
// below the insert capacity, so its latency is the delivery path's own.
func BenchmarkPushFanout(b *testing.B) {
	clients := envInt("SLUICE_REST_BENCH_CLIENTS", 8)
	rows := envInt("SLUICE_REST_BENCH_ROWS", 2000)
	rate := envInt("SLUICE_REST_BENCH_RATE", 100)
	b.Run("burst", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ts := startServer(b, server.Options{})
			runFanout(b, ts, clients, rows, 0)
			ts.stop(b)
		}
	})
	b.Run("replay", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ts := startServer(b, server.Options{})
			runReplay(b, ts, clients, rows)
			ts.stop(b)
		}
	})
	b.Run("paced", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ts := startServer(b, server.Options{})
			runFanout(b, ts, clients, max(rows/4, 1), rate)
			ts.stop(b)
		}
	})
}

func runFanout(b *testing.B, ts *testServer, clients, rows, rate int) {
	b.Helper()
	body, _ := json.Marshal(map[string]string{"ksql": "CREATE STREAM EVENTS (ID BIGINT KEY, SENT BIGINT, PAYLOAD STRING) WITH (kafka_topic='events', value_format='JSON', partitions=1);"})
	resp, err := http.Post(ts.url+"/ksql", "application/json", strings.NewReader(string(body)))
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("create: %v %v", err, resp)
	}
	resp.Body.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tr := &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: clients + 2}
	hc := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()

	type result struct {
		lat  []time.Duration
		seen map[int64]bool
		err  error
	}
	results := make([]result, clients)
	var ready, done sync.WaitGroup
	ready.Add(clients)
	done.Add(clients)
	for c := 0; c < clients; c++ {
		go func(c int) {
			defer done.Done()
			res := &results[c]
			res.seen = make(map[int64]bool, rows)
			q := fmt.Sprintf(`{"sql":"SELECT ID, SENT FROM EVENTS EMIT CHANGES LIMIT %d;"}`, rows)
			req, _ := http.NewRequestWithContext(ctx, "POST", ts.url+"/query-stream", strings.NewReader(q))
			resp, err := hc.Do(req)
			if err != nil {
				res.err = err
				ready.Done()
				return
			}
			defer resp.Body.Close()
			br := bufio.NewReaderSize(resp.Body, 64<<10)
			if _, err := br.ReadBytes('\n'); err != nil {
				res.err = err
				ready.Done()
				return
			}
			ready.Done()
			for {
				l, err := br.ReadBytes('\n')
				if err != nil {
					if err != io.EOF {
						res.err = err
					}
					return
				}
				now := time.Now().UnixNano()
				var row []int64
				if err := json.Unmarshal(l, &row); err != nil || len(row) != 2 {
					res.err = fmt.Errorf("row %q: %v", l, err)
					return
				}
				res.seen[row[0]] = true
				res.lat = append(res.lat, time.Duration(now-row[1]))
			}
		}(c)
	}
	ready.Wait()

	// One insert stream, written through a pipe while its acks are read.
	pr, pw := io.Pipe()
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.url+"/inserts-stream", pr)
	start := time.Now()
	ackErr := make(chan error, 1)
	var acked int
	go func() {
		resp, err := hc.Do(req)
		if err != nil {
			ackErr <- err
			return
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if !strings.Contains(sc.Text(), `"status":"ok"`) {
				ackErr <- fmt.Errorf("ack: %s", sc.Text())
				return
			}
			acked++
		}
		ackErr <- sc.Err()
	}()
	bw := bufio.NewWriter(pw)
	fmt.Fprintln(bw, `{"target":"EVENTS"}`)
	var tick *time.Ticker
	if rate > 0 {
		tick = time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
	}
	for i := 0; i < rows; i++ {
		if tick != nil {
			<-tick.C
		}
		fmt.Fprintf(bw, `{"ID":%d,"SENT":%d,"PAYLOAD":"event %d"}`+"\n", i, time.Now().UnixNano(), i)
		if tick != nil || i%16 == 15 {
			bw.Flush()
		}
	}
	bw.Flush()
	pw.Close()
	if err := <-ackErr; err != nil {
		b.Fatalf("inserts: %v", err)
	}
	insertDur := time.Since(start)
	done.Wait()
	total := time.Since(start)
	if acked != rows {
		b.Fatalf("%d acks, want %d", acked, rows)
	}
	var all []time.Duration
	for c, r := range results {
		if r.err != nil {
			b.Fatalf("client %d: %v", c, r.err)
		}
		if len(r.seen) != rows {
			b.Fatalf("client %d saw %d distinct rows, want %d", c, len(r.seen), rows)
		}
		all = append(all, r.lat...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	p := func(q float64) time.Duration { return all[int(q*float64(len(all)-1))] }
	b.ReportMetric(float64(rows)/insertDur.Seconds(), "inserts/s")
	b.ReportMetric(float64(rows*clients)/total.Seconds(), "rows-delivered/s")
	b.ReportMetric(float64(p(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p(0.99).Microseconds())/1000, "p99-ms")
	b.Logf("%d clients x %d rows: every client saw every row; inserts %.0f/s, delivered %.0f rows/s, latency p50 %v p99 %v max %v",
		clients, rows, float64(rows)/insertDur.Seconds(), float64(rows*clients)/total.Seconds(), p(0.5), p(0.99), all[len(all)-1])
}

// runReplay measures the delivery path alone: the rows are inserted first,
// then the clients read them all from the beginning at once.
func runReplay(b *testing.B, ts *testServer, clients, rows int) {
	b.Helper()
	body, _ := json.Marshal(map[string]string{"ksql": "CREATE STREAM EVENTS (ID BIGINT KEY, SENT BIGINT, PAYLOAD STRING) WITH (kafka_topic='events', value_format='JSON', partitions=1);"})
	resp, err := http.Post(ts.url+"/ksql", "application/json", strings.NewReader(string(body)))
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("create: %v %v", err, resp)
	}
	resp.Body.Close()
	var ins strings.Builder
	ins.WriteString(`{"target":"EVENTS"}` + "\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&ins, `{"ID":%d,"SENT":0,"PAYLOAD":"event %d"}`+"\n", i, i)
	}
	resp, err = http.Post(ts.url+"/inserts-stream", "application/json", strings.NewReader(ins.String()))
	if err != nil {
		b.Fatal(err)
	}
	acks, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if n := strings.Count(string(acks), `"status":"ok"`); n != rows {
		b.Fatalf("%d rows inserted, want %d", n, rows)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: clients + 2}
	hc := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	q := fmt.Sprintf(`{"sql":"SELECT ID, PAYLOAD FROM EVENTS EMIT CHANGES LIMIT %d;","properties":{"auto.offset.reset":"earliest"}}`, rows)
	start := time.Now()
	errs := make(chan error, clients)
	for c := 0; c < clients; c++ {
		go func() {
			resp, err := hc.Post(ts.url+"/query-stream", "application/json", strings.NewReader(q))
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			seen := make(map[string]bool, rows)
			sc.Scan() // header
			for sc.Scan() {
				id, _, _ := strings.Cut(strings.TrimPrefix(sc.Text(), "["), ",")
				seen[id] = true
			}
			if len(seen) != rows {
				errs <- fmt.Errorf("saw %d distinct rows, want %d", len(seen), rows)
				return
			}
			errs <- sc.Err()
		}()
	}
	for c := 0; c < clients; c++ {
		if err := <-errs; err != nil {
			b.Fatalf("client: %v", err)
		}
	}
	d := time.Since(start)
	b.ReportMetric(float64(rows*clients)/d.Seconds(), "rows-delivered/s")
	b.Logf("%d clients x %d stored rows: every client saw every row; delivered %.0f rows/s", clients, rows, float64(rows*clients)/d.Seconds())
}
