package alert

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The backtest (docs/alerts.md) runs the detector over a record of past
// events and scores its alerts against offensives that sources name and
// date: did it fire for each, how soon, where; and how often did it fire
// where and when no named offensive was under way.

// ShippedOffensives is the list the backtest scores against by default:
// offensives of 2017–2019 as the Wikipedia articles of the shared data
// date them (testdata/offensives.yaml; each row names its article).
//
//go:embed testdata/offensives.yaml
var ShippedOffensives []byte

// Offensive is a named offensive of the record, with where and when its
// source puts it.
type Offensive struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name" json:"name"`
	// Start and End are dates (YYYY-MM-DD), or months (YYYY-MM) where the
	// source gives only the month: a month starts on its first day and
	// ends on its last. An empty End means the source gives none: the
	// offensive then counts as under way in its start's month only.
	Start string `yaml:"start" json:"start"`
	End   string `yaml:"end,omitempty" json:"end,omitempty"`
	// Governorates and Districts are OCHA P-codes (SY07, SY0702) of where
	// the source places it; Places the places as the source names them.
	Governorates []string `yaml:"governorates" json:"governorates"`
	Districts    []string `yaml:"districts,omitempty" json:"districts,omitempty"`
	Places       string   `yaml:"places,omitempty" json:"places,omitempty"`
	// Context marks a campaign the source dates too loosely to score (no
	// start day): it is not scored, but its months are not quiet.
	Context bool   `yaml:"context,omitempty" json:"context,omitempty"`
	Note    string `yaml:"note,omitempty" json:"note,omitempty"`
	Source  Source `yaml:"source" json:"source"`

	start, end Day
	// monthOnly is set when the source gives the start's month only.
	monthOnly bool
}

// Source is where an offensive's dates come from.
type Source struct {
	// Article is the file of the article in the shared data, Section its
	// heading, Dates what the article says of the dates, in our words.
	Article string `yaml:"article" json:"article"`
	Section string `yaml:"section" json:"section"`
	Dates   string `yaml:"dates" json:"dates"`
}

