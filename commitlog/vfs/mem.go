package vfs

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
)

// MemFS is an in-memory filesystem that remembers what has been made durable
// and can simulate a machine crash: Crash returns the filesystem a reboot
// would find, keeping synced data and directory entries, and a random prefix
// (possibly ending mid-write) of data written since the last sync. Files
// created or renamed since their directory was last synced vanish or revert.
// Directories themselves are durable from MkdirAll on, a simplification the
// log does not exploit: it syncs parents after creating files in them.
type MemFS struct {
	mu      sync.Mutex
	dirs    map[string]bool
	names   map[string]*memNode
	durable map[string]*memNode
	locks   map[string]bool
}

type memNode struct {
	data    []byte
	synced  []byte
	dirty   bool // changed below len(synced) since the last sync
	removed bool
}

// NewMemFS returns an empty MemFS.
func NewMemFS() *MemFS {
	return &MemFS{
		dirs:    map[string]bool{"/": true, ".": true},
		names:   map[string]*memNode{},
		durable: map[string]*memNode{},
		locks:   map[string]bool{},
	}
}

func clean(name string) string { return path.Clean(name) }

// Crash returns the state a crash at this instant would leave on disk, as a
// new MemFS; the receiver keeps working so that the "dead" process's
// goroutines can run on harmlessly. rng picks how much unsynced data of each
// file survives.
func (fs *MemFS) Crash(rng *rand.Rand) *MemFS {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := NewMemFS()
	for d := range fs.dirs {
		out.dirs[d] = true
	}
	for name, n := range fs.durable {
		var data []byte
		if !n.dirty && len(n.data) >= len(n.synced) {
			keep := len(n.synced)
			if extra := len(n.data) - len(n.synced); extra > 0 && rng != nil {
				keep += rng.IntN(extra + 1)
			}
			data = append([]byte(nil), n.data[:keep]...)
		} else {
			data = append([]byte(nil), n.synced...)
		}
		nn := &memNode{data: data, synced: append([]byte(nil), data...)}
		out.names[name] = nn
		out.durable[name] = nn
	}
	return out
}

// Kill returns the state a killed process (SIGKILL, a panic, an OOM kill)
// leaves on disk, as a new MemFS. Unlike Crash, the machine keeps running,
// so the kernel's page cache survives: every write and every created,
// renamed or removed name is kept, synced or not. The crash tests use it to
// check the orders in which the log issues its writes, which a kill
// exposes even though every single write survives.
func (fs *MemFS) Kill() *MemFS {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := NewMemFS()
	for d := range fs.dirs {
		out.dirs[d] = true
	}
	for name, n := range fs.names {
		data := append([]byte(nil), n.data...)
		nn := &memNode{data: data, synced: append([]byte(nil), data...)}
		out.names[name] = nn
		out.durable[name] = nn
	}
	return out
}

type memFile struct {
	fs   *MemFS
	n    *memNode
	name string
}

func (f *memFile) ReadAt(b []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if off >= int64(len(f.n.data)) {
		return 0, io.EOF
	}
	k := copy(b, f.n.data[off:])
	if k < len(b) {
		return k, io.EOF
	}
	return k, nil
}

func (f *memFile) WriteAt(b []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if off < int64(len(f.n.synced)) {
		f.n.dirty = true
	}
	end := off + int64(len(b))
	if end > int64(len(f.n.data)) {
		if end > int64(cap(f.n.data)) {
			nd := make([]byte, len(f.n.data), 2*end)
			copy(nd, f.n.data)
			f.n.data = nd
		}
		f.n.data = f.n.data[:end]
	}
	copy(f.n.data[off:], b)
	return len(b), nil
}

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	n := f.n
	if !n.dirty && len(n.data) >= len(n.synced) {
		n.synced = append(n.synced, n.data[len(n.synced):]...)
	} else {
		n.synced = append([]byte(nil), n.data...)
	}
	n.dirty = false
	return nil
}

func (f *memFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if size < int64(len(f.n.synced)) {
		f.n.dirty = true
	}
	if size <= int64(len(f.n.data)) {
		f.n.data = f.n.data[:size]
	} else {
		f.n.data = append(f.n.data, make([]byte, size-int64(len(f.n.data)))...)
	}
	return nil
}

func (f *memFile) Size() (int64, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	return int64(len(f.n.data)), nil
}

func (f *memFile) Close() error { return nil }

func (fs *MemFS) parentExists(name string) bool {
	return fs.dirs[path.Dir(name)]
}

// Create implements FS.
func (fs *MemFS) Create(name string) (File, error) {
	name = clean(name)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if !fs.parentExists(name) {
		return nil, fmt.Errorf("%w: %s", ErrNotExist, path.Dir(name))
	}
	if n, ok := fs.names[name]; ok {
		if len(n.synced) > 0 {
			n.dirty = true
		}
		n.data = n.data[:0]
		return &memFile{fs: fs, n: n, name: name}, nil
	}
	n := &memNode{}
	fs.names[name] = n
	return &memFile{fs: fs, n: n, name: name}, nil
}

