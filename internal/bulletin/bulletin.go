// Package bulletin makes the mechanism's periodic bulletins: for a day, a
// week or a month, the violations recorded and whom they are attributed
// to, against the period before, over the days of the period and on a
// map, with the notable incidents, what is disputed and what the accused
// parties replied. A bulletin is computed from the App for a viewer (the
// public edition has only published incidents and no protected field) and
// from the log as it stood at a checkpoint, which it states with a hash of
// every figure and of the incidents behind them, so that anyone holding
// the database can compute it again (Verify) and find what differs.
//
// What is counted, and how, is in docs/bulletins.md.
package bulletin

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/period"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// Format names this layout of a bulletin's data.
const Format = "truce-bulletin/1"

// Period is the stretch a bulletin covers.
type Period string

const (
	Day   Period = "day"
	Week  Period = "week" // Monday to Sunday
	Month Period = "month"
)

// Periods are the periods a bulletin may cover.
var Periods = []Period{Day, Week, Month}

// ParsePeriod reads a period's name.
func ParsePeriod(s string) (Period, error) {
	p := Period(s)
	if !slices.Contains(Periods, p) {
		return "", fmt.Errorf("period %q: want day, week or month", s)
	}
	return p, nil
}

// Span is the period containing the day d, as [from, to) in loc: a day,
// its week (Monday to Sunday) or its month. Days begin where the
// agreement's zone says they do (incident.DayStart).
func (p Period) Span(d time.Time, loc *time.Location) (from, to time.Time) {
	d = d.In(loc)
	y, m, day := d.Date()
	switch p {
	case Week:
		back := (int(d.Weekday()) + 6) % 7
		from = incident.DayStart(y, m, day-back, loc)
		return from, incident.DayStart(y, m, day-back+7, loc)
	case Month:
		return incident.DayStart(y, m, 1, loc), incident.DayStart(y, m+1, 1, loc)
	}
	from = incident.DayStart(y, m, day, loc)
	return from, incident.NextDay(from, loc)
}

// Previous is the period before the one that begins at from.
func (p Period) Previous(from time.Time, loc *time.Location) (time.Time, time.Time) {
	// The day before from lies in the previous period.
	f := from.In(loc)
	return p.Span(incident.DayStart(f.Year(), f.Month(), f.Day()-1, loc), loc)
}

// Edition is whose view a bulletin gives: "full" (the mechanism's staff),
// "public", or "party:ID" (a party's liaison).
type Edition string

const (
	Full   Edition = "full"
	Public Edition = "public"
)

// EditionOf is the edition a viewer gets.
func EditionOf(u *workflow.User) Edition {
	switch {
	case app.SeesAll(u):
		return Full
	case u != nil && u.Party != "":
		return Edition("party:" + u.Party)
	}
	return Public
}

// Viewer is a viewer who gets the edition: what Verify computes it for.
func (e Edition) Viewer() (*workflow.User, error) {
	switch {
	case e == Full:
		return app.Operator(), nil
	case e == Public:
		return nil, nil
	case strings.HasPrefix(string(e), "party:"):
		return &workflow.User{Name: "bulletin", Role: workflow.Liaison, Party: strings.TrimPrefix(string(e), "party:")}, nil
	}
	return nil, fmt.Errorf("edition %q: want full, public or party:ID", e)
}

// Request is what a bulletin is asked for.
type Request struct {
	// Agreement is the agreement's id; "" for the only (or first) one.
	Agreement string
	Period    Period
	// Date is a day of the period, YYYY-MM-DD.
	Date   string
	Viewer *workflow.User
}

