package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeServer speaks the ksqlDB REST wire format as REST_API.md documents
// it, with canned entities, and records what the client sent. It stands in
// for the server package, which is built at the same time as this client.
type fakeServer struct {
	t *testing.T

	mu       sync.Mutex
	requests []map[string]any // decoded /ksql and /query-stream bodies
	closed   []string         // query ids sent to /close-query
	gone     int              // push queries whose client went away
}

func (f *fakeServer) record(body map[string]any) {
	f.mu.Lock()
	f.requests = append(f.requests, body)
	f.mu.Unlock()
}

func writeJSON(w http.ResponseWriter, status int, v string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, v)
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if r.Method == http.MethodPost {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, 400, `{"@type":"generic_error","error_code":40000,"message":"bad json"}`)
			return
		}
	}
	switch r.URL.Path {
	case "/info":
		writeJSON(w, 200, `{"KsqlServerInfo":{"version":"0.29.0","kafkaClusterId":"x","ksqlServiceId":"default_","serverStatus":"RUNNING"}}`)
	case "/ksql":
		f.record(body)
		f.ksql(w, body["ksql"].(string))
	case "/query-stream":
		f.record(body)
		if r.Header.Get("Accept") != delimitedMediaType+";tombstones=true" {
			writeJSON(w, 406, `{"@type":"generic_error","error_code":40600,"message":"unsupported media type"}`)
			return
		}
		f.query(w, r, body["sql"].(string))
	case "/close-query":
		f.mu.Lock()
		f.closed = append(f.closed, body["queryId"].(string))
		f.mu.Unlock()
		w.WriteHeader(200)
	default:
		writeJSON(w, 404, `{"@type":"generic_error","error_code":40400,"message":"not found"}`)
	}
}

func (f *fakeServer) ksql(w http.ResponseWriter, stmt string) {
	up := strings.ToUpper(stmt)
	switch {
	case strings.HasPrefix(up, "CREATE STREAM"):
		writeJSON(w, 200, `[{"@type":"currentStatus","statementText":`+quote(stmt)+`,"commandId":"stream/S/create","commandStatus":{"status":"SUCCESS","message":"Stream created"},"commandSequenceNumber":2,"warnings":[]}]`)
	case up == "SHOW STREAMS;":
		writeJSON(w, 200, `[{"@type":"streams","statementText":"SHOW STREAMS;","streams":[{"type":"STREAM","name":"S","topic":"s","keyFormat":"KAFKA","valueFormat":"JSON","isWindowed":false}],"warnings":[]}]`)
	case up == "SHOW TABLES;":
		writeJSON(w, 200, `[{"@type":"tables","statementText":"SHOW TABLES;","tables":[],"warnings":[]}]`)
	case up == "SHOW FUNCTIONS;":
		writeJSON(w, 200, `[{"@type":"function_names","statementText":"SHOW FUNCTIONS;","functions":[{"name":"UCASE","type":"SCALAR","category":"STRING"},{"name":"SUBSTRING","type":"SCALAR","category":"STRING"}],"warnings":[]}]`)
	case up == "SHOW QUERIES;":
		writeJSON(w, 200, `[{"@type":"queries","statementText":"SHOW QUERIES;","queries":[{"queryString":"CREATE STREAM T AS SELECT * FROM S EMIT CHANGES;","sinks":["T"],"sinkKafkaTopics":["T"],"id":"CSAS_T_0","statusCount":{"RUNNING":1},"queryType":"PERSISTENT","state":"RUNNING"}],"warnings":[]}]`)
	case up == "DESCRIBE S;":
		writeJSON(w, 200, `[{"@type":"sourceDescription","statementText":"DESCRIBE S;","sourceDescription":{"name":"S","windowType":null,"readQueries":[],"writeQueries":[],"fields":[{"name":"ID","schema":{"type":"INTEGER","fields":null,"memberSchema":null},"type":"KEY"},{"name":"NAME","schema":{"type":"STRING","fields":null,"memberSchema":null}},{"name":"TAGS","schema":{"type":"ARRAY","fields":null,"memberSchema":{"type":"STRING"}}},{"name":"LOC","schema":{"type":"STRUCT","fields":[{"name":"LAT","schema":{"type":"DOUBLE"}}],"memberSchema":null}}],"type":"STREAM","timestamp":"","statistics":"","errorStats":"","extended":false,"keyFormat":"KAFKA","valueFormat":"JSON","topic":"s","partitions":1,"replication":1,"statement":"CREATE STREAM S ..."},"warnings":[]}]`)
	case strings.HasPrefix(up, "DROP STREAM IF EXISTS"):
		writeJSON(w, 200, `[{"@type":"warning_entity","statementText":`+quote(stmt)+`,"message":"Source NOPE does not exist.","warnings":[]}]`)
	case strings.HasPrefix(up, "SHOW CONNECTORS"):
		writeJSON(w, 200, `[{"@type":"connector_list","statementText":"SHOW CONNECTORS;","connectors":[],"warnings":[]}]`)
	default:
		writeJSON(w, 400, `{"@type":"statement_error","error_code":40001,"message":"line 1:6: Syntax Error\nSyntax error at or near 'STREMS' at line 1:6","statementText":`+quote(stmt)+`,"entities":[]}`)
	}
}

