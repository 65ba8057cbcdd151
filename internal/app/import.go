package app

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/acled"
	"github.com/truce-monitor/truce/internal/importer/geojson"
	"github.com/truce-monitor/truce/internal/importer/jsonl"
	"github.com/truce-monitor/truce/internal/importer/mail"
	"github.com/truce-monitor/truce/internal/importer/mapped"
	"github.com/truce-monitor/truce/internal/importer/telegram"
	"github.com/truce-monitor/truce/internal/importer/text"
	"github.com/truce-monitor/truce/internal/importer/ucdp"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// Formats are the bulk formats truce imports; "csv" is any CSV file read
// through a mapping.
var Formats = []string{"acled", "ucdp", "geojson", "jsonl", "csv", "text", "mail", "telegram"}

// ImportOptions tune an import.
type ImportOptions struct {
	// Location reads dates without a zone; default DefaultLocation.
	Location *time.Location
	// From and To skip events outside [From, To) where the format allows.
	From, To time.Time
	OnReject func(*importer.RowError) error
	Progress func(rows int)
	// Mapping says how to read a "csv" file.
	Mapping *mapped.Mapping
	// PerSource reads each UCDP event as one report per article cited.
	PerSource bool
	// EvidenceCount, when set, is filled in with what was done with the
	// reports' evidence files.
	EvidenceCount *EvidenceCount
	// Evidence is a folder of evidence files named by their SHA-256 (as
	// "truce export -evidence" writes it): a report's file this node does
	// not hold is taken from there.
	Evidence string
	// Source names the outlet of "text" articles that carry no URL.
	Source string
	// Kind and Party say who "mail" messages come from: the public (the
	// default), a monitor, or a party (with its code).
	Kind  incident.SourceKind
	Party string
	// NoRead skips reading the records' words (notes, headlines,
	// descriptions) for the facts their fields lack (read.go): faster,
	// for a large dataset whose coding is complete.
	NoRead bool
	// Reread reads every record of a dataset again, even one stored with
	// the same original and read the same way (reading.go). Without it a
	// daily sync counts those unchanged without reading them.
	Reread bool
}

// Evidence counts what an import did with the evidence files its reports
// refer to.
type EvidenceCount struct {
	Brought int      // stored from the evidence folder
	Missing []string // held neither here nor in the folder: the reports say so in their flags
}

// Source opens a reader for one of Formats.
func (a *App) Source(ctx context.Context, format string, r io.Reader, file string, opt ImportOptions) (importer.Source, error) {
	loc := opt.Location
	if loc == nil && format != "jsonl" { // JSON lines carry their offsets
		var err error
		if loc, err = a.Location(); err != nil {
			return nil, fmt.Errorf("import %s: %w; or give the zone (truce import -tz Asia/Damascus)", file, err)
		}
	}
	switch format {
	case "acled":
		return acled.NewReader(r, file, acled.Config{Actors: a.Actors, Boundaries: a.Boundaries, Places: a.Places, Location: loc, From: opt.From, To: opt.To,
			Stored: a.stored(ctx, format, opt)})
	case "ucdp":
		var stored importer.Stored
		if !opt.PerSource { // there an event is reports of another source
			stored = a.stored(ctx, format, opt)
		}
		rd, err := ucdp.NewReader(r, file, ucdp.Config{Actors: a.Actors, Boundaries: a.Boundaries, Places: a.Places, Location: loc, From: opt.From, To: opt.To,
			Stored: stored})
		if err != nil || !opt.PerSource {
			return rd, err
		}
		return ucdp.PerSource(rd), nil
	case "geojson":
		return geojson.NewReader(r, file, geojson.Config{Actors: a.Actors, Boundaries: a.Boundaries, Location: loc, From: opt.From, To: opt.To})
	case "jsonl":
		return jsonl.NewReader(r, file, jsonl.Config{Actors: a.Actors, Boundaries: a.Boundaries, Places: a.Places, From: opt.From, To: opt.To}), nil
	case "csv":
		if opt.Mapping == nil {
			return nil, fmt.Errorf("import %s: a csv file needs a mapping file (see docs/formats.md)", file)
		}
		return mapped.NewReader(r, file, opt.Mapping, mapped.Config{Actors: a.Actors, Boundaries: a.Boundaries, Places: a.Places, Location: loc, From: opt.From, To: opt.To})
	case "text":
		return text.NewReader(r, file, text.Config{Actors: a.Actors, Boundaries: a.Boundaries, Places: a.Places, Location: loc, From: opt.From, To: opt.To, Source: opt.Source})
	case "mail":
		if opt.Party != "" {
			// A party's code is one a stored agreement defines, as a
			// liaison's is.
			if err := a.CheckAffiliation(workflow.User{Name: "of the messages", Party: opt.Party}); err != nil {
				return nil, fmt.Errorf("import %s: %s", file, strings.TrimPrefix(err.Error(), "user of the messages: "))
			}
		}
		return mail.NewReader(r, file, mail.Config{Config: importer.Config{Actors: a.Actors, Boundaries: a.Boundaries, Places: a.Places, Location: loc, From: opt.From, To: opt.To}, Kind: opt.Kind, Party: opt.Party})
	case "telegram":
		// The export's photos and files are named relative to its folder.
		return telegram.NewReader(r, file, telegram.Config{Config: importer.Config{Actors: a.Actors, Boundaries: a.Boundaries, Places: a.Places, Location: loc, From: opt.From, To: opt.To}, Folder: filepath.Dir(file)})
	}
	return nil, fmt.Errorf("unknown import format %q (known: %v)", format, Formats)
}

