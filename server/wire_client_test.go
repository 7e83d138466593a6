package server_test

// This file is an independent client: it knows nothing of package server
// beyond its address, and checks every endpoint against ksqlDB's documented
// wire format (docs/rest.md, ksqlDB's REST API reference) with net/http and
// encoding/json only, error cases included.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/sluicedb/sluice/server"
)

type wire struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (w *wire) do(method, path, body string, hdr ...string) (int, http.Header, []byte) {
	w.t.Helper()
	req, err := http.NewRequest(method, w.base+path, strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/vnd.ksql.v1+json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := w.c.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, b
}

// ksql posts statements to /ksql and decodes the JSON answer.
func (w *wire) ksql(stmts string) (int, any) {
	w.t.Helper()
	b, _ := json.Marshal(map[string]any{"ksql": stmts, "streamsProperties": map[string]any{}})
	st, _, body := w.do("POST", "/ksql", string(b))
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		w.t.Fatalf("/ksql %q: not JSON: %v: %s", stmts, err, body)
	}
	return st, v
}

// errorBody checks the shape every error has and returns it.
func (w *wire) errorBody(status int, body []byte, wantStatus, wantCode int, wantType string) map[string]any {
	w.t.Helper()
	if status != wantStatus {
		w.t.Fatalf("status %d, want %d: %s", status, wantStatus, body)
	}
	var e map[string]any
	if err := json.Unmarshal(body, &e); err != nil {
		w.t.Fatalf("error body is not a JSON object: %v: %s", err, body)
	}
	if e["@type"] != wantType || e["error_code"] != float64(wantCode) {
		w.t.Fatalf("error body %s, want @type %s and error_code %d", body, wantType, wantCode)
	}
	if m, _ := e["message"].(string); m == "" {
		w.t.Fatalf("error body without message: %s", body)
	}
	return e
}