// Bulletin is a computed bulletin: what it covers, the log it was
// computed from, and its data (every figure, and the incidents behind
// them with their digests), with the data's hash.
type Bulletin struct {
	Format    string  `json:"format"`
	Agreement string  `json:"agreement"`
	Period    Period  `json:"period"`
	Date      string  `json:"date"`
	From      string  `json:"from"` // the first day
	To        string  `json:"to"`   // the last day
	PrevFrom  string  `json:"previous_from"`
	PrevTo    string  `json:"previous_to"`
	TimeZone  string  `json:"timezone"`
	Edition   Edition `json:"edition"`
	Log       Log     `json:"log"`
	// Data is the canonical JSON of D: the bytes DataHash is the SHA-256
	// of, as written in every copy of the bulletin.
	Data     json.RawMessage `json:"data"`
	DataHash string          `json:"data_sha256"`

	D *Data `json:"-"`
	// What the bulletin was made with, for rendering.
	ag                         *agreement.Agreement
	loc                        *time.Location
	from, to, prevFrom, prevTo time.Time
	versions                   []*agreement.Version
	later                      map[int64][]int64
	placeFor                   map[int64]incident.Place
}

// Log is the log a bulletin was computed from.
type Log struct {
	Size int64 `json:"size"`
	// Root is the tree's root hash at Size, in base64 as checkpoints
	// write it.
	Root string `json:"root"`
	// Checkpoint is the signed checkpoint of Size; empty when the log was
	// not signed at that size (no checkpoint had been signed).
	Checkpoint string   `json:"checkpoint,omitempty"`
	Signers    []string `json:"signers,omitempty"`
}

// Data is everything a bulletin says, hashed.
type Data struct {
	// Versions are the agreement's versions in force in the period, and
	// Zones the zones they define.
	Versions []int    `json:"versions"`
	Zones    []string `json:"zones"`
	// Days are the period's days, YYYY-MM-DD.
	Days        []string   `json:"days"`
	Parties     []string   `json:"parties"`
	Figures     []Figure   `json:"figures"`
	Notable     []Notable  `json:"notable"`
	Disputed    []Disputed `json:"disputed"`
	OpenReplies []Reply    `json:"open_replies"`
	Incidents   []Fact     `json:"incidents"`
	// Sieges are the sieges in force during the period, and Aid the
	// humanitarian events dated within it (docs/humanitarian.md), as the
	// records stood at the bulletin's log size; absent when there are
	// none, so that a bulletin without them hashes as before.
	Sieges []SiegeLine `json:"sieges,omitempty"`
	Aid    []AidLine   `json:"aid,omitempty"`
}

// SiegeLine is a siege in force during a bulletin's period.
type SiegeLine struct {
	ID        string   `json:"id"`
	Area      string   `json:"area"`
	PCodes    []string `json:"pcodes,omitempty"`
	Status    string   `json:"status"`
	From      string   `json:"from"`
	To        string   `json:"to,omitempty"`
	Besieging []string `json:"besieging,omitempty"`
	Source    string   `json:"source"`
}

// AidLine is a humanitarian event of the period: a step of an access
// request, an event of an evacuation, an exchange.
type AidLine struct {
	Kind     string `json:"kind"` // access, evacuation, exchange
	ID       string `json:"id"`
	Date     string `json:"date"`
	What     string `json:"what"` // the step's status, the event's kind, "exchange" or "breached"
	Area     string `json:"area"`
	By       string `json:"by,omitempty"`
	People   int    `json:"people,omitempty"`
	Incident int64  `json:"incident,omitempty"`
	Source   string `json:"source"`
}

// Figure is one number of the bulletin and the incidents it counts.
type Figure struct {
	ID        string  `json:"id"`
	N         int     `json:"n"`
	Incidents []int64 `json:"incidents"`
	// Verified and UnderReview split N by where the review stands
	// (ruling.ReviewOf).
	Verified    int   `json:"verified,omitempty"`
	UnderReview int   `json:"under_review,omitempty"`
	Prev        *Prev `json:"previous,omitempty"`
}

// Prev is a figure's value in the previous period.
type Prev struct {
	N         int     `json:"n"`
	Incidents []int64 `json:"incidents"`
}

