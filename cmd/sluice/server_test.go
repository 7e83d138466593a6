package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// `sluice server` serves on the address it was given, keeps what it was
// told across a restart on the same data directory, and exits 0 when its
// context (the signal) ends.
func TestServerCommand(t *testing.T) {
	dir := t.TempDir()
	start := func() (string, context.CancelFunc, chan int, *syncBuffer) {
		ctx, cancel := context.WithCancel(context.Background())
		addrc := make(chan string, 1)
		code := make(chan int, 1)
		out, errw := newSyncBuffer(), newSyncBuffer()
		go func() {
			code <- runServer(ctx, serverOptions{listen: "127.0.0.1:0", dataDir: dir, shutdownTimeout: 10 * time.Second,
				ready: func(a string) { addrc <- a }}, out, errw)
		}()
		select {
		case a := <-addrc:
			return "http://" + a, cancel, code, out
		case c := <-code:
			t.Fatalf("server exited with %d: %s", c, errw.String())
		case <-time.After(20 * time.Second):
			t.Fatal("server did not start")
		}
		return "", cancel, code, out
	}
	post := func(base, body string) string {
		resp, err := http.Post(base+"/ksql", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("/ksql: %d %s", resp.StatusCode, b)
		}
		return string(b)
	}
	base, cancel, code, out := start()
	post(base, `{"ksql":"CREATE STREAM S (ID INT KEY, V STRING) WITH (kafka_topic='s', value_format='JSON', partitions=1);"}`)
	if !strings.Contains(out.String(), "sluice shell --server http://127.0.0.1:") {
		t.Errorf("startup output does not tell how to open the shell: %q", out.String())
	}
	cancel()
	if c := <-code; c != 0 {
		t.Fatalf("exit code %d", c)
	}
	base, cancel, code, _ = start()
	defer func() {
		cancel()
		<-code
	}()
	if got := post(base, `{"ksql":"SHOW STREAMS;"}`); !strings.Contains(got, `"name":"S"`) {
		t.Fatalf("stream lost across restart: %s", got)
	}
}

func TestServerCommandFlags(t *testing.T) {
	var out, errw bytes.Buffer
	if c := serverCommand([]string{"--bogus"}, nil, &out, &errw); c != 2 {
		t.Fatalf("bad flag: exit %d", c)
	}
	if c := serverCommand([]string{"extra"}, nil, &out, &errw); c != 2 {
		t.Fatalf("extra argument: exit %d", c)
	}
	if c := serverCommand([]string{"--listen", "256.0.0.1:1", "--data-dir", t.TempDir()}, nil, &out, &errw); c != 1 {
		t.Fatalf("bad listen address: exit %d (%s)", c, errw.String())
	}
}
