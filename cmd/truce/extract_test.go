package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/workflow"
)

func runExtract(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := cmdExtract(context.Background(), args, &out, slog.New(slog.DiscardHandler))
	return out.String(), err
}

func TestExtractCommand(t *testing.T) {
	file := filepath.Join(t.TempDir(), "report.txt")
	body := "قصفت قوات النظام مدينة دوما أمس، ما أدى إلى مقتل 12 مدنياً بينهم 3 أطفال."
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runExtract(t, "-published", "2017-01-10", file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# ar,", "actor\tgovernment-of-syria\tperpetrator", "place\tSY030200\t-\texact", "date\t2017-01-09\t-\tday", "killed\t12", `"مقتل 12 مدنياً"`} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	// JSON: every fact with its quote, the quote the text's bytes.
	out, err = runExtract(t, "-json", "-lang", "ar", "-published", "2017-01-10T08:00:00Z", file)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var f incident.TextFact
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if body[f.Start:f.End] != f.Quote {
			t.Errorf("quote %q is not the text's %q", f.Quote, body[f.Start:f.End])
		}
		n++
	}
	if n < 6 {
		t.Errorf("%d facts:\n%s", n, out)
	}
}

func TestExtractCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-lang", "xx", "f"},
		{"-published", "yesterday", "f"},
		{"-tz", "Mars/Olympus", "f"},
		{"-evaluate"},
		{"-ucdp", "x.csv", "f"},
		{"a", "b"},
	} {
		_, err := runExtract(t, args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("truce extract %v: %v, want a usage error", args, err)
		}
	}
	out, err := runExtract(t, "-h")
	if err != nil || !strings.Contains(out, "usage: truce extract") {
		t.Errorf("-h: %v\n%s", err, out)
	}
}

func TestExtractEvaluate(t *testing.T) {
	out, err := runExtract(t, "-evaluate", "-ucdp", "../../internal/extract/testdata/ucdp-sample.csv", "-fakes", "../../internal/extract/testdata/fakes-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"UCDP GED (source_headline): 150 texts", "0 without a span", "perpetrator (aligned)", "FA-KES (article_content): 12 texts", "place governorate"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

// TestExtractReviews: reviewers' verdicts on facts read from text come out
// as agreement figures and as labelled examples (issue 15).
func TestExtractReviews(t *testing.T) {
	db := filepath.Join(t.TempDir(), "rv.db")
	mustTruce(t, "agreement", "load", "-db", db, "../../internal/bundled/data/agreements/syria-coh-2016.yaml")
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"source":"wire","source_id":"rv-1","kind":"news","reported_at":"2017-01-10T12:00:00+02:00",
		"occurred":{"start":"2017-01-09T00:00:00+02:00","end":"2017-01-10T00:00:00+02:00","precision":"day"},
		"act":"unknown","description":"Regime warplanes struck the market in Douma yesterday, killing 4 civilians."}`
	res, rep, err := a.Submit(ctx, []byte(body), incident.FromNews)
	if err != nil {
		t.Fatal(err)
	}
	rev := workflow.User{Name: "rev", Role: workflow.Reviewer}
	if _, err := a.AddUser(ctx, rev, ""); err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Read {
		verdict := workflow.FactAccept
		if f.Field == "act" {
			verdict = workflow.FactReject
		}
		if _, err := a.Act(ctx, rev, res.IncidentID, workflow.Event{Action: workflow.Fact,
			FactReview: &workflow.FactReview{Report: res.ReportID, Field: f.Field, Start: f.Start, Verdict: verdict}}); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	out := mustTruce(t, "extract", "-reviews", "-db", db)
	if !strings.Contains(out, fmt.Sprintf("%d facts reviewed", len(rep.Read))) || !regexp.MustCompile(`act\s+0\s+0\s+1\s+0.0%`).MatchString(out) {
		t.Errorf("extract -reviews:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(mustTruce(t, "extract", "-reviews", "-json", "-db", db)), "\n")
	var ex app.ReviewedFact
	if err := json.Unmarshal([]byte(lines[0]), &ex); err != nil || ex.Text == "" || ex.Quote == "" || ex.Review == "" {
		t.Errorf("labelled example: %v %+v", err, ex)
	}
}
