package workflow

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"

	"github.com/truce-monitor/truce/internal/incident"
)

// Grade is how far the sources establish that an incident happened as
// reported, in the spirit of Airwars' grading (docs/workflow.md).
type Grade string

const (
	// Confirmed: the accused party accepted it, or the Joint Group
	// verified it on a monitor's report or two independent sources, or
	// three independent sources including a monitor report it.
	Confirmed Grade = "confirmed"
	// Fair: two or more independent sources, or a monitor's report.
	Fair Grade = "fair"
	// Weak: a single independent source, or only reports from the
	// public that no reviewer has accepted yet.
	Weak Grade = "weak"
	// Contested: only parties claim it, or sources disagree on who did
	// it, or the accused denies it and no monitor or second source holds.
	Contested Grade = "contested"
	// Discounted: dismissed by the Joint Group.
	Discounted Grade = "discounted"
)

// Grades is the scale, strongest first.
var Grades = []Grade{Confirmed, Fair, Weak, Contested, Discounted}

// Sources are an incident's sources, counted for independence.
type Sources struct {
	// Independent names the distinct outlets and observers, party claims
	// aside: two reports from one outlet, or citing one article, count
	// once. A source the reader may not see is named by a placeholder
	// (see Withheld).
	Independent []string `json:"independent"`
	// PartyClaims are reports made by a party, with the party.
	PartyClaims []PartyClaim `json:"party_claims,omitempty"`
	Monitors    int          `json:"monitors"`
	Reports     int          `json:"reports"`
	// Unaccepted counts the public's reports that no reviewer has
	// accepted yet (see Case.Accepted): they are not sources until then.
	Unaccepted int `json:"unaccepted,omitempty"`
}

// PartyClaim is a party's own report about an incident.
type PartyClaim struct {
	ReportID int64  `json:"report_id"`
	Party    string `json:"party"`
	// AboutOther is set when the claim accuses someone else.
	AboutOther bool `json:"about_other"`
}

// Withheld says of a report whether the reader may not see where it comes
// from (its outlet, citations and id). Such a report still counts as a
// source, as it does for everyone, but under a placeholder that is derived
// from nothing withheld; nil withholds nothing.
type Withheld func(incident.Report) bool

// Accepted reports whether the Joint Group has accepted the incident's
// reports from the public as sources: a reviewer verified the incident,
// holding the reports it has (an incident takes no new report once
// verified, and reopening it withdraws the acceptance).
func (c Case) Accepted() bool { return c.State == incident.Verified }

// counts reports whether a report is a source at all: a public report
// only once accepted.
func counts(r incident.Report, accepted bool) bool {
	return r.Kind != incident.FromPublic || accepted
}

// CountSources counts an incident's sources as CountSourcesFor does, for
// an incident whose public reports are not accepted, naming every source.
func CountSources(reports []incident.Report) Sources {
	return CountSourcesFor(reports, false, nil)
}

// CountSourcesFor counts an incident's sources. Public reports count only
// when accepted (Case.Accepted). The count is the same whatever withheld
// says; only the names differ.
func CountSourcesFor(reports []incident.Report, accepted bool, withheld Withheld) Sources {
	s := Sources{Reports: len(reports)}
	type source struct {
		kind    incident.SourceKind
		visible bool
	}
	var keys []string
	seen := map[string]*source{}
	add := func(r incident.Report, k string) {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			return
		}
		visible := withheld == nil || !withheld(r)
		if src, ok := seen[k]; ok {
			src.visible = src.visible || visible
			return
		}
		seen[k] = &source{kind: r.Kind, visible: visible}
		keys = append(keys, k)
	}
	for _, r := range reports {
		if r.Kind == incident.FromParty {
			other := false
			for _, a := range r.Actors {
				if (a.Role == incident.Perpetrator || a.Role == incident.SideA) && a.ID != "" && a.ID != r.Party {
					other = true
				}
			}
			s.PartyClaims = append(s.PartyClaims, PartyClaim{ReportID: r.ID, Party: r.Party, AboutOther: other})
			continue
		}
		if !counts(r, accepted) {
			s.Unaccepted++
			continue
		}
		if r.Kind == incident.FromMonitor {
			s.Monitors++
		}
		switch {
		case r.Outlet != "":
			add(r, r.Outlet)
		case len(r.Citations) > 0:
			// A citation names its outlet first ("SOHR,2016-01-30,Title"
			// in UCDP's coding, "SOHR" in ACLED's).
			for _, c := range r.Citations {
				outlet, _, _ := strings.Cut(c, ",")
				add(r, outlet)
			}
		default:
			// A report of its own, named by its channel and a short hash
			// of its id.
			sum := sha256.Sum256([]byte(r.SourceID))
			add(r, fmt.Sprintf("%s %s #%x", r.Kind, r.Source, sum[:3]))
		}
	}
	n := 0
	for _, k := range keys {
		src := seen[k]
		if !src.visible {
			// Named by its kind and its rank among the withheld: the
			// reader learns that it counts, and nothing of what it is.
			n++
			k = fmt.Sprintf("%s source %d (withheld)", src.kind, n)
		}
		s.Independent = append(s.Independent, k)
	}
	slices.Sort(s.Independent)
	return s
}

