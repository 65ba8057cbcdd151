package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/sqldb"
	"github.com/truce-monitor/truce/internal/store/sqlite"
	"github.com/truce-monitor/truce/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "truce.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// Reopening a database applies no migration twice and keeps the data.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "truce.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportReports(ctx, []incident.Report{storetest.Report("1", incident.Day(2017, 1, 1, time.UTC), "SY070000")}, store.Intake{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, total, err := s.Incidents(ctx, store.Filter{})
	if err != nil || total != 1 {
		t.Fatalf("after reopen: %d incidents, %v", total, err)
	}
}

// TestTablesComplete: backups copy the tables sqldb.Tables names, so a
// table added by a migration and forgotten there would be lost from every
// backup. The PostgreSQL engine's backup relies on the same list. The
// text indexes (virtual tables, and the tables they keep theirs in) are
// made from incidents and reports, and only SQLite has them.
func TestTablesComplete(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.DB().QueryContext(ctx, `SELECT name FROM sqlite_master t WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
		AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%' AND (t.name = v.name OR t.name LIKE v.name || '\_%' ESCAPE '\'))
		ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	listed := map[string]bool{}
	for _, n := range append(sqldb.Tables(), sqldb.Derived()...) {
		listed[n] = true
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !listed[name] {
			t.Errorf("table %s is not in sqldb.Tables (or Derived): backups would lose it", name)
		}
		delete(listed, name)
	}
	for n := range listed {
		t.Errorf("sqldb.Tables names %s, which the schema does not have", n)
	}
}

// TestFilesPrivate: the database, its WAL and its backups hold protected
// records; they are created readable by their owner only (issue 12).
func TestFilesPrivate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "truce.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.ImportReports(ctx, []incident.Report{storetest.Report("1", incident.Day(2017, 1, 1, time.UTC), "SY070000")}, store.Intake{}); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "nightly.backup")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	restored := filepath.Join(dir, "restored.db")
	if err := sqlite.Restore(ctx, backup, restored, false); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", backup, restored} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s is %v: others may read it", filepath.Base(f), perm)
		}
	}
}

// TestTotalsFollowWrites: the store keeps the totals it counted while the
// data is unchanged (sqldb's totals), which it learns from SQLite's
// data_version. A write by this store's writer, or by another process
// (here another store on the same file, as an import run beside the
// server), must show in the next total.
func TestTotalsFollowWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "truce.db")
	reader, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	other, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	storetest.TotalsFollowWrites(t, reader, other)
}
