// Package incident holds the facts truce records about events on the
// ground: reports (one claim from one source) and incidents (the event the
// reports describe). It knows nothing of storage or HTTP.
package incident

import (
	"fmt"
	"slices"
	"time"

	"github.com/truce-monitor/truce/internal/act"
)

// TimeSpan is when something happened, as an interval [Start, End). A
// source that gives only a date yields a span of one local day: the ruling
// engine must not pretend to know the hour.
type TimeSpan struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Precision is the source's own statement of how exact the span is,
	// for example "day", "2-6 days", "week", "month".
	Precision string `json:"precision,omitempty"`
}

// Day returns the span of the calendar day of d in loc.
func Day(year int, month time.Month, day int, loc *time.Location) TimeSpan {
	return TimeSpan{Start: DayStart(year, month, day, loc), End: DayStart(year, month, day+1, loc), Precision: "day"}
}

// DayStart is the first instant of a calendar day in loc: its midnight,
// or, where the clocks skip midnight (Damascus moved them from 00:00 to
// 01:00 on the last Friday of March), the instant they resume. A day ends
// where the next begins: never 24 hours after an assumed midnight (one
// added to 01:00 ran an hour into the next day).
func DayStart(year int, month time.Month, day int, loc *time.Location) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, loc)
}

// IsDayStart reports whether t is the first instant of its day in loc.
func IsDayStart(t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	return t.Equal(DayStart(l.Year(), l.Month(), l.Day(), loc))
}

// NextDay is the start of the calendar day after t's, in loc.
func NextDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return DayStart(t.Year(), t.Month(), t.Day()+1, loc)
}

// Days returns the span from the first to the last day, inclusive.
func Days(first, last time.Time, loc *time.Location) TimeSpan {
	start := DayStart(first.Year(), first.Month(), first.Day(), loc)
	end := DayStart(last.Year(), last.Month(), last.Day()+1, loc)
	p := "day"
	if n := int(end.Sub(start).Hours()/24 + 0.5); n > 1 {
		p = fmt.Sprintf("%d days", n)
	}
	return TimeSpan{Start: start, End: end, Precision: p}
}

// Outside reports whether the span lies wholly outside [from, to); zero
// bounds are open.
func (s TimeSpan) Outside(from, to time.Time) bool {
	return (!from.IsZero() && !s.End.After(from)) || (!to.IsZero() && !s.Start.Before(to))
}

// Valid reports whether the span is non-empty.
func (s TimeSpan) Valid() bool { return !s.Start.IsZero() && s.End.After(s.Start) }

// String formats the span for explanations: a single day as a date, longer
// spans as a range of dates in the span's own location.
func (s TimeSpan) String() string {
	if !s.Valid() {
		return "an unknown time"
	}
	last := s.End.Add(-time.Nanosecond)
	if IsDayStart(s.Start, s.Start.Location()) && IsDayStart(s.End, s.End.Location()) {
		if s.End.Sub(s.Start) <= 24*time.Hour+time.Hour {
			return s.Start.Format("2006-01-02")
		}
		return s.Start.Format("2006-01-02") + " to " + last.Format("2006-01-02")
	}
	if s.End.Sub(s.Start) <= time.Minute {
		return s.Start.Format("2006-01-02 15:04 -07:00")
	}
	return s.Start.Format("2006-01-02 15:04") + " to " + last.Format("2006-01-02 15:04 -07:00")
}

// PlacePrecision says how well a place is known. The ruling engine tests
// a point against a zone only when the point means something; otherwise it
// reasons with the administrative area the place is known to lie in.
type PlacePrecision string

const (
	PlaceExact   PlacePrecision = "exact"   // the point itself, within about a kilometre
	PlaceNear    PlacePrecision = "near"    // within about 25 km of the point
	PlaceAdmin3  PlacePrecision = "admin3"  // somewhere in the sub-district Area
	PlaceAdmin2  PlacePrecision = "admin2"  // somewhere in the district Area
	PlaceAdmin1  PlacePrecision = "admin1"  // somewhere in the governorate Area
	PlaceCountry PlacePrecision = "country" // somewhere in the country
	PlaceUnknown PlacePrecision = "unknown"
)

// PointMeaningful reports whether a zone test on the point itself is sound.
func (p PlacePrecision) PointMeaningful() bool { return p == PlaceExact || p == PlaceNear }

