// Package sqlite is the embedded store: one SQLite file, nothing to
// install. It runs in WAL mode with synchronous=FULL, so that a commit
// that has returned survives a crash or power loss.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/truce-monitor/truce/internal/store/sqldb"
)

// Store is the store on a SQLite file. Writes go through a pool of one
// connection, so writers queue in Go rather than fail with "database is
// locked"; reads use their own pool and, in WAL mode, never wait for them.
type Store struct {
	*sqldb.Store
	version *dataVersion // nil for a database in memory
}

// The driver is chosen at build time (docs/deployment.md, "Building with
// another SQLite driver"):
//
//	(no tag)           modernc.org/sqlite, pure Go: the default, needs only Go
//	-tags sqlite_cgo   github.com/mattn/go-sqlite3, cgo (needs a C compiler)
//	-tags sqlite_wasm  github.com/ncruces/go-sqlite3, pure Go (SQLite compiled to Wasm, then to Go)
//
// Each driver_*.go file provides driverName and dsn(path, immediate,
// pragmas...), which opens path with busy_timeout(10000), the pragmas
// (each "name(value)") and, if immediate, BEGIN IMMEDIATE transactions, in
// that driver's DSN syntax. Every driver gets the same pragmas.

// Open opens (creating if needed) the database at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	// The database holds protected records: readable by its owner only.
	// SQLite gives its -wal and -shm files the database file's mode.
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// The page size is SQLite's default, 4 KiB. 16 KiB pages made imports
	// take 9-18% less CPU and databases 7% smaller, but API submissions
	// 17% slower (each group commit writes its dirty pages whole to the
	// WAL), so they were not kept (docs/benchmarks.md, "Issue 17, sixth
	// round").
	//
	// Immediate transactions take the write lock at BEGIN, so a writer in
	// another process makes this one wait (busy_timeout) instead of
	// failing on upgrade. The writer's page cache holds the indexes an
	// import walks for every row (16 MiB; the default 2 MiB makes it read
	// them from disk).
	w, err := sql.Open(driverName, dsn(path, true, "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)", "cache_size(-16384)"))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	// The readers map the file (up to the 2 GiB SQLite allows by default;
	// a larger value is capped): at a million incidents half of a page's
	// CPU was SQLite copying pages in through read system calls, with a
	// page cache of 2 MiB per reader (docs/benchmarks.md, "Issue 17,
	// fourth round"). The mapped pages are the kernel's page cache, shared
	// by the readers and counted in the server's resident size, not memory
	// of its own. A larger page cache as well (16 or 64 MiB a reader) made
	// no measurable difference then.
	r, err := sql.Open(driverName, dsn(path, false, "query_only(1)", "mmap_size(2147418112)"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	// Idle readers are kept (database/sql keeps two by default), so that
	// a reader's cache and parsed schema outlive a burst of requests
	// (no measurable difference at 8 clients, where the readers are all
	// busy).
	r.SetMaxIdleConns(4)
	d := sqldb.Dialect{Name: "sqlite", OneWriter: true, Pack: true, ReportSum: reportSumFunc}
	var version *dataVersion
	if !inMemory(path) {
		if version, err = newDataVersion(path); err != nil {
			w.Close()
			r.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		d.DataVersion = version.version
	}
	s, err := sqldb.New(ctx, w, r, d)
	if err != nil {
		w.Close()
		r.Close()
		if version != nil {
			version.close()
		}
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &Store{Store: s, version: version}, nil
}

// Close closes the store's connections.
func (s *Store) Close() error {
	err := s.Store.Close()
	if s.version != nil {
		err = errors.Join(err, s.version.close())
	}
	return err
}

// inMemory says whether path is ":memory:" or a URI (which may name one):
// not a file of its own, which two connections share.
func inMemory(path string) bool {
	return strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:")
}

// Backup writes a consistent copy of the database to file while the store
// stays in use (VACUUM INTO reads one snapshot). file must not exist.
func (s *Store) Backup(ctx context.Context, file string) error {
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("backup to %s: %w", file, os.ErrExist)
	}
	if err := createPrivate(file); err != nil {
		return fmt.Errorf("backup to %s: %w", file, err)
	}
	if _, err := s.DB().ExecContext(ctx, `VACUUM INTO ?`, file); err != nil {
		return fmt.Errorf("backup to %s: %w", file, err)
	}
	return nil
}

// txlock is the transaction mode every driver's DSN names: BEGIN
// IMMEDIATE for the writer, so that it takes the write lock at BEGIN.
func txlock(immediate bool) string {
	if immediate {
		return "immediate"
	}
	return "deferred"
}

// createPrivate creates an empty file readable by its owner only, unless
// it exists (an empty file is a valid new database, and VACUUM INTO
// writes into an empty file).
func createPrivate(path string) error {
	if inMemory(path) {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Restore makes the database at path a copy of the backup file, after
// checking the backup's integrity. The database must not be open.
func Restore(ctx context.Context, backup, path string, force bool) error {
	if _, err := os.Stat(backup); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := os.Stat(path); err == nil && !force {
		return fmt.Errorf("restore to %s: %w (give -force to replace it)", path, os.ErrExist)
	}
	// Not query_only: VACUUM INTO counts as a write, though it writes
	// only its target.
	src, err := sql.Open(driverName, dsn(backup, false))
	if err != nil {
		return err
	}
	defer src.Close()
	var check string
	if err := src.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil {
		return fmt.Errorf("restore: backup %s: %w", backup, err)
	}
	if check != "ok" {
		return fmt.Errorf("restore: backup %s fails its integrity check: %s", backup, check)
	}
	tmp := path + ".restoring"
	os.Remove(tmp)
	if err := createPrivate(tmp); err != nil {
		return fmt.Errorf("restore to %s: %w", path, err)
	}
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fmt.Errorf("restore from %s: %w", backup, err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("restore to %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}
