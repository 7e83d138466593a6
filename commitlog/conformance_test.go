package commitlog

import (
	"context"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/broker/brokertest"
	"github.com/sluicedb/sluice/commitlog/vfs"
)

func openTestLog(t *testing.T, dir string, fs vfs.FS) *Log {
	t.Helper()
	l, err := Open(dir, Options{FS: fs, CleanupInterval: -1})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return l
}

func harness(fs func(t *testing.T) (vfs.FS, string)) brokertest.Harness {
	return brokertest.Harness{
		Open: func(t *testing.T) broker.Log {
			f, dir := fs(t)
			return openTestLog(t, dir, f)
		},
		Reopen: func(t *testing.T, l broker.Log) broker.Log {
			cl := l.(*Log)
			if err := cl.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return openTestLog(t, cl.dir, cl.fs)
		},
		Cleanup: func(t *testing.T, l broker.Log) {
			if err := l.(*Log).RunCleanup(context.Background()); err != nil {
				t.Fatalf("RunCleanup: %v", err)
			}
		},
	}
}

// TestConformance runs the broker conformance suite on the real filesystem
// and on MemFS.
func TestConformance(t *testing.T) {
	t.Run("os", func(t *testing.T) {
		brokertest.Run(t, harness(func(t *testing.T) (vfs.FS, string) { return vfs.Default, t.TempDir() }))
	})
	t.Run("mem", func(t *testing.T) {
		brokertest.Run(t, harness(func(t *testing.T) (vfs.FS, string) { return vfs.NewMemFS(), "/data" }))
	})
}