func (f *fakeServer) query(w http.ResponseWriter, r *http.Request, sql string) {
	up := strings.ToUpper(sql)
	if strings.Contains(up, "NOPE") {
		writeJSON(w, 400, `{"@type":"statement_error","error_code":40001,"message":"Line: 1, Col: 8: SELECT column 'NOPE' cannot be resolved.","statementText":`+quote(sql)+`}`)
		return
	}
	w.Header().Set("Content-Type", delimitedMediaType)
	w.WriteHeader(200)
	fl := w.(http.Flusher)
	if strings.HasPrefix(up, "PRINT") {
		io.WriteString(w, "Key format: KAFKA_INT\nValue format: JSON\nrowtime: 2026/01/01 00:00:00.000 Z, key: 1, value: {\"NAME\":\"a\"}, partition: 0\n")
		return
	}
	io.WriteString(w, `{"queryId":"transient_S_42","columnNames":["ID","NAME","LOC"],"columnTypes":["INTEGER","STRING","STRUCT<\u0060LAT\u0060 DOUBLE>"]}`+"\n")
	io.WriteString(w, `[1,"alice",{"LAT":1.5,"A":null}]`+"\n")
	fl.Flush()
	switch {
	case strings.Contains(up, "LIMIT"):
		// A table's delete, as a Sluice server sends it when asked.
		io.WriteString(w, `{"row":{"columns":[1,null,null],"tombstone":true}}`+"\n")
		io.WriteString(w, `[2,null,null]`+"\n")
	case strings.Contains(up, "FAIL"):
		io.WriteString(w, `{"@type":"generic_error","error_code":50000,"message":"query failed: log closed"}`+"\n")
	default:
		// An unlimited push query runs until the client goes away.
		<-r.Context().Done()
		f.mu.Lock()
		f.gone++
		f.mu.Unlock()
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func newFake(t *testing.T) (*fakeServer, *Remote) {
	f := &fakeServer{t: t}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	r, err := NewRemote(srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return f, r
}

func TestRemoteGolden(t *testing.T) {
	_, r := newFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if v, err := r.Info(ctx); err != nil || v != "0.29.0" {
		t.Fatalf("Info = %q, %v", v, err)
	}
	var out bytes.Buffer
	sh := New(Options{Backend: r, Out: &out, Err: &out, Width: 80})
	transcript(ctx, sh, &out, `CREATE STREAM s (id INT KEY, name STRING) WITH (kafka_topic='s', value_format='JSON');
SHOW STREAMS;
SHOW TABLES;
SHOW QUERIES;
DESCRIBE s;
SELECT * FROM s EMIT CHANGES LIMIT 2;
SELECT nope FROM s EMIT CHANGES;
SELECT * FROM s WHERE fail EMIT CHANGES;
PRINT 's' FROM BEGINNING LIMIT 1;
SHOW STREMS;
DROP STREAM IF EXISTS nope;
SHOW CONNECTORS;
SET 'auto.offset.reset'='earliest';
DEFINE x = 'y';
SHOW VARIABLES;
UNSET 'auto.offset.reset';
UNDEFINE z;
`)
	checkGolden(t, "../testdata/cli/remote.golden", out.String())
}

// SET and DEFINE stay on the client and go with every request, since the
// REST API keeps no session.
func TestRemoteSessionState(t *testing.T) {
	f, r := newFake(t)
	ctx := context.Background()
	for _, st := range []string{"SET 'auto.offset.reset'='earliest';", "DEFINE topic = 's';", "SHOW STREAMS;", "SELECT * FROM s EMIT CHANGES LIMIT 2;"} {
		res, err := r.Execute(ctx, st)
		if err != nil {
			t.Fatalf("%s: %v", st, err)
		}
		for _, x := range res {
			if s, ok := x.(*Stream); ok {
				for {
					if _, ok := s.Next(ctx); !ok {
						break
					}
				}
				s.Close()
			}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) != 2 {
		t.Fatalf("want 2 requests (SET and DEFINE are local), got %d: %v", len(f.requests), f.requests)
	}
	ksql, query := f.requests[0], f.requests[1]
	if p := ksql["streamsProperties"].(map[string]any); p["auto.offset.reset"] != "earliest" {
		t.Errorf("/ksql streamsProperties = %v", p)
	}
	if v := ksql["sessionVariables"].(map[string]any); v["topic"] != "s" {
		t.Errorf("/ksql sessionVariables = %v", v)
	}
	if p := query["properties"].(map[string]any); p["auto.offset.reset"] != "earliest" {
		t.Errorf("/query-stream properties = %v", p)
	}
	if query["sql"] != "SELECT * FROM s EMIT CHANGES LIMIT 2;" {
		t.Errorf("/query-stream sql = %v", query["sql"])
	}
	// The query ended by itself: nothing to close.
	if len(f.closed) != 0 {
		t.Errorf("close-query sent for a finished query: %v", f.closed)
	}
}

// Cancelling a push query (Ctrl-C) ends the stream on the client, drops the
// connection and tells the server with /close-query.
func TestRemoteCancelPushQuery(t *testing.T) {
	f, r := newFake(t)
	var out lockedBuffer
	sh := New(Options{Backend: r, Out: &out, Err: &out})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sh.Statement(ctx, "SELECT * FROM s EMIT CHANGES;") }()

	deadline := time.After(20 * time.Second)
	// Wait for the first row to be on screen, then interrupt.
	for !strings.Contains(out.String(), "|alice") {
		select {
		case <-deadline:
			t.Fatalf("first row never shown:\n%s", out.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("cancelled query returned %v", err)
		}
	case <-deadline:
		t.Fatal("statement did not return after cancel")
	}
	if !strings.Contains(out.String(), "Query terminated") {
		t.Errorf("output lacks 'Query terminated':\n%s", out.String())
	}
	for {
		f.mu.Lock()
		gone, closed := f.gone, append([]string(nil), f.closed...)
		f.mu.Unlock()
		if gone == 1 && len(closed) == 1 && closed[0] == "transient_S_42" {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("server saw gone=%d close-query=%v", gone, closed)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// lockedBuffer is an output buffer a test can read while the shell writes
// it from another goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
