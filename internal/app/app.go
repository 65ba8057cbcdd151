// Package app wires truce together: the store, the shipped reference data
// (actors, boundaries) and the agreements, and the operations the command
// line and the HTTP server share.
package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/cluster"
	"github.com/truce-monitor/truce/internal/control"
	"github.com/truce-monitor/truce/internal/gazetteer"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/sealed"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/postgres"
	"github.com/truce-monitor/truce/internal/store/sqlite"
)

// Config says where the data lives.
type Config struct {
	// DB is the path of a SQLite file, or a postgres:// URL.
	DB     string
	Logger *slog.Logger
	// Cluster are the thresholds reports are joined to incidents with
	// (cluster.Defaults when zero); NoCluster gives each report its own
	// incident.
	Cluster   cluster.Params
	NoCluster bool
	// DataKey is the file of the key sealing reporters' and witnesses'
	// identities (default $TRUCE_DATA_KEY, else the SQLite file's name
	// with ".key").
	DataKey string
}

// IsPostgres reports whether db names a PostgreSQL database rather than
// a SQLite file.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// OpenStore opens the store db names.
func OpenStore(ctx context.Context, db string) (store.Store, error) {
	if IsPostgres(db) {
		return postgres.Open(ctx, db)
	}
	return sqlite.Open(ctx, db)
}

// App is an open truce installation.
type App struct {
	Store      store.Store
	Actors     *actor.Registry
	Boundaries *boundary.Set
	Places     *gazetteer.Gazetteer
	Engine     *ruling.Engine
	Log        *slog.Logger
	cfg        Config

	mu         sync.RWMutex
	agreements map[string]*agreement.Agreement
	altered    []error         // stored agreements left out: not what the log holds
	alteredIDs map[string]bool // their ids

	boxOnce sync.Once
	sealBox *sealed.Box
	boxErr  error

	submissions chan submission
	committers  sync.WaitGroup
}

// Open opens the store and loads the reference data and the stored
// agreements.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Cluster == (cluster.Params{}) {
		cfg.Cluster = cluster.Defaults()
	}
	if err := cfg.Cluster.Validate(); err != nil {
		return nil, err
	}
	reg, err := LoadActors()
	if err != nil {
		return nil, err
	}
	bounds, places, err := LoadGeography()
	if err != nil {
		return nil, err
	}
	held, err := LoadControl(reg, bounds, places)
	if err != nil {
		return nil, err
	}
	st, err := OpenStore(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	a := &App{
		Store:      st,
		Actors:     reg,
		Boundaries: bounds,
		Places:     places,
		Engine:     &ruling.Engine{Actors: reg, Control: held},
		Log:        cfg.Logger,
		cfg:        cfg,
		agreements: map[string]*agreement.Agreement{},

		submissions: make(chan submission, maxGroup),
	}
	if err := a.reloadAgreements(ctx); err != nil {
		st.Close()
		return nil, err
	}
	// SQLite has one writer, so one committer; a PostgreSQL server takes
	// several transactions at once, each waiting on the network.
	committers := 1
	if IsPostgres(cfg.DB) {
		committers = 4
	}
	for range committers {
		a.committers.Go(a.commitSubmissions)
	}
	return a, nil
}

// LoadActors loads the shipped actor registry.
func LoadActors() (*actor.Registry, error) {
	f, err := bundled.FS.Open(bundled.Actors)
	if err != nil {
		return nil, fmt.Errorf("open shipped actors: %w", err)
	}
	defer f.Close()
	return actor.Load(f, bundled.Actors)
}

// LoadGeography loads the shipped boundaries and the gazetteer built on
// them.
func LoadGeography() (*boundary.Set, *gazetteer.Gazetteer, error) {
	bounds, err := boundary.Load(bundled.FS, bundled.Boundaries)
	if err != nil {
		return nil, nil, fmt.Errorf("load shipped boundaries: %w", err)
	}
	places, err := gazetteer.Load(bundled.FS, bundled.Gazetteer, bounds)
	if err != nil {
		return nil, nil, fmt.Errorf("load shipped gazetteer: %w", err)
	}
	return bounds, places, nil
}

// ControlChecker validates control layers against the shipped actors,
// boundaries and gazetteer.
func ControlChecker(reg *actor.Registry, bounds *boundary.Set, places *gazetteer.Gazetteer) control.Checker {
	return control.Checker{
		KnownActor:   func(id string) bool { _, ok := reg.Get(id); return ok },
		KnownPCode:   func(pc string) bool { _, ok := bounds.Unit(pc); return ok },
		ResolvePlace: places.Resolve,
	}
}

