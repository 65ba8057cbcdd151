package app

import (
	"context"
	"fmt"
	"os"

	"github.com/truce-monitor/truce/internal/store/postgres"
	"github.com/truce-monitor/truce/internal/store/sqlite"
)

// Backup writes a consistent copy of the store to file while it stays in
// use: a SQLite database file, or a gzipped dump of a PostgreSQL one.
// The backup is synced to disk before Backup returns.
func (a *App) Backup(ctx context.Context, file string) error {
	switch st := a.store.(type) {
	case *sqlite.Store:
		if err := st.Backup(ctx, file); err != nil {
			return err
		}
	case *postgres.Store:
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		if err := st.Backup(ctx, f); err != nil {
			f.Close()
			os.Remove(file)
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("backup: the %T store has no backup", a.store)
	}
	return syncFile(file)
}

func syncFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Restore makes db a copy of a backup made by Backup on the same engine.
// A SQLite database must not be in use; a PostgreSQL one is restored in
// one transaction. An existing database with records is replaced only
// with force.
func Restore(ctx context.Context, db, backup string, force bool) error {
	if !IsPostgres(db) {
		return sqlite.Restore(ctx, backup, db, force)
	}
	f, err := os.Open(backup)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	st, err := postgres.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Restore(ctx, f, force)
}
