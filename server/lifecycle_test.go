package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/engine"
	"github.com/sluicedb/sluice/server"
)

func mustKsql(t *testing.T, base, stmts string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"ksql": stmts})
	resp, err := http.Post(base+"/ksql", "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/ksql %q: %d %s", stmts, resp.StatusCode, body)
	}
}

// openPush starts a push query on /query-stream and returns once its
// header arrived, with the reader positioned at the first row.
func openPush(t *testing.T, ctx context.Context, base, sql string) (*http.Response, *bufio.Reader, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/query-stream", strings.NewReader(`{"sql":"`+sql+`"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("push query: %d %s", resp.StatusCode, body)
	}
	br := bufio.NewReader(resp.Body)
	head, err := br.ReadBytes('\n')
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		QueryID string `json:"queryId"`
	}
	if err := json.Unmarshal(head, &meta); err != nil {
		t.Fatal(err)
	}
	return resp, br, meta.QueryID
}

func metricValue(t *testing.T, base, series string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, l := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(l, series+" ") {
			return strings.TrimPrefix(l, series+" ")
		}
	}
	return ""
}

// A push query whose client goes away is closed: its slot is released and
// no goroutine of the query (task, reader, handler) is left behind.
func TestClientGoneCleansUp(t *testing.T) {
	ts := startServer(t, server.Options{})
	mustKsql(t, ts.url, "CREATE STREAM S (ID INT KEY, V STRING) WITH (kafka_topic='s', value_format='JSON', partitions=2);")
	http.DefaultClient.CloseIdleConnections()
	runtime.GC()
	base := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		resp, br, _ := openPush(t, ctx, ts.url, "SELECT * FROM S EMIT CHANGES;")
		mustKsql(t, ts.url, "INSERT INTO S (ID, V) VALUES (1, 'a');")
		if _, err := br.ReadBytes('\n'); err != nil {
			t.Fatalf("row: %v", err)
		}
		cancel()
		resp.Body.Close()
	}
	waitFor(t, 10*time.Second, "push queries to be closed", func() bool {
		return metricValue(t, ts.url, `sluice_queries{state="RUNNING",type="PUSH"}`) == "0"
	})
	waitFor(t, 10*time.Second, "client disconnects to be counted", func() bool {
		return metricValue(t, ts.url, "sluice_rest_client_disconnects_total") == "5"
	})
	http.DefaultClient.CloseIdleConnections()
	var now int
	waitFor(t, 10*time.Second, "goroutines to return to the baseline", func() bool {
		now = runtime.NumGoroutine()
		return now <= base
	})
	t.Logf("goroutines: baseline %d, after 5 abandoned push queries %d", base, now)
}

