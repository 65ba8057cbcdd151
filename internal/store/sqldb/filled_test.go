package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/store/storetest"
)

// The plan tests read stores of planIncidents incidents (fillForPlans),
// which take seconds to fill on each engine: a third of this package's
// tests' time when filled on every run. Each engine's is filled once for
// what makes it (fillKey: this package's code, tests and migrations) and
// kept between runs as a template, a file in the user's cache folder or
// a database on the test server; those of other keys are removed but
// the last used, for an hour (staleFill); each test reads a copy of its
// own: a file copied, or a database made from the template.
var filled struct {
	sync.Mutex
	key      string // fillKey, once computed
	sqlite   string // the SQLite template's file, once filled
	postgres string // the PostgreSQL template database, once filled
}

// staleFill is how long a template of another key is kept unused: a run
// of another version of the package beside this one may still copy it.
// Of those, only the last used is kept (each is some 60 MB, and every
// change to the package makes a new one).
const staleFill = time.Hour

// staleFills are the templates of other keys to remove, given when each
// was last used: all but the last used, and that one too past staleFill.
func staleFills(others map[string]time.Time) []string {
	var last string
	for name, used := range others {
		if last == "" || used.After(others[last]) {
			last = name
		}
	}
	var out []string
	for name, used := range others {
		if name != last || time.Since(used) > staleFill {
			out = append(out, name)
		}
	}
	return out
}

// fillKey is a digest of every file of this package and its migrations:
// a template filled by a run is reused only while none has changed.
func fillKey(t *testing.T) string {
	if filled.key != "" {
		return filled.key
	}
	h := sha256.New()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", p, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	filled.key = hex.EncodeToString(h.Sum(nil))[:16]
	return filled.key
}

// openFilled opens a store of engine ("sqlite" or "postgres") holding
// what fillForPlans writes, the test's own to change.
func openFilled(t *testing.T, engine string) *Store {
	t.Helper()
	filled.Lock()
	defer filled.Unlock()
	if engine == "postgres" {
		if filled.postgres == "" {
			filled.postgres = filledPostgres(t)
		}
		return openPostgresFrom(t, filled.postgres)
	}
	if filled.sqlite == "" {
		filled.sqlite = filledSQLite(t)
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

// filledSQLite is the SQLite template's file, filled unless an earlier
// run left it; the files of other keys are removed.
func filledSQLite(t *testing.T) string {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "truce-test")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "plans-"+fillKey(t)+".db")
	now := time.Now()
	old, _ := filepath.Glob(filepath.Join(dir, "plans-*.db"))
	others := map[string]time.Time{}
	for _, f := range old {
		if fi, err := os.Stat(f); err == nil && f != path {
			others[f] = fi.ModTime()
		}
	}
	for _, f := range staleFills(others) {
		os.Remove(f)
	}
	if _, err := os.Stat(path); err == nil {
		os.Chtimes(path, now, now) // in use: not stale
		return path
	}
	// Filled beside it and renamed whole: a run stopped halfway, or
	// another beside this one, never leaves a part-filled template.
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	defer os.Remove(tmp)
	s, err := openSQLiteFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	fillForPlans(t, s)
	// Closed, the write-ahead log is checkpointed into the file.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// filledPostgres is the PostgreSQL template database, filled unless an
// earlier run left it; the templates of other keys are dropped.
func filledPostgres(t *testing.T) string {
	ctx := context.Background()
	tmpl := "truce_plan_filled_" + fillKey(t)
	admin, err := sql.Open("pgx", storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	// Each template's comment is when a run last used it.
	rows, err := admin.QueryContext(ctx, `SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname LIKE 'truce\_plan\_filled\_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	others := map[string]time.Time{}
	for rows.Next() {
		var name, used string
		if err := rows.Scan(&name, &used); err != nil {
			t.Fatal(err)
		}
		if name == tmpl {
			found = true
			continue
		}
		others[name], _ = time.Parse(time.RFC3339, used)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for _, name := range staleFills(others) {
		// One another run still copies from stays (no FORCE).
		admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name)
	}
	used := func() {
		if _, err := admin.ExecContext(ctx, "COMMENT ON DATABASE "+tmpl+" IS '"+time.Now().UTC().Format(time.RFC3339)+"'"); err != nil {
			t.Fatal(err)
		}
	}
	if found {
		used()
		return tmpl
	}
	s := openPostgres(t)
	fillForPlans(t, s)
	var name string
	if err := s.r.QueryRowContext(ctx, `SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	s.Close() // a template has no connections
	// The test's cleanup would drop it: renamed, it is kept. Should
	// another run have made it meanwhile, this one's copy is dropped.
	if _, err := admin.ExecContext(ctx, "ALTER DATABASE "+name+" RENAME TO "+tmpl); err != nil {
		var exists bool
		if admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, tmpl).Scan(&exists); !exists {
			t.Fatal(err)
		}
	}
	used()
	return tmpl
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