// LoadControl loads the shipped territorial control layers, which the
// engine consults for attacks whose sources name no target.
func LoadControl(reg *actor.Registry, bounds *boundary.Set, places *gazetteer.Gazetteer) (*control.Set, error) {
	layers, err := control.LoadDir(bundled.FS, bundled.Control, ControlChecker(reg, bounds, places))
	if err != nil {
		return nil, fmt.Errorf("load shipped control layers: %w", err)
	}
	return control.NewSet(bounds, layers...)
}

// Close waits for the submissions under way to be committed, and closes
// the store. No submission may start after Close.
func (a *App) Close() error {
	close(a.submissions)
	a.committers.Wait()
	return a.Store.Close()
}

// Checker validates agreements against the shipped actors and boundaries.
func (a *App) Checker() agreement.Checker {
	return agreement.Checker{
		KnownActor: func(id string) bool { _, ok := a.Actors.Get(id); return ok },
		KnownPCode: func(pc string) bool { _, ok := a.Boundaries.Unit(pc); return ok },
	}
}

// reloadAgreements loads the stored agreements the engine rules with. An
// agreement whose stored file is not the one the log holds, or whose
// versions are not the logged ones, is left out (and named by Verify):
// the engine rules only from what the log covers.
func (a *App) reloadAgreements(ctx context.Context) error {
	srcs, err := a.Store.AgreementSources(ctx)
	if err != nil {
		return err
	}
	loaded := map[string]*agreement.Agreement{}
	var altered []error
	alteredIDs := map[string]bool{}
	for _, s := range srcs {
		ag, err := agreement.Load(bytes.NewReader(s.Source), s.File, a.Checker())
		if err == nil {
			err = a.checkLogged(ctx, s, ag)
		} else {
			err = fmt.Errorf("stored agreement %s no longer validates: %w", s.AgreementID, err)
		}
		if err != nil {
			a.Log.Error("agreement left out: it is not what the log holds", "agreement", s.AgreementID, "err", err)
			altered = append(altered, err)
			alteredIDs[s.AgreementID] = true
			continue
		}
		loaded[ag.ID] = ag
	}
	a.mu.Lock()
	a.agreements, a.altered, a.alteredIDs = loaded, altered, alteredIDs
	a.mu.Unlock()
	return nil
}

// checkLogged checks that an agreement file as stored is the one logged,
// and each of its versions the logged version.
func (a *App) checkLogged(ctx context.Context, s store.AgreementSource, ag *agreement.Agreement) error {
	bs, ok := a.Store.(bundleStore)
	if !ok {
		return nil
	}
	check := func(kind, key, digest string) error {
		idx, data, err := bs.LogEntryFor(ctx, kind, key, 1)
		if err != nil {
			return fmt.Errorf("agreement %s: %w", s.AgreementID, err)
		}
		e, err := ledger.ParseEntry(idx, data)
		if err != nil {
			return err
		}
		if e.Digest != digest {
			return fmt.Errorf("agreement %s: %s %s differs from its log entry %d", s.AgreementID, kind, key, idx)
		}
		return nil
	}
	sum := sha256.Sum256(s.Source)
	if err := check(ledger.AgreementSource, fmt.Sprintf("%s/%d", s.AgreementID, s.Seq), hex.EncodeToString(sum[:])); err != nil {
		return err
	}
	for _, v := range ag.Versions {
		if err := check(ledger.AgreementVersion, fmt.Sprintf("%s/%d", ag.ID, v.Number), v.Digest()); err != nil {
			return err
		}
	}
	return nil
}

