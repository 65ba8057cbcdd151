package postgres_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/postgres"
	"github.com/truce-monitor/truce/internal/store/storetest"
)

// serverURL is the PostgreSQL server the tests use (storetest.PostgresURL).
func serverURL(t *testing.T) string { return storetest.PostgresURL(t) }

var dbSeq atomic.Int64

// FreshDB creates an empty database on the server for one test and drops
// it afterwards, returning its URL.
func freshDB(t *testing.T) string {
	t.Helper()
	u := serverURL(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect %s: %v", u, err)
	}
	defer admin.Close(ctx)
	name := fmt.Sprintf("truce_t%d_%d", os.Getpid(), dbSeq.Add(1))
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, u)
		if err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	cfg, _ := pgx.ParseConfig(u)
	cfg.Database = name
	return fmt.Sprintf("postgres://%s:%s@%s:%d/%s", cfg.User, cfg.Password, cfg.Host, cfg.Port, name)
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), freshDB(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
