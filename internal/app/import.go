package app

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"path"
	"time"

	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/ucdp"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

// Formats are the bulk formats truce imports.
var Formats = []string{"ucdp"}

// ImportOptions tune an import.
type ImportOptions struct {
	// Location reads dates without a zone; default DefaultLocation.
	Location *time.Location
	// From and To skip events outside [From, To) where the format allows.
	From, To time.Time
	OnReject func(*importer.RowError) error
	Progress func(rows int)
}

// Source opens a reader for one of Formats.
func (a *App) Source(format string, r io.Reader, file string, opt ImportOptions) (importer.Source, error) {
	loc := opt.Location
	if loc == nil {
		loc = a.DefaultLocation()
	}
	switch format {
	case "ucdp":
		return ucdp.NewReader(r, file, ucdp.Config{Actors: a.Actors, Boundaries: a.Boundaries, Location: loc, From: opt.From, To: opt.To})
	}
	return nil, fmt.Errorf("unknown import format %q (known: %v)", format, Formats)
}

// Import reads a file in format and stores its reports, ruling every
// incident it creates or changes under every stored agreement as it goes.
func (a *App) Import(ctx context.Context, format string, r io.Reader, file string, opt ImportOptions) (*importer.Summary, error) {
	src, err := a.Source(format, r, file, opt)
	if err != nil {
		return nil, err
	}
	sum, err := importer.Run(ctx, a.Store, file, src, importer.Options{
		OnReject:   opt.OnReject,
		Progress:   opt.Progress,
		AfterBatch: a.ruleBatch,
	})
	if err != nil {
		return sum, err
	}
	a.Log.Info("import done", "file", file, "format", format, "rows", sum.Rows, "created", sum.Created, "updated", sum.Updated,
		"unchanged", sum.Unchanged, "skipped", sum.Skipped, "rejected", sum.Rejected)
	return sum, nil
}

// ruleBatch rules what a batch of imports created or changed. A new
// incident's facts are its one report's, so it is ruled without reading it
// back; a changed one is read back, as it may merge several reports.
func (a *App) ruleBatch(ctx context.Context, reports []incident.Report, res []store.Imported) error {
	var out []store.IncidentRuling
	var changed []int64
	for i, r := range res {
		switch r.Outcome {
		case store.Created:
			in := incident.FromReport(reports[i])
			in.ID = r.IncidentID
			for _, ag := range a.Agreements() {
				out = append(out, store.IncidentRuling{IncidentID: in.ID, Ruling: a.Engine.Rule(ag, in)})
			}
		case store.Updated:
			changed = append(changed, r.IncidentID)
		}
	}
	if err := a.Store.SaveRulings(ctx, out); err != nil {
		return err
	}
	return a.RuleIncidents(ctx, changed)
}

// RuleIncidents rules the given incidents under every agreement.
func (a *App) RuleIncidents(ctx context.Context, ids []int64) error {
	var out []store.IncidentRuling
	for _, id := range ids {
		d, err := a.Store.Incident(ctx, id)
		if err != nil {
			return err
		}
		for _, ag := range a.Agreements() {
			out = append(out, store.IncidentRuling{IncidentID: id, Ruling: a.Engine.Rule(ag, d.Incident)})
		}
	}
	return a.Store.SaveRulings(ctx, out)
}

// ImportDemoEvents imports the UCDP events shipped for the demo.
func (a *App) ImportDemoEvents(ctx context.Context) (*importer.Summary, error) {
	f, err := bundled.FS.Open(bundled.DemoEvents)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", bundled.DemoEvents, err)
	}
	return a.Import(ctx, "ucdp", gz, path.Base(bundled.DemoEvents), ImportOptions{})
}
