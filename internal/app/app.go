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
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/cluster"
	"github.com/truce-monitor/truce/internal/control"
	"github.com/truce-monitor/truce/internal/extract"
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
	store      store.Store
	Actors     *actor.Registry
	Boundaries *boundary.Set
	Places     *gazetteer.Gazetteer
	Engine     *ruling.Engine
	Log        *slog.Logger
	cfg        Config
	// ref is the reference data as loaded by Open, never changed after.
	ref *reference

	mu         sync.RWMutex
	agreements map[string]*agreement.Agreement
	altered    []error         // stored agreements left out: not what the log holds
	alteredIDs map[string]bool // their ids
	// keys are the keys of the agreements' rulings (rulekey.go).
	keys rulingKeys

	boxOnce sync.Once
	sealBox *sealed.Box
	boxErr  error

	readOnce sync.Once
	reader   *extract.Extractor
	readErr  error

	submissions chan submission
	committers  sync.WaitGroup
}

// Open opens the store and loads the reference data (the shipped actor
// registry and control layers, with the operator's stored files) and the
// stored agreements.
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
	bounds, places, err := LoadGeography()
	if err != nil {
		return nil, err
	}
	st, err := OpenStore(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	// The actors and control layers are the shipped files and those the
	// operator stored, read once here: they are not changed while truce
	// runs (a server uses a file stored meanwhile once restarted), so
	// that Actors and Engine are read without a lock.
	ref, err := loadReference(ctx, st, bounds, places)
	if err != nil {
		st.Close()
		return nil, err
	}
	for _, err := range ref.left {
		cfg.Logger.Error("stored reference file left out", "err", err)
	}
	a := &App{
		store:      st,
		Actors:     ref.reg,
		Boundaries: bounds,
		Places:     places,
		Engine:     &ruling.Engine{Actors: ref.reg, Control: ref.set},
		Log:        cfg.Logger,
		cfg:        cfg,
		ref:        ref,
		agreements: map[string]*agreement.Agreement{},

		submissions: make(chan submission, maxGroup),
	}
	if err := a.reloadAgreements(ctx); err != nil {
		st.Close()
		return nil, err
	}
	// One committer: SQLite has one writer, and on PostgreSQL concurrent
	// group commits deadlock on the incidents their reports join (the
	// same few places at once); a group's statements are batched instead.
	committers := 1
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

// ControlChecker validates control layers against an actor registry and
// the shipped boundaries and gazetteer.
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

// reference is the actor registry and the control layers truce rules
// with: the shipped files and the operator's stored ones (the latest
// version of each name), as loaded when truce opened.
type reference struct {
	reg *actor.Registry
	// actorFiles are the registry's files, the shipped one first.
	actorFiles []actor.File
	set        *control.Set
	// shipped and stored are every control layer loaded, the ones a
	// higher version supersedes included; storedSrc are the stored
	// layers' files.
	shipped, stored []*control.Layer
	storedSrc       []store.ReferenceFile
	// left are the stored files left out, and why.
	left []error
}

// OperatorActors is the stored actors file "truce actors add" appends to.
const OperatorActors = "operator.yaml"

// addActors adds the stored actors files candidates to the registry: all
// at once if they load together, else one at a time, each that does not
// load with the others left out (named in left).
func (ref *reference) addActors(candidates []actor.File) {
	if reg, err := actor.LoadFiles(slices.Concat(ref.actorFiles, candidates)...); err == nil {
		ref.reg, ref.actorFiles = reg, slices.Concat(ref.actorFiles, candidates)
		return
	}
	for _, c := range candidates {
		with := slices.Concat(ref.actorFiles, []actor.File{c})
		reg, err := actor.LoadFiles(with...)
		if err != nil {
			ref.left = append(ref.left, fmt.Errorf("stored actors file %s left out:\n%w", c.Name, err))
			continue
		}
		ref.reg, ref.actorFiles = reg, with
	}
}

// loadReference loads the shipped actors and control layers and the
// stored ones. A stored file is left out (and named in left) when it is
// not the file its log entry names, or when it does not load with the
// others (an id or name another file has, a layer naming an unknown
// actor): the engine rules only from what the log covers, and one bad
// file must not stop truce from opening (truce verify must still run).
func loadReference(ctx context.Context, st store.Store, bounds *boundary.Set, places *gazetteer.Gazetteer) (*reference, error) {
	shipped, err := fs.ReadFile(bundled.FS, bundled.Actors)
	if err != nil {
		return nil, fmt.Errorf("open shipped actors: %w", err)
	}
	ref := &reference{actorFiles: []actor.File{{Name: bundled.Actors, Source: shipped}}}
	if ref.reg, err = actor.LoadFiles(ref.actorFiles...); err != nil {
		return nil, fmt.Errorf("shipped actors: %w", err)
	}
	files, err := st.ReferenceFiles(ctx, store.ReferenceActors)
	if err != nil {
		return nil, err
	}
	var candidates []actor.File
	for _, f := range files {
		if err := checkReferenceLogged(ctx, st, f); err != nil {
			ref.left = append(ref.left, err)
			continue
		}
		candidates = append(candidates, actor.File{Name: f.Name, Source: f.Source})
	}
	// With no stored files, the shipped registry loaded above is whole.
	if len(candidates) > 0 {
		ref.addActors(candidates)
	}

	chk := ControlChecker(ref.reg, bounds, places)
	if ref.shipped, err = control.LoadDir(bundled.FS, bundled.Control, chk); err != nil {
		return nil, fmt.Errorf("load shipped control layers: %w", err)
	}
	layers, err := st.ReferenceFiles(ctx, store.ReferenceControl)
	if err != nil {
		return nil, err
	}
	for _, f := range layers {
		if err := checkReferenceLogged(ctx, st, f); err != nil {
			ref.left = append(ref.left, err)
			continue
		}
		l, err := control.Load(bytes.NewReader(f.Source), f.File, chk)
		if err == nil {
			err = storableLayer(l, ref.shipped, nil)
		}
		if err == nil && l.ID != f.Name {
			err = fmt.Errorf("its id is %s", l.ID)
		}
		if err != nil {
			ref.left = append(ref.left, fmt.Errorf("stored control layer %s left out:\n%w", f.Name, err))
			continue
		}
		ref.stored = append(ref.stored, l)
		ref.storedSrc = append(ref.storedSrc, f)
	}
	if ref.set, err = control.NewSet(bounds, slices.Concat(ref.shipped, ref.stored)...); err != nil {
		return nil, err
	}
	return ref, nil
}

// storableLayer says why a layer cannot join the shipped and stored
// layers: for one id, a version is given once (a correction is a new,
// higher version), and a stored layer is not replaced by a lower version.
func storableLayer(l *control.Layer, shipped, stored []*control.Layer) error {
	for _, s := range shipped {
		if s.ID == l.ID && s.Version == l.Version {
			return fmt.Errorf("control layer %s version %d ships with truce (%s): a correction is a new version", l.ID, l.Version, s.File)
		}
	}
	for _, s := range stored {
		switch {
		case s.ID != l.ID || s.Digest == l.Digest:
		case s.Version == l.Version:
			return fmt.Errorf("control layer %s version %d is stored with other content (%s): a correction is a new version", l.ID, l.Version, s.Digest[:12])
		case s.Version > l.Version:
			return fmt.Errorf("control layer %s version %d is stored: a correction is a higher version than that, not %d", l.ID, s.Version, l.Version)
		}
	}
	return nil
}

// checkReferenceLogged checks that a stored reference file is the one its
// log entry names.
func checkReferenceLogged(ctx context.Context, st store.Store, f store.ReferenceFile) error {
	key := ledger.ReferenceFileKey(f.Kind, f.Name, f.Seq)
	idx, data, err := st.LogEntryFor(ctx, ledger.ReferenceFile, key, 1)
	if err != nil {
		return fmt.Errorf("stored %s file %s left out: %w", f.Kind, f.Name, err)
	}
	e, err := ledger.ParseEntry(idx, data)
	if err != nil {
		return fmt.Errorf("stored %s file %s left out: %w", f.Kind, f.Name, err)
	}
	if sum := sha256.Sum256(f.Source); e.Digest != hex.EncodeToString(sum[:]) {
		return fmt.Errorf("stored %s file %s left out: it is not what its log entry %d holds (truce verify names it)", f.Kind, f.Name, idx)
	}
	return nil
}

// ReferenceLeftOut says which stored reference files (actors files,
// control layers) truce left out when it opened, and why.
func (a *App) ReferenceLeftOut() []error { return slices.Clone(a.ref.left) }

// ControlLayers returns every control layer loaded, shipped and stored,
// those superseded by a higher version included; Engine.Control.Layers
// gives the ones consulted.
func (a *App) ControlLayers() (shipped, stored []*control.Layer) {
	return slices.Clone(a.ref.shipped), slices.Clone(a.ref.stored)
}

// LoadActorsFile validates an actor registry file with the shipped
// registry and the other stored files, and stores it as the latest
// version of its name (the file's base name). A file is refused if it
// collides with another, or would leave a stored agreement or control
// layer naming an unknown actor. It returns whether the file was new, and
// the registry it makes. The registry truce rules with is made when truce
// opens: a running server uses the file once restarted.
func (a *App) LoadActorsFile(ctx context.Context, file string, src []byte) (bool, *actor.Registry, error) {
	return a.storeActors(ctx, path.Base(filepath.ToSlash(file)), file, src)
}

// AddActor appends an actor to the operator's actors file
// (OperatorActors), as a new version of it made from the latest stored
// one, or a new file; the whole registry must then load. It returns the
// file as stored.
func (a *App) AddActor(ctx context.Context, x actor.Actor) ([]byte, error) {
	files, err := a.store.ReferenceFiles(ctx, store.ReferenceActors)
	if err != nil {
		return nil, err
	}
	var prev []byte
	for _, f := range files {
		if f.Name == OperatorActors {
			// Never build on a file the log does not cover.
			if err := checkReferenceLogged(ctx, a.store, f); err != nil {
				return nil, err
			}
			prev = f.Source
		}
	}
	src, err := actor.Append(prev, x)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", OperatorActors, err)
	}
	if _, _, err := a.storeActors(ctx, OperatorActors, OperatorActors, src); err != nil {
		return nil, err
	}
	return src, nil
}

