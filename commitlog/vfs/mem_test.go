package vfs

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func mustWrite(t *testing.T, f File, off int64, s string) {
	t.Helper()
	if _, err := f.WriteAt([]byte(s), off); err != nil {
		t.Fatal(err)
	}
}

func contents(t *testing.T, fs FS, name string) string {
	t.Helper()
	b, err := ReadFile(fs, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMemFSCrash(t *testing.T) {
	fs := NewMemFS()
	fs.MkdirAll("/d")
	f, _ := fs.Create("/d/a")
	mustWrite(t, f, 0, "synced")
	f.Sync()
	fs.SyncDir("/d")
	mustWrite(t, f, 6, "-unsynced")
	g, _ := fs.Create("/d/b") // never made durable by a directory sync
	mustWrite(t, g, 0, "b")
	g.Sync()

	c := fs.Crash(nil)
	if got := contents(t, c, "/d/a"); got != "synced" {
		t.Fatalf("crash without rng kept %q", got)
	}
	if c.Exists("/d/b") {
		t.Fatal("file created without a directory sync survived the crash")
	}
	// With an rng, some prefix of the unsynced tail survives, never more.
	seen := map[int]bool{}
	rng := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 200; i++ {
		got := contents(t, fs.Crash(rng), "/d/a")
		if len(got) < 6 || got != "synced-unsynced"[:len(got)] {
			t.Fatalf("crash kept %q", got)
		}
		seen[len(got)] = true
	}
	if !seen[6] || !seen[15] || len(seen) < 5 {
		t.Fatalf("crash kept too few distinct prefixes: %v", seen)
	}
	// An overwrite below the synced length reverts to the synced data.
	mustWrite(t, f, 0, "XX")
	if got := contents(t, fs.Crash(rng), "/d/a"); got != "synced" {
		t.Fatalf("overwrite survived: %q", got)
	}
	// Renames and removals count once the directory is synced.
	fs.Rename("/d/a", "/d/c")
	if !fs.Crash(nil).Exists("/d/a") || fs.Crash(nil).Exists("/d/c") {
		t.Fatal("rename durable without a directory sync")
	}
	fs.SyncDir("/d")
	if c := fs.Crash(nil); c.Exists("/d/a") || !c.Exists("/d/c") {
		t.Fatal("synced rename lost")
	}
}

func TestMemFSLock(t *testing.T) {
	fs := NewMemFS()
	fs.MkdirAll("/d")
	l, err := fs.Lock("/d/LOCK")
	if err != nil {
		t.Fatal(err)
	}
	var iu *InUseError
	if _, err := fs.Lock("/d/LOCK"); !errors.As(err, &iu) || iu.PID == 0 {
		t.Fatalf("second lock: %v", err)
	}
	l.Close()
	if l, err = fs.Lock("/d/LOCK"); err != nil {
		t.Fatal(err)
	}
	l.Close()
}

func TestOSLock(t *testing.T) {
	name := t.TempDir() + "/LOCK"
	l, err := Default.Lock(name)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var iu *InUseError
	if _, err := Default.Lock(name); !errors.As(err, &iu) || iu.PID <= 0 {
		t.Fatalf("second lock: %v", err)
	}
}

func TestInject(t *testing.T) {
	boom := errors.New("boom")
	fs := Inject(NewMemFS(), func(op Op, name string) error {
		if op == OpSync && name == "/x" {
			return boom
		}
		return nil
	})
	f, err := fs.Create("/x")
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, f, 0, "data")
	if err := f.Sync(); !errors.Is(err, boom) {
		t.Fatalf("sync: %v", err)
	}
}

func TestMemFSKill(t *testing.T) {
	fs := NewMemFS()
	fs.MkdirAll("/d")
	f, _ := fs.Create("/d/a")
	mustWrite(t, f, 0, "synced")
	f.Sync()
	fs.SyncDir("/d")
	mustWrite(t, f, 6, "-unsynced")
	g, _ := fs.Create("/d/b") // never made durable by a directory sync
	mustWrite(t, g, 0, "b")
	fs.Create("/d/c")
	fs.SyncDir("/d")
	fs.Remove("/d/c")

	k := fs.Kill()
	if got := contents(t, k, "/d/a"); got != "synced-unsynced" {
		t.Fatalf("kill kept %q of a", got)
	}
	if got := contents(t, k, "/d/b"); got != "b" {
		t.Fatalf("kill kept %q of b", got)
	}
	if k.Exists("/d/c") {
		t.Fatal("a removal did not survive the kill")
	}
	// What a kill leaves is on disk: a later crash keeps all of it.
	if got := contents(t, k.Crash(nil), "/d/a"); got != "synced-unsynced" {
		t.Fatalf("crash after kill kept %q", got)
	}
	// The killed filesystem is a copy: the old one's writes do not leak.
	mustWrite(t, f, 0, "XX")
	if got := contents(t, k, "/d/a"); got != "synced-unsynced" {
		t.Fatalf("write after kill leaked: %q", got)
	}
}
