package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/area"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/humanitarian"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/names"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// ownerHumanitarian owns the reports humanitarian records make: only a
// new revision of the record (or an administrator) revises them.
const ownerHumanitarian = "humanitarian"

// sourceHumanitarian is the source of those reports; the source id is
// "kind/id/n", the record and its nth ruled step.
const sourceHumanitarian = "humanitarian"

// WritesHumanitarian reports whether u may record humanitarian facts:
// the mechanism's staff and monitors. A liaison submits only its own
// party's lists and confirmations (PutList, ConfirmExchange).
func WritesHumanitarian(u *workflow.User) bool {
	if u == nil {
		return false
	}
	switch u.Role {
	case workflow.Admin, workflow.Reviewer, workflow.GuarantorMember, workflow.Monitor:
		return true
	}
	return false
}

// DecidesMatches reports whether u may confirm or reject a proposed
// match of two cases: the Joint Group's staff, who alone read the names.
func DecidesMatches(u *workflow.User) bool {
	return u != nil && (u.Role == workflow.Admin || u.Role == workflow.Reviewer)
}

func forbidden(what string) error {
	return fmt.Errorf("%s: %w", what, workflow.ErrForbidden)
}

// putRecord stores v as the next revision of kind/id.
func (a *App) putRecord(ctx context.Context, kind humanitarian.Kind, id string, v any) (int, error) {
	doc, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	rev, _, err := a.store.PutHumanitarian(ctx, string(kind), id, doc)
	return rev, err
}