// MaxPushQueries bounds running push queries; a query that ended frees
// its slot.
func TestMaxPushQueries(t *testing.T) {
	ts := startServer(t, server.Options{MaxPushQueries: 2})
	mustKsql(t, ts.url, "CREATE STREAM S (ID INT KEY, V STRING) WITH (kafka_topic='s', value_format='JSON', partitions=1);")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r1, _, id1 := openPush(t, ctx, ts.url, "SELECT * FROM S EMIT CHANGES;")
	defer r1.Body.Close()
	r2, _, _ := openPush(t, ctx, ts.url, "SELECT * FROM S EMIT CHANGES;")
	defer r2.Body.Close()
	resp, err := http.Post(ts.url+"/query-stream", "application/json", strings.NewReader(`{"sql":"SELECT * FROM S EMIT CHANGES;"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), `"error_code":42900`) {
		t.Fatalf("third push query: %d %s", resp.StatusCode, body)
	}
	resp, err = http.Post(ts.url+"/close-query", "application/json", strings.NewReader(`{"queryId":"`+id1+`"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("close-query: %v %v", err, resp)
	}
	resp.Body.Close()
	waitFor(t, 10*time.Second, "a slot to free", func() bool {
		return metricValue(t, ts.url, `sluice_queries{state="RUNNING",type="PUSH"}`) == "1"
	})
	r3, _, _ := openPush(t, ctx, ts.url, "SELECT * FROM S EMIT CHANGES;")
	r3.Body.Close()
}

// Shutdown ends running push queries with an error element (the client
// learns why), refuses new requests, and lets the engine close after it:
// rows inserted before shutdown are in the log after a restart.
func TestGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	ts := startServerDir(t, dir, server.Options{})
	mustKsql(t, ts.url, "CREATE STREAM S (ID INT KEY, V STRING) WITH (kafka_topic='s', value_format='JSON', partitions=1);"+
		"CREATE STREAM T AS SELECT * FROM S;")
	mustKsql(t, ts.url, "INSERT INTO S (ID, V) VALUES (1, 'a'); INSERT INTO S (ID, V) VALUES (2, 'b');")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, br, _ := openPush(t, ctx, ts.url, "SELECT * FROM S EMIT CHANGES;")
	defer resp.Body.Close()
	ended := make(chan string, 1)
	go func() {
		rest, _ := io.ReadAll(br)
		ended <- string(rest)
	}()
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := ts.srv.Shutdown(sctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	select {
	case rest := <-ended:
		if !strings.Contains(rest, `"error_code":50302`) {
			t.Fatalf("push query ended without the shutdown error: %q", rest)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("push query did not end on shutdown")
	}
	// The handler refuses requests that arrive now (on a connection that
	// was already open or through the handler directly).
	rec := &recorder{h: http.Header{}}
	req, _ := http.NewRequest("GET", "/info", nil)
	ts.srv.ServeHTTP(rec, req)
	if rec.status != http.StatusServiceUnavailable {
		t.Fatalf("request after shutdown: %d", rec.status)
	}
	if err := ts.eng.WaitCaughtUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts.stop(t)
	// After a restart, the persistent query's output holds both rows.
	eng, err := engine.Open(context.Background(), engine.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	sess := eng.NewSession()
	qctx, qcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer qcancel()
	res, err := sess.Execute(qctx, "SET 'auto.offset.reset'='earliest'; SELECT * FROM T EMIT CHANGES LIMIT 2;")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res {
		if rs, ok := r.(*engine.RowStream); ok {
			for {
				row, ok := rs.Next(qctx)
				if !ok {
					break
				}
				got = append(got, engine.FormatRow(row))
			}
			rs.Close()
		}
	}
	if strings.Join(got, ";") != "1 | 'a';2 | 'b'" {
		t.Fatalf("T after restart: %q", got)
	}
}

type recorder struct {
	h      http.Header
	status int
	body   strings.Builder
}

func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(s int)           { r.status = s }

// Per-query metrics come from the engine: a persistent query's records in
// and out show under its id.
func TestQueryMetrics(t *testing.T) {
	ts := startServer(t, server.Options{})
	mustKsql(t, ts.url, "CREATE STREAM S (ID INT KEY, V STRING) WITH (kafka_topic='s', value_format='JSON', partitions=1);"+
		"CREATE STREAM T AS SELECT * FROM S WHERE ID > 1;")
	mustKsql(t, ts.url, "INSERT INTO S (ID, V) VALUES (1, 'a'); INSERT INTO S (ID, V) VALUES (2, 'b'); INSERT INTO S (ID, V) VALUES (3, 'c');")
	if err := ts.eng.WaitCaughtUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "records in and out", func() bool {
		return metricValue(t, ts.url, `sluice_query_records_in_total{query_id="CSAS_T_0"}`) == "3" &&
			metricValue(t, ts.url, `sluice_query_records_out_total{query_id="CSAS_T_0"}`) == "2"
	})
	if v := metricValue(t, ts.url, `sluice_queries{state="RUNNING",type="PERSISTENT"}`); v != "1" {
		t.Errorf("persistent queries running: %q", v)
	}
}