// Fact is an incident as the bulletin counts it, with the digest of these
// facts.
type Fact struct {
	ID int64 `json:"id"`
	// Where is where the incident falls: "period", "previous" (its dates
	// lie within that period), or "period-unplaced", "previous-unplaced"
	// (its dates overlap the period but reach beyond it: listed, not
	// counted).
	Where     string  `json:"where"`
	Start     string  `json:"start"`
	End       string  `json:"end"`
	Precision string  `json:"precision,omitempty"`
	Place     string  `json:"place,omitempty"`
	Admin1    string  `json:"admin1,omitempty"`
	Area      string  `json:"area,omitempty"`
	HasPoint  bool    `json:"has_point,omitempty"`
	Lat       float64 `json:"lat,omitempty"`
	Lon       float64 `json:"lon,omitempty"`
	Act       string  `json:"act"`
	Killed    int     `json:"killed"`
	NoBest    bool    `json:"no_best,omitempty"`
	Civilians int     `json:"civilians,omitempty"`
	// State is the incident's state at the checkpoint.
	State      string   `json:"state"`
	Verdict    string   `json:"verdict"`
	Outcome    string   `json:"outcome"`
	Version    int      `json:"version,omitempty"`
	Parties    []string `json:"parties,omitempty"`
	Guarantors []string `json:"guarantors,omitempty"`
	Clauses    []string `json:"clauses,omitempty"`
	Zones      []string `json:"zones,omitempty"`
	// ControlDisputed: the claimants' accounts of who held the ground
	// lead to different rulings.
	ControlDisputed bool   `json:"control_disputed,omitempty"`
	Digest          string `json:"sha256"`
}

