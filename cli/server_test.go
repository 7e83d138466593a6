package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sluicedb/sluice/engine"
	"github.com/sluicedb/sluice/server"
)

// TestRealServer runs the golden scripts through the remote backend
// against package server in-process over real HTTP, and compares the
// transcripts with testdata/cli/server-*.golden. Diffing those with the
// embedded goldens shows where the two backends still render differently.
func TestRealServer(t *testing.T) {
	for _, name := range []string{"tabular", "errors", "formats", "client", "tombstones"} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			eng, err := engine.Open(ctx, engine.Config{DataDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			srv, err := server.New(eng, server.Options{Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			hs := httptest.NewServer(srv)
			defer func() {
				hs.Close()
				srv.Shutdown(ctx)
				eng.Close()
			}()
			r, err := NewRemote(hs.URL, hs.Client())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Info(ctx); err != nil {
				t.Fatal(err)
			}
			f := filepath.Join("..", "testdata", "cli", name+".sql")
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			sh := New(Options{Backend: r, Out: &out, Err: &out, Width: 80})
			wd, _ := os.Getwd()
			if err := os.Chdir(filepath.Dir(f)); err != nil {
				t.Fatal(err)
			}
			transcript(ctx, sh, &out, string(src))
			os.Chdir(wd)
			checkGolden(t, filepath.Join("..", "testdata", "cli", "server-"+name+".golden"), out.String())
		})
	}
}