// Place is where something happened.
type Place struct {
	Name      string         `json:"name,omitempty"`
	Lat       float64        `json:"lat"`
	Lon       float64        `json:"lon"`
	HasPoint  bool           `json:"has_point"`
	Precision PlacePrecision `json:"precision"`
	// Area is the P-code of the smallest administrative unit the place is
	// known to lie in when Precision is admin-level.
	Area string `json:"area,omitempty"`
	// Admin1..Admin3 are the P-codes of the units containing the point.
	Admin1 string `json:"admin1,omitempty"`
	Admin2 string `json:"admin2,omitempty"`
	Admin3 string `json:"admin3,omitempty"`
}

// KeepKnownLevels clears the administrative units the place's precision
// does not support: a point standing for a district lies in some
// sub-district, in which the event need not have happened, and a point
// standing for the country in some governorate. Without this, events known
// only as "Syria" were filed under one sub-district of Hama.
func (p *Place) KeepKnownLevels() {
	switch p.Precision {
	case PlaceAdmin2:
		p.Admin3 = ""
	case PlaceAdmin1:
		p.Admin2, p.Admin3 = "", ""
	case PlaceCountry, PlaceUnknown:
		p.Admin1, p.Admin2, p.Admin3 = "", "", ""
	}
}

// Label names the place for explanations.
func (p Place) Label() string {
	switch {
	case p.Name != "" && p.Area != "":
		return fmt.Sprintf("%s (%s)", p.Name, p.Area)
	case p.Name != "" && p.Admin3 != "":
		return fmt.Sprintf("%s (%s)", p.Name, p.Admin3)
	case p.Name != "":
		return p.Name
	case p.HasPoint:
		return fmt.Sprintf("%.4f,%.4f", p.Lat, p.Lon)
	}
	return "an unknown place"
}

// Role is what an actor did in an event.
type Role string

const (
	// Perpetrator carried out the act; Target suffered it.
	Perpetrator Role = "perpetrator"
	Target      Role = "target"
	// SideA and SideB fought each other and the sources do not say who
	// started it (UCDP's state-based and non-state events, for example).
	SideA Role = "side_a"
	SideB Role = "side_b"
)

// ActorRef is an actor as a source named it, and as truce resolved it.
type ActorRef struct {
	Name string `json:"name"`
	// ID is the actor registry id; empty when the name did not resolve.
	ID   string `json:"id,omitempty"`
	Role Role   `json:"role"`
	// Associate is set when the source names the actor as associated with
	// the principal actor of its role (ACLED's assoc_actor_1/2) rather
	// than as that principal: an associate that cannot be identified is
	// then an assumption about the principal's company, not a doubt about
	// who acted.
	Associate bool `json:"associate,omitempty"`
	// Alternative, when not zero, groups actors of one role that the
	// source names as suspected alternatives ("Russian Military, U.S.-led
	// Coalition" in an Airwars cell: one or the other, not both): refs of
	// the same role and the same Alternative are either-or. Zero means
	// the actor acted (jointly with the others of its role, if any).
	Alternative int `json:"alternative,omitempty"`
}

// Initiator is who acted first, or acted at all, when the source's coding
// says so (ACLED's directional sub-event types, UCDP's one-sided
// violence), with what established it, so that a ruling can cite it.
type Initiator struct {
	// Actor is the initiator's name as the source gives it, and ID its
	// registry id when it resolved: the actor among the incident's actors
	// whose side acted.
	Actor string `json:"actor"`
	ID    string `json:"id,omitempty"`
	// Field is the source field and value that establish it, such as
	// `ACLED sub_event_type "Air/drone strike"`.
	Field string `json:"field"`
	// Means is what that coding says of the actor, such as "actor1
	// carried out the strike".
	Means string `json:"means"`
	// Confidence is how far the coding settles it: ConfidenceHigh when the
	// source's codebook defines the direction, lower when the coding
	// leaves room (a landmine may have been laid long before).
	Confidence string `json:"confidence"`
	// Read is set when the words of the source (its text, not its coding)
	// establish it: Field then quotes them.
	Read bool `json:"read,omitempty"`
}

// Confidence levels for Initiator and source grades.
const (
	ConfidenceHigh   = "high"
	ConfidenceMedium = "medium"
	ConfidenceLow    = "low"
)

// Casualties are deaths as a range, as sources disagree.
type Casualties struct {
	Low       int `json:"low"`
	Best      int `json:"best"`
	High      int `json:"high"`
	Civilians int `json:"civilians"`
	// NoBest is set when the source gives a range without a best figure:
	// Best is then 0 but not a count, and no sum or chart may take it for
	// one.
	NoBest bool `json:"no_best,omitempty"`
}