// Reason is one thing a grade rests on: a code, the values it names, and
// its English text (the interface translates the code).
type Reason struct {
	Code string   `json:"code"`
	Args []string `json:"args,omitempty"`
	Text string   `json:"text"`
}

func reason(code, text string, args ...string) Reason {
	return Reason{Code: code, Args: args, Text: text}
}

// Assess grades an incident from its sources and case, naming every
// source in the reasons.
func Assess(reports []incident.Report, c Case, accused []string) (Grade, []Reason) {
	return AssessFor(reports, c, accused, nil)
}

// AssessFor grades an incident from its sources and case; a reviewer's
// override wins. The reasons say what the grade rests on, naming sources
// as CountSourcesFor does. The grade is the same whatever withheld says.
// Public reports play no part until accepted (Case.Accepted).
func AssessFor(reports []incident.Report, c Case, accused []string, withheld Withheld) (Grade, []Reason) {
	if c.Override != nil {
		return c.Override.Grade, []Reason{reason("override", fmt.Sprintf("set by a %s: %s", c.Override.Role, c.Override.Reason), string(c.Override.Role), c.Override.Reason)}
	}
	s := CountSourcesFor(reports, c.Accepted(), withheld)
	n := len(s.Independent)
	why := []Reason{reason("sources", fmt.Sprintf("%d independent source(s)%s", n, list(s.Independent)), fmt.Sprint(n), strings.Join(s.Independent, ", "))}
	if s.Monitors > 0 {
		why = append(why, reason("monitors", fmt.Sprintf("%d monitor report(s)", s.Monitors), fmt.Sprint(s.Monitors)))
	}
	if len(s.PartyClaims) > 0 {
		why = append(why, reason("party_claims", fmt.Sprintf("%d party claim(s)", len(s.PartyClaims)), fmt.Sprint(len(s.PartyClaims))))
	}
	var accepted, denied []string
	for _, r := range c.Replies {
		switch r.Stance {
		case Accept:
			accepted = append(accepted, r.Party)
		case Deny:
			denied = append(denied, r.Party)
		}
	}
	switch {
	case c.State == incident.Dismissed:
		return Discounted, append(why, reason("dismissed", "dismissed by the Joint Group"))
	case len(accepted) > 0:
		return Confirmed, append(why, reason("accepted", "accepted by "+strings.Join(accepted, ", "), strings.Join(accepted, ", ")))
	case n == 0 && len(s.PartyClaims) == 0:
		// Only the public's word, which no reviewer has weighed yet: the
		// weakest grade that says it may have happened, however many
		// send it.
		return Weak, why
	case n == 0:
		return Contested, append(why, reason("only_parties", "claimed only by parties"))
	case disagree(reports, c.Accepted()):
		return Contested, append(why, reason("disagree", "sources name different perpetrators"))
	case len(denied) > 0 && s.Monitors == 0 && n < 2:
		return Contested, append(why, reason("denied", "denied by "+strings.Join(denied, ", ")+" and not otherwise corroborated", strings.Join(denied, ", ")))
	case c.State == incident.Verified && (s.Monitors > 0 || n >= 2):
		return Confirmed, append(why, reason("verified", "verified by the Joint Group"))
	case n >= 3 && s.Monitors > 0:
		return Confirmed, why
	case n >= 2 || s.Monitors > 0:
		return Fair, why
	}
	return Weak, why
}

func list(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return " (" + strings.Join(names, ", ") + ")"
}

// disagree reports whether two non-party reports that count as sources
// name perpetrators with none in common.
func disagree(reports []incident.Report, accepted bool) bool {
	var sets [][]string
	for _, r := range reports {
		if r.Kind == incident.FromParty || !counts(r, accepted) {
			continue
		}
		var p []string
		for _, a := range r.Actors {
			if a.Role == incident.Perpetrator && a.ID != "" {
				p = append(p, a.ID)
			}
		}
		if len(p) > 0 {
			sets = append(sets, p)
		}
	}
	for i := range sets {
		for j := i + 1; j < len(sets); j++ {
			if !slices.ContainsFunc(sets[i], func(x string) bool { return slices.Contains(sets[j], x) }) {
				return true
			}
		}
	}
	return false
}
