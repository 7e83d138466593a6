package vfs

import "io"

// Op names a filesystem operation for Inject.
type Op int

// The operations Inject can fail.
const (
	OpCreate Op = iota
	OpOpen
	OpRead
	OpWrite
	OpSync
	OpTruncate
	OpRemove
	OpRename
	OpSyncDir
)

// Injector decides whether an operation on name fails; it returns nil to let
// it through. It is called concurrently.
type Injector func(op Op, name string) error

// Inject wraps fs so that every operation first asks inj. Tests use it to
// make a sync or write fail at a chosen moment and check that the log reports
// the error and never acknowledges data it could not persist.
func Inject(fs FS, inj Injector) FS { return &injectFS{FS: fs, inj: inj} }

type injectFS struct {
	FS
	inj Injector
}

type injectFile struct {
	File
	name string
	inj  Injector
}

func (f *injectFile) ReadAt(b []byte, off int64) (int, error) {
	if err := f.inj(OpRead, f.name); err != nil {
		return 0, err
	}
	return f.File.ReadAt(b, off)
}

func (f *injectFile) WriteAt(b []byte, off int64) (int, error) {
	if err := f.inj(OpWrite, f.name); err != nil {
		return 0, err
	}
	return f.File.WriteAt(b, off)
}

func (f *injectFile) Sync() error {
	if err := f.inj(OpSync, f.name); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *injectFile) Truncate(size int64) error {
	if err := f.inj(OpTruncate, f.name); err != nil {
		return err
	}
	return f.File.Truncate(size)
}

func (fs *injectFS) Create(name string) (File, error) {
	if err := fs.inj(OpCreate, name); err != nil {
		return nil, err
	}
	f, err := fs.FS.Create(name)
	if err != nil {
		return nil, err
	}
	return &injectFile{File: f, name: name, inj: fs.inj}, nil
}

func (fs *injectFS) Open(name string) (File, error) {
	if err := fs.inj(OpOpen, name); err != nil {
		return nil, err
	}
	f, err := fs.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return &injectFile{File: f, name: name, inj: fs.inj}, nil
}

func (fs *injectFS) Remove(name string) error {
	if err := fs.inj(OpRemove, name); err != nil {
		return err
	}
	return fs.FS.Remove(name)
}

func (fs *injectFS) Rename(oldname, newname string) error {
	if err := fs.inj(OpRename, oldname); err != nil {
		return err
	}
	return fs.FS.Rename(oldname, newname)
}

func (fs *injectFS) SyncDir(dir string) error {
	if err := fs.inj(OpSyncDir, dir); err != nil {
		return err
	}
	return fs.FS.SyncDir(dir)
}

func (fs *injectFS) Lock(name string) (io.Closer, error) { return fs.FS.Lock(name) }