// stored looks records up in the store, for a dataset reader to skip
// those stored unchanged and read as this import reads them (a.reading);
// nil (read every record) with Reread, and with a period, whose records
// outside it are counted skipped, not unchanged.
func (a *App) stored(ctx context.Context, format string, opt ImportOptions) importer.Stored {
	reading := a.reading(format, opt)
	if opt.Reread || !opt.From.IsZero() || !opt.To.IsZero() || reading == "" {
		return nil
	}
	return func(source string, keys []importer.StoredKey) ([]bool, error) {
		ids := make([]string, len(keys))
		for i, k := range keys {
			ids[i] = k.ID
		}
		got, err := a.store.Originals(ctx, source, ids)
		if err != nil {
			return nil, err
		}
		same := make([]bool, len(keys))
		for i, k := range keys {
			o, ok := got[k.ID]
			same[i] = ok && o.Record == k.Original && o.Format == k.Format && o.Reading == reading
		}
		return same, nil
	}
}

// Import reads a file in format and stores its reports, ruling every
// incident it creates or changes under every stored agreement as it goes.
func (a *App) Import(ctx context.Context, format string, r io.Reader, file string, opt ImportOptions) (*importer.Summary, error) {
	src, err := a.Source(ctx, format, r, file, opt)
	if err != nil {
		return nil, err
	}
	if !opt.NoRead {
		src = reading{Source: src, a: a}
	}
	in := a.Intake()
	in.Reading = a.reading(format, opt)
	sum, err := importer.Run(ctx, a.store, file, sealing{Source: src, a: a, ctx: ctx, evidence: opt.Evidence, count: opt.EvidenceCount}, importer.Options{
		OnReject: opt.OnReject,
		Progress: opt.Progress,
		Intake:   in,
	})
	if err != nil {
		return sum, err
	}
	a.Log.Info("import done", "file", file, "format", format, "rows", sum.Rows, "created", sum.Created, "updated", sum.Updated,
		"unchanged", sum.Unchanged, "skipped", sum.Skipped, "rejected", sum.Rejected)
	return sum, nil
}

// Intake is what the store does with each report it takes in: join it to
// the incident it describes (unless clustering is off) and rule under the
// agreements stored now, each ruling with its key (rulingKey): the keys
// are those of the very agreements ruled with.
func (a *App) Intake() store.Intake {
	ags := a.Agreements()
	keys := make(map[string][]byte, len(ags))
	for _, ag := range ags {
		if k := a.rulingKey(ag); k != nil {
			keys[ag.ID] = k
		}
	}
	rule := func(in incident.Incident) []ruling.Ruling {
		out := make([]ruling.Ruling, 0, len(ags))
		for _, ag := range ags {
			out = append(out, a.Engine.Rule(ag, in))
		}
		return out
	}
	in := store.Intake{Rule: rule, Grade: a.Grade, Keys: keys}
	if !a.cfg.NoCluster {
		p := a.cfg.Cluster
		in.Cluster = &p
	}
	return in
}

// RuleAll rules an incident under every stored agreement.
func (a *App) RuleAll(in incident.Incident) []ruling.Ruling {
	ags := a.Agreements()
	out := make([]ruling.Ruling, 0, len(ags))
	for _, ag := range ags {
		out = append(out, a.Engine.Rule(ag, in))
	}
	return out
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

// ExportEvidence writes into dir, named by SHA-256, every evidence file
// the stored reports refer to, so that an export of reports carries its
// files to another node; it returns how many it wrote and the files the
// reports refer to that this node does not hold.
func (a *App) ExportEvidence(ctx context.Context, dir string) (int, []string, error) {
	shas, err := a.EvidenceRefs(ctx)
	if err != nil || len(shas) == 0 {
		return 0, nil, err
	}
	// Evidence can show who was where: the folder is the operator's alone.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, nil, fmt.Errorf("export evidence: %w", err)
	}
	n := 0
	var missing []string
	for _, sha := range shas {
		data, _, err := a.store.Evidence(ctx, sha)
		if errors.Is(err, store.ErrNotFound) {
			missing = append(missing, sha)
			continue
		}
		if err != nil {
			return n, missing, err
		}
		if err := writeFileSync(filepath.Join(dir, sha), data, 0o600); err != nil {
			return n, missing, fmt.Errorf("export evidence %s: %w", sha, err)
		}
		n++
	}
	return n, missing, nil
}

// EvidenceRefs lists the evidence files the stored reports refer to.
func (a *App) EvidenceRefs(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	var shas []string
	err := a.store.EachReport(ctx, func(r incident.Report) error {
		for _, sha := range r.Evidence {
			if !seen[sha] {
				seen[sha] = true
				shas = append(shas, sha)
			}
		}
		return nil
	})
	return shas, err
}

// writeFileSync writes a file and syncs it: an export is complete only
// once it is on disk.
func writeFileSync(name string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
