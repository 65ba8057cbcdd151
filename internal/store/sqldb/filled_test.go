package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/truce-monitor/truce/internal/store/storetest"
)

// The plan tests read stores of planIncidents incidents (fillForPlans),
// which take seconds to fill on each engine. Each engine's is filled once
// per run of the tests, as a template, and each test reads a copy of its
// own: a file copied, or a database made from the template.
var filled struct {
	sync.Mutex
	dir      string // the SQLite template's folder
	sqlite   string // its file, once filled
	postgres string // the PostgreSQL template database, once filled
}

func TestMain(m *testing.M) {
	code := m.Run()
	if filled.dir != "" {
		os.RemoveAll(filled.dir)
	}
	if filled.postgres != "" {
		if a, err := sql.Open("pgx", os.Getenv("TRUCE_TEST_POSTGRES")); err == nil {
			a.Exec("DROP DATABASE IF EXISTS " + filled.postgres + " WITH (FORCE)")
			a.Close()
		}
	}
	os.Exit(code)
}

// openFilled opens a store of engine ("sqlite" or "postgres") holding
// what fillForPlans writes, the test's own to change.
func openFilled(t *testing.T, engine string) *Store {
	t.Helper()
	filled.Lock()
	defer filled.Unlock()
	if engine == "postgres" {
		if filled.postgres == "" {
			s := openPostgres(t)
			fillForPlans(t, s)
			var name string
			if err := s.r.QueryRowContext(context.Background(), `SELECT current_database()`).Scan(&name); err != nil {
				t.Fatal(err)
			}
			s.Close() // a template has no connections
			// The test's cleanup would drop it: renamed, it is kept.
			tmpl := fmt.Sprintf("truce_plan_filled_%d", os.Getpid())
			admin, err := sql.Open("pgx", storetest.PostgresURL(t))
			if err != nil {
				t.Fatal(err)
			}
			defer admin.Close()
			if _, err := admin.Exec("ALTER DATABASE " + name + " RENAME TO " + tmpl); err != nil {
				t.Fatal(err)
			}
			filled.postgres = tmpl
		}
		return openPostgresFrom(t, filled.postgres)
	}
	if filled.sqlite == "" {
		dir, err := os.MkdirTemp("", "truce-plans-")
		if err != nil {
			t.Fatal(err)
		}
		filled.dir = dir
		path := filepath.Join(dir, "plans.db")
		s, err := openSQLiteFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fillForPlans(t, s)
		// Closed, the write-ahead log is checkpointed into the file.
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		filled.sqlite = path
	}
	path := filepath.Join(t.TempDir(), "b.db")
	if err := copyFile(path, filled.sqlite); err != nil {
		t.Fatal(err)
	}
	s, err := openSQLiteFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
