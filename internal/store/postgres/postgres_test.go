package postgres_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/postgres"
	"github.com/truce-monitor/truce/internal/store/sqldb"
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

// openFresh opens a store on a fresh database (freshDB), closed before
// the database is dropped.
func openFresh(t *testing.T) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), freshDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
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

// TestRestoreOlderBackup: a backup made before the feeds table existed
// (it ends after the table before) restores, the feeds empty; one cut
// short at an earlier table is refused.
func TestRestoreOlderBackup(t *testing.T) {
	ctx := context.Background()
	src := openFresh(t)
	if _, err := src.ImportReports(ctx, []incident.Report{storetest.Report("old-1", incident.Day(2017, 1, 2, time.UTC), "SY030200")}, store.Intake{}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := src.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	plain, err := gunzip(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	cut := func(table string) []byte {
		i := bytes.Index(plain, []byte("-- table "+table+"\n"))
		if i < 0 {
			t.Fatalf("no %s section", table)
		}
		return gzipped(plain[:i])
	}
	dst := openFresh(t)
	if err := dst.Restore(ctx, bytes.NewReader(cut("feeds")), false); err != nil {
		t.Fatalf("a backup from before the feeds table: %v", err)
	}
	n := 0
	dst.EachReport(ctx, func(incident.Report) error { n++; return nil })
	if n != 1 {
		t.Errorf("restored %d reports, want 1", n)
	}
	if err := dst.Restore(ctx, bytes.NewReader(cut("delivery_subscriptions")), true); err != nil {
		t.Fatalf("a backup from before the delivery tables: %v", err)
	}
	if err := dst.Restore(ctx, bytes.NewReader(cut("reports")), true); err == nil {
		t.Error("a backup cut short at the reports must be refused")
	}
}

// TestRestoreRebuildsPartyIncidents: a backup leaves the derived
// party_incidents and party_pairs out (sqldb.Derived) and a restore, over
// a database that held other pairs, has them as the source made them: the
// triggers fill the tables as the reports and ruling parties are loaded.
func TestRestoreRebuildsPartyIncidents(t *testing.T) {
	ctx := context.Background()
	src := openFresh(t)
	filed := storetest.Report("filed", incident.Day(2017, 1, 3, time.UTC), "SY030200")
	filed.Kind, filed.Party = incident.FromParty, "LIA"
	accuse := func(in incident.Incident) []ruling.Ruling {
		return []ruling.Ruling{{Verdict: ruling.Violation, Agreement: "ag", Version: 1, Parties: []string{"GOV"}, Explanation: "x"}}
	}
	if _, err := src.ImportReports(ctx, []incident.Report{storetest.Report("a", incident.Day(2017, 1, 2, time.UTC), "SY030200"), filed}, store.Intake{Rule: accuse}); err != nil {
		t.Fatal(err)
	}
	pairs := func(s *postgres.Store) string {
		var out, pp string
		if err := s.DB().QueryRowContext(ctx, `SELECT coalesce(string_agg(incident_id || ' ' || party || ' ' || state, ', ' ORDER BY incident_id, party), '') FROM party_incidents`).Scan(&out); err != nil {
			t.Fatal(err)
		}
		if err := s.DB().QueryRowContext(ctx, `SELECT coalesce(string_agg(incident_id || ' ' || party || ' seen by ' || viewer, ', ' ORDER BY incident_id, party, viewer), '') FROM party_pairs`).Scan(&pp); err != nil {
			t.Fatal(err)
		}
		if pp == "" {
			t.Fatal("no party_pairs to restore")
		}
		return out + "; " + pp
	}
	want := pairs(src)
	if want == "" {
		t.Fatal("the source has no party_incidents to restore")
	}
	var buf bytes.Buffer
	if err := src.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	plain, err := gunzip(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range sqldb.Derived() {
		if bytes.Contains(plain, []byte("-- table "+table+"\n")) {
			t.Errorf("the backup holds %s, which the triggers make", table)
		}
	}
	dst := openFresh(t)
	other := storetest.Report("other", incident.Day(2018, 5, 1, time.UTC), "SY030200")
	other.Kind, other.Party = incident.FromParty, "OTHER"
	if _, err := dst.ImportReports(ctx, []incident.Report{other}, store.Intake{}); err != nil {
		t.Fatal(err)
	}
	if err := dst.Restore(ctx, bytes.NewReader(buf.Bytes()), true); err != nil {
		t.Fatal(err)
	}
	if got := pairs(dst); got != want {
		t.Errorf("party_incidents restored: %q, want %q", got, want)
	}
}

func gunzip(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}
