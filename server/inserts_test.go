package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/server"
)

// insertStream is an open /inserts-stream: rows are written while acks
// are read.
type insertStream struct {
	w    *io.PipeWriter
	acks *bufio.Scanner
	resp *http.Response
}

func openInserts(t *testing.T, ctx context.Context, base, target string) *insertStream {
	t.Helper()
	pr, pw := io.Pipe()
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/inserts-stream", pr)
	type result struct {
		resp *http.Response
		err  error
	}
	rc := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		rc <- result{resp, err}
	}()
	if _, err := fmt.Fprintf(pw, `{"target":%q}`+"\n", target); err != nil {
		t.Fatal(err)
	}
	r := <-rc
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.resp.StatusCode != 200 {
		b, _ := io.ReadAll(r.resp.Body)
		t.Fatalf("inserts-stream: %d %s", r.resp.StatusCode, b)
	}
	return &insertStream{w: pw, acks: bufio.NewScanner(r.resp.Body), resp: r.resp}
}

func (s *insertStream) ack(t *testing.T) map[string]any {
	t.Helper()
	if !s.acks.Scan() {
		t.Fatalf("no ack: %v", s.acks.Err())
	}
	var a map[string]any
	if err := json.Unmarshal(s.acks.Bytes(), &a); err != nil {
		t.Fatalf("ack %q: %v", s.acks.Text(), err)
	}
	return a
}

// Acks come back while the client is still sending (full duplex over
// HTTP/1.1): each row is acked before the next is written.
func TestInsertsStreamFullDuplex(t *testing.T) {
	ts := startServer(t, server.Options{})
	mustKsql(t, ts.url, "CREATE STREAM S (ID INT KEY, V STRING) WITH (kafka_topic='s', value_format='JSON', partitions=1);")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := openInserts(t, ctx, ts.url, "S")
	for i := 0; i < 5; i++ {
		fmt.Fprintf(s.w, `{"ID":%d,"V":"v%d"}`+"\n", i, i)
		a := s.ack(t)
		if a["status"] != "ok" || a["seq"] != float64(i) {
			t.Fatalf("ack %d: %v", i, a)
		}
	}
	// A line over the body limit is refused with its seq; the stream ends.
	// The server stops reading at the limit, so the write is left
	// running; closing the pipe below ends it.
	go fmt.Fprintf(s.w, `{"V":"%s"}`+"\n", strings.Repeat("x", 5<<20))
	if a := s.ack(t); a["status"] != "error" || a["error_code"] != float64(41300) || a["seq"] != float64(5) {
		t.Fatalf("oversized line: %v", a)
	}
	s.w.Close()
	s.resp.Body.Close()
}

// An insert stream that sends nothing for StreamIdleTimeout is ended with
// an error ack.
func TestInsertsStreamIdleTimeout(t *testing.T) {
	ts := startServer(t, server.Options{StreamIdleTimeout: 200 * time.Millisecond})
	mustKsql(t, ts.url, "CREATE STREAM S (ID INT KEY, V STRING) WITH (kafka_topic='s', value_format='JSON', partitions=1);")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := openInserts(t, ctx, ts.url, "S")
	defer s.w.Close()
	defer s.resp.Body.Close()
	a := s.ack(t)
	if a["status"] != "error" || !strings.Contains(fmt.Sprint(a["message"]), "timeout") {
		t.Fatalf("idle stream: %v", a)
	}
	if s.acks.Scan() {
		t.Fatalf("stream continued after the idle timeout: %s", s.acks.Text())
	}
}

// Shutdown ends an open insert stream after the rows it acked; the rows
// are in the stream.
func TestInsertsStreamShutdown(t *testing.T) {
	ts := startServer(t, server.Options{})
	mustKsql(t, ts.url, "CREATE STREAM S (ID INT KEY, V STRING) WITH (kafka_topic='s', value_format='JSON', partitions=1);")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := openInserts(t, ctx, ts.url, "S")
	defer s.w.Close()
	fmt.Fprintln(s.w, `{"ID":1,"V":"a"}`)
	if a := s.ack(t); a["status"] != "ok" {
		t.Fatalf("ack: %v", a)
	}
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	start := time.Now()
	if err := ts.srv.Shutdown(sctx); err != nil {
		t.Fatalf("shutdown with an open insert stream: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("shutdown waited %v for the insert stream", d)
	}
	if s.acks.Scan() {
		t.Fatalf("ack after shutdown: %s", s.acks.Text())
	}
	s.resp.Body.Close()
}

// Over HTTP/2 cleartext the insert stream is full duplex too.
func TestInsertsStreamHTTP2(t *testing.T) {
	ts := startServer(t, server.Options{})
	mustKsql(t, ts.url, "CREATE STREAM S (ID INT KEY, V STRING) WITH (kafka_topic='s', value_format='JSON', partitions=1);")
	tr := &http.Transport{}
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetUnencryptedHTTP2(true)
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	defer pw.Close()
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.url+"/inserts-stream", pr)
	respc := make(chan *http.Response, 1)
	go func() {
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Error(err)
			close(respc)
			return
		}
		respc <- resp
	}()
	fmt.Fprintln(pw, `{"target":"S"}`)
	resp, ok := <-respc
	if !ok {
		return
	}
	defer resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Fatalf("protocol %s, want HTTP/2", resp.Proto)
	}
	sc := bufio.NewScanner(resp.Body)
	for i := 0; i < 3; i++ {
		fmt.Fprintf(pw, `{"ID":%d}`+"\n", i)
		if !sc.Scan() || !strings.Contains(sc.Text(), fmt.Sprintf(`"status":"ok","seq":%d`, i)) {
			t.Fatalf("ack %d: %q %v", i, sc.Text(), sc.Err())
		}
	}
}
