package app

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/extract"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/text"
	"github.com/truce-monitor/truce/internal/incident"
)

// Reading the words of a report is one step of intake, whatever the door:
// the extractor proposes facts from its text (ACLED's notes, UCDP's
// headline, a mapped CSV's description, an article, a mail), and those
// facts complete what the record's structured fields leave missing. A
// structured field always wins over text: where they disagree, the fact
// is kept with what the record says (TextFact.Conflict) and the report
// is flagged, never silently resolved either way.

// extractor is the app's extractor, built on first use: the lexicons cost
// milliseconds that commands reading no text should not pay.
func (a *App) extractor() (*extract.Extractor, error) {
	a.readOnce.Do(func() { a.reader, a.readErr = extract.New(a.Places, a.Actors) })
	return a.reader, a.readErr
}

// Warm builds now what is otherwise built on first use (the boundaries'
// spatial index, the extractor, the executable's digest: together about
// 0.3 s), which a server's first submission would wait for. A server
// calls it as it starts, beside serving; errors are left to that first
// use, which reports them.
func (a *App) Warm() {
	a.Boundaries.Prepare()
	a.extractor()
	executableDigest()
}

// textName is what a report's Description is, as its source calls it.
func textName(r *incident.Report) string {
	switch {
	case r.Source == "acled":
		return "notes"
	case strings.HasPrefix(r.Source, "ucdp"):
		return "source_headline"
	case r.Kind == incident.FromNews:
		return "article"
	}
	return "description"
}

// read reads a report's text and completes the report from it.
func (a *App) read(r *incident.Report) error {
	// A report that was read already (one node's export imported by
	// another) keeps its reading and its reviewers' verdicts.
	if strings.TrimSpace(r.Description) == "" || len(r.Read) > 0 {
		return nil
	}
	x, err := a.extractor()
	if err != nil {
		return err
	}
	published := r.ReportedAt
	if published.IsZero() && !r.Occurred.Start.IsZero() && !slices.ContainsFunc(r.Flags, text.DateStandIn) {
		// A dataset's record: its text is about its own date.
		published = r.Occurred.End.Add(-time.Nanosecond)
	}
	facts := x.Extract(extract.Text{Body: r.Description, Language: r.Language, Published: published, Location: a.DefaultLocation()})
	if len(facts) == 0 {
		return nil
	}
	name := textName(r)
	for i := range facts {
		facts[i].Text = name
	}
	c := completion{a: a, r: r, facts: facts}
	c.apply()
	r.Read = facts
	return nil
}

// completion applies the facts read from a report's text to it.
type completion struct {
	a     *App
	r     *incident.Report
	facts []incident.TextFact
}

// best is the most confident fact of a field (ties: the first in the
// text), or nil.
func (c *completion) best(field string) *incident.TextFact {
	var b *incident.TextFact
	for i := range c.facts {
		f := &c.facts[i]
		if f.Field == field && (b == nil || f.Confidence > b.Confidence) {
			b = f
		}
	}
	return b
}

// conflict records that the record says otherwise than fact f, and flags
// the report so that a reviewer sees it.
func (c *completion) conflict(f *incident.TextFact, recordSays string) {
	f.Conflict = recordSays
	c.r.Flags = append(c.r.Flags, fmt.Sprintf("the %s says %s %s (%s), the record %s", f.Text, f.Field, f.Value, c.quote(f), recordSays))
}

// quote is a fact's words as flags and rulings may cite them: not those
// of a report whose words are withheld from some viewers (a monitor's,
// the public's, a party's: Protected), since a flag or a ruling's
// explanation is the same for every viewer.
func (c *completion) quote(f *incident.TextFact) string {
	if Protected(*c.r, "") {
		return "words withheld"
	}
	return strconv.Quote(f.Quote)
}