// digest is the SHA-256 of the incident's facts (not of where the
// bulletin places it).
func (f Fact) digest() string {
	f.Digest, f.Where = "", ""
	b, _ := json.Marshal(f)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Notable is an incident the bulletin singles out: among the most deadly
// of the period, or one the guarantors made a finding on.
type Notable struct {
	ID int64 `json:"id"`
	// Title is the incident's title as the viewer may read it.
	Title    string    `json:"title"`
	Finding  bool      `json:"finding,omitempty"`
	Findings []Finding `json:"findings,omitempty"`
	Replies  []Reply   `json:"replies,omitempty"`
}

// Finding is a guarantors' finding, summarised.
type Finding struct {
	Conclusion string `json:"conclusion"`
	Adopted    bool   `json:"adopted"`
	// Agree are the guarantors who agreed; Dissent those who joined the
	// consensus while recording their disagreement.
	Agree   []string `json:"agree,omitempty"`
	Dissent []string `json:"dissent,omitempty"`
	Waiting []string `json:"waiting,omitempty"`
	Clauses []string `json:"clauses,omitempty"`
	Parties []string `json:"parties,omitempty"`
}

// Reply is an accused party's reply.
type Reply struct {
	ID     int64  `json:"incident"`
	Seq    int    `json:"seq"`
	Party  string `json:"party"`
	Stance string `json:"stance"`
}

// Disputed is an incident whose ruling is contested, and how.
type Disputed struct {
	ID int64 `json:"id"`
	// Why: "review" (the review upheld it with its facts contested),
	// "control" (the claimants' accounts of control rule differently),
	// "denied:PARTY" (the accused party denies it).
	Why []string `json:"why"`
}

// humanitarianRecords fills the sieges in force during the period and the
// humanitarian events dated within it (a date given only to the month or
// year is placed in no period, as an incident's would not be).
func (b *Bulletin) humanitarianRecords(d *Data, h app.HumanitarianAt) {
	in := func(date string) bool { return len(date) == len("2006-01-02") && date >= b.From && date <= b.To }
	for _, s := range h.Sieges {
		per, ok := s.Covers(b.from, b.to.Add(-time.Nanosecond))
		if !ok {
			continue
		}
		d.Sieges = append(d.Sieges, SiegeLine{ID: s.ID, Area: s.Area.Name, PCodes: s.Area.PCodes, Status: per.Status, From: per.From, To: per.To,
			Besieging: s.Besieging, Source: per.Source.Citation})
	}
	for _, r := range h.Access {
		for _, st := range r.Steps {
			if in(st.Date) {
				d.Aid = append(d.Aid, AidLine{Kind: "access", ID: r.ID, Date: st.Date, What: st.Status, Area: r.Destination.Name, By: st.By,
					People: r.People, Incident: st.Incident, Source: st.Source.Citation})
			}
		}
	}
	for _, e := range h.Evacuations {
		for _, ev := range e.Events {
			if in(ev.Date) {
				d.Aid = append(d.Aid, AidLine{Kind: "evacuation", ID: e.ID, Date: ev.Date, What: ev.Kind, Area: e.From.Name + " → " + e.To.Name, By: ev.By,
					People: ev.People, Incident: ev.Incident, Source: ev.Source.Citation})
			}
		}
	}
	for _, e := range h.Exchanges {
		if in(e.Date) {
			what := "exchange"
			if e.Breached != "" {
				what = "breached"
			}
			d.Aid = append(d.Aid, AidLine{Kind: "exchange", ID: e.ID, Date: e.Date, What: what, Area: e.Place.Name, By: e.Breached,
				People: len(e.Releases), Incident: e.Incident, Source: e.Source.Citation})
		}
	}
	sort.SliceStable(d.Aid, func(i, j int) bool { return d.Aid[i].Date < d.Aid[j].Date })
}

// humanitarian are the act types the humanitarian section counts.
var humanitarian = []act.Type{act.AidObstruction, act.Siege, act.Displacement, act.ExchangeBreach, act.EvacuationBreach}

// ErrNoAgreement is returned when no agreement is stored.
var ErrNoAgreement = errors.New("no agreement is stored: load one with truce agreement load FILE")

// Compute computes a bulletin from the App for r.Viewer, from the log at
// at (app.BulletinLog for now; a bulletin's own log to verify it).
func Compute(ctx context.Context, a *app.App, r Request, at app.LogAt) (*Bulletin, error) {
	ag, err := agreementOf(a, r.Agreement)
	if err != nil {
		return nil, err
	}
	if _, err := ParsePeriod(string(r.Period)); err != nil {
		return nil, err
	}
	loc := ag.Location
	if loc == nil {
		loc = a.DefaultLocation()
	}
	day, _, err := period.Day("date", r.Date, loc)
	if err != nil {
		return nil, err
	}
	b := &Bulletin{Format: Format, Agreement: ag.ID, Period: r.Period, Date: day.Format(period.DateLayout),
		TimeZone: loc.String(), Edition: EditionOf(r.Viewer), ag: ag, loc: loc}
	b.from, b.to = r.Period.Span(day, loc)
	b.prevFrom, b.prevTo = r.Period.Previous(b.from, loc)
	last := func(t time.Time) string {
		return t.In(loc).Add(-time.Nanosecond).Format(period.DateLayout)
	}
	b.From, b.To = b.from.In(loc).Format(period.DateLayout), last(b.to)
	b.PrevFrom, b.PrevTo = b.prevFrom.In(loc).Format(period.DateLayout), last(b.prevTo)
	b.Log = Log{Size: at.Size, Root: base64.StdEncoding.EncodeToString(at.Root[:])}
	if at.Checkpoint != nil {
		b.Log.Checkpoint = string(at.Checkpoint)
		_, b.Log.Signers, _ = ledger.Unverified(at.Checkpoint)
	}
	list, _, err := a.Incidents(ctx, r.Viewer, store.Filter{Agreement: ag.ID, From: b.prevFrom, To: b.to, NoCount: true})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(list))
	for i, in := range list {
		ids[i] = in.ID
	}
	cases, err := a.CasesAt(ctx, r.Viewer, ids, at.Size)
	if err != nil {
		return nil, err
	}
	d := &Data{}
	b.D = d
	b.later = map[int64][]int64{}
	b.placeFor = map[int64]incident.Place{}
	for o := range slices.Values(b.overlaps()) {
		d.Versions = append(d.Versions, o.Number)
		for _, z := range o.Zones {
			if !slices.Contains(d.Zones, z.ID) {
				d.Zones = append(d.Zones, z.ID)
			}
		}
		for _, p := range o.Parties {
			if !slices.Contains(d.Parties, p.ID) {
				d.Parties = append(d.Parties, p.ID)
			}
		}
		b.versions = append(b.versions, o)
	}
	for t := b.from; t.Before(b.to); t = incident.NextDay(t, loc) {
		d.Days = append(d.Days, t.In(loc).Format(period.DateLayout))
	}
	c := newCounter()
	for _, in := range list {
		cs := cases[in.ID]
		if cs == nil {
			continue
		}
		if len(cs.Later) > 0 {
			b.later[in.ID] = cs.Later
		}
		f := b.fact(in, cs)
		if f.Where == "" {
			continue
		}
		b.placeFor[in.ID] = in.Place
		for _, p := range f.Parties {
			if !slices.Contains(d.Parties, p) {
				d.Parties = append(d.Parties, p)
			}
		}
		b.count(c, f)
		if strings.HasPrefix(f.Where, "previous") {
			// The previous period's incidents are behind its figures by
			// id and digest only: the bulletin shows nothing else of them.
			f = Fact{ID: f.ID, Where: f.Where, Digest: f.Digest}
		}
		d.Incidents = append(d.Incidents, f)
		if f.Where == "period" {
			b.caseItems(d, f, cs)
		}
	}
	sort.Slice(d.Incidents, func(i, j int) bool { return d.Incidents[i].ID < d.Incidents[j].ID })
	d.Figures = c.figures(b, d)
	b.notable(d, cases)
	h, err := a.HumanitarianAt(ctx, at.Size)
	if err != nil {
		return nil, err
	}
	b.humanitarianRecords(d, h)
	if err := b.seal(); err != nil {
		return nil, err
	}
	return b, nil
}

