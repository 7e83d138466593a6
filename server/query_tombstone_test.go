package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/server"
)

// TestQueryTombstones checks how each front door shows a table's deletes
// in a push query: /query and the websocket as ksqlDB's StreamedRow with
// "tombstone": true, /query-stream leaves them out as ksqlDB does unless
// the client asks (tombstones=true). With a WHERE, only a key the filter
// output gets a tombstone (B, rejected from the start, gets none).
func TestQueryTombstones(t *testing.T) {
	ts := startServer(t, server.Options{})
	w := &wire{t: t, base: ts.url, c: &http.Client{}}
	if st, v := w.ksql(`CREATE TABLE T (ID STRING PRIMARY KEY, N INT) WITH (kafka_topic='t', value_format='JSON', partitions=1);`); st != 200 {
		t.Fatalf("create: %d %v", st, v)
	}
	recs := []broker.Record{
		{Key: []byte("A"), Value: []byte(`{"N":1}`)},
		{Key: []byte("B"), Value: []byte(`{"N":-1}`)},
		{Key: []byte("A")}, // a tombstone
		{Key: []byte("C"), Value: []byte(`{"N":3}`)},
		{Key: []byte("B")},
	}
	if _, err := ts.eng.Log().Append(context.Background(), broker.TopicPartition{Topic: "t"}, recs); err != nil {
		t.Fatal(err)
	}
	all := `SELECT * FROM T EMIT CHANGES LIMIT 5;`
	positive := `SELECT ID, N FROM T WHERE N > 0 EMIT CHANGES LIMIT 3;`
	earliest := `{"auto.offset.reset":"earliest"}`
	query := func(sql string) string {
		t.Helper()
		st, _, body := w.do("POST", "/query", `{"ksql":"`+sql+`","streamsProperties":`+earliest+`}`)
		if st != 200 {
			t.Fatalf("/query %s: %d %s", sql, st, body)
		}
		return rowLines(string(body))
	}
	stream := func(sql, accept string) string {
		t.Helper()
		st, _, body := w.do("POST", "/query-stream", `{"sql":"`+sql+`","properties":`+earliest+`}`, "Accept", accept)
		if st != 200 {
			t.Fatalf("/query-stream %s: %d %s", sql, st, body)
		}
		return rowLines(string(body))
	}
	cases := []struct{ name, got, want string }{
		{"/query", query(all), `{"row":{"columns":["A",1]}}
{"row":{"columns":["B",-1]}}
{"row":{"columns":["A",null],"tombstone":true}}
{"row":{"columns":["C",3]}}
{"row":{"columns":["B",null],"tombstone":true}}`},
		{"/query WHERE", query(positive), `{"row":{"columns":["A",1]}}
{"row":{"columns":["A",null],"tombstone":true}}
{"row":{"columns":["C",3]}}`},
		{"/query-stream", stream(all, "application/vnd.ksqlapi.delimited.v1"), `["A",1]
["B",-1]
["C",3]`},
		{"/query-stream tombstones=true", stream(all, "application/vnd.ksqlapi.delimited.v1; tombstones=true"), `["A",1]
["B",-1]
{"row":{"columns":["A",null],"tombstone":true}}
["C",3]
{"row":{"columns":["B",null],"tombstone":true}}`},
		{"/query-stream JSON", stream(positive, "application/json"), `["A",1]
["C",3]`},
		{"/query-stream JSON tombstones=true", stream(positive, "application/json;tombstones=true"), `["A",1]
{"row":{"columns":["A",null],"tombstone":true}}
["C",3]`},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s:\n%s\nwant:\n%s", c.name, c.got, c.want)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(ts.url, "http") + "/ws/query?request=" +
		url.QueryEscape(`{"ksql":"`+positive+`","streamsProperties":`+earliest+`}`)
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
	if got, want := rowLines(strings.Join(msgs[1:], "\n")), `{"row":{"columns":["A",1]}}
{"row":{"columns":["A",null],"tombstone":true}}
{"row":{"columns":["C",3]}}`; got != want {
		t.Errorf("websocket:\n%s\nwant:\n%s", got, want)
	}
}

// rowLines keeps the row elements of a streamed response (a JSON array, or
// one JSON value per line), one per line: arrays, and objects with a
// "row", as they were sent.
func rowLines(body string) string {
	var els []json.RawMessage
	if err := json.Unmarshal([]byte(body), &els); err != nil {
		els = nil
		for _, line := range strings.Split(body, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				els = append(els, json.RawMessage(line))
			}
		}
	}
	var rows []string
	for _, el := range els {
		var b bytes.Buffer
		if json.Compact(&b, el) != nil {
			continue
		}
		if s := b.String(); strings.HasPrefix(s, "[") || strings.HasPrefix(s, `{"row"`) {
			rows = append(rows, s)
		}
	}
	return strings.Join(rows, "\n")
}
