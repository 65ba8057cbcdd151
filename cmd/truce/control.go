package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/control"
	"github.com/truce-monitor/truce/internal/gazetteer"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/incident"
)

const controlHelp = `usage:
  truce control validate FILE...                 check control layer files; report every problem
  truce control load FILE                        validate a layer and store it in the database (-db)
  truce control list [-layer FILE]...            the shipped and stored layers, and any given
  truce control at (-place NAME [-in GOV] | -at LAT,LON) -date YYYY-MM-DD [-to YYYY-MM-DD] [-layer FILE]...
                                                 who held the place then, according to each claimant

The layers are the shipped ones with those stored in the database; a running truce serve
consults a layer stored meanwhile once restarted.`

// fileList collects a flag given several times.
type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(s string) error { *f = append(*f, s); return nil }

// openReference opens the database db names, for the operator's stored
// reference files (actors, control layers), or returns nil when db is a
// SQLite file that does not exist: commands that only read the reference
// data then use the shipped files and create no database.
func openReference(ctx context.Context, db string) (*app.App, error) {
	if !app.IsPostgres(db) {
		if _, err := os.Stat(db); errors.Is(err, iofs.ErrNotExist) {
			return nil, nil
		}
	}
	return open(ctx, db, nil)
}

// cmdControl works with territorial control layers (docs/control.md): the
// shipped ones, in the binary, and those stored in the database.
func cmdControl(args []string, out io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		return helpOrUsage(args, out, controlHelp)
	}
	ctx := context.Background()
	fs, db := flags("control " + args[0])
	var layers fileList
	fs.Var(&layers, "layer", "a control layer file to consult besides the shipped and stored ones (repeatable)")
	placeName := fs.String("place", "", "a place name in the gazetteer (at)")
	within := fs.String("in", "", "the governorate (name or P-code) the place lies in (at)")
	at := fs.String("at", "", "a point as LAT,LON (at)")
	date := fs.String("date", "", "the day, YYYY-MM-DD (at)")
	until := fs.String("to", "", "the last day of a span, YYYY-MM-DD (at; default -date)")
	tz := fs.String("tz", "Asia/Damascus", "the time zone the days are read in (at)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if args[0] == "load" {
		if fs.NArg() != 1 {
			return usageError(controlHelp)
		}
		src, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return err
		}
		a, err := open(ctx, *db, nil)
		if err != nil {
			return err
		}
		defer a.Close()
		l, added, err := a.LoadControlFile(ctx, fs.Arg(0), src)
		switch {
		case err != nil:
			return problems(out, err)
		case !added:
			fmt.Fprintf(out, "%s: ok: %s v%d, the same as stored: nothing to do\n", fs.Arg(0), l.ID, l.Version)
		default:
			fmt.Fprintf(out, "%s: ok: %s v%d (claimant %s), %d rows; stored (a running truce serve consults it once restarted)\n", fs.Arg(0), l.ID, l.Version, l.Claimant, len(l.Rows))
		}
		return nil
	}
	a, err := openReference(ctx, *db)
	if err != nil {
		return err
	}
	var (
		reg     *actor.Registry
		bounds  *boundary.Set
		places  *gazetteer.Gazetteer
		all     []*control.Layer
		from    = map[*control.Layer]string{}
		leftOut []error
	)
	if a != nil {
		defer a.Close()
		reg, bounds, places = a.Actors, a.Boundaries, a.Places
		shipped, stored := a.ControlLayers()
		for _, l := range shipped {
			from[l] = "shipped"
		}
		for _, l := range stored {
			from[l] = "stored"
		}
		all = append(shipped, stored...)
		leftOut = a.ReferenceLeftOut()
	} else {
		if reg, err = app.LoadActors(); err != nil {
			return err
		}
		if bounds, places, err = app.LoadGeography(); err != nil {
			return err
		}
	}
	chk := app.ControlChecker(reg, bounds, places)
	switch args[0] {
	case "validate":
		if fs.NArg() == 0 {
			return usageError(controlHelp)
		}
		var failed error
		for _, name := range fs.Args() {
			l, err := loadControlFile(name, chk)
			switch {
			case errors.Is(problems(out, err), errInvalid):
				failed = errInvalid
			case err != nil:
				return err
			default:
				fmt.Fprintf(out, "%s: ok: %s v%d (claimant %s), %d rows\n", name, l.ID, l.Version, l.Claimant, len(l.Rows))
			}
		}
		return failed
	case "list", "at":
		if fs.NArg() > 0 {
			return usageError(controlHelp)
		}
		if a == nil {
			shipped, err := control.LoadDir(bundled.FS, bundled.Control, chk)
			if err != nil {
				return fmt.Errorf("shipped control layers: %w", err)
			}
			for _, l := range shipped {
				from[l] = "shipped"
			}
			all = shipped
		}
		for _, name := range layers {
			l, err := loadControlFile(name, chk)
			if err != nil {
				return err
			}
			from[l] = "-layer"
			all = append(all, l)
		}
		set, err := control.NewSet(bounds, all...)
		if err != nil {
			return err
		}
		if args[0] == "list" {
			listLayers(out, all, from, set)
			for _, err := range leftOut {
				fmt.Fprintf(out, "\n%v\n", err)
			}
			return nil
		}
		loc, err := time.LoadLocation(*tz)
		if err != nil {
			return usageError(fmt.Sprintf("truce control at: -tz: %v", err))
		}
		span, err := controlSpan(*date, *until, loc)
		if err != nil {
			return err
		}
		p, err := controlPlace(*placeName, *within, *at, bounds, places)
		if err != nil {
			return err
		}
		return printClaims(out, set, p, span)
	}
	return usageError(controlHelp)
}

