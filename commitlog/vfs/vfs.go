// Package vfs is the filesystem seam of the commit log. Every byte the log
// reads or writes goes through FS, so tests can swap the operating system for
// an in-memory filesystem that forgets unsynced writes on a simulated crash
// (MemFS) or for one that fails chosen operations (Inject). The interface is
// only as wide as the log needs: whole-file positional I/O, data sync,
// truncation, and the few directory operations segment management uses.
package vfs

import (
	"errors"
	"fmt"
	"io"
)

// File is an open file. Positional reads and writes let many readers share
// one descriptor with the single writer without seeking.
type File interface {
	io.ReaderAt
	io.WriterAt
	// Sync makes the file's data durable (fdatasync on Linux). After a
	// failed Sync the file's durable contents are unknown; callers must not
	// retry and assume success.
	Sync() error
	// Truncate sets the file's size.
	Truncate(size int64) error
	// Size returns the current size.
	Size() (int64, error)
	Close() error
}

// FS is a filesystem. Paths are slash-separated and absolute or relative to
// the process working directory (OS) or the root (MemFS).
type FS interface {
	// Create creates or truncates a file for reading and writing.
	Create(name string) (File, error)
	// Open opens an existing file for reading and writing.
	Open(name string) (File, error)
	// Remove removes a file or an empty directory.
	Remove(name string) error
	// RemoveAll removes a directory tree; a missing path is not an error.
	RemoveAll(name string) error
	// Rename renames a file or directory, replacing a file at newname.
	Rename(oldname, newname string) error
	// MkdirAll creates a directory and its parents.
	MkdirAll(dir string) error
	// List returns the names (not paths) in a directory, sorted.
	List(dir string) ([]string, error)
	// Exists reports whether a path exists.
	Exists(name string) bool
	// SyncDir makes creations, removals and renames in dir durable.
	SyncDir(dir string) error
	// Lock takes an exclusive, advisory, process-wide lock on the named
	// file (creating it). It fails with an *InUseError if another process
	// (or another Lock in this process) holds it. Closing releases it.
	Lock(name string) (io.Closer, error)
}

// InUseError says a lock file is held by another owner.
type InUseError struct {
	Name string
	// PID is the holder's process id, or 0 if unknown.
	PID int
}

func (e *InUseError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("vfs: %s is in use by pid %d", e.Name, e.PID)
	}
	return fmt.Sprintf("vfs: %s is in use by another process", e.Name)
}

// ErrNotExist is returned (wrapped) for missing files by every FS.
var ErrNotExist = errors.New("vfs: file does not exist")

// ReadFile reads a whole file.
func ReadFile(fs FS, name string) ([]byte, error) {
	f, err := fs.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n, err := f.Size()
	if err != nil {
		return nil, err
	}
	b := make([]byte, n)
	if _, err := f.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b, nil
}

// WriteFileAtomic replaces name with data so that a crash leaves either the
// old or the new contents: it writes a temporary file, syncs it, renames it
// over name and syncs the directory.
func WriteFileAtomic(fs FS, dir, name string, data []byte) error {
	tmp := dir + "/" + name + ".tmp"
	f, err := fs.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := fs.Rename(tmp, dir+"/"+name); err != nil {
		return err
	}
	return fs.SyncDir(dir)
}
