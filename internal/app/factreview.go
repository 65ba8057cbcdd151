package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/extract"
	"github.com/truce-monitor/truce/internal/importer/text"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// A reviewer's verdict on a fact read from a report's words is recorded
// twice: as an event of the incident's history (who, when, why), and in
// the report itself, revised, so that a corrected or rejected fact stops
// shaping the incident and its rulings. Both are logged; the revision
// keeps the report's owner (as an administrator's revision does), and the
// incident is made again from its reports and ruled in the same
// transaction as any revision.

// reviewFact applies a fact review to the report it names.
func (a *App) reviewFact(ctx context.Context, u workflow.User, d store.IncidentDetail, fr *workflow.FactReview) error {
	i := slices.IndexFunc(d.Reports, func(r incident.Report) bool { return r.ID == fr.Report })
	if i < 0 {
		return fmt.Errorf("fact: %w: report %d is not one of this incident's", workflow.ErrInvalid, fr.Report)
	}
	r := d.Reports[i]
	j := slices.IndexFunc(r.Read, func(f incident.TextFact) bool { return f.Field == fr.Field && f.Start == fr.Start })
	if j < 0 {
		return fmt.Errorf("fact: %w: report %d has no %s read at byte %d", workflow.ErrInvalid, fr.Report, fr.Field, fr.Start)
	}
	r.Read = slices.Clone(r.Read)
	f := &r.Read[j]
	if fr.Verdict == workflow.FactCorrect {
		if err := a.validFactValue(f.Field, fr.Value); err != nil {
			return fmt.Errorf("fact: %w: %v", workflow.ErrInvalid, err)
		}
	}
	c := completion{a: a, r: &r}
	if f.Used && fr.Verdict != workflow.FactAccept {
		c.undo(f)
	}
	if fr.Verdict == workflow.FactCorrect {
		corrected := *f
		corrected.Value, corrected.Conflict = fr.Value, ""
		if f.Field == extract.FieldActor {
			// The other actors stay: the corrected one takes its place.
			r.Actors = append(r.Actors, incident.ActorRef{Name: f.Quote, ID: fr.Value, Role: incident.Role(f.Role)})
			f.Used = true
		} else {
			// Used only where the record (as the undo left it) is silent.
			c.facts = []incident.TextFact{corrected}
			c.apply()
			f.Used = c.facts[0].Used
		}
	}
	f.Review, f.ReviewedBy, f.Corrected = fr.Verdict, u.Name, ""
	if fr.Verdict == workflow.FactCorrect {
		f.Corrected = fr.Value
	}
	r.Owner = store.OwnerAdmin + u.Name
	_, err := a.store.ImportReports(ctx, []incident.Report{r}, a.Intake())
	return err
}

// validFactValue checks a corrected value as the extractor would write it.
func (a *App) validFactValue(field, v string) error {
	switch field {
	case extract.FieldDate:
		_, err := time.Parse("2006-01-02", v)
		return err
	case extract.FieldPlace:
		if _, ok := a.Boundaries.Unit(v); !ok {
			return fmt.Errorf("%q is not a P-code of the shipped boundaries", v)
		}
	case extract.FieldActor, extract.FieldInitiator:
		if _, ok := a.Actors.Get(v); !ok {
			return fmt.Errorf("%q is not an actor in the registry", v)
		}
	case extract.FieldAct:
		if !act.Valid(act.Type(v)) {
			return fmt.Errorf("%q is not an act type", v)
		}
	case extract.FieldKilled, extract.FieldWounded, extract.FieldCivilians, extract.FieldChildren:
		if n, err := strconv.Atoi(v); err != nil || n < 0 {
			return fmt.Errorf("%q is not a count", v)
		}
	}
	return nil
}

// apply applies the completion's facts to the report.
func (c *completion) apply() {
	c.date()
	c.place()
	c.act()
	c.actors()
	c.initiator()
	c.casualties()
}

// undo takes back what a used fact put into the report.
func (c *completion) undo(f *incident.TextFact) {
	r := c.r
	switch f.Field {
	case extract.FieldDate:
		// Back to the publication day, marked so.
		if !r.ReportedAt.IsZero() {
			r.Occurred = incident.Days(r.ReportedAt, r.ReportedAt, c.a.DefaultLocation())
		}
		r.Flags = append(r.Flags, text.PublicationDay)
	case extract.FieldPlace:
		r.Place = incident.Place{Name: r.Place.Name, Precision: incident.PlaceUnknown}
	case extract.FieldAct:
		r.Act = act.Unknown
	case extract.FieldActor:
		r.Actors = slices.DeleteFunc(slices.Clone(r.Actors), func(ref incident.ActorRef) bool {
			return ref.ID == f.Value && string(ref.Role) == f.Role
		})
	case extract.FieldInitiator:
		if r.Initiator != nil && r.Initiator.Read {
			r.Initiator = nil
		}
	case extract.FieldKilled:
		r.Casualties.Best, r.Casualties.Low, r.Casualties.High = 0, 0, 0
	case extract.FieldCivilians:
		r.Casualties.Civilians = 0
	}
	f.Used = false
}

// ReviewedFact is a fact read from a report's words with a reviewer's
// verdict: a labelled example of what the extractor should read.
type ReviewedFact struct {
	Report    int64     `json:"report"`
	Text      string    `json:"text"`
	Language  string    `json:"language,omitempty"`
	Published time.Time `json:"published,omitzero"`
	incident.TextFact
}

// ReviewedFacts lists every fact a reviewer gave a verdict on, for a
// viewer who sees everything: the reviews become test data.
func (a *App) ReviewedFacts(ctx context.Context, u *workflow.User) ([]ReviewedFact, error) {
	var out []ReviewedFact
	err := a.EachReport(ctx, u, func(r incident.Report) error {
		for _, f := range r.Read {
			if f.Review != "" {
				out = append(out, ReviewedFact{Report: r.ID, Text: r.Description, Language: r.Language, Published: r.ReportedAt, TextFact: f})
			}
		}
		return nil
	})
	return out, err
}