func (c *completion) date() {
	f := c.best(extract.FieldDate)
	if f == nil {
		return
	}
	loc := c.a.DefaultLocation()
	day, err := time.ParseInLocation("2006-01-02", f.Value, loc)
	if err != nil {
		return
	}
	span := incident.Days(day, day, loc)
	if f.Precision == "month" {
		first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, loc)
		span = incident.Days(first, first.AddDate(0, 1, -1), loc)
		span.Precision = "month"
	}
	flags := c.r.Flags[:0]
	replaced := false
	for _, fl := range c.r.Flags {
		// The channel's stand-in date (publication, first seen) gives way
		// to the date the words give.
		if text.DateStandIn(fl) {
			replaced = true
			continue
		}
		flags = append(flags, fl)
	}
	if replaced || c.r.Occurred.Start.IsZero() {
		c.r.Flags = flags
		c.r.Occurred = span
		f.Used = true
		return
	}
	// A day more or less is how texts count ("last night").
	if span.Start.After(c.r.Occurred.End.Add(24*time.Hour)) || span.End.Before(c.r.Occurred.Start.Add(-24*time.Hour)) {
		c.conflict(f, "dates it "+c.r.Occurred.String())
	}
}

func (c *completion) place() {
	f := c.best(extract.FieldPlace)
	if f == nil {
		return
	}
	p := &c.r.Place
	if !p.HasPoint && p.Admin1 == "" && p.Area == "" {
		if np, ok := c.placeOf(f); ok {
			*p = np
			f.Used = true
		}
		return
	}
	// The record's place holds a unit read, or a unit read holds the
	// record's place (a governorate named for a town in it): they agree.
	// A text naming several places (a daily digest: "shelling on Douma,
	// clashes in Hama countryside") says nothing against the record by
	// naming others; one naming a single other place does.
	agrees := func(unit string) bool {
		for _, h := range []string{p.Admin3, p.Admin2, p.Admin1, p.Area} {
			if h != "" && unit != "" && (strings.HasPrefix(h, unit) || strings.HasPrefix(unit, h)) {
				return true
			}
		}
		return false
	}
	units := map[string]bool{}
	for _, g := range c.facts {
		if g.Field != extract.FieldPlace {
			continue
		}
		if agrees(g.Value) {
			return
		}
		units[g.Value] = true
	}
	if p.Admin1 == "" && p.Area == "" {
		return
	}
	where := "places it in " + cmp.Or(p.Admin3, p.Admin2, p.Admin1, p.Area)
	if len(units) == 1 {
		c.conflict(f, where)
	} else {
		f.Conflict = where
	}
}

// placeOf is the place a place fact stands for: a town's point through
// the gazetteer, or the administrative unit with only the levels its
// precision supports.
func (c *completion) placeOf(f *incident.TextFact) (incident.Place, bool) {
	if f.Precision == string(incident.PlaceExact) || f.Precision == string(incident.PlaceNear) {
		if g, err := c.a.Places.Resolve(f.Quote, ""); err == nil && g.Admin3 == f.Value {
			return importer.PlaceFromGazetteer(f.Quote, g, false), true
		}
	}
	unit, ok := c.a.Boundaries.Unit(f.Value)
	if !ok {
		return incident.Place{}, false
	}
	ad, _ := c.a.Boundaries.AdminOf(unit.PCode)
	p := incident.Place{Name: f.Quote, Area: unit.PCode, Admin1: ad.Admin1, Admin2: ad.Admin2, Admin3: ad.Admin3}
	p.Precision = [...]incident.PlacePrecision{incident.PlaceCountry, incident.PlaceAdmin1, incident.PlaceAdmin2, incident.PlaceAdmin3}[unit.Level]
	return p, true
}

func (c *completion) act() {
	f := c.best(extract.FieldAct)
	if f == nil {
		return
	}
	switch c.r.Act {
	case "", act.Unknown, act.Other:
		c.r.Act = act.Type(f.Value)
		f.Used = true
	case act.Type(f.Value):
	default:
		// Not flagged: a source's coding and its words name acts at
		// different grains (a clash "with air strikes"), and the record's
		// coding stands; the disagreement is kept on the fact.
		f.Conflict = "codes it " + string(c.r.Act)
	}
}

