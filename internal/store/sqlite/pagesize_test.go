package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestPageSize: a database truce creates (a new file, or an empty one) has
// pageSize pages and WAL; one made before, with SQLite's default pages,
// keeps them and opens as before; Restore writes its copy with pageSize.
func TestPageSize(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	pragma := func(path, name string) string {
		t.Helper()
		db, err := sql.Open(driverName, dsn(path, false))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var v string
		if err := db.QueryRowContext(ctx, `PRAGMA `+name).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	open := func(path string) *Store {
		t.Helper()
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	fresh := filepath.Join(dir, "new.db")
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fresh, empty} {
		open(path).Close()
		if got := pragma(path, "page_size"); got != fmt.Sprint(pageSize) {
			t.Errorf("%s: page size %s, want %d", filepath.Base(path), got, pageSize)
		}
		if got := pragma(path, "journal_mode"); got != "wal" {
			t.Errorf("%s: journal mode %s, want wal", filepath.Base(path), got)
		}
	}

	old := filepath.Join(dir, "old.db")
	db, err := sql.Open(driverName, dsn(old, false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `PRAGMA page_size = 4096`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE before_truce (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := open(old)
	backup := filepath.Join(dir, "old.backup")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := pragma(old, "page_size"); got != "4096" {
		t.Errorf("a database made before: page size %s, want its own 4096", got)
	}
	restored := filepath.Join(dir, "restored.db")
	if err := Restore(ctx, backup, restored, false); err != nil {
		t.Fatal(err)
	}
	if got := pragma(restored, "page_size"); got != fmt.Sprint(pageSize) {
		t.Errorf("restored: page size %s, want %d", got, pageSize)
	}
	open(restored).Close()
}