func loadControlFile(name string, chk control.Checker) (*control.Layer, error) {
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return control.Load(bytes.NewReader(src), name, chk)
}

// listLayers lists layers with where each comes from (shipped, stored,
// -layer) and whether the set consults it or a higher version of its id
// supersedes it.
func listLayers(out io.Writer, layers []*control.Layer, from map[*control.Layer]string, set *control.Set) {
	consulted := set.Layers()
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAYER\tVERSION\tCLAIMANT\tPERIOD\tROWS\tDIGEST\tFROM\tFILE")
	for _, l := range layers {
		period := l.From.In(l.Location).Format("2006-01-02") + " to "
		if l.To.IsZero() {
			period += "open"
		} else {
			period += l.To.In(l.Location).Format("2006-01-02")
		}
		origin := from[l]
		if !slices.Contains(consulted, l) {
			origin += " (superseded)"
		}
		fmt.Fprintf(tw, "%s\tv%d\t%s\t%s\t%d\t%s\t%s\t%s\n", l.ID, l.Version, l.Claimant, period, len(l.Rows), l.Digest[:12], origin, l.File)
	}
	tw.Flush()
	for _, l := range layers {
		fmt.Fprintf(out, "\n%s v%d: %s\n", l.ID, l.Version, l.Label)
	}
}

func controlSpan(date, until string, loc *time.Location) (incident.TimeSpan, error) {
	if date == "" {
		return incident.TimeSpan{}, usageError("truce control at: -date is required\n\n" + controlHelp)
	}
	first, err := time.ParseInLocation("2006-01-02", date, loc)
	if err != nil {
		return incident.TimeSpan{}, usageError(fmt.Sprintf("truce control at: -date %q is not YYYY-MM-DD", date))
	}
	last := first
	if until != "" {
		if last, err = time.ParseInLocation("2006-01-02", until, loc); err != nil || last.Before(first) {
			return incident.TimeSpan{}, usageError(fmt.Sprintf("truce control at: -to %q is not a YYYY-MM-DD on or after -date", until))
		}
	}
	return incident.Days(first, last, loc), nil
}

// controlPlace makes the place asked about as an import would: a town
// gives its point, a unit or region its area.
func controlPlace(name, within, at string, bounds *boundary.Set, places *gazetteer.Gazetteer) (incident.Place, error) {
	if (name == "") == (at == "") {
		return incident.Place{}, usageError("truce control at: give -place NAME or -at LAT,LON\n\n" + controlHelp)
	}
	if at != "" {
		la, lo, ok := strings.Cut(at, ",")
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(la), 64)
		lon, err2 := strconv.ParseFloat(strings.TrimSpace(lo), 64)
		if !ok || err1 != nil || err2 != nil {
			return incident.Place{}, usageError(fmt.Sprintf("truce control at: -at %q is not LAT,LON", at))
		}
		p := incident.Place{Lat: lat, Lon: lon, HasPoint: true, Precision: incident.PlaceExact}
		importer.Locate(&p, bounds)
		return p, nil
	}
	g, err := places.Resolve(name, within)
	if err != nil {
		return incident.Place{}, err
	}
	return importer.PlaceFromGazetteer(name, g, true), nil
}

func printClaims(out io.Writer, set *control.Set, p incident.Place, span incident.TimeSpan) error {
	where := p.Label()
	if p.HasPoint {
		where += fmt.Sprintf(" at %.5f,%.5f", p.Lat, p.Lon)
	}
	if p.Admin3 != "" {
		where += fmt.Sprintf(" (%s/%s/%s)", p.Admin1, p.Admin2, p.Admin3)
	}
	fmt.Fprintf(out, "%s, %s, precision %s\n", where, span, p.Precision)
	claims := set.At(p, span)
	for _, c := range claims {
		fmt.Fprintf(out, "\n%s\n", c)
		if actors, ok := c.Holder(); ok {
			fmt.Fprintf(out, "  => held by %s\n", strings.Join(actors, " and "))
		} else {
			fmt.Fprintln(out, "  => no single holder over the whole span and place")
		}
	}
	if control.Disputed(claims) {
		fmt.Fprintln(out, "\nDISPUTED: the claimants disagree; a ruling shows the outcome under each.")
	}
	return nil
}