// actors adds the actors the text names when the record names none.
func (c *completion) actors() {
	if len(c.r.Actors) > 0 {
		for i := range c.facts {
			f := &c.facts[i]
			if f.Field != extract.FieldActor {
				continue
			}
			named := false
			for _, ref := range c.r.Actors {
				if ref.ID != f.Value {
					continue
				}
				named = true
				// Only a directed coding can be contradicted: the sides of
				// a clash say nothing of who struck whom.
				directed := ref.Role == incident.Perpetrator || ref.Role == incident.Target
				if directed && f.Role != "" && (ref.Role == incident.Target) != (f.Role == extract.RoleTarget) {
					c.conflict(f, fmt.Sprintf("has %s as %s", ref.Name, ref.Role))
				}
			}
			// The words name another perpetrator than the coding ("HTS
			// executed…" coded as Syrian insurgents).
			if !named && f.Role == extract.RolePerpetrator && !c.a.sameSide(f.Value, c.r.Actors) {
				c.conflict(f, "codes "+actorList(c.r.Actors))
			}
		}
		return
	}
	seen := map[string]bool{}
	for i := range c.facts {
		f := &c.facts[i]
		if f.Field != extract.FieldActor || f.Role == "" || seen[f.Value+f.Role] {
			continue
		}
		seen[f.Value+f.Role] = true
		c.r.Actors = append(c.r.Actors, incident.ActorRef{Name: f.Quote, ID: f.Value, Role: incident.Role(f.Role)})
		f.Used = true
	}
}

// initiator sets who acted when the record's coding does not say, from a
// cue in the words: the ruling then quotes them.
func (c *completion) initiator() {
	f := c.best(extract.FieldInitiator)
	if f == nil {
		return
	}
	if in := c.r.Initiator; in != nil {
		if in.ID != "" && in.ID != f.Value {
			c.conflict(f, fmt.Sprintf("codes %s as having acted (%s)", in.Actor, in.Field))
		}
		return
	}
	confidence := incident.ConfidenceLow
	if f.Confidence >= 0.8 {
		confidence = incident.ConfidenceMedium
	}
	name := c.a.Actors.DisplayName(f.Value, "en")
	c.r.Initiator = &incident.Initiator{Actor: name, ID: f.Value, Field: fmt.Sprintf("the words of the %s (%s)", f.Text, c.quote(f)),
		Means: fmt.Sprintf("the text names %s as having acted", name), Confidence: confidence, Read: true}
	f.Used = true
}

func (c *completion) casualties() {
	cas := &c.r.Casualties
	for _, fc := range []struct {
		field string
		n     *int
	}{{extract.FieldKilled, &cas.Best}, {extract.FieldCivilians, &cas.Civilians}} {
		f := c.best(fc.field)
		if f == nil {
			continue
		}
		n, err := strconv.Atoi(f.Value)
		if err != nil {
			continue
		}
		switch {
		case *fc.n == 0 && !cas.NoBest:
			*fc.n = n
			f.Used = true
			if fc.field == extract.FieldKilled {
				cas.Low, cas.High = max(cas.Low, n), max(cas.High, n)
			}
		case *fc.n != n:
			// Texts count partial tolls ("at least 4"): kept on the fact.
			f.Conflict = fmt.Sprintf("counts %d", *fc.n)
		}
	}
}

// reading reads the words of each report of a bulk source as it comes.
type reading struct {
	importer.Source
	a *App
}

func (s reading) Next() (importer.Row, bool, error) {
	row, ok, err := s.Source.Next()
	if row.Report != nil && row.Err == nil {
		if rerr := s.a.read(row.Report); rerr != nil {
			return row, ok, rerr
		}
	}
	return row, ok, err
}

// Notes passes on what the wrapped source noted about its file.
func (s reading) Notes() []string { return importer.NotesOf(s.Source) }

// sameSide reports whether an agreement places an actor on the side of
// one of refs (its party, the party a guarantor's forces fight beside, or
// its excluded group): "Russian warplanes" read where the coding names the
// Syrian government (sources code supporters under the side they
// support) is no disagreement.
func (a *App) sameSide(id string, refs []incident.ActorRef) bool {
	for _, ag := range a.Agreements() {
		for _, v := range ag.Versions {
			side := func(id string) string {
				af := v.Affiliation(id)
				return cmp.Or(af.Party, af.Side, af.Excluded)
			}
			s := side(id)
			if s == "" {
				continue
			}
			for _, ref := range refs {
				if ref.ID != "" && side(ref.ID) == s {
					return true
				}
			}
		}
	}
	return false
}

// actorList names a record's actors with their roles.
func actorList(refs []incident.ActorRef) string {
	var out []string
	for _, ref := range refs {
		out = append(out, fmt.Sprintf("%s as %s", ref.Name, ref.Role))
	}
	return strings.Join(out, ", ")
}