func (a *App) storeActors(ctx context.Context, name, file string, src []byte) (bool, *actor.Registry, error) {
	var files []actor.File
	for _, f := range a.ref.actorFiles {
		if f.Name != name {
			files = append(files, f)
		}
	}
	reg, err := actor.LoadFiles(append(files, actor.File{Name: name, Source: src})...)
	if err != nil {
		return false, nil, err
	}
	if err := a.stillValid(ctx, reg); err != nil {
		return false, nil, err
	}
	added, err := a.store.PutReferenceFile(ctx, store.ReferenceActors, name, file, src)
	if err != nil {
		return false, nil, err
	}
	a.Log.Info("actors file loaded", "name", name, "file", file, "new", added)
	return added, reg, nil
}

// stillValid checks that the stored agreements and control layers in use
// validate with reg: a new version of an actors file may not drop an
// actor one of them names.
func (a *App) stillValid(ctx context.Context, reg *actor.Registry) error {
	srcs, err := a.store.AgreementSources(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, s := range srcs {
		if _, ok := a.Agreement(s.AgreementID); !ok {
			continue // left out already
		}
		if _, err := agreement.Load(bytes.NewReader(s.Source), s.File, agreementChecker(reg, a.Boundaries)); err != nil {
			errs = append(errs, fmt.Errorf("the stored agreement %s would no longer validate:\n%w", s.AgreementID, err))
		}
	}
	chk := ControlChecker(reg, a.Boundaries, a.Places)
	for _, f := range a.ref.storedSrc {
		if _, err := control.Load(bytes.NewReader(f.Source), f.File, chk); err != nil {
			errs = append(errs, fmt.Errorf("the stored control layer %s would no longer validate:\n%w", f.Name, err))
		}
	}
	return errors.Join(errs...)
}

// LoadControlFile validates a control layer file against the actor
// registry and the shipped geography, and stores it as the latest version
// of its layer id. A version already stored or shipped with other content,
// or lower than the stored one, is refused: a correction is a new, higher
// version. It returns the layer and whether the file was new. Like an
// actors file, it is consulted once truce opens again.
func (a *App) LoadControlFile(ctx context.Context, file string, src []byte) (*control.Layer, bool, error) {
	base := path.Base(filepath.ToSlash(file))
	l, err := control.Load(bytes.NewReader(src), base, ControlChecker(a.Actors, a.Boundaries, a.Places))
	if err != nil {
		return nil, false, err
	}
	stored, err := a.store.ReferenceFiles(ctx, store.ReferenceControl)
	if err != nil {
		return nil, false, err
	}
	var latest []*control.Layer
	for _, f := range stored {
		if f.Name != l.ID {
			continue
		}
		// The stored version, as the log has it, whether or not it loads
		// now: only its id, version and digest matter here.
		if err := checkReferenceLogged(ctx, a.store, f); err != nil {
			return nil, false, err
		}
		sum := sha256.Sum256(f.Source)
		prev := &control.Layer{ID: f.Name, Digest: hex.EncodeToString(sum[:]), Version: storedVersion(f.Source)}
		latest = append(latest, prev)
	}
	if err := storableLayer(l, a.ref.shipped, latest); err != nil {
		return nil, false, err
	}
	added, err := a.store.PutReferenceFile(ctx, store.ReferenceControl, l.ID, base, src)
	if err != nil {
		return nil, false, err
	}
	a.Log.Info("control layer loaded", "layer", l.ID, "version", l.Version, "file", base, "new", added)
	return l, added, nil
}

// storedVersion reads the version of a stored layer file without
// validating it (a layer stored once may name an actor since dropped).
func storedVersion(src []byte) int {
	var v struct {
		Version int `yaml:"version"`
	}
	yaml.Unmarshal(src, &v)
	return v.Version
}

// Close waits for the submissions under way to be committed, and closes
// the store. No submission may start after Close.
func (a *App) Close() error {
	close(a.submissions)
	a.committers.Wait()
	return a.store.Close()
}

// Checker validates agreements against the actor registry (shipped and
// stored files) and the shipped boundaries.
func (a *App) Checker() agreement.Checker {
	return agreementChecker(a.Actors, a.Boundaries)
}

func agreementChecker(reg *actor.Registry, bounds *boundary.Set) agreement.Checker {
	return agreement.Checker{
		KnownActor: func(id string) bool { _, ok := reg.Get(id); return ok },
		KnownPCode: func(pc string) bool { _, ok := bounds.Unit(pc); return ok },
	}
}

// reloadAgreements loads the stored agreements the engine rules with. An
// agreement whose stored file is not the one the log holds, or whose
// versions are not the logged ones, is left out (and named by Verify):
// the engine rules only from what the log covers.
func (a *App) reloadAgreements(ctx context.Context) error {
	srcs, err := a.store.AgreementSources(ctx)
	if err != nil {
		return err
	}
	loaded := map[string]*agreement.Agreement{}
	sums := map[*agreement.Agreement][32]byte{}
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
		sums[ag] = sha256.Sum256(s.Source)
	}
	a.mu.Lock()
	a.agreements, a.altered, a.alteredIDs = loaded, altered, alteredIDs
	a.keys.setSources(sums)
	a.mu.Unlock()
	return nil
}