// SourceKind is who made a report.
type SourceKind string

const (
	FromMonitor SourceKind = "monitor"
	FromParty   SourceKind = "party"
	FromPublic  SourceKind = "public"
	FromDataset SourceKind = "dataset"
	FromNews    SourceKind = "news"
)

// Report is one claim from one source. Original keeps the source record
// verbatim so that any later reading can be checked against it.
type Report struct {
	ID          int64      `json:"id"`
	IncidentID  int64      `json:"incident_id,omitempty"`
	Source      string     `json:"source"`    // e.g. "ucdp-ged"
	SourceID    string     `json:"source_id"` // the source's own id, unique within Source
	Kind        SourceKind `json:"kind"`
	ReportedAt  time.Time  `json:"reported_at"`
	Occurred    TimeSpan   `json:"occurred"`
	Place       Place      `json:"place"`
	Actors      []ActorRef `json:"actors"`
	Act         act.Type   `json:"act"`
	Casualties  Casualties `json:"casualties"`
	Description string     `json:"description,omitempty"`
	Citations   []string   `json:"citations,omitempty"`
	// Evidence are the SHA-256 of evidence files sent with the report.
	Evidence []string `json:"evidence,omitempty"`
	// Reporter and Witnesses identify people who must be protected. They
	// are never stored as they are: the application seals them (Sealed,
	// encrypted under a key kept apart from the database) before storing,
	// and opens them only for the roles that may see them.
	Reporter  *Person  `json:"reporter,omitempty"`
	Witnesses []Person `json:"witnesses,omitempty"`
	Sealed    string   `json:"sealed,omitempty"`
	// Outlet is the publisher or observer the report comes from, when it
	// is known apart from the citations: sources are counted by outlet.
	Outlet string `json:"outlet,omitempty"`
	// Party is the party that made a party's report (Kind "party").
	Party    string `json:"party,omitempty"`
	Language string `json:"language,omitempty"`
	// SubEvent is the source's own finer coding of the act, kept as
	// written (ACLED's sub_event_type), since the act vocabulary folds
	// distinctions, such as who took ground, that a ruling can use.
	SubEvent string `json:"sub_event,omitempty"`
	// Initiator is who acted, when the source's coding establishes it.
	Initiator *Initiator `json:"initiator,omitempty"`
	// SourceGrade is the source's own grade of the claim, as written
	// (Airwars: Confirmed, Fair, Weak, Contested, Discounted).
	SourceGrade string `json:"source_grade,omitempty"`
	// Read are the facts read from the report's words (a news article, a
	// dataset's notes or headline, a description) by the extractor: each
	// with the quote it rests on, whether it completed a fact the
	// structured fields left missing, or disagrees with one.
	Read []TextFact `json:"read,omitempty"`
	// Flags are data-quality doubts raised at intake about a record that was
	// still taken in, such as casualty estimates out of order.
	Flags []string `json:"flags,omitempty"`
	// Original is the source record exactly as received, and
	// OriginalFormat how to read it (for example "csv" with its header).
	Original       string `json:"original,omitempty"`
	OriginalFormat string `json:"original_format,omitempty"`
	// Owner is who may revise the report (see store.Owner*); it is the
	// store's to keep, not part of the claim.
	Owner string `json:"-"`
	// Node is the node that recorded the report, when another node did
	// (docs/federation.md): a copy taken from a peer, verified against
	// the peer's log. Empty for a report recorded here.
	Node string `json:"node,omitempty"`
}

