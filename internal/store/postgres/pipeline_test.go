package postgres

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/truce-monitor/truce/internal/store/sqldb"
	"github.com/truce-monitor/truce/internal/store/storetest"
)

// TestPipelinedCommitOfFailedTransaction: PostgreSQL answers COMMIT of a
// failed transaction with the tag ROLLBACK and no error; a pipelined
// COMMIT (sqldb.Piped.Commit) must then fail, or a transaction whose
// error was lost would be taken as stored.
func TestPipelinedCommitOfFailedTransaction(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := pipeline(ctx, conn, []sqldb.Piped{{Query: "BEGIN"}}); err != nil {
		t.Fatal(err)
	}
	if err := pipeline(ctx, conn, []sqldb.Piped{{Query: "SELECT 1/0"}}); err == nil {
		t.Fatal("1/0 did not fail")
	}
	err = pipeline(ctx, conn, []sqldb.Piped{{Query: "COMMIT", Commit: true}})
	if err == nil || !strings.Contains(err.Error(), "rolled back") {
		t.Fatalf("COMMIT of a failed transaction: err = %v, want it rolled back", err)
	}
	// Committed in order, the same statements succeed.
	if err := pipeline(ctx, conn, []sqldb.Piped{{Query: "BEGIN"}, {Query: "SELECT 1"}, {Query: "COMMIT", Commit: true}}); err != nil {
		t.Fatal(err)
	}
}
