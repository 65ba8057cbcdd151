package postgres_test

import (
	"context"
	"testing"

	"github.com/truce-monitor/truce/internal/store/postgres"
	"github.com/truce-monitor/truce/internal/store/storetest"
)

// TestTotalsFollowWrites: the kept totals follow writes by this store and
// by another on the same database, which PostgreSQL tells by its
// snapshot (dataVersion).
func TestTotalsFollowWrites(t *testing.T) {
	ctx := context.Background()
	u := freshDB(t)
	reader, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	other, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	storetest.TotalsFollowWrites(t, reader, other)
}
