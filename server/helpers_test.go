package server_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/sluicedb/sluice/engine"
	"github.com/sluicedb/sluice/server"
)

// testServer is a server on a real listener on port 0 over an engine on a
// temporary directory.
type testServer struct {
	eng  *engine.Engine
	srv  *server.Server
	url  string
	done chan error
}

func startServer(t testing.TB, opts server.Options) *testServer {
	t.Helper()
	return startServerDir(t, t.TempDir(), opts)
}

func startServerDir(t testing.TB, dir string, opts server.Options) *testServer {
	t.Helper()
	eng, err := engine.Open(context.Background(), engine.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{eng: eng, srv: srv, url: "http://" + l.Addr().String(), done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(l) }()
	t.Cleanup(func() { ts.stop(t) })
	return ts
}

func (ts *testServer) stop(t testing.TB) {
	if ts.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if err := <-ts.done; err != http.ErrServerClosed {
		t.Errorf("serve: %v", err)
	}
	if err := ts.eng.Close(); err != nil {
		t.Errorf("engine close: %v", err)
	}
	ts.srv = nil
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
