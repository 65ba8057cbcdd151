package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/postgres"
	"github.com/truce-monitor/truce/internal/store/storetest"
	"golang.org/x/mod/sumdb/tlog"
)

// TestFailedTransactionEnds: a transaction's BEGIN goes with its first
// statements and its COMMIT with its last (sqldb.tryTx); one that fails
// after writing must leave nothing stored, and its connection must not
// carry it into the next transaction, which here has the pool's one
// connection.
func TestFailedTransactionEnds(t *testing.T) {
	ctx := context.Background()
	s := openFresh(t)
	s.DB().SetMaxOpenConns(1)
	v1 := store.VersionRecord{AgreementID: "a", Version: 1, Label: "one", EffectiveFrom: time.Date(2016, 12, 29, 22, 0, 0, 0, time.UTC), Digest: "d1d1d1d1d1d1d1", Canonical: []byte(`{"v":1}`)}
	src := store.AgreementSource{AgreementID: "a", File: "a.yaml", Source: []byte("v1")}
	if _, err := s.PutAgreement(ctx, src, []store.VersionRecord{v1}); err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		n, err := s.LogSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := size()
	// Writes a second version, then fails in Go: the first version is
	// stored with another digest. Nothing of it may be stored.
	v2 := store.VersionRecord{AgreementID: "a", Version: 2, Label: "two", EffectiveFrom: time.Date(2017, 1, 23, 22, 0, 0, 0, time.UTC), Digest: "d2d2d2d2d2d2d2", Canonical: []byte(`{"v":2}`)}
	changed := v1
	changed.Digest = "ffffffffffffffff"
	for range 3 {
		if _, err := s.PutAgreement(ctx, src, []store.VersionRecord{v2, changed}); !errors.Is(err, store.ErrVersionChanged) {
			t.Fatalf("changed version: err = %v, want ErrVersionChanged", err)
		}
	}
	res, err := s.ImportReports(ctx, []incident.Report{storetest.Report("r1", incident.Day(2017, 1, 2, time.UTC), "SY070000")}, store.Intake{})
	if err != nil {
		t.Fatalf("import after failed transactions: %v", err)
	}
	if _, err := s.Incident(ctx, res[0].IncidentID); err != nil {
		t.Fatalf("the imported incident: %v", err)
	}
	vs, err := s.AgreementVersions(ctx, "a")
	if err != nil || len(vs) != 1 {
		t.Errorf("stored versions %+v (%v), want the first only: the failed transactions' writes were committed", vs, err)
	}
	if got := size(); got != before+1 {
		t.Errorf("log size %d after one report, want %d", got, before+1)
	}
}

// TestLogAppendsAhead: a store sends its log entries, their hashes and
// the log's lock with its commit when it knows the log's size and the
// hashes an append reads (sqldb's frontier), and its transaction is run
// again, reading them, when another writer has appended since. The
// stored hashes after both stores' appends are those of the entries.
func TestLogAppendsAhead(t *testing.T) {
	ctx := context.Background()
	u := freshDB(t)
	a, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	day := incident.Day(2017, 1, 2, time.UTC)
	n := 0
	imp := func(s *postgres.Store, reports int) {
		t.Helper()
		var rs []incident.Report
		for range reports {
			n++
			rs = append(rs, storetest.Report(fmt.Sprintf("r%d", n), day, "SY070000"))
		}
		if _, err := s.ImportReports(ctx, rs, store.Intake{}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		imp(a, 1+i%5)
		if i%6 == 5 {
			imp(b, 2) // a's next append finds the log moved
		}
	}
	size, err := a.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The hashes as the entries make them, against those stored.
	var want []tlog.Hash
	err = a.EachLogEntry(ctx, 0, func(i int64, data []byte) error {
		hs, err := tlog.StoredHashes(i, data, tlog.HashReaderFunc(func(xs []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(xs))
			for k, x := range xs {
				out[k] = want[x]
			}
			return out, nil
		}))
		want = append(want, hs...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(want)) != tlog.StoredHashCount(size) {
		t.Fatalf("%d hashes from the entries of a log of %d", len(want), size)
	}
	var got int64
	err = a.EachStoredHash(ctx, func(i int64, h tlog.Hash) error {
		if i != got || h != want[i] {
			return fmt.Errorf("stored hash %d (the %dth) is not the entries'", i, got)
		}
		got++
		return nil
	})
	if err != nil || got != int64(len(want)) {
		t.Fatalf("stored hashes: %d read, want %d (%v)", got, len(want), err)
	}
}