func agreementOf(a *app.App, id string) (*agreement.Agreement, error) {
	if id != "" {
		ag, ok := a.Agreement(id)
		if !ok {
			return nil, fmt.Errorf("no agreement %q is stored", id)
		}
		return ag, nil
	}
	ags := a.Agreements()
	if len(ags) == 0 {
		return nil, ErrNoAgreement
	}
	return ags[0], nil
}

// overlaps are the versions in force at some time of the period.
func (b *Bulletin) overlaps() []*agreement.Version {
	ov, _ := b.ag.During(b.from, b.to)
	var out []*agreement.Version
	for _, o := range ov {
		out = append(out, o.Version)
	}
	return out
}

// fact is an incident as counted, with where it falls ("" for neither
// period).
func (b *Bulletin) fact(in store.IncidentSummary, cs *app.CaseAt) Fact {
	span := in.Occurred
	f := Fact{ID: in.ID, Start: span.Start.In(b.loc).Format(time.RFC3339), End: span.End.In(b.loc).Format(time.RFC3339),
		Precision: span.Precision, Place: in.Place.Name, Admin1: in.Place.Admin1, Area: in.Place.Area,
		Act: string(in.Act), Killed: in.Casualties.Best, NoBest: in.Casualties.NoBest, Civilians: in.Casualties.Civilians,
		State: string(cs.Case.Case.State), Verdict: "none"}
	if in.Place.HasPoint {
		f.HasPoint, f.Lat, f.Lon = true, in.Place.Lat, in.Place.Lon
	}
	if f.NoBest {
		f.Killed = 0
	}
	if r := in.Ruling; r != nil {
		f.Verdict, f.Outcome, f.Version = string(r.Verdict), r.Outcome(), r.Version
		f.Parties, f.Guarantors, f.Clauses = r.Parties, r.Guarantors, r.Clauses
		f.ControlDisputed = r.Disputed
		if v := b.ag.Version(r.Version); v != nil && len(v.Zones) > 0 {
			unknown := false
			for _, z := range v.Zones {
				switch ruling.InZone(z, in.Place) {
				case 1:
					f.Zones = append(f.Zones, z.ID)
				case 0:
					unknown = true
				}
			}
			if len(f.Zones) == 0 {
				f.Zones = []string{"none"}
				if unknown {
					f.Zones = []string{"unknown"}
				}
			}
		}
	}
	within := func(from, to time.Time) bool {
		return span.Valid() && !span.Start.Before(from) && !span.End.After(to)
	}
	overlaps := func(from, to time.Time) bool { return span.Valid() && !span.Outside(from, to) }
	switch {
	case within(b.from, b.to):
		f.Where = "period"
	case within(b.prevFrom, b.prevTo):
		f.Where = "previous"
	case overlaps(b.from, b.to):
		f.Where = "period-unplaced"
	case overlaps(b.prevFrom, b.prevTo):
		f.Where = "previous-unplaced"
	}
	f.Digest = f.digest()
	return f
}

