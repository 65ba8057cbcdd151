package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"

	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/sqlite"
	"github.com/truce-monitor/truce/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "truce.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// Reopening a database applies no migration twice and keeps the data.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "truce.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportReports(ctx, []incident.Report{storetest.Report("1", incident.Day(2017, 1, 1, time.UTC), "SY070000")}, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, total, err := s.Incidents(ctx, store.Filter{})
	if err != nil || total != 1 {
		t.Fatalf("after reopen: %d incidents, %v", total, err)
	}
}