// LoadOffensives reads a list of offensives (the format of
// testdata/offensives.yaml), checking every row.
func LoadOffensives(data []byte, file string) ([]Offensive, error) {
	var doc struct {
		Offensives []Offensive `yaml:"offensives"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("offensives %s: %w", file, err)
	}
	var errs []error
	seen := map[string]bool{}
	for i := range doc.Offensives {
		o := &doc.Offensives[i]
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("offensives %s: %s: %s", file, o.ID, fmt.Sprintf(format, args...)))
		}
		if o.ID == "" || seen[o.ID] {
			errs = append(errs, fmt.Errorf("offensives %s: row %d: an id is missing or repeated (%q)", file, i+1, o.ID))
		}
		seen[o.ID] = true
		var err error
		if o.start, o.monthOnly, err = parseDayOrMonth(o.Start); err != nil {
			bad("start %q: %v", o.Start, err)
		}
		if o.End == "" {
			o.end = o.start.NextMonth() - 1
		} else {
			first, month, err := parseDayOrMonth(o.End)
			if err != nil {
				bad("end %q: %v", o.End, err)
			}
			o.end = first
			if month {
				o.end = first.NextMonth() - 1
			}
			if o.end < o.start {
				bad("ends (%s) before it starts (%s)", o.End, o.Start)
			}
		}
		if len(o.Governorates) == 0 {
			bad("no governorate")
		}
		for _, d := range o.Districts {
			if !slices.ContainsFunc(o.Governorates, func(g string) bool { return strings.HasPrefix(d, g) }) {
				bad("district %s lies in none of its governorates %v", d, o.Governorates)
			}
		}
		if o.Source.Article == "" || o.Source.Section == "" || o.Source.Dates == "" {
			bad("source: article, section and dates are all needed")
		}
	}
	return doc.Offensives, errors.Join(errs...)
}

// parseDayOrMonth reads YYYY-MM-DD, or YYYY-MM as its first day.
func parseDayOrMonth(s string) (Day, bool, error) {
	if d, err := ParseDay(s); err == nil {
		return d, false, nil
	}
	d, err := ParseDay(s + "-01")
	if err != nil || len(s) != 7 {
		return 0, false, fmt.Errorf("want YYYY-MM-DD, or YYYY-MM where the source gives the month only")
	}
	return d, true, nil
}

// Scoring says which alerts count for an offensive: those of its
// districts (or, where the source names none, of its governorates) from
// Lead days before its start to Within days after it (after its month's
// last day, where the source gives the month only). An offensive is
// often announced by days of bombardment before the ground assault a
// source dates it from.
type Scoring struct {
	Lead   int `json:"lead"`
	Within int `json:"within"`
}

// DefaultScoring counts alerts from a week before an offensive's start
// to two weeks after.
func DefaultScoring() Scoring { return Scoring{Lead: 7, Within: 14} }

// Report is a backtest's result.
type Report struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	DataTo  string  `json:"data_to"`
	Config  Config  `json:"config"`
	Scoring Scoring `json:"scoring"`
	// Alerts counts every alert, DistrictAlerts and ZoneAlerts by level.
	Alerts         int `json:"alerts"`
	DistrictAlerts int `json:"district_alerts"`
	ZoneAlerts     int `json:"zone_alerts"`
	// Scored offensives are the non-context ones the data covers; Fired
	// those with an alert that counts for them.
	Scored     int              `json:"scored"`
	Fired      int              `json:"fired"`
	Offensives []OffensiveScore `json:"offensives"`
	// Months are the whole months of data; Quiet* describe district
	// alerts in quiet district-months: a district's month is quiet when
	// no offensive of the list (context ones included) is under way in
	// its governorate during any of it.
	Months          []MonthScore `json:"months"`
	QuietMedian     float64      `json:"quiet_median"`
	QuietMax        int          `json:"quiet_max"`
	QuietAlerts     int          `json:"quiet_alerts"`
	QuietUnitMonths int          `json:"quiet_unit_months"`
	// QuietRate is alerts per 100 quiet district-months.
	QuietRate float64 `json:"quiet_rate"`
	// Quiet lists the district alerts of quiet district-months: "day
	// district (governorate) kind count".
	Quiet []string `json:"quiet"`
}

// OffensiveScore is how the detector did for one offensive.
type OffensiveScore struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Start    string `json:"start"`
	End      string `json:"end,omitempty"`
	Context  bool   `json:"context,omitempty"`
	NoData   bool   `json:"no_data,omitempty"`
	Fired    bool   `json:"fired"`
	FirstDay string `json:"first_day,omitempty"`
	// Offset is FirstDay's distance from the start, in days (negative:
	// before it).
	Offset int `json:"offset"`
	// Units are the districts (names) whose alerts count; Zones the
	// zones alerting in the same window over its districts.
	Units  []string `json:"units,omitempty"`
	Zones  []string `json:"zones,omitempty"`
	Alerts int      `json:"alerts"`
	// Elsewhere is the first alert in its governorates outside the
	// districts the source names (when it names some), in the window.
	Elsewhere string `json:"elsewhere,omitempty"`
	// Before is the last alert in its districts in the 30 days before
	// the window: an escalation the source dates later than the record
	// shows it, whose alert the cool-down then let stand for the rest.
	Before string `json:"before,omitempty"`
}

// MonthScore is one month's district alerts.
type MonthScore struct {
	Month string `json:"month"`
	// Alerts are all district alerts; Quiet those in quiet districts,
	// QuietUnits the number of quiet districts.
	Alerts     int `json:"alerts"`
	Quiet      int `json:"quiet"`
	QuietUnits int `json:"quiet_units"`
}

// Backtest runs the detector over in and scores its alerts against the
// offensives. dataTo is the last day the record covers (zero: in.To − 1):
// offensives starting later are not scored, and months after it are not
// counted.
func Backtest(in Input, c Config, offs []Offensive, sc Scoring, dataTo Day) (*Report, []Alert, error) {
	alerts, err := Detect(in, c)
	if err != nil {
		return nil, nil, err
	}
	if dataTo == 0 || dataTo >= in.To {
		dataTo = in.To - 1
	}
	r := &Report{From: in.From.String(), To: (in.To - 1).String(), DataTo: dataTo.String(), Config: c, Scoring: sc, Alerts: len(alerts)}
	units := map[string]Unit{}
	for _, u := range in.Units {
		units[u.Key] = u
	}
	type dated struct {
		Alert
		day Day
	}
	var district, zone []dated
	for _, a := range alerts {
		d, _ := ParseDay(a.Day)
		if a.Level == Zone {
			zone = append(zone, dated{a, d})
		} else {
			district = append(district, dated{a, d})
		}
	}
	r.DistrictAlerts, r.ZoneAlerts = len(district), len(zone)

	for _, o := range offs {
		s := OffensiveScore{ID: o.ID, Name: o.Name, Start: o.Start, End: o.End, Context: o.Context}
		if o.start == 0 {
			// Not loaded through LoadOffensives.
			o.start, o.monthOnly, _ = parseDayOrMonth(o.Start)
			o.end = o.start.NextMonth() - 1
			if e, m, err := parseDayOrMonth(o.End); err == nil {
				o.end = e
				if m {
					o.end = e.NextMonth() - 1
				}
			}
		}
		lo, hi := o.start-Day(sc.Lead), o.start+Day(sc.Within)
		if o.monthOnly {
			// Started some day of the month.
			hi = o.start.NextMonth() - 1 + Day(sc.Within)
		}
		if o.Context {
			r.Offensives = append(r.Offensives, s)
			continue
		}
		if o.start < in.From || o.start > dataTo {
			s.NoData = true
			r.Offensives = append(r.Offensives, s)
			continue
		}
		r.Scored++
		inGov := func(key string) bool {
			return slices.ContainsFunc(o.Governorates, func(g string) bool { return strings.HasPrefix(key, g) })
		}
		named := func(key string) bool {
			if len(o.Districts) == 0 {
				return inGov(key)
			}
			return slices.Contains(o.Districts, key)
		}
		for _, a := range district {
			if a.day >= lo-30 && a.day < lo && named(a.Unit) {
				s.Before = fmt.Sprintf("%s %s (%+d)", a.Day, unitName(units, a.Unit), a.day-o.start)
			}
			if a.day < lo || a.day > hi || !inGov(a.Unit) {
				continue
			}
			if !named(a.Unit) {
				if s.Elsewhere == "" {
					s.Elsewhere = fmt.Sprintf("%s %s (%+d)", a.Day, unitName(units, a.Unit), a.day-o.start)
				}
				continue
			}
			s.Alerts++
			if !s.Fired {
				s.Fired, s.FirstDay, s.Offset = true, a.Day, int(a.day-o.start)
			}
			if n := unitName(units, a.Unit); !slices.Contains(s.Units, n) {
				s.Units = append(s.Units, n)
			}
		}
		for _, a := range zone {
			if a.day < lo || a.day > hi {
				continue
			}
			u := units[a.Unit]
			if slices.ContainsFunc(u.PCodes, func(pc string) bool {
				return named(pc) || (len(o.Districts) > 0 && slices.ContainsFunc(o.Districts, func(d string) bool { return strings.HasPrefix(d, pc) }))
			}) {
				if n := zoneID(a.Unit); !slices.Contains(s.Zones, n) {
					s.Zones = append(s.Zones, n)
				}
			}
		}
		if s.Fired {
			r.Fired++
		}
		r.Offensives = append(r.Offensives, s)
	}

	// Quiet months: whole months from the first day tested to the last
	// day of data.
	first := in.From
	if first != first.Month() {
		first = first.NextMonth()
	}
	var districts []string
	for _, u := range in.Units {
		if u.Level == District {
			districts = append(districts, u.Key)
		}
	}
	var perMonth []int
	for m := first; m.NextMonth()-1 <= dataTo; m = m.NextMonth() {
		end := m.NextMonth() - 1
		busy := map[string]bool{}
		for _, o := range offs {
			if o.start <= end && o.end >= m {
				for _, g := range o.Governorates {
					busy[g] = true
				}
			}
		}
		ms := MonthScore{Month: m.String()[:7]}
		quiet := map[string]bool{}
		for _, d := range districts {
			if len(d) >= 4 && !busy[d[:4]] {
				quiet[d] = true
				ms.QuietUnits++
			}
		}
		for _, a := range district {
			if a.day < m || a.day > end {
				continue
			}
			ms.Alerts++
			if quiet[a.Unit] {
				ms.Quiet++
				r.Quiet = append(r.Quiet, fmt.Sprintf("%s %s (%s) %s %d", a.Day, a.UnitName, a.Within, a.Kind, a.Count))
			}
		}
		r.Months = append(r.Months, ms)
		r.QuietAlerts += ms.Quiet
		r.QuietUnitMonths += ms.QuietUnits
		perMonth = append(perMonth, ms.Quiet)
	}
	if len(perMonth) > 0 {
		sort.Ints(perMonth)
		n := len(perMonth)
		r.QuietMedian = float64(perMonth[n/2])
		if n%2 == 0 {
			r.QuietMedian = float64(perMonth[n/2-1]+perMonth[n/2]) / 2
		}
		r.QuietMax = perMonth[n-1]
	}
	if r.QuietUnitMonths > 0 {
		r.QuietRate = math.Round(1000*float64(r.QuietAlerts)/float64(r.QuietUnitMonths)) / 10
	}
	return r, alerts, nil
}

func unitName(units map[string]Unit, key string) string {
	if u, ok := units[key]; ok && u.Name != "" {
		return u.Name
	}
	return key
}

// Markdown writes the report's tables as docs/alerts.md shows them.
func (r *Report) Markdown(w io.Writer) error {
	var b strings.Builder
	c := r.Config
	fmt.Fprintf(&b, "Backtest %s … %s (data to %s); baseline %d days, p < %g, at least %d incidents, cool-down %d days, model %s, min rate %g/day; an alert counts for an offensive from %d days before its start to %d days after.\n\n",
		r.From, r.To, r.DataTo, c.BaselineDays, c.PValue, c.MinCount, c.CoolDownDays, c.Model, c.MinRate, r.Scoring.Lead, r.Scoring.Within)
	fmt.Fprintf(&b, "Alerts: %d (%d in districts, %d in zones). Offensives fired for: %d of %d.\n\n", r.Alerts, r.DistrictAlerts, r.ZoneAlerts, r.Fired, r.Scored)
	b.WriteString("| offensive | start | end | fired | first alert (days from start) | alerts | districts alerting | zones | elsewhere in its governorates | alerted in the 30 days before |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, o := range r.Offensives {
		if o.Context {
			continue
		}
		fired, first := "missed", "–"
		switch {
		case o.NoData:
			fired = "no data"
		case o.Fired:
			fired = "fired"
			first = fmt.Sprintf("%s (%+d)", o.FirstDay, o.Offset)
		}
		end := o.End
		if end == "" {
			end = "–"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %d | %s | %s | %s | %s |\n", o.Name, o.Start, end, fired, first, o.Alerts,
			dash(strings.Join(o.Units, ", ")), dash(strings.Join(o.Zones, ", ")), dash(o.Elsewhere), dash(o.Before))
	}
	fmt.Fprintf(&b, "\nDistrict alerts in quiet district-months: %d over %d quiet district-months (%.1f per 100); per month median %g, max %d.\n\n",
		r.QuietAlerts, r.QuietUnitMonths, r.QuietRate, r.QuietMedian, r.QuietMax)
	b.WriteString("| month | district alerts | in quiet districts | quiet districts |\n|---|---|---|---|\n")
	for _, m := range r.Months {
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", m.Month, m.Alerts, m.Quiet, m.QuietUnits)
	}
	if len(r.Quiet) > 0 {
		b.WriteString("\nDistrict alerts in quiet district-months:\n\n")
		for _, q := range r.Quiet {
			fmt.Fprintf(&b, "- %s\n", q)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