// checkLogged checks that an agreement file as stored is the one logged,
// and each of its versions the logged version.
func (a *App) checkLogged(ctx context.Context, s store.AgreementSource, ag *agreement.Agreement) error {
	check := func(kind, key, digest string) error {
		idx, data, err := a.store.LogEntryFor(ctx, kind, key, 1)
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
	added, err := a.store.PutAgreement(ctx, store.AgreementSource{AgreementID: ag.ID, File: file, Source: src}, versions)
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
// stores the rulings that changed and returns them with their tally.
func (a *App) Rule(ctx context.Context, agreementID string, from, to time.Time) (*ruling.Tally, []Ruled, error) {
	return a.RuleWhere(ctx, agreementID, from, to, nil)
}

// RuleWhere is Rule whose tally and list hold only the incidents keep
// selects (nil: all); every incident of the period is ruled and stored.
// It holds the list in memory: RuleEach does not.
func (a *App) RuleWhere(ctx context.Context, agreementID string, from, to time.Time, keep func(Ruled) bool) (*ruling.Tally, []Ruled, error) {
	var ruled []Ruled
	tally, _, err := a.RuleEach(ctx, agreementID, from, to, keep, func(r Ruled) error {
		ruled = append(ruled, r)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return tally, ruled, nil
}

// ruleBatch is how many incidents' rulings RuleEach compares with the
// stored ones, and writes if changed, at a time.
const ruleBatch = 256

// RuleEach rules every incident overlapping [from, to) under one
// agreement as it is read, oldest first, and calls each (when not nil)
// with every one keep selects (nil: all), which the tally counts. Every
// incident of the period is ruled, but one whose stored ruling was made
// from its facts as stored now with the key of now (the engine, the
// agreement, the reference data: rulingKey) is not ruled again: ruling it
// would give the stored ruling, which is counted from its row (or, for
// each and keep, made again without being compared). Any other ruling
// is written only when it differs from the stored one
// (store.Store.SaveRulings), in batches, so that memory does not grow
// with the period. It returns the tally and how many rulings were
// written. When it fails, the batches before have been stored: ruling
// again completes the work.
func (a *App) RuleEach(ctx context.Context, agreementID string, from, to time.Time, keep func(Ruled) bool, each func(Ruled) error) (*ruling.Tally, int, error) {
	return a.ruleEach(ctx, agreementID, from, to, false, keep, each)
}

// RuleEachAgain is RuleEach ruling every incident again and comparing
// each ruling with the stored one, whatever that was made from: what
// puts back a ruling altered by hand (truce verify -deep names it).
func (a *App) RuleEachAgain(ctx context.Context, agreementID string, from, to time.Time, keep func(Ruled) bool, each func(Ruled) error) (*ruling.Tally, int, error) {
	return a.ruleEach(ctx, agreementID, from, to, true, keep, each)
}

func (a *App) ruleEach(ctx context.Context, agreementID string, from, to time.Time, again bool, keep func(Ruled) bool, each func(Ruled) error) (*ruling.Tally, int, error) {
	ag, ok := a.Agreement(agreementID)
	if !ok {
		return nil, 0, fmt.Errorf("rule: no agreement %q (stored: %v)", agreementID, a.agreementIDs())
	}
	key := a.rulingKey(ag)
	tally := ruling.NewTally()
	// current counts the rulings found current, ruledAgain the incidents
	// that were not (or all, again).
	written, current, ruledAgain := 0, 0, 0
	pending := make([]store.IncidentRuling, 0, ruleBatch)
	flush := func() error {
		n, err := a.store.SaveRulings(ctx, pending)
		written += n
		pending = pending[:0]
		return err
	}
	// The incidents are needed whole only by keep and each.
	all := keep != nil || each != nil
	err := a.store.EachToRule(ctx, from, to, ag.ID, key, all || again, func(t store.ToRule) error {
		if t.Current && !again {
			current++
			if !all {
				s := t.Stored
				tally.AddN(s.Version, s.Verdict, s.Outcome, s.Parties, s.Clauses, t.State, 1)
				return nil
			}
		}
		in := t.Incident
		r := a.Engine.Rule(ag, in)
		if !t.Current || again {
			ruledAgain++
			pending = append(pending, store.IncidentRuling{IncidentID: in.ID, Ruling: r, Inputs: t.Inputs})
			if len(pending) == ruleBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if keep != nil && !keep(Ruled{Incident: in, Ruling: r}) {
			return nil
		}
		tally.AddIn(r, in.State)
		if each != nil {
			return each(Ruled{Incident: in, Ruling: r})
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return nil, written, err
	}
	a.Log.Info("incidents ruled", "agreement", ag.ID, "current", current, "ruled_again", ruledAgain)
	return tally, written, nil
}

func (a *App) agreementIDs() []string {
	var ids []string
	for _, ag := range a.Agreements() {
		ids = append(ids, ag.ID)
	}
	return ids
}
