package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/alert"
	"github.com/truce-monitor/truce/internal/app"
)

const demoGEDFile = "../../internal/bundled/data/ucdp/ged-syria-2016-12-30_2017-02-28.csv.gz"

func alertsCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := cmdAlerts(context.Background(), args, &out, slog.New(slog.DiscardHandler))
	return out.String(), err
}

func mustAlerts(t *testing.T, args ...string) string {
	t.Helper()
	out, err := alertsCmd(t, args...)
	if err != nil {
		t.Fatalf("truce alerts %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// truce alerts lists the alerts of the stored incidents, in words or as
// JSON, with thresholds from a file and flags.
func TestAlertsCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: db, NoCluster: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(demoGEDFile)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Import(ctx, "ucdp", gz, "demo.csv", app.ImportOptions{NoRead: true}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	a.Close()

	out := mustAlerts(t, "-db", db, "-from", "2017-01-01", "-to", "2017-02-28")
	if !strings.Contains(out, " district: ") || !strings.Contains(out, "against") || !strings.Contains(out, "first ") {
		t.Errorf("alerts:\n%s", out)
	}
	var list []alert.Alert
	if err := json.Unmarshal([]byte(mustAlerts(t, "-json", "-db", db, "-from", "2017-01-01", "-to", "2017-02-28")), &list); err != nil || len(list) == 0 {
		t.Fatalf("-json: %v %d", err, len(list))
	}
	for _, al := range list {
		if !strings.Contains(out, al.ID) || !strings.Contains(out, al.Text) || len(al.Incidents) != al.Count {
			t.Errorf("alert %s is not listed as JSON says: %+v", al.ID, al)
		}
	}

	// A file raises the minimum count beyond any day; a flag brings it
	// back down.
	cfg := filepath.Join(t.TempDir(), "alerts.yaml")
	if err := os.WriteFile(cfg, []byte("min_count: 1000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := mustAlerts(t, "-db", db, "-from", "2017-01-01", "-to", "2017-02-28", "-config", cfg); !strings.HasPrefix(out, "No alert from 2017-01-01 to 2017-02-28") {
		t.Errorf("-config min_count 1000:\n%s", out)
	}
	var again []alert.Alert
	if err := json.Unmarshal([]byte(mustAlerts(t, "-json", "-db", db, "-from", "2017-01-01", "-to", "2017-02-28", "-config", cfg, "-min-count", "4")), &again); err != nil || len(again) != len(list) {
		t.Errorf("-config then -min-count 4: %d alerts, want %d (%v)", len(again), len(list), err)
	}

	for _, args := range [][]string{
		{"-db", db},                        // no period
		{"-db", db, "-from", "2017-01-01"}, // no end
		{"-backtest"},                      // no file
		{"-ucdp", demoGEDFile, "-db", db},  // a file without -backtest
		{"-db", db, "-from", "2017-01-01", "-to", "2017-02-28", "-p", "2"},
		{"-db", db, "-from", "2017-01-01", "-to", "2017-02-28", "extra"},
	} {
		_, err := alertsCmd(t, args...)
		var ue usageError
		if !errors.As(err, &ue) || ue == "" {
			t.Errorf("truce alerts %s: %v, want a usage error", strings.Join(args, " "), err)
		}
	}
	if _, err := alertsCmd(t, "-db", db, "-from", "2017-01-01", "-to", "2017-02-28", "-config", filepath.Join(t.TempDir(), "none.yaml")); err == nil {
		t.Error("a missing -config file accepted")
	}
	if out := mustAlerts(t, "-h"); !strings.Contains(out, "-backtest -ucdp FILE") {
		t.Errorf("-h: %s", out)
	}
}

// truce alerts -backtest reads a GED file (here the demo's, compressed)
// with nothing stored, and scores it against the shipped offensives or a
// file of them.
func TestAlertsBacktestCommand(t *testing.T) {
	out := mustAlerts(t, "-backtest", "-ucdp", demoGEDFile, "-from", "2017-01-01", "-to", "2017-02-28", "-list")
	for _, want := range []string{"rows:", "Backtest 2017-01-01 … 2017-02-28", "| Deir ez-Zor offensive (Jan–Feb 2017) | 2017-01-14 |", "| Operation Olive Branch, Afrin (Jan–Mar 2018) | 2018-01-20 | 2018-03-18 | no data |", "| month |"} {
		if !strings.Contains(out, want) {
			t.Errorf("backtest output lacks %q:\n%s", want, out)
		}
	}
	var res struct {
		Stats  struct{ Rows, Counted int }
		Report alert.Report
		Alerts []alert.Alert
	}
	if err := json.Unmarshal([]byte(mustAlerts(t, "-backtest", "-json", "-ucdp", demoGEDFile, "-from", "2017-01-01", "-to", "2017-02-28")), &res); err != nil {
		t.Fatal(err)
	}
	if res.Stats.Rows < 1000 || res.Stats.Counted == 0 || len(res.Report.Offensives) == 0 || res.Report.Alerts != len(res.Alerts) {
		t.Errorf("-json: %+v", res.Stats)
	}
	offs := filepath.Join(t.TempDir(), "offs.yaml")
	os.WriteFile(offs, []byte(`offensives:
  - id: x
    name: Test offensive
    start: 2017-01-20
    governorates: [SY09]
    source: {article: x.md, section: s, dates: d}
`), 0o600)
	if out := mustAlerts(t, "-backtest", "-ucdp", demoGEDFile, "-offensives", offs, "-from", "2017-01-01", "-to", "2017-02-28"); !strings.Contains(out, "| Test offensive |") || strings.Contains(out, "Afrin") {
		t.Errorf("-offensives:\n%s", out)
	}
	if _, err := alertsCmd(t, "-backtest", "-ucdp", filepath.Join(t.TempDir(), "none.csv")); err == nil {
		t.Error("a missing file accepted")
	}
}
