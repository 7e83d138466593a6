package server_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/server"
)

// A client that stops reading loses its stream after WriteTimeout: its
// push query is closed and its slot freed, while it still holds the
// connection open.
func TestStalledClientLosesStream(t *testing.T) {
	ts := startServer(t, server.Options{WriteTimeout: 200 * time.Millisecond})
	mustKsql(t, ts.url, "CREATE STREAM S (ID INT KEY, V STRING) WITH (kafka_topic='s', value_format='JSON', partitions=1);")
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4 << 10) // fill up quickly
	}
	body := `{"sql":"SELECT * FROM S EMIT CHANGES;"}`
	fmt.Fprintf(conn, "POST /query-stream HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	waitFor(t, 10*time.Second, "the push query to start", func() bool {
		return metricValue(t, ts.url, `sluice_queries{state="RUNNING",type="PUSH"}`) == "1"
	})
	// Rows far bigger than the socket buffers, which the client never
	// reads.
	payload := strings.Repeat("x", 256<<10)
	var ins strings.Builder
	ins.WriteString(`{"target":"S"}` + "\n")
	for i := 0; i < 64; i++ {
		fmt.Fprintf(&ins, `{"ID":%d,"V":"%s"}`+"\n", i, payload)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.url+"/inserts-stream", strings.NewReader(ins.String()))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	waitFor(t, 20*time.Second, "the stalled client's push query to be closed", func() bool {
		return metricValue(t, ts.url, `sluice_queries{state="RUNNING",type="PUSH"}`) == "0"
	})
}
