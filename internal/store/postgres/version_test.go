package postgres

import (
	"context"
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/truce-monitor/truce/internal/store/storetest"
)

// TestDataVersionSeesCommits: a version read while a transaction that
// wrote is in progress differs from every version read after it commits,
// even when no other write follows (the kept totals would otherwise miss
// it until the next write).
func TestDataVersionSeesCommits(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE v (x int); INSERT INTO v VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	during := dataVersion(ctx, db)
	if during == "" {
		t.Fatal("no version")
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if after := dataVersion(ctx, db); after == during {
		t.Fatalf("version %q before and after a transaction ended", after)
	}
}