// Agreements returns the stored agreements, by id.
func (a *App) Agreements() []*agreement.Agreement {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]*agreement.Agreement, 0, len(a.agreements))
	for _, ag := range a.agreements {
		out = append(out, ag)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Agreement returns one stored agreement.
func (a *App) Agreement(id string) (*agreement.Agreement, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	ag, ok := a.agreements[id]
	return ag, ok
}

// LoadAgreement validates an agreement file and stores it. It returns the
// agreement and the versions that were new.
func (a *App) LoadAgreement(ctx context.Context, file string, src []byte) (*agreement.Agreement, []int, error) {
	ag, err := agreement.Load(bytes.NewReader(src), file, a.Checker())
	if err != nil {
		return nil, nil, err
	}
	var versions []store.VersionRecord
	for _, v := range ag.Versions {
		versions = append(versions, versionRecord(ag.ID, v))
	}
	added, err := a.Store.PutAgreement(ctx, store.AgreementSource{AgreementID: ag.ID, File: file, Source: src}, versions)
	if err != nil {
		return nil, nil, err
	}
	if err := a.reloadAgreements(ctx); err != nil {
		return nil, nil, err
	}
	a.Log.Info("agreement loaded", "agreement", ag.ID, "file", file, "versions", len(ag.Versions), "new", added)
	return ag, added, nil
}

// versionRecord is how a version is stored.
func versionRecord(agreementID string, v *agreement.Version) store.VersionRecord {
	return store.VersionRecord{
		AgreementID: agreementID, Version: v.Number, Label: v.Label,
		EffectiveFrom: v.From, EffectiveTo: v.To, Digest: v.Digest(), Canonical: v.Canonical(),
	}
}

// LoadBundledAgreements stores the agreements shipped with truce.
func (a *App) LoadBundledAgreements(ctx context.Context) error {
	files, err := fs.Glob(bundled.FS, path.Join(bundled.Agreements, "*.yaml"))
	if err != nil {
		return err
	}
	for _, f := range files {
		src, err := fs.ReadFile(bundled.FS, f)
		if err != nil {
			return err
		}
		if _, _, err := a.LoadAgreement(ctx, path.Base(f), src); err != nil {
			return err
		}
	}
	return nil
}

// ErrNoTimeZone is returned when no stored agreement says in which time
// zone dates without one are to be read.
var ErrNoTimeZone = errors.New("no time zone for dates without one")

// Location is the time zone dates without one are read in: that of the
// stored agreements, when they share one. Without an agreement, or with
// several in different zones, a date would be read in a zone nobody chose
// (and never corrected once stored): that is an error.
func (a *App) Location() (*time.Location, error) {
	ags := a.Agreements()
	if len(ags) == 0 {
		return nil, fmt.Errorf("%w: no agreement is stored (load it first: its time zone is used)", ErrNoTimeZone)
	}
	for _, ag := range ags[1:] {
		if ag.Location.String() != ags[0].Location.String() {
			return nil, fmt.Errorf("%w: the stored agreements are in different time zones (%s, %s)", ErrNoTimeZone, ags[0].Location, ag.Location)
		}
	}
	return ags[0].Location, nil
}

// DefaultLocation is Location, or UTC where a reader's view needs a zone
// and none was chosen.
func (a *App) DefaultLocation() *time.Location {
	var loc *time.Location
	for _, ag := range a.Agreements() {
		if loc != nil && loc.String() != ag.Location.String() {
			return time.UTC
		}
		loc = ag.Location
	}
	if loc == nil {
		return time.UTC
	}
	return loc
}

// Ruled is an incident with its fresh ruling.
type Ruled struct {
	Incident incident.Incident
	Ruling   ruling.Ruling
}

// Rule rules every incident overlapping [from, to) under one agreement,
// stores the rulings and returns them with their tally.
func (a *App) Rule(ctx context.Context, agreementID string, from, to time.Time) (*ruling.Tally, []Ruled, error) {
	return a.RuleWhere(ctx, agreementID, from, to, nil)
}

// RuleWhere is Rule whose tally and list hold only the incidents keep
// selects (nil: all); every incident of the period is ruled and stored.
func (a *App) RuleWhere(ctx context.Context, agreementID string, from, to time.Time, keep func(Ruled) bool) (*ruling.Tally, []Ruled, error) {
	ag, ok := a.Agreement(agreementID)
	if !ok {
		return nil, nil, fmt.Errorf("rule: no agreement %q (stored: %v)", agreementID, a.agreementIDs())
	}
	tally := ruling.NewTally()
	var ruled []Ruled
	var pending []store.IncidentRuling
	err := a.Store.EachIncident(ctx, from, to, func(in incident.Incident) error {
		r := a.Engine.Rule(ag, in)
		pending = append(pending, store.IncidentRuling{IncidentID: in.ID, Ruling: r})
		if keep != nil && !keep(Ruled{Incident: in, Ruling: r}) {
			return nil
		}
		tally.Add(r)
		ruled = append(ruled, Ruled{Incident: in, Ruling: r})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if err := a.Store.SaveRulings(ctx, pending); err != nil {
		return nil, nil, err
	}
	return tally, ruled, nil
}

func (a *App) agreementIDs() []string {
	var ids []string
	for _, ag := range a.Agreements() {
		ids = append(ids, ag.ID)
	}
	return ids
}