func TestWireEveryEndpoint(t *testing.T) {
	ts := startServer(t, server.Options{MaxBodyBytes: 64 << 10})
	w := &wire{t: t, base: ts.url, c: &http.Client{Timeout: 20 * time.Second}}

	// /info and /healthcheck.
	st, _, body := w.do("GET", "/info", "")
	var info struct {
		Info struct {
			Version, KsqlServiceID, ServerStatus string
		} `json:"KsqlServerInfo"`
	}
	if st != 200 || json.Unmarshal(body, &info) != nil || info.Info.Version == "" || info.Info.ServerStatus != "RUNNING" {
		t.Fatalf("/info: %d %s", st, body)
	}
	st, _, body = w.do("GET", "/healthcheck", "")
	if st != 200 || !strings.Contains(string(body), `"isHealthy":true`) {
		t.Fatalf("/healthcheck: %d %s", st, body)
	}

	// /ksql: DDL, listings, a description.
	st, v := w.ksql("CREATE STREAM PAGEVIEWS (ID INT KEY, PAGE STRING, N BIGINT) WITH (kafka_topic='pv', value_format='JSON', partitions=2);" +
		"SHOW STREAMS; DESCRIBE PAGEVIEWS; LIST PROPERTIES; SHOW FUNCTIONS; DESCRIBE FUNCTION UCASE; SHOW TOPICS; SHOW TYPES; SHOW VARIABLES; SHOW QUERIES;")
	if st != 200 {
		t.Fatalf("/ksql: %d %v", st, v)
	}
	ents := v.([]any)
	wantTypes := []string{"currentStatus", "streams", "sourceDescription", "properties", "function_names", "describe_function", "kafka_topics", "type_list", "variables", "queries"}
	if len(ents) != len(wantTypes) {
		t.Fatalf("/ksql: %d entities, want %d: %v", len(ents), len(wantTypes), v)
	}
	for i, e := range ents {
		m := e.(map[string]any)
		if m["@type"] != wantTypes[i] {
			t.Errorf("entity %d: @type %v, want %s", i, m["@type"], wantTypes[i])
		}
		if _, ok := m["statementText"].(string); !ok {
			t.Errorf("entity %d: no statementText", i)
		}
		if _, ok := m["warnings"].([]any); !ok {
			t.Errorf("entity %d: no warnings list", i)
		}
	}
	cs := ents[0].(map[string]any)
	if cs["commandId"] != "stream/PAGEVIEWS/create" || cs["commandStatus"].(map[string]any)["status"] != "SUCCESS" {
		t.Errorf("currentStatus: %v", cs)
	}
	if _, ok := cs["commandSequenceNumber"].(float64); !ok {
		t.Errorf("currentStatus without commandSequenceNumber: %v", cs)
	}
	sd := ents[2].(map[string]any)["sourceDescription"].(map[string]any)
	if sd["name"] != "PAGEVIEWS" || sd["topic"] != "pv" || len(sd["fields"].([]any)) != 3 {
		t.Errorf("sourceDescription: %v", sd)
	}

	// /status for the command just run.
	st, _, body = w.do("GET", "/status/stream/PAGEVIEWS/create", "")
	if st != 200 || !strings.Contains(string(body), `"status":"SUCCESS"`) {
		t.Fatalf("/status/stream/PAGEVIEWS/create: %d %s", st, body)
	}
	st, _, body = w.do("GET", "/status", "")
	if st != 200 || !strings.Contains(string(body), "stream/PAGEVIEWS/create") {
		t.Fatalf("/status: %d %s", st, body)
	}
	st, _, body = w.do("GET", "/status/stream/NOPE/create", "")
	w.errorBody(st, body, 404, 40400, "generic_error")

	// Errors of /ksql: bad JSON, no ksql field, an unknown statement, a
	// SELECT, a body over the limit, an unknown source.
	st, _, body = w.do("POST", "/ksql", `{"ksql": "SHOW STREAMS;"`)
	w.errorBody(st, body, 400, 40000, "generic_error")
	st, _, body = w.do("POST", "/ksql", `{"streamsProperties": {}}`)
	w.errorBody(st, body, 400, 40000, "generic_error")
	st, _, body = w.do("POST", "/ksql", `{"ksql": "FROB THE STREAMS;"}`)
	e := w.errorBody(st, body, 400, 40001, "statement_error")
	if !strings.Contains(e["message"].(string), "line 1:1") {
		t.Errorf("syntax error without position: %v", e)
	}
	st, _, body = w.do("POST", "/ksql", `{"ksql": "SELECT * FROM PAGEVIEWS EMIT CHANGES;"}`)
	e = w.errorBody(st, body, 400, 40002, "statement_error")
	if e["statementText"] != "SELECT * FROM PAGEVIEWS EMIT CHANGES" {
		t.Errorf("40002 statementText: %v", e["statementText"])
	}
	huge := `{"ksql": "` + strings.Repeat("x", 100<<10) + `"}`
	st, _, body = w.do("POST", "/ksql", huge)
	w.errorBody(st, body, 413, 41300, "generic_error")
	st, _, body = w.do("POST", "/ksql", `{"ksql": "DESCRIBE NOPE;"}`)
	w.errorBody(st, body, 400, 40001, "statement_error")

	// Unknown path and wrong method.
	st, _, body = w.do("GET", "/nope", "")
	w.errorBody(st, body, 404, 40400, "generic_error")
	st, _, body = w.do("GET", "/ksql", "")
	w.errorBody(st, body, 405, 40500, "generic_error")

	// /is_valid_property.
	st, _, body = w.do("GET", "/is_valid_property/auto.offset.reset", "")
	if st != 200 || strings.TrimSpace(string(body)) != "true" {
		t.Fatalf("/is_valid_property: %d %s", st, body)
	}
	st, _, body = w.do("GET", "/is_valid_property/not.a.property", "")
	w.errorBody(st, body, 400, 40000, "generic_error")

	// /inserts-stream: acks per row, errors carry their seq.
	ins := `{"target":"PAGEVIEWS"}` + "\n" +
		`{"ID":1,"PAGE":"home","N":10}` + "\n" +
		`{"id":2,"page":"about","n":20}` + "\n" +
		`{"ID":"not a number"}` + "\n" +
		`{"ID":3,"PAGE":"blog","N":30}` + "\n"
	st, hdr, body := w.do("POST", "/inserts-stream", ins)
	if st != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/vnd.ksqlapi.delimited.v1") {
		t.Fatalf("/inserts-stream: %d %s %s", st, hdr.Get("Content-Type"), body)
	}
	acks := map[float64]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(body)), "\n") {
		var a map[string]any
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("ack %q: %v", l, err)
		}
		acks[a["seq"].(float64)] = a["status"].(string)
	}
	if len(acks) != 4 || acks[0] != "ok" || acks[1] != "ok" || acks[2] != "error" || acks[3] != "ok" {
		t.Fatalf("acks: %s", body)
	}
	st, _, body = w.do("POST", "/inserts-stream", `{"target":"NOPE"}`+"\n")
	w.errorBody(st, body, 400, 40001, "generic_error")

	// /query: chunked JSON array, header, rows, final message.
	q := `{"ksql":"SELECT ID, PAGE FROM PAGEVIEWS EMIT CHANGES LIMIT 3;","streamsProperties":{"auto.offset.reset":"earliest"}}`
	st, _, body = w.do("POST", "/query", q)
	var arr []map[string]any
	if st != 200 || json.Unmarshal(body, &arr) != nil {
		t.Fatalf("/query: %d %s", st, body)
	}
	if len(arr) != 5 || arr[0]["header"].(map[string]any)["schema"] != "`ID` INTEGER, `PAGE` STRING" || arr[4]["finalMessage"] != "Limit Reached" {
		t.Fatalf("/query: %s", body)
	}
	rows := map[string]bool{}
	for _, el := range arr[1:4] {
		b, _ := json.Marshal(el["row"].(map[string]any)["columns"])
		rows[string(b)] = true
	}
	for _, want := range []string{`[1,"home"]`, `[2,"about"]`, `[3,"blog"]`} {
		if !rows[want] {
			t.Errorf("/query: row %s missing in %s", want, body)
		}
	}
	st, _, body = w.do("POST", "/query", `{"ksql":"SHOW STREAMS;"}`)
	w.errorBody(st, body, 400, 40001, "statement_error")
	st, _, body = w.do("POST", "/query", `{"ksql":"SELECT * FROM NOPE EMIT CHANGES;"}`)
	w.errorBody(st, body, 400, 40001, "statement_error")
	st, _, body = w.do("POST", "/query", `not json`)
	w.errorBody(st, body, 400, 40000, "generic_error")

	// /query-stream over HTTP/1.1, delimited (the default) and JSON.
	qs := `{"sql":"SELECT ID FROM PAGEVIEWS EMIT CHANGES LIMIT 2;","properties":{"auto.offset.reset":"earliest"}}`
	st, hdr, body = w.do("POST", "/query-stream", qs)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if st != 200 || hdr.Get("Content-Type") != "application/vnd.ksqlapi.delimited.v1" || len(lines) != 3 {
		t.Fatalf("/query-stream delimited: %d %s %q", st, hdr.Get("Content-Type"), body)
	}
	var meta struct {
		QueryID     string   `json:"queryId"`
		ColumnNames []string `json:"columnNames"`
		ColumnTypes []string `json:"columnTypes"`
	}
	if json.Unmarshal([]byte(lines[0]), &meta) != nil || meta.QueryID == "" || meta.ColumnNames[0] != "ID" || meta.ColumnTypes[0] != "INTEGER" {
		t.Fatalf("/query-stream header: %s", lines[0])
	}
	st, _, body = w.do("POST", "/query-stream", qs, "Accept", "application/json")
	var jarr []any
	if st != 200 || json.Unmarshal(body, &jarr) != nil || len(jarr) != 3 {
		t.Fatalf("/query-stream json: %d %s", st, body)
	}

	// /query-stream over HTTP/2 cleartext (prior knowledge).
	tr := &http.Transport{}
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetUnencryptedHTTP2(true)
	h2 := &wire{t: t, base: ts.url, c: &http.Client{Transport: tr, Timeout: 20 * time.Second}}
	req, _ := http.NewRequest("POST", ts.url+"/query-stream", strings.NewReader(qs))
	resp, err := h2.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != 200 || len(strings.Split(strings.TrimSpace(string(body)), "\n")) != 3 {
		t.Fatalf("/query-stream h2: proto %s status %d body %s", resp.Proto, resp.StatusCode, body)
	}

	// /close-query ends a running push query; the stream ends cleanly.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, "POST", ts.url+"/query-stream", strings.NewReader(`{"sql":"SELECT * FROM PAGEVIEWS EMIT CHANGES;"}`))
	resp, err = w.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	head, err := br.ReadBytes('\n')
	if err != nil || json.Unmarshal(head, &meta) != nil {
		t.Fatalf("push header: %v %s", err, head)
	}
	st, _, body = w.do("POST", "/close-query", `{"queryId":"`+meta.QueryID+`"}`)
	if st != 200 {
		t.Fatalf("/close-query: %d %s", st, body)
	}
	rest, err := io.ReadAll(br)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("stream after close-query: %v", err)
	}
	_ = rest
	st, _, body = w.do("POST", "/close-query", `{"queryId":"`+meta.QueryID+`"}`)
	w.errorBody(st, body, 400, 40000, "generic_error")
	st, _, body = w.do("POST", "/close-query", `{}`)
	w.errorBody(st, body, 400, 40000, "generic_error")

	// /ws/query: schema message, rows, close 1000.
	wsURL := "ws" + strings.TrimPrefix(ts.url, "http") + "/ws/query?request=" +
		url.QueryEscape(`{"ksql":"SELECT ID FROM PAGEVIEWS EMIT CHANGES LIMIT 2;","streamsProperties":{"auto.offset.reset":"earliest"}}`)
	conn, _, err := websocket.Dial(ctx, wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for {
		_, m, err := conn.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusNormalClosure {
				t.Fatalf("ws close: %v", err)
			}
			break
		}
		msgs = append(msgs, string(m))
	}
	if len(msgs) != 4 || !strings.Contains(msgs[0], `"name":"ID"`) || !strings.HasPrefix(msgs[1], `{"row":{"columns":[`) || !strings.Contains(msgs[3], "Limit Reached") {
		t.Fatalf("ws messages: %q", msgs)
	}
	conn, _, err = websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.url, "http")+"/ws/query?request="+url.QueryEscape(`{"ksql":"SELECT * FROM NOPE EMIT CHANGES;"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := conn.Read(ctx); websocket.CloseStatus(err) != websocket.StatusUnsupportedData {
		t.Fatalf("ws error close: %v", err)
	}

	// /metrics: Prometheus text with the server's and the log's series.
	st, hdr, body = w.do("GET", "/metrics", "")
	if st != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", st, hdr.Get("Content-Type"))
	}
	for _, series := range []string{"sluice_rest_rows_sent_total", "sluice_rest_inserts_rows_total 3", "sluice_log_appended_records_total", `sluice_rest_queries_started_total{endpoint="query-stream"}`} {
		if !bytes.Contains(body, []byte(series)) {
			t.Errorf("/metrics lacks %s", series)
		}
	}
}