// Open implements FS.
func (fs *MemFS) Open(name string) (File, error) {
	name = clean(name)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n, ok := fs.names[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotExist, name)
	}
	return &memFile{fs: fs, n: n, name: name}, nil
}

// Remove implements FS.
func (fs *MemFS) Remove(name string) error {
	name = clean(name)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if _, ok := fs.names[name]; ok {
		delete(fs.names, name)
		return nil
	}
	if fs.dirs[name] {
		for n := range fs.names {
			if strings.HasPrefix(n, name+"/") {
				return fmt.Errorf("vfs: remove %s: directory not empty", name)
			}
		}
		delete(fs.dirs, name)
		return nil
	}
	return fmt.Errorf("%w: %s", ErrNotExist, name)
}

// RemoveAll implements FS. The removal of files is durable only once their
// directories are synced, like on a real filesystem.
func (fs *MemFS) RemoveAll(name string) error {
	name = clean(name)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for n := range fs.names {
		if n == name || strings.HasPrefix(n, name+"/") {
			delete(fs.names, n)
		}
	}
	for d := range fs.dirs {
		if d == name || strings.HasPrefix(d, name+"/") {
			delete(fs.dirs, d)
			// A removed directory cannot hold durable files.
			for n := range fs.durable {
				if strings.HasPrefix(n, d+"/") {
					delete(fs.durable, n)
				}
			}
		}
	}
	return nil
}

// Rename implements FS.
func (fs *MemFS) Rename(oldname, newname string) error {
	oldname, newname = clean(oldname), clean(newname)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if n, ok := fs.names[oldname]; ok {
		delete(fs.names, oldname)
		fs.names[newname] = n
		return nil
	}
	if fs.dirs[oldname] {
		// Directory renames move the whole subtree at once and durably;
		// the log only renames directories it is about to delete.
		move := func(p string) (string, bool) {
			if p == oldname {
				return newname, true
			}
			if strings.HasPrefix(p, oldname+"/") {
				return newname + p[len(oldname):], true
			}
			return "", false
		}
		for _, m := range []map[string]*memNode{fs.names, fs.durable} {
			for p, n := range m {
				if q, ok := move(p); ok {
					delete(m, p)
					m[q] = n
				}
			}
		}
		for d := range fs.dirs {
			if q, ok := move(d); ok {
				delete(fs.dirs, d)
				fs.dirs[q] = true
			}
		}
		return nil
	}
	return fmt.Errorf("%w: %s", ErrNotExist, oldname)
}

// MkdirAll implements FS.
func (fs *MemFS) MkdirAll(dir string) error {
	dir = clean(dir)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for d := dir; !fs.dirs[d]; d = path.Dir(d) {
		fs.dirs[d] = true
	}
	return nil
}

// Exists implements FS.
func (fs *MemFS) Exists(name string) bool {
	name = clean(name)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	_, ok := fs.names[name]
	return ok || fs.dirs[name]
}

// List implements FS.
func (fs *MemFS) List(dir string) ([]string, error) {
	dir = clean(dir)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if !fs.dirs[dir] {
		return nil, fmt.Errorf("%w: %s", ErrNotExist, dir)
	}
	var out []string
	for n := range fs.names {
		if path.Dir(n) == dir {
			out = append(out, path.Base(n))
		}
	}
	for d := range fs.dirs {
		if d != dir && path.Dir(d) == dir {
			out = append(out, path.Base(d))
		}
	}
	sort.Strings(out)
	return out, nil
}

// SyncDir implements FS: it makes the current set of files in dir (and the
// names they have) what a crash would find.
func (fs *MemFS) SyncDir(dir string) error {
	dir = clean(dir)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if !fs.dirs[dir] {
		return fmt.Errorf("%w: %s", ErrNotExist, dir)
	}
	for n := range fs.durable {
		if path.Dir(n) == dir {
			delete(fs.durable, n)
		}
	}
	for n, node := range fs.names {
		if path.Dir(n) == dir {
			fs.durable[n] = node
		}
	}
	return nil
}

type memLock struct {
	fs   *MemFS
	name string
}

func (l memLock) Close() error {
	l.fs.mu.Lock()
	defer l.fs.mu.Unlock()
	delete(l.fs.locks, l.name)
	return nil
}

// Lock implements FS; a held lock reports this process's pid.
func (fs *MemFS) Lock(name string) (io.Closer, error) {
	name = clean(name)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.locks[name] {
		return nil, &InUseError{Name: name, PID: os.Getpid()}
	}
	fs.locks[name] = true
	return memLock{fs: fs, name: name}, nil
}