// TextFact is a fact read from a report's text, never guessed: it carries
// the quote (and its byte span in the text) it was read from. A
// structured field always wins over a fact read from text: Used says the
// fact completed a field the record left empty; Conflict, that the record
// says otherwise (and what), which is flagged, not resolved.
type TextFact struct {
	// Field is what the fact is about: "date", "place", "actor", "act",
	// "killed", "wounded", "civilians", "children", "initiator".
	Field string `json:"field"`
	// Value is the fact, normalised: an ISO date, a P-code or place name,
	// an actor id, an act type, a number.
	Value string `json:"value"`
	// Role is an actor's role (perpetrator, target, side_a, side_b);
	// Precision a date's (day, week, month) or a place's admin level.
	Role      string `json:"role,omitempty"`
	Precision string `json:"precision,omitempty"`
	// Text names the text the fact was read from ("notes",
	// "source_headline", "description", "title", "body").
	Text  string `json:"text"`
	Quote string `json:"quote"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	// Confidence is how far the words settle it, from 0 to 1.
	Confidence float64 `json:"confidence"`
	// Rule is the lexicon entry or pattern that read it.
	Rule     string `json:"rule,omitempty"`
	Used     bool   `json:"used,omitempty"`
	Conflict string `json:"conflict,omitempty"`
	// Review is a reviewer's verdict on the fact (accept, correct,
	// reject), by ReviewedBy; Corrected the right value of a correction.
	Review     string `json:"review,omitempty"`
	ReviewedBy string `json:"reviewed_by,omitempty"`
	Corrected  string `json:"corrected,omitempty"`
}

// Person is someone a report names who must be protected.
type Person struct {
	Name    string `json:"name"`
	Contact string `json:"contact,omitempty"`
}

// State is where an incident stands in verification.
type State string

const (
	Reported    State = "reported"
	UnderReview State = "under_review"
	Verified    State = "verified"
	Disputed    State = "disputed"
	Dismissed   State = "dismissed"
)

// PublishedStates are the states whose review is complete: the public
// sees the incidents in them (and a party those too), and the stores
// index them apart (migration 0031).
func PublishedStates() []State { return []State{Verified, Disputed, Dismissed} }

// Published reports whether s is one of PublishedStates.
func (s State) Published() bool { return slices.Contains(PublishedStates(), s) }

// Incident is one event on the ground, described by one or more reports.
// Its facts are the ones the ruling engine judges.
type Incident struct {
	ID         int64      `json:"id"`
	Title      string     `json:"title"`
	Occurred   TimeSpan   `json:"occurred"`
	Place      Place      `json:"place"`
	Actors     []ActorRef `json:"actors"`
	Act        act.Type   `json:"act"`
	Casualties Casualties `json:"casualties"`
	State      State      `json:"state"`
	ReportIDs  []int64    `json:"report_ids"`
	// Datasets are the curated datasets among its reports' sources.
	Datasets []string `json:"datasets,omitempty"`
	// TitleProtected is set when the title is the words of a monitor, a
	// party or a member of the public, which only staff may read.
	TitleProtected bool `json:"title_protected,omitempty"`
	// SubEvent, Initiator and SourceGrade are those of the report that
	// opened the incident (see Report).
	SubEvent    string     `json:"sub_event,omitempty"`
	Initiator   *Initiator `json:"initiator,omitempty"`
	SourceGrade string     `json:"source_grade,omitempty"`
}

// FromReport makes a new incident whose facts are those of a single report.
func FromReport(r Report) Incident {
	title := r.Description
	if len([]rune(title)) > 160 {
		title = string([]rune(title)[:157]) + "..."
	}
	var ds []string
	if r.Kind == FromDataset {
		ds = []string{r.Source}
	}
	return Incident{
		TitleProtected: r.Kind == FromMonitor || r.Kind == FromParty || r.Kind == FromPublic,
		Datasets:       ds,
		Title:          title,
		Occurred:       r.Occurred,
		Place:          r.Place,
		Actors:         append([]ActorRef(nil), r.Actors...),
		Act:            r.Act,
		Casualties:     r.Casualties,
		State:          Reported,
		ReportIDs:      []int64{r.ID},
		SubEvent:       r.SubEvent,
		Initiator:      r.Initiator,
		SourceGrade:    r.SourceGrade,
	}
}

// ActorsIn returns the actors of the incident with the given role.
func (in Incident) ActorsIn(role Role) []ActorRef {
	var out []ActorRef
	for _, a := range in.Actors {
		if a.Role == role {
			out = append(out, a)
		}
	}
	return out
}

// Combine makes an incident's facts from its reports, the first of them
// (the one that opened it) leading: the narrowest time all reports allow
// (the first report's when they do not overlap), the best-known place,
// every actor named, the first established act, and the highest casualty
// figures (each source counts what it saw). The state is left to the
// caller.
func Combine(reports []Report) Incident {
	if len(reports) == 0 {
		return Incident{}
	}
	in := FromReport(reports[0])
	in.ReportIDs = nil
	for _, r := range reports {
		in.ReportIDs = append(in.ReportIDs, r.ID)
	}
	for _, r := range reports[1:] {
		in.Absorb(r)
	}
	return in
}

// Absorb adds one more report's facts to the incident's, as Combine does:
// a report joining an incident changes its facts without reading the
// reports it already has.
func (in *Incident) Absorb(r Report) {
	lo, hi := in.Occurred.Start, in.Occurred.End
	if r.Occurred.Start.After(lo) {
		lo = r.Occurred.Start
	}
	if r.Occurred.End.Before(hi) {
		hi = r.Occurred.End
	}
	if hi.After(lo) && r.Occurred.Valid() {
		prec := in.Occurred.Precision
		if r.Occurred.End.Sub(r.Occurred.Start) < in.Occurred.End.Sub(in.Occurred.Start) {
			prec = r.Occurred.Precision
		}
		in.Occurred = TimeSpan{Start: lo, End: hi, Precision: prec}
	}
	if placeRank(r.Place) < placeRank(in.Place) {
		in.Place = r.Place
	}
	for _, a := range in.aligned(r.Actors) {
		if r.Kind == FromPublic && a.Role != Target {
			// A report from the public does not say who did it (a
			// perpetrator, or the sides of a clash) in an incident
			// others reported: no reviewer has weighed it (it does
			// lead an incident it opens, in FromReport).
			continue
		}
		if slices.ContainsFunc(in.Actors, func(b ActorRef) bool { return b.Role == a.Role && sameActor(a, b) }) {
			continue
		}
		if o := opposite(a.Role); o != "" && slices.ContainsFunc(in.Actors, func(b ActorRef) bool { return b.Role == o && sameActor(a, b) }) {
			// Already on the other side: one actor does not fight
			// itself. The sources disagree; the first placement stands.
			continue
		}
		if a.ID == "" && !a.Associate && slices.ContainsFunc(in.Actors, func(b ActorRef) bool { return b.Role == a.Role && b.ID != "" && !b.Associate }) {
			// A name no registry entry matches, on a side the other
			// sources already identify: kept as an associate of that
			// side, so that it does not unsettle who the side is.
			a.Associate = true
		}
		in.Actors = append(in.Actors, a)
	}
	if in.Act == act.Unknown || in.Act == act.Other || in.Act == "" {
		in.Act = r.Act
	}
	in.Casualties.Low = max(in.Casualties.Low, r.Casualties.Low)
	if in.Casualties.NoBest && !r.Casualties.NoBest {
		in.Casualties.Best, in.Casualties.NoBest = r.Casualties.Best, false
	} else if !r.Casualties.NoBest {
		in.Casualties.Best = max(in.Casualties.Best, r.Casualties.Best)
	}
	in.Casualties.High = max(in.Casualties.High, r.Casualties.High)
	in.Casualties.Civilians = max(in.Casualties.Civilians, r.Casualties.Civilians)
	if in.Title == "" {
		t := FromReport(r)
		in.Title, in.TitleProtected = t.Title, t.TitleProtected
	}
	if r.Kind == FromDataset && !slices.Contains(in.Datasets, r.Source) {
		in.Datasets = append(in.Datasets, r.Source)
	}
}

// aligned returns a report's actors with its two sides swapped when the
// report lists the sides of a clash the other way round from the
// incident: sources do not agree on which side is "A" (UCDP orders by
// dyad, ACLED by who the coder named first), and merging them as written
// put one actor on both sides.
func (in *Incident) aligned(actors []ActorRef) []ActorRef {
	count := func(role Role, other Role) int {
		n := 0
		for _, a := range actors {
			if a.Role == role && slices.ContainsFunc(in.Actors, func(b ActorRef) bool { return b.Role == other && sameActor(a, b) }) {
				n++
			}
		}
		return n
	}
	same := count(SideA, SideA) + count(SideB, SideB)
	swapped := count(SideA, SideB) + count(SideB, SideA)
	if swapped <= same {
		return actors
	}
	out := slices.Clone(actors)
	for i := range out {
		if o := opposite(out[i].Role); o != "" {
			out[i].Role = o
		}
	}
	return out
}

// opposite is the other side of a clash, "" for roles without one.
func opposite(r Role) Role {
	switch r {
	case SideA:
		return SideB
	case SideB:
		return SideA
	}
	return ""
}

// sameActor reports whether two references name one actor: the same
// registry id, or the same name when neither resolved.
func sameActor(a, b ActorRef) bool {
	if a.ID != "" || b.ID != "" {
		return a.ID == b.ID
	}
	return a.Name == b.Name
}

// placeRank orders precisions, best first.
func placeRank(p Place) int {
	for i, pr := range []PlacePrecision{PlaceExact, PlaceNear, PlaceAdmin3, PlaceAdmin2, PlaceAdmin1, PlaceCountry} {
		if p.Precision == pr {
			return i
		}
	}
	return 99
}