// counter gathers the incidents of each figure, in each period.
type counter struct {
	order     []string
	cur, prev map[string][]int64
	compared  map[string]bool
}

func newCounter() *counter {
	return &counter{cur: map[string][]int64{}, prev: map[string][]int64{}, compared: map[string]bool{}}
}

// declare makes a figure exist even when it counts nothing; compared
// figures carry the previous period's value.
func (c *counter) declare(id string, compared bool) {
	if _, ok := c.cur[id]; !ok {
		c.order = append(c.order, id)
		c.cur[id] = []int64{}
	}
	if compared {
		c.compared[id] = true
	}
}

func (c *counter) add(id string, prev bool, incidentID int64) {
	// Every figure but the days' is compared with the period before.
	c.declare(id, !strings.HasPrefix(id, "day"))
	if prev {
		c.prev[id] = append(c.prev[id], incidentID)
		c.compared[id] = true
		return
	}
	c.cur[id] = append(c.cur[id], incidentID)
}

// totals are the summary figures, in the order shown.
var totals = []string{"incidents", "violations", "undetermined", "not_violation", "not_ruled", "dismissed", "unplaced"}

// count adds an incident to the figures it is behind.
func (b *Bulletin) count(c *counter, f Fact) {
	prev := strings.HasPrefix(f.Where, "previous")
	if strings.HasSuffix(f.Where, "unplaced") {
		c.add("unplaced", prev, f.ID)
		return
	}
	c.add("incidents", prev, f.ID)
	rv := ruling.ReviewOf(incident.State(f.State))
	if rv == ruling.Dismissed {
		// Never a violation, nor any other outcome: listed apart.
		c.add("dismissed", prev, f.ID)
		return
	}
	for _, h := range humanitarian {
		if f.Act == string(h) {
			c.add("humanitarian/"+f.Act, prev, f.ID)
		}
	}
	// A day's figure counts what happened within that day; an incident
	// known only to several days of the period counts in the period but
	// on no day.
	day := ""
	if s, e := f.span(b.loc); !prev {
		y, m, dd := s.Date()
		if !e.After(incident.DayStart(y, m, dd+1, b.loc)) {
			day = s.Format(period.DateLayout)
		}
	}
	switch ruling.Verdict(f.Verdict) {
	case ruling.Violation:
		c.add("violations", prev, f.ID)
		for _, p := range f.Parties {
			c.add("party/"+p, prev, f.ID)
			if day != "" {
				c.add("day/"+day+"/party/"+p, false, f.ID)
			}
		}
		for _, g := range f.Guarantors {
			c.add("guarantor/"+g, prev, f.ID)
		}
		for _, cl := range f.Clauses {
			c.add("clause/"+cl, prev, f.ID)
		}
		for _, z := range f.Zones {
			c.add("zone/"+z, prev, f.ID)
		}
		c.add("admin1/"+cmpOr(f.Admin1, "unknown"), prev, f.ID)
		if !prev {
			if day != "" {
				c.add("day/"+day, false, f.ID)
			} else {
				c.add("days/several", false, f.ID)
			}
		}
	case ruling.Undetermined:
		c.add("undetermined", prev, f.ID)
		for _, p := range f.Parties {
			// The parties at stake: a breach whose initiator is unknown,
			// suspected alternatives that rule differently.
			c.add("party/"+p+"/undetermined", prev, f.ID)
			if day != "" {
				c.add("day/"+day+"/party/"+p+"/undetermined", false, f.ID)
			}
		}
	case ruling.NotViolation:
		c.add("not_violation", prev, f.ID)
	default:
		c.add("not_ruled", prev, f.ID)
	}
}