// records decodes the latest revision of every stored record of kind.
func records[T any](ctx context.Context, a *App, kind humanitarian.Kind) ([]T, error) {
	rows, err := a.store.HumanitarianRecords(ctx, string(kind))
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(rows))
	for _, r := range rows {
		var v T
		if err := json.Unmarshal(r.Doc, &v); err != nil {
			return nil, fmt.Errorf("%s %s revision %d: %w", r.Kind, r.ID, r.Rev, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// record decodes the latest revision of one record.
func record[T any](ctx context.Context, a *App, kind humanitarian.Kind, id string) (T, int, error) {
	var v T
	h, err := a.store.HumanitarianHistory(ctx, string(kind), id)
	if err != nil {
		return v, 0, err
	}
	last := h[len(h)-1]
	if err := json.Unmarshal(last.Doc, &v); err != nil {
		return v, 0, fmt.Errorf("%s %s revision %d: %w", kind, id, last.Rev, err)
	}
	return v, last.Rev, nil
}

// ErrInvalidRecord wraps what is wrong with a humanitarian record.
var ErrInvalidRecord = errors.New("invalid humanitarian record")

func badRecord(kind humanitarian.Kind, id string, err error) error {
	return fmt.Errorf("%w: %s %s: %w", ErrInvalidRecord, kind, id, err)
}

// ---- Sieges ----

// ShippedSieges are the besieged areas shipped with truce
// (bundled/data/humanitarian), each row citing its source. They are read
// from the binary once (they cannot change while truce runs); callers
// must not modify what they are given.
func ShippedSieges() ([]humanitarian.Siege, error) { return shippedSieges() }

var shippedSieges = sync.OnceValues(readShippedSieges)

func readShippedSieges() ([]humanitarian.Siege, error) {
	files, err := fs.Glob(bundled.FS, path.Join(bundled.Humanitarian, "sieges-*.yaml"))
	if err != nil {
		return nil, err
	}
	var out []humanitarian.Siege
	for _, f := range files {
		b, err := fs.ReadFile(bundled.FS, f)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Sieges []humanitarian.Siege `yaml:"sieges"`
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&doc); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for i := range doc.Sieges {
			if err := doc.Sieges[i].Validate(); err != nil {
				return nil, fmt.Errorf("%s: siege %s: %w", f, doc.Sieges[i].ID, err)
			}
		}
		out = append(out, doc.Sieges...)
	}
	return out, nil
}

// ShippedEvacuations are the evacuations and displacement figures
// shipped with truce, read once like ShippedSieges.
func ShippedEvacuations() ([]humanitarian.Evacuation, []humanitarian.Displacement, error) {
	s, err := shippedEvacuations()
	return s.evacuations, s.displacement, err
}

type shippedEvac struct {
	evacuations  []humanitarian.Evacuation
	displacement []humanitarian.Displacement
}

var shippedEvacuations = sync.OnceValues(func() (shippedEvac, error) {
	e, d, err := readShippedEvacuations()
	return shippedEvac{e, d}, err
})

func readShippedEvacuations() ([]humanitarian.Evacuation, []humanitarian.Displacement, error) {
	files, err := fs.Glob(bundled.FS, path.Join(bundled.Humanitarian, "evacuations-*.yaml"))
	if err != nil {
		return nil, nil, err
	}
	var evs []humanitarian.Evacuation
	var disp []humanitarian.Displacement
	for _, f := range files {
		b, err := fs.ReadFile(bundled.FS, f)
		if err != nil {
			return nil, nil, err
		}
		var doc struct {
			Evacuations  []humanitarian.Evacuation   `yaml:"evacuations"`
			Displacement []humanitarian.Displacement `yaml:"displacement"`
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&doc); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
		for i := range doc.Evacuations {
			if err := doc.Evacuations[i].Validate(); err != nil {
				return nil, nil, fmt.Errorf("%s: evacuation %s: %w", f, doc.Evacuations[i].ID, err)
			}
		}
		for i := range doc.Displacement {
			if err := doc.Displacement[i].Validate(); err != nil {
				return nil, nil, fmt.Errorf("%s: displacement %s: %w", f, doc.Displacement[i].ID, err)
			}
		}
		evs, disp = append(evs, doc.Evacuations...), append(disp, doc.Displacement...)
	}
	return evs, disp, nil
}

// checkArea checks an area's P-codes against the boundaries and its
// polygon, when it has one, as GeoJSON.
func (a *App) checkArea(field string, ar humanitarian.Area) error {
	for _, pc := range ar.PCodes {
		if _, ok := a.Boundaries.Unit(pc); !ok {
			return fmt.Errorf("%s: unknown P-code %q", field, pc)
		}
	}
	if ar.Geometry != nil {
		if _, faults := area.Parse(ar.Geometry); len(faults) > 0 {
			return fmt.Errorf("%s.geometry.%s: %s", field, faults[0].Path, faults[0].Msg)
		}
	}
	return nil
}

// PutSiege records a siege (a new revision of it, if it exists); the
// shipped rows of the same id are then superseded by the stored one.
func (a *App) PutSiege(ctx context.Context, u *workflow.User, s humanitarian.Siege) (int, error) {
	if !WritesHumanitarian(u) {
		return 0, forbidden("record a siege")
	}
	if err := s.Validate(); err != nil {
		return 0, badRecord(humanitarian.KindSiege, s.ID, err)
	}
	if err := a.checkArea("area", s.Area); err != nil {
		return 0, badRecord(humanitarian.KindSiege, s.ID, err)
	}
	return a.putRecord(ctx, humanitarian.KindSiege, s.ID, s)
}

// Sieges lists the sieges, shipped and stored (a stored record replaces
// the shipped one of its id). Sieges are public: where and when people
// were besieged, and by whom, with sources, names nobody to protect.
func (a *App) Sieges(ctx context.Context, _ *workflow.User) ([]humanitarian.Siege, error) {
	shipped, err := ShippedSieges()
	if err != nil {
		return nil, err
	}
	stored, err := records[humanitarian.Siege](ctx, a, humanitarian.KindSiege)
	if err != nil {
		return nil, err
	}
	return mergeByID(shipped, stored, func(s humanitarian.Siege) string { return s.ID }), nil
}

func mergeByID[T any](shipped, stored []T, id func(T) string) []T {
	seen := map[string]int{}
	out := slices.Clone(shipped)
	for i, v := range out {
		seen[id(v)] = i
	}
	for _, v := range stored {
		if i, ok := seen[id(v)]; ok {
			out[i] = v
			continue
		}
		out = append(out, v)
	}
	sort.SliceStable(out, func(i, j int) bool { return id(out[i]) < id(out[j]) })
	return out
}

// inArea reports whether a place given by its units lies in one of the
// area's units: a unit contains another when its P-code is a prefix.
// A place known only at a coarser level than the area is not in it.
func inArea(pcodes []string, units ...string) bool {
	for _, pc := range pcodes {
		for _, u := range units {
			if u != "" && strings.HasPrefix(u, pc) {
				return true
			}
		}
	}
	return false
}

// SiegeAt is a siege that held where and when an incident happened.
type SiegeAt struct {
	Siege  humanitarian.Siege  `json:"siege"`
	Period humanitarian.Period `json:"period"`
}

// SiegesAt returns the sieges in force at an incident's place and time:
// an attack on a besieged town is read with the siege beside it.
func (a *App) SiegesAt(ctx context.Context, u *workflow.User, in incident.Incident) ([]SiegeAt, error) {
	sieges, err := a.Sieges(ctx, u)
	if err != nil {
		return nil, err
	}
	p := in.Place
	var out []SiegeAt
	for _, s := range sieges {
		if !inArea(s.Area.PCodes, p.Area, p.Admin3, p.Admin2, p.Admin1) {
			continue
		}
		if per, ok := s.Covers(in.Occurred.Start, in.Occurred.End); ok {
			out = append(out, SiegeAt{Siege: s, Period: per})
		}
	}
	return out, nil
}

// ---- Aid access ----

// PutAccess records an access request with its steps. Each step that
// obstructs access (humanitarian.AccessStep.Act) becomes an incident,
// ruled against the agreement like any other and open to the same
// workflow (the accused party's reply, the guarantors' findings); the
// step keeps the incident's id. Recording the request again with more
// steps rules only what is new: a step already made an incident keeps it.
func (a *App) PutAccess(ctx context.Context, u *workflow.User, r humanitarian.AccessRequest) (humanitarian.AccessRequest, error) {
	if !WritesHumanitarian(u) {
		return r, forbidden("record an access request")
	}
	if err := r.Validate(); err != nil {
		return r, badRecord(humanitarian.KindAccess, r.ID, err)
	}
	if err := a.checkArea("destination", r.Destination); err != nil {
		return r, badRecord(humanitarian.KindAccess, r.ID, err)
	}
	for i := range r.Steps {
		s := &r.Steps[i]
		s.Incident = 0 // the app's, not the client's
		t, ruled := s.Act()
		if !ruled {
			continue
		}
		what := fmt.Sprintf("Aid access: %s of the request %s by %s to %s", strings.ReplaceAll(s.Status, "_", " "), r.ID, r.RequestedBy, r.Destination.Name)
		if len(s.Removed) > 0 {
			what += "; items removed: " + strings.Join(s.Removed, ", ")
		}
		if s.Note != "" {
			what += ". " + s.Note
		}
		id, err := a.ruledReport(ctx, humanitarian.KindAccess, r.ID, i, ruledFact{
			date: s.Date, area: r.Destination, by: s.By, act: t, what: what, source: s.Source, evidence: s.Evidence, original: s,
		})
		if err != nil {
			return r, err
		}
		s.Incident = id
	}
	if _, err := a.putRecord(ctx, humanitarian.KindAccess, r.ID, r); err != nil {
		return r, err
	}
	return r, nil
}

// ruledFact is a humanitarian fact to be ruled as an incident.
type ruledFact struct {
	date     string
	area     humanitarian.Area
	by       string
	act      act.Type
	what     string
	killed   int
	source   humanitarian.Source
	evidence []string
	original any
}

// ruledReport makes the report of a ruled humanitarian fact and stores
// it through the same intake as every report (its own incident, never
// joined to a nearby one: a denial is not the shelling next door),
// returning the incident.
func (a *App) ruledReport(ctx context.Context, kind humanitarian.Kind, id string, n int, f ruledFact) (int64, error) {
	loc, err := a.Location()
	if err != nil {
		return 0, err
	}
	day, err := humanitarian.Date(f.date)
	if err != nil {
		return 0, badRecord(kind, id, err)
	}
	for _, sha := range f.evidence {
		if _, err := a.store.EvidenceInfo(ctx, sha); err != nil {
			return 0, badRecord(kind, id, fmt.Errorf("evidence %s: not stored (send the file first)", sha))
		}
	}
	by := incident.ActorRef{Name: f.by, Role: incident.Perpetrator}
	if _, ok := a.Actors.Get(f.by); ok {
		by.ID = f.by
	} else {
		by.ID, _ = a.Actors.Resolve(f.by)
	}
	if by.ID != "" {
		if ac, ok := a.Actors.Get(by.ID); ok {
			by.Name = ac.Name
		}
	}
	original, _ := json.Marshal(f.original)
	rep := incident.Report{
		Source:      sourceHumanitarian,
		SourceID:    fmt.Sprintf("%s/%s/%d", kind, id, n+1),
		Kind:        incident.FromMonitor,
		ReportedAt:  time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc),
		Occurred:    incident.Day(day.Year(), day.Month(), day.Day(), loc),
		Place:       a.placeOf(f.area),
		Actors:      []incident.ActorRef{by, {Name: "Civilians", ID: "civilians", Role: incident.Target}},
		Act:         f.act,
		Description: f.what,
		Citations:   []string{f.source.Citation},
		Evidence:    f.evidence,
		Original:    string(original), OriginalFormat: "application/json; truce-humanitarian-" + string(kind),
		Owner: ownerHumanitarian,
	}
	if f.source.URL != "" {
		rep.Citations = append(rep.Citations, f.source.URL)
	}
	if f.killed > 0 {
		rep.Casualties = incident.Casualties{Low: f.killed, Best: f.killed, High: f.killed}
	}
	in := a.Intake()
	in.Cluster = nil
	res, err := a.store.ImportReports(ctx, []incident.Report{rep}, in)
	if err != nil {
		return 0, fmt.Errorf("%s %s step %d: %w", kind, id, n+1, err)
	}
	return res[0].IncidentID, nil
}

// placeOf places a humanitarian area for the ruling: its first unit,
// as precisely as that unit is (a sub-district, a district...).
func (a *App) placeOf(ar humanitarian.Area) incident.Place {
	p := incident.Place{Name: ar.Name, Precision: incident.PlaceUnknown}
	if len(ar.PCodes) == 0 {
		return p
	}
	u, ok := a.Boundaries.Unit(ar.PCodes[0])
	if !ok {
		return p
	}
	adm, _ := a.Boundaries.AdminOf(u.PCode)
	p.Area, p.Admin1, p.Admin2, p.Admin3 = u.PCode, adm.Admin1, adm.Admin2, adm.Admin3
	p.Precision = [...]incident.PlacePrecision{incident.PlaceCountry, incident.PlaceAdmin1, incident.PlaceAdmin2, incident.PlaceAdmin3}[u.Level]
	if p.Name == "" {
		p.Name = u.Name
	}
	return p
}

// AccessRequests lists the access requests. They are public: who asked
// to reach whom, and what became of it, is the record the public needs;
// the incidents their steps made keep their own visibility.
func (a *App) AccessRequests(ctx context.Context, _ *workflow.User) ([]humanitarian.AccessRequest, error) {
	return records[humanitarian.AccessRequest](ctx, a, humanitarian.KindAccess)
}

// ---- Cases, lists, matching ----

// sealCase moves a case's identity into its sealed field.
func (a *App) sealCase(c *humanitarian.Case) error {
	c.Sealed = ""
	if c.Identity == nil {
		return nil
	}
	b, err := a.box()
	if err != nil {
		return fmt.Errorf("case %s names a person to protect, but %w", c.ID, err)
	}
	plain, _ := json.Marshal(c.Identity)
	c.Sealed, c.Identity = b.Seal("case/"+c.ID+" identity", plain), nil
	return nil
}

// openCase gives u the case as u may see it: the identity opened for the
// Joint Group's staff, and the sealed text removed for everyone.
func (a *App) openCase(u *workflow.User, c *humanitarian.Case) {
	s := c.Sealed
	c.Sealed, c.Identity = "", nil
	if s == "" || !SeesIdentities(u) {
		return
	}
	b, err := a.box()
	if err != nil {
		a.Log.Error("open case identity", "case", c.ID, "err", err)
		return
	}
	plain, err := b.Open("case/"+c.ID+" identity", s)
	var id humanitarian.Identity
	if err == nil {
		err = json.Unmarshal(plain, &id)
	}
	if err != nil {
		a.Log.Error("open case identity", "case", c.ID, "err", err)
		return
	}
	c.Identity = &id
}

// PutCase records a case, its identity sealed before it is stored or
// logged.
func (a *App) PutCase(ctx context.Context, u *workflow.User, c humanitarian.Case) (int, error) {
	if !WritesHumanitarian(u) {
		return 0, forbidden("record a case")
	}
	return a.putCase(ctx, c)
}

func (a *App) putCase(ctx context.Context, c humanitarian.Case) (int, error) {
	if err := c.Validate(); err != nil {
		return 0, badRecord(humanitarian.KindCase, c.ID, err)
	}
	if err := a.sealCase(&c); err != nil {
		return 0, err
	}
	return a.putRecord(ctx, humanitarian.KindCase, c.ID, c)
}

// CaseView is a case as a viewer sees it, with the cases a reviewer
// confirmed are the same person (never merged: each keeps its record).
type CaseView struct {
	humanitarian.Case
	SameAs []string `json:"same_as,omitempty"`
	Lists  []string `json:"lists,omitempty"`
}

// Cases lists the cases as u may see them: identities only for the Joint
// Group's staff; to anyone else a case is its kind, status, sides,
// date and governorate.
func (a *App) Cases(ctx context.Context, u *workflow.User) ([]CaseView, error) {
	cases, err := records[humanitarian.Case](ctx, a, humanitarian.KindCase)
	if err != nil {
		return nil, err
	}
	lists, err := records[humanitarian.List](ctx, a, humanitarian.KindList)
	if err != nil {
		return nil, err
	}
	matches, err := records[humanitarian.Match](ctx, a, humanitarian.KindMatch)
	if err != nil {
		return nil, err
	}
	in := map[string][]string{}
	for _, l := range lists {
		for _, c := range l.Cases {
			in[c] = append(in[c], l.ID)
		}
	}
	same := map[string][]string{}
	for _, m := range matches {
		if m.Decision == humanitarian.MatchConfirmed {
			same[m.A] = append(same[m.A], m.B)
			same[m.B] = append(same[m.B], m.A)
		}
	}
	out := make([]CaseView, len(cases))
	for i, c := range cases {
		a.openCase(u, &c)
		out[i] = CaseView{Case: c, SameAs: same[c.ID], Lists: in[c.ID]}
	}
	return out, nil
}

// Case returns one case as u may see it.
func (a *App) Case(ctx context.Context, u *workflow.User, id string) (CaseView, error) {
	all, err := a.Cases(ctx, u)
	if err != nil {
		return CaseView{}, err
	}
	for _, c := range all {
		if c.ID == id {
			return c, nil
		}
	}
	return CaseView{}, fmt.Errorf("case %s: %w", id, store.ErrNotFound)
}

// PutList records a list a side submitted, with the cases it names (new
// ones stored, sealed). A liaison submits only its own party's lists.
func (a *App) PutList(ctx context.Context, u *workflow.User, l humanitarian.List, cases []humanitarian.Case) (int, error) {
	switch {
	case WritesHumanitarian(u):
	case u != nil && u.Role == workflow.Liaison && u.Party != "" && u.Party == l.Side:
	default:
		return 0, forbidden("submit a list for " + l.Side)
	}
	if err := l.Validate(); err != nil {
		return 0, badRecord(humanitarian.KindList, l.ID, err)
	}
	for _, c := range cases {
		if _, err := a.putCase(ctx, c); err != nil {
			return 0, err
		}
		if !slices.Contains(l.Cases, c.ID) {
			l.Cases = append(l.Cases, c.ID)
		}
	}
	return a.putRecord(ctx, humanitarian.KindList, l.ID, l)
}

// Lists lists the submitted lists: which side holds or seeks which cases
// (ids only; a case's identity is read through Cases).
func (a *App) Lists(ctx context.Context, _ *workflow.User) ([]humanitarian.List, error) {
	return records[humanitarian.List](ctx, a, humanitarian.KindList)
}

// Candidate is a pair of cases the matcher proposes as one person, with
// its score and reasons, and the decision on it if one was recorded.
type Candidate struct {
	A        string   `json:"a"`
	B        string   `json:"b"`
	Score    float64  `json:"score"`
	Reasons  []string `json:"reasons"`
	Decision string   `json:"decision,omitempty"`
}

// MatchCandidates proposes pairs of cases on different lists (or not on
// the same one) that may be the same person, best first, scoring at
// least threshold (names.DefaultThreshold when zero). Only the Joint
// Group's staff may ask: the reasons speak of names. Nothing is merged.
func (a *App) MatchCandidates(ctx context.Context, u *workflow.User, threshold float64) ([]Candidate, error) {
	if !SeesIdentities(u) {
		return nil, forbidden("match cases")
	}
	if threshold == 0 {
		threshold = names.DefaultThreshold
	}
	cases, err := a.Cases(ctx, u)
	if err != nil {
		return nil, err
	}
	matches, err := records[humanitarian.Match](ctx, a, humanitarian.KindMatch)
	if err != nil {
		return nil, err
	}
	decided := map[string]string{}
	for _, m := range matches {
		decided[m.ID] = m.Decision
	}
	people := make([]names.Person, len(cases))
	for i, c := range cases {
		if c.Identity != nil {
			people[i] = personOf(c.Identity)
		}
	}
	var out []Candidate
	for i := range cases {
		for j := i + 1; j < len(cases); j++ {
			if cases[i].Identity == nil || cases[j].Identity == nil || shareList(cases[i].Lists, cases[j].Lists) {
				continue
			}
			sc := names.Compare(people[i], people[j])
			if sc.Score < threshold {
				continue
			}
			out = append(out, Candidate{A: cases[i].ID, B: cases[j].ID, Score: sc.Score, Reasons: sc.Reasons,
				Decision: decided[humanitarian.MatchID(cases[i].ID, cases[j].ID)]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out, nil
}

func shareList(a, b []string) bool {
	for _, l := range a {
		if slices.Contains(b, l) {
			return true
		}
	}
	return false
}

func personOf(id *humanitarian.Identity) names.Person {
	return names.Person{Name: id.Name, Alt: id.NameAr, Father: id.Father, Mother: id.Mother, Born: id.Born, Place: id.Place}
}

// DecideMatch records a reviewer's decision on a proposed pair. Only a
// confirmation says two cases are one person, and even then both records
// stay: each shows the other (CaseView.SameAs).
func (a *App) DecideMatch(ctx context.Context, u *workflow.User, m humanitarian.Match) (humanitarian.Match, error) {
	if !DecidesMatches(u) {
		return m, forbidden("decide a match")
	}
	if err := m.Validate(); err != nil {
		return m, badRecord(humanitarian.KindMatch, m.A+"~"+m.B, err)
	}
	ca, err := a.Case(ctx, u, m.A)
	if err != nil {
		return m, err
	}
	cb, err := a.Case(ctx, u, m.B)
	if err != nil {
		return m, err
	}
	if ca.Identity != nil && cb.Identity != nil {
		sc := names.Compare(personOf(ca.Identity), personOf(cb.Identity))
		m.Score, m.Reasons = sc.Score, sc.Reasons
	}
	m.ID, m.By = humanitarian.MatchID(m.A, m.B), u.Name
	if _, err := a.putRecord(ctx, humanitarian.KindMatch, m.ID, m); err != nil {
		return m, err
	}
	return m, nil
}

// ---- Exchanges ----

// PutExchange records an exchange. A breach by a side becomes an
// incident ruled against the agreement's exchange clause.
func (a *App) PutExchange(ctx context.Context, u *workflow.User, e humanitarian.Exchange) (humanitarian.Exchange, error) {
	if !WritesHumanitarian(u) {
		return e, forbidden("record an exchange")
	}
	if err := e.Validate(); err != nil {
		return e, badRecord(humanitarian.KindExchange, e.ID, err)
	}
	e.Incident = 0
	if e.Breached != "" {
		id, err := a.ruledReport(ctx, humanitarian.KindExchange, e.ID, 0, ruledFact{
			date: e.Date, area: e.Place, by: e.Breached, act: act.ExchangeBreach, source: e.Source, original: e,
			what: fmt.Sprintf("Exchange %s of %d people: %s did not carry out its side as agreed", e.ID, len(e.Releases), e.Breached),
		})
		if err != nil {
			return e, err
		}
		e.Incident = id
	}
	_, err := a.putRecord(ctx, humanitarian.KindExchange, e.ID, e)
	return e, err
}

// ConfirmExchange adds a side's confirmation to an exchange: a liaison
// for its own party, the staff for any.
func (a *App) ConfirmExchange(ctx context.Context, u *workflow.User, id string, c humanitarian.Confirmation) (humanitarian.Exchange, error) {
	if !WritesHumanitarian(u) && (u == nil || u.Role != workflow.Liaison || u.Party != c.Party) {
		return humanitarian.Exchange{}, forbidden("confirm for " + c.Party)
	}
	e, _, err := record[humanitarian.Exchange](ctx, a, humanitarian.KindExchange, id)
	if err != nil {
		return e, err
	}
	e.Confirmations = append(e.Confirmations, c)
	if err := e.Validate(); err != nil {
		return e, badRecord(humanitarian.KindExchange, e.ID, err)
	}
	_, err = a.putRecord(ctx, humanitarian.KindExchange, e.ID, e)
	return e, err
}

// Exchanges lists the exchanges: who was released to whom (case ids,
// never names) and each side's confirmation.
func (a *App) Exchanges(ctx context.Context, _ *workflow.User) ([]humanitarian.Exchange, error) {
	return records[humanitarian.Exchange](ctx, a, humanitarian.KindExchange)
}

// ---- Evacuations and displacement ----

// PutEvacuation records an evacuation agreement and its execution; an
// attack on the evacuees or a breach of the terms becomes an incident.
func (a *App) PutEvacuation(ctx context.Context, u *workflow.User, e humanitarian.Evacuation) (humanitarian.Evacuation, error) {
	if !WritesHumanitarian(u) {
		return e, forbidden("record an evacuation")
	}
	if err := e.Validate(); err != nil {
		return e, badRecord(humanitarian.KindEvacuation, e.ID, err)
	}
	for _, f := range []struct {
		n  string
		ar humanitarian.Area
	}{{"from", e.From}, {"to", e.To}} {
		if err := a.checkArea(f.n, f.ar); err != nil {
			return e, badRecord(humanitarian.KindEvacuation, e.ID, err)
		}
	}
	for i := range e.Events {
		ev := &e.Events[i]
		ev.Incident = 0
		t, ruled := ev.Act()
		if !ruled {
			continue
		}
		what := fmt.Sprintf("Evacuation %s from %s to %s: %s", e.ID, e.From.Name, e.To.Name, ev.Kind)
		if ev.Note != "" {
			what += ". " + ev.Note
		}
		id, err := a.ruledReport(ctx, humanitarian.KindEvacuation, e.ID, i, ruledFact{
			date: ev.Date, area: e.From, by: ev.By, act: t, what: what, killed: ev.Killed, source: ev.Source, original: ev,
		})
		if err != nil {
			return e, err
		}
		ev.Incident = id
	}
	_, err := a.putRecord(ctx, humanitarian.KindEvacuation, e.ID, e)
	return e, err
}

// Evacuations lists the evacuations, shipped and stored.
func (a *App) Evacuations(ctx context.Context, _ *workflow.User) ([]humanitarian.Evacuation, error) {
	shipped, _, err := ShippedEvacuations()
	if err != nil {
		return nil, err
	}
	stored, err := records[humanitarian.Evacuation](ctx, a, humanitarian.KindEvacuation)
	if err != nil {
		return nil, err
	}
	return mergeByID(shipped, stored, func(e humanitarian.Evacuation) string { return e.ID }), nil
}

// PutDisplacement records a displacement figure.
func (a *App) PutDisplacement(ctx context.Context, u *workflow.User, d humanitarian.Displacement) (int, error) {
	if !WritesHumanitarian(u) {
		return 0, forbidden("record displacement")
	}
	if err := d.Validate(); err != nil {
		return 0, badRecord(humanitarian.KindDisplacement, d.ID, err)
	}
	if err := a.checkArea("area", d.Area); err != nil {
		return 0, badRecord(humanitarian.KindDisplacement, d.ID, err)
	}
	return a.putRecord(ctx, humanitarian.KindDisplacement, d.ID, d)
}

// Displacement lists the displacement figures, shipped and stored.
func (a *App) Displacement(ctx context.Context, _ *workflow.User) ([]humanitarian.Displacement, error) {
	_, shipped, err := ShippedEvacuations()
	if err != nil {
		return nil, err
	}
	stored, err := records[humanitarian.Displacement](ctx, a, humanitarian.KindDisplacement)
	if err != nil {
		return nil, err
	}
	return mergeByID(shipped, stored, func(d humanitarian.Displacement) string { return d.ID }), nil
}

// ---- Areas ----

// AreaView is what is known of one administrative unit's humanitarian
// situation: its sieges, the access requests to it and their fate, the
// evacuations from or to it, displacement, and the violations there.
type AreaView struct {
	PCode        string                       `json:"pcode"`
	Name         string                       `json:"name"`
	NameAR       string                       `json:"name_ar,omitempty"`
	Sieges       []humanitarian.Siege         `json:"sieges"`
	Access       []humanitarian.AccessRequest `json:"access"`
	Evacuations  []humanitarian.Evacuation    `json:"evacuations"`
	Displacement []humanitarian.Displacement  `json:"displacement"`
	Violations   []store.IncidentSummary      `json:"violations"`
	Agreement    string                       `json:"agreement,omitempty"`
}

// relates reports whether an area record touches the unit pcode: one is
// inside the other.
func relates(pcode string, ar humanitarian.Area) bool {
	for _, pc := range ar.PCodes {
		if strings.HasPrefix(pc, pcode) || strings.HasPrefix(pcode, pc) {
			return true
		}
	}
	return false
}

// Area returns the humanitarian view of a unit, as u may see it (the
// violations are those u may see).
func (a *App) Area(ctx context.Context, u *workflow.User, pcode string) (AreaView, error) {
	unit, ok := a.Boundaries.Unit(pcode)
	if !ok {
		return AreaView{}, fmt.Errorf("area %s: %w", pcode, store.ErrNotFound)
	}
	v := AreaView{PCode: pcode, Name: unit.Name, NameAR: unit.NameAR}
	sieges, err := a.Sieges(ctx, u)
	if err != nil {
		return v, err
	}
	for _, s := range sieges {
		if relates(pcode, s.Area) {
			v.Sieges = append(v.Sieges, s)
		}
	}
	access, err := a.AccessRequests(ctx, u)
	if err != nil {
		return v, err
	}
	for _, r := range access {
		if relates(pcode, r.Destination) {
			v.Access = append(v.Access, r)
		}
	}
	evs, err := a.Evacuations(ctx, u)
	if err != nil {
		return v, err
	}
	for _, e := range evs {
		if relates(pcode, e.From) || relates(pcode, e.To) {
			v.Evacuations = append(v.Evacuations, e)
		}
	}
	disp, err := a.Displacement(ctx, u)
	if err != nil {
		return v, err
	}
	for _, d := range disp {
		if relates(pcode, d.Area) {
			v.Displacement = append(v.Displacement, d)
		}
	}
	if ags := a.Agreements(); len(ags) > 0 {
		v.Agreement = ags[0].ID
		v.Violations, _, err = a.Incidents(ctx, u, store.Filter{Agreement: ags[0].ID, Admin: pcode, Verdict: "violation", Newest: true, Limit: 50})
		if err != nil {
			return v, err
		}
	}
	return v, nil
}

// ---- As the log stood ----

// HumanitarianAt is what the humanitarian records said when the log had
// size entries: the shipped rows, and of each stored record the last
// revision logged before size. None of these kinds names a person, so it
// is the same for every viewer. A bulletin reads it (internal/bulletin),
// so that computing it again later gives the same section.
type HumanitarianAt struct {
	Sieges      []humanitarian.Siege
	Access      []humanitarian.AccessRequest
	Exchanges   []humanitarian.Exchange
	Evacuations []humanitarian.Evacuation
}

// HumanitarianAt returns the records as they stood at log size size.
func (a *App) HumanitarianAt(ctx context.Context, size int64) (HumanitarianAt, error) {
	var out HumanitarianAt
	var err error
	if out.Sieges, err = ShippedSieges(); err != nil {
		return out, err
	}
	if out.Evacuations, _, err = ShippedEvacuations(); err != nil {
		return out, err
	}
	var sieges []humanitarian.Siege
	var evs []humanitarian.Evacuation
	for _, kind := range []humanitarian.Kind{humanitarian.KindSiege, humanitarian.KindAccess, humanitarian.KindExchange, humanitarian.KindEvacuation} {
		latest, err := a.store.HumanitarianRecords(ctx, string(kind))
		if err != nil {
			return out, err
		}
		for _, r := range latest {
			doc, ok, err := a.revisionAt(ctx, r, size)
			if err != nil {
				return out, err
			}
			if !ok {
				continue
			}
			var dst any
			switch kind {
			case humanitarian.KindSiege:
				sieges = append(sieges, humanitarian.Siege{})
				dst = &sieges[len(sieges)-1]
			case humanitarian.KindAccess:
				out.Access = append(out.Access, humanitarian.AccessRequest{})
				dst = &out.Access[len(out.Access)-1]
			case humanitarian.KindExchange:
				out.Exchanges = append(out.Exchanges, humanitarian.Exchange{})
				dst = &out.Exchanges[len(out.Exchanges)-1]
			case humanitarian.KindEvacuation:
				evs = append(evs, humanitarian.Evacuation{})
				dst = &evs[len(evs)-1]
			}
			if err := json.Unmarshal(doc, dst); err != nil {
				return out, fmt.Errorf("%s %s: %w", r.Kind, r.ID, err)
			}
		}
	}
	out.Sieges = mergeByID(out.Sieges, sieges, func(s humanitarian.Siege) string { return s.ID })
	out.Evacuations = mergeByID(out.Evacuations, evs, func(e humanitarian.Evacuation) string { return e.ID })
	return out, nil
}

// revisionAt is the document of the last revision of r logged before
// size, if any was.
func (a *App) revisionAt(ctx context.Context, r store.HumanitarianRecord, size int64) ([]byte, bool, error) {
	key := r.Kind + "/" + r.ID
	idx, _, err := a.store.LogEntryFor(ctx, ledger.Humanitarian, key, r.Rev)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", key, err)
	}
	if idx < size {
		return r.Doc, true, nil
	}
	h, err := a.store.HumanitarianHistory(ctx, r.Kind, r.ID)
	if err != nil {
		return nil, false, err
	}
	for i := len(h) - 1; i >= 0; i-- {
		idx, _, err := a.store.LogEntryFor(ctx, ledger.Humanitarian, key, h[i].Rev)
		if err != nil {
			return nil, false, fmt.Errorf("%s revision %d: %w", key, h[i].Rev, err)
		}
		if idx < size {
			return h[i].Doc, true, nil
		}
	}
	return nil, false, nil
}
