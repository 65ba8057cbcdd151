package postgres_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/store/sqldb"
	"github.com/truce-monitor/truce/internal/store/sqlite"
)

// TestSchemasAgree: the two engines' migrations define the same tables
// with the same columns and the same indexes (by name), so that the shared
// queries and the backups mean the same on both. A migration written for
// one engine only fails here.
func TestSchemasAgree(t *testing.T) {
	ctx := context.Background()
	pg := openFresh(t)
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	list := func(db *sql.DB, q string, args ...any) []string {
		t.Helper()
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.ToLower(s))
		}
		slices.Sort(out)
		return out
	}
	pdb, sdb := pg.DB(), lite.DB()
	for _, table := range sqldb.Tables() {
		pc := list(pdb, `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, table)
		sc := list(sdb, `SELECT name FROM pragma_table_info(?)`, table)
		if !slices.Equal(pc, sc) {
			t.Errorf("table %s: PostgreSQL columns %v, SQLite %v", table, pc, sc)
		}
	}
	// Named indexes (primary keys and unique constraints are named
	// differently by each engine, and compared through the columns).
	pi := list(pdb, `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'`)
	si := list(sdb, `SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'`)
	// The text search's trigram indexes are each engine's own (their
	// migrations 0024): GIN indexes here, FTS5 tables there.
	textIndexes := map[string]string{"incidents_text": "incident_text", "incidents_protected_text": "protected_text", "reports_text": "report_text"}
	pi = slices.DeleteFunc(pi, func(name string) bool {
		fts, ok := textIndexes[name]
		if ok && len(list(sdb, `SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`, fts)) != 1 {
			t.Errorf("PostgreSQL's text index %s has no FTS5 table %s on SQLite", name, fts)
		}
		return ok
	})
	if !slices.Equal(pi, si) {
		t.Errorf("indexes differ:\n PostgreSQL %v\n SQLite     %v", pi, si)
	}
}