func (f Fact) span(loc *time.Location) (time.Time, time.Time) {
	s, _ := time.Parse(time.RFC3339, f.Start)
	e, _ := time.Parse(time.RFC3339, f.End)
	return s.In(loc), e.In(loc)
}

func cmpOr(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

// figures assembles the figures in a fixed order: the totals, each
// breakdown by id, then the days.
func (c *counter) figures(b *Bulletin, d *Data) []Figure {
	for _, id := range totals {
		c.declare(id, true)
	}
	for _, day := range d.Days {
		c.declare("day/"+day, false)
		for _, p := range d.Parties {
			c.declare("day/"+day+"/party/"+p, false)
			c.declare("day/"+day+"/party/"+p+"/undetermined", false)
		}
	}
	c.declare("days/several", false)
	// Every party of the versions in force has its row, if only of zeros.
	for _, p := range d.Parties {
		c.declare("party/"+p, true)
	}
	state := map[int64]string{}
	for _, f := range d.Incidents {
		state[f.ID] = f.State
	}
	rank := func(id string) int {
		for i, t := range totals {
			if id == t {
				return i
			}
		}
		switch {
		case strings.HasPrefix(id, "day/"), strings.HasPrefix(id, "days/"):
			return 100
		}
		return 50
	}
	ids := slices.Clone(c.order)
	sort.SliceStable(ids, func(i, j int) bool {
		ri, rj := rank(ids[i]), rank(ids[j])
		if ri != rj {
			return ri < rj
		}
		if ri < 50 {
			return false
		}
		return ids[i] < ids[j]
	})
	var out []Figure
	for _, id := range ids {
		cur := sorted(c.cur[id])
		fg := Figure{ID: id, N: len(cur), Incidents: cur}
		for _, i := range cur {
			switch ruling.ReviewOf(incident.State(state[i])) {
			case ruling.Reviewed:
				fg.Verified++
			case ruling.Pending:
				fg.UnderReview++
			}
		}
		if c.compared[id] {
			p := sorted(c.prev[id])
			fg.Prev = &Prev{N: len(p), Incidents: p}
		}
		out = append(out, fg)
	}
	return out
}

func sorted(ids []int64) []int64 {
	out := slices.Clone(ids)
	if out == nil {
		out = []int64{}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// caseItems notes what a case of the period says beyond its facts: the
// replies, whether a finding was adopted, what is disputed.
func (b *Bulletin) caseItems(d *Data, f Fact, cs *app.CaseAt) {
	adopted := false
	for _, fs := range cs.Case.Case.Findings {
		adopted = adopted || fs.Adopted
	}
	var why []string
	if incident.State(f.State) == incident.Disputed {
		why = append(why, "review")
	}
	if f.ControlDisputed {
		why = append(why, "control")
	}
	for _, r := range cs.Case.Case.Replies {
		if r.Stance == workflow.Deny && !slices.Contains(why, "denied:"+r.Party) {
			why = append(why, "denied:"+r.Party)
		}
		if !adopted {
			d.OpenReplies = append(d.OpenReplies, Reply{ID: f.ID, Seq: r.Seq, Party: r.Party, Stance: string(r.Stance)})
		}
	}
	if len(why) > 0 && incident.State(f.State) != incident.Dismissed {
		d.Disputed = append(d.Disputed, Disputed{ID: f.ID, Why: why})
	}
}

// notable picks the period's notable incidents: those the guarantors
// made a finding on, then the most deadly, ten at most.
func (b *Bulletin) notable(d *Data, cases map[int64]*app.CaseAt) {
	type cand struct {
		f       Fact
		finding bool
	}
	var cs []cand
	for _, f := range d.Incidents {
		if f.Where != "period" || ruling.ReviewOf(incident.State(f.State)) == ruling.Dismissed {
			continue
		}
		finding := len(cases[f.ID].Case.Case.Findings) > 0
		if f.Killed > 0 || finding {
			cs = append(cs, cand{f, finding})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].finding != cs[j].finding {
			return cs[i].finding
		}
		if cs[i].f.Killed != cs[j].f.Killed {
			return cs[i].f.Killed > cs[j].f.Killed
		}
		return cs[i].f.ID < cs[j].f.ID
	})
	for _, c := range cs[:min(len(cs), 10)] {
		n := Notable{ID: c.f.ID, Title: cases[c.f.ID].Title, Finding: c.finding}
		cc := cases[c.f.ID].Case.Case
		for _, fs := range cc.Findings {
			s := Finding{Conclusion: string(fs.Finding.Conclusion), Adopted: fs.Adopted, Waiting: fs.Waiting,
				Clauses: fs.Finding.Clauses, Parties: fs.Finding.Parties}
			for g, p := range fs.Positions {
				if p.Position == workflow.AgreePosition {
					s.Agree = append(s.Agree, g)
				}
			}
			for g := range fs.Dissent {
				s.Dissent = append(s.Dissent, g)
			}
			slices.Sort(s.Agree)
			slices.Sort(s.Dissent)
			n.Findings = append(n.Findings, s)
		}
		for _, r := range cc.Replies {
			n.Replies = append(n.Replies, Reply{ID: c.f.ID, Seq: r.Seq, Party: r.Party, Stance: string(r.Stance)})
		}
		d.Notable = append(d.Notable, n)
	}
}

// seal writes the data's canonical JSON and its hash.
func (b *Bulletin) seal() error {
	d := b.D
	for _, s := range []*[]string{&d.Zones, &d.Parties} {
		if *s == nil {
			*s = []string{}
		}
		slices.Sort(*s)
	}
	if d.Versions == nil {
		d.Versions = []int{}
	}
	if d.Notable == nil {
		d.Notable = []Notable{}
	}
	if d.Disputed == nil {
		d.Disputed = []Disputed{}
	}
	if d.OpenReplies == nil {
		d.OpenReplies = []Reply{}
	}
	if d.Incidents == nil {
		d.Incidents = []Fact{}
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	b.Data = raw
	b.DataHash = hashOf(raw)
	return nil
}

func hashOf(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// Figure returns the figure of an id (nil when the bulletin has none).
func (d *Data) Figure(id string) *Figure {
	for i := range d.Figures {
		if d.Figures[i].ID == id {
			return &d.Figures[i]
		}
	}
	return nil
}

// Fact returns an incident's facts.
func (d *Data) Fact(id int64) *Fact {
	i, ok := slices.BinarySearchFunc(d.Incidents, id, func(f Fact, id int64) int {
		switch {
		case f.ID < id:
			return -1
		case f.ID > id:
			return 1
		}
		return 0
	})
	if !ok {
		return nil
	}
	return &d.Incidents[i]
}
