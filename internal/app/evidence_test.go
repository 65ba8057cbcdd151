package app_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/workflow"
)

// TestEvidenceTravels: reports exported as JSON lines and imported on
// another node used to arrive without their evidence files, so that the
// incident page failed for staff (issue 12 item 9). The export now carries
// them; an import without them keeps the reports and says which are
// missing.
func TestEvidenceTravels(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(dir, "a.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	mon := workflow.User{Name: "mon", Role: workflow.Monitor}
	if _, err := a.AddUser(ctx, mon, ""); err != nil {
		t.Fatal(err)
	}
	sha, _, err := a.AddEvidence(ctx, []byte("%PDF-1.4\nstatement\n%%EOF\n"), "mon", "api", "s.pdf")
	if err != nil {
		t.Fatal(err)
	}
	body := `{"source":"field","source_id":"e-1","occurred":{"start":"2017-01-03T00:00:00+02:00","end":"2017-01-04T00:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"act":"shelling","evidence":["` + sha + `"]}`
	if _, _, err := a.SubmitAs(ctx, []byte(body), &mon); err != nil {
		t.Fatal(err)
	}
	var export bytes.Buffer
	if _, err := a.Export(ctx, app.Operator(), "jsonl", "reports", time.Time{}, time.Time{}, &export); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "out.jsonl.evidence")
	if n, missing, err := a.ExportEvidence(ctx, folder); err != nil || n != 1 || len(missing) != 0 {
		t.Fatalf("export evidence: %d written, missing %v, %v", n, missing, err)
	}

	for _, tt := range []struct {
		name, folder string
		missing      bool
	}{
		{"with the evidence folder", folder, false},
		{"without it", "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "b.db")})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			var count app.EvidenceCount
			sum, err := b.Import(ctx, "jsonl", strings.NewReader(export.String()), "out.jsonl", app.ImportOptions{Evidence: tt.folder, EvidenceCount: &count})
			if err != nil || sum.Created != 1 {
				t.Fatalf("import: %+v %v", sum, err)
			}
			if got := len(count.Missing) > 0; got != tt.missing || (!tt.missing && count.Brought != 1) {
				t.Errorf("evidence: brought %d, missing %v", count.Brought, count.Missing)
			}
			staff := &workflow.User{Name: "rev", Role: workflow.Reviewer}
			c, err := b.CaseFor(ctx, staff, 1)
			if err != nil {
				t.Fatalf("the incident's page for staff: %v", err)
			}
			f, ok := c.Files[sha]
			if !ok || f.Missing != tt.missing {
				t.Errorf("file %s on the page: %+v (held: %v)", sha, f, ok)
			}
			if tt.missing && !slices.Contains(c.Reports[0].Flags, "evidence not held: "+sha) {
				t.Errorf("the report does not say its file is missing: %v", c.Reports[0].Flags)
			}
		})
	}
}
