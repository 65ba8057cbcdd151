package web

import (
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/chart"
	"github.com/truce-monitor/truce/internal/evidence"
	"github.com/truce-monitor/truce/internal/i18n"
	"github.com/truce-monitor/truce/internal/importer/jsonl"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/period"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// maxUpload bounds an evidence file.
const maxUpload = evidence.MaxSize

func (q *req) agreement() string {
	ags := q.u.app.Agreements()
	if len(ags) == 0 {
		return ""
	}
	return ags[0].ID
}

// location is the time zone dates are read in: the agreement's, as the
// API and the command line read them.
func (q *req) location() *time.Location {
	if ag, ok := q.u.app.Agreement(q.agreement()); ok {
		return ag.Location
	}
	return q.u.app.DefaultLocation()
}

// dashboard: violations by party, guarantor, clause, zone and week, over
// what the viewer may see, with charts drawn on the server
// (internal/chart): each party's violations week by week, stacked by
// where the review stands, with the undetermined incidents it is at stake
// in, and a calendar of the last weeks' violations.
func (u *UI) dashboard(q *req) error {
	type table struct {
		Title string
		Bars  []dashBar
		Max   int
	}
	ag := q.agreement()
	d := newDashTally(q.location())
	if a, ok := u.app.Agreement(ag); ok {
		var err error
		if d, err = countDashboard(q.ctx, u.app, q.user, a, q.location()); err != nil {
			return err
		}
	}
	byParty, byGuarantor, byClause, byZone, byWeek := d.byParty, d.byGuarantor, d.byClause, d.byZone, d.byWeek
	partyWeeks, days, first, last := d.partyWeeks, d.days, d.first, d.last
	total, verified, underReview, dismissed := d.total, d.verified, d.underReview, d.dismissed
	mondayOf := d.mondayOf
	mk := func(title string, m dashCounts, byLabel bool) table {
		c := table{Title: q.t(title)}
		for _, b := range m {
			c.Bars = append(c.Bars, *b)
			c.Max = max(c.Max, b.N)
		}
		sort.Slice(c.Bars, func(i, j int) bool {
			if byLabel {
				return c.Bars[i].Label < c.Bars[j].Label
			}
			return c.Bars[i].N > c.Bars[j].N || (c.Bars[i].N == c.Bars[j].N && c.Bars[i].Label < c.Bars[j].Label)
		})
		return c
	}
	tables := []table{mk("dash.by_party", byParty, false), mk("dash.by_guarantor", byGuarantor, false), mk("dash.by_clause", byClause, false)}
	if len(byZone) > 0 {
		tables = append(tables, mk("dash.by_zone", byZone, false))
	}
	tables = append(tables, mk("dash.by_week", byWeek, true))

	// Each party's weeks: the last 26 at most, up to the last with data.
	layers := []chart.Layer{{Label: q.t("bulletin.layer.verified"), Style: chart.Solid}}
	if q.user != nil {
		layers = append(layers, chart.Layer{Label: q.t("bulletin.layer.under_review"), Style: chart.Hatch})
	}
	layers = append(layers, chart.Layer{Label: q.t("bulletin.layer.undetermined"), Style: chart.Dots})
	if !first.IsZero() && last.Sub(first) > 25*7*24*time.Hour {
		first = last.AddDate(0, 0, -25*7)
	}
	type partyChart struct {
		Party string
		SVG   template.HTML
	}
	var partyCharts []partyChart
	top := 0
	for _, weeks := range partyWeeks {
		for w, l := range weeks {
			if !w.Before(first) {
				top = max(top, l.verified+l.underRev+l.undetermined)
			}
		}
	}
	for i, p := range slices.Sorted(maps.Keys(partyWeeks)) {
		var bars []chart.Bar
		for w := first; !w.After(last); w = w.AddDate(0, 0, 7) {
			l := partyWeeks[p][w]
			if l == nil {
				l = &dashLayers{}
			}
			vals := []int{l.verified}
			if q.user != nil {
				vals = append(vals, l.underRev)
			}
			vals = append(vals, l.undetermined)
			sun := w.AddDate(0, 0, 6)
			bars = append(bars, chart.Bar{Label: i18n.Digits(q.lang, w.Format("01-02")), Values: vals, Title: u.week(q.lang, w),
				Href: "/incidents?" + url.Values{"party": {p}, "from": {w.Format("2006-01-02")}, "to": {sun.Format("2006-01-02")}}.Encode()})
		}
		partyCharts = append(partyCharts, partyChart{Party: p, SVG: chart.Stacked(chart.Options{ID: fmt.Sprintf("dash-party-%d", i), Lang: q.lang, Width: 460,
			Title: q.t("dash.chart.party_title"), Desc: q.t("dash.chart.party_desc")}, layers, bars, top)})
	}
	// The calendar: the last 13 weeks up to the last violation's.
	var calendar template.HTML
	if len(days) > 0 {
		end := slices.MaxFunc(slices.Collect(maps.Keys(days)), func(a, b time.Time) int { return a.Compare(b) })
		start := mondayOf(end).AddDate(0, 0, -12*7)
		var cells []chart.Cell
		for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
			iso := d.Format("2006-01-02")
			cells = append(cells, chart.Cell{Day: d, N: days[d], Title: q.t("bulletin.calendar.cell", i18n.Date(q.lang, d), i18n.Number(q.lang, days[d])),
				Href: "/incidents?" + url.Values{"verdict": {"violation"}, "from": {iso}, "to": {iso}}.Encode()})
		}
		var wd [7]string
		for i := range wd {
			wd[i] = q.t("bulletin.weekday." + strconv.Itoa(i+1))
		}
		calendar = chart.Calendar(chart.Options{ID: "dash-calendar", Lang: q.lang, Title: q.t("dash.calendar"), Desc: q.t("bulletin.calendar.desc")},
			cells, wd, func(m time.Time) string { return i18n.Digits(q.lang, m.Format("01-02")) })
	}
	return u.render(q, "dashboard", "nav.dashboard", map[string]any{
		"Agreement": ag, "Total": total, "Verified": verified, "UnderReview": underReview, "Dismissed": dismissed,
		// Only a signed-in viewer may see incidents still under review
		// (staff all, a party those it is accused in); the public's
		// counts are of published incidents only.
		"ShowUnderReview": q.user != nil,
		"Charts":          tables,
		"PartyCharts":     partyCharts,
		"Calendar":        calendar,
	})
}

var (
	verdicts = []ruling.Verdict{ruling.Violation, ruling.NotViolation, ruling.Undetermined}
	states   = []incident.State{incident.Reported, incident.UnderReview, incident.Verified, incident.Disputed, incident.Dismissed}
)

// filter reads the incident filters of a request, for the viewer.
func (q *req) filter() (store.Filter, url.Values, error) {
	v := q.r.URL.Query()
	f := store.Filter{Agreement: q.agreement(), Party: v.Get("party"), Verdict: ruling.Verdict(v.Get("verdict")),
		State: incident.State(v.Get("state")), Text: strings.TrimSpace(v.Get("q")), Limit: 50}
	// A value the filter does not know is an error, not a filter quietly
	// dropped (or a list quietly empty).
	if f.Verdict != "" && !slices.Contains(verdicts, f.Verdict) {
		return f, v, fail(http.StatusBadRequest, "error.filter", "verdict", v.Get("verdict"))
	}
	if f.State != "" && !slices.Contains(states, f.State) {
		return f, v, fail(http.StatusBadRequest, "error.filter", "state", v.Get("state"))
	}
	if s := v.Get("sort"); s != "" && s != "newest" && s != "oldest" {
		return f, v, fail(http.StatusBadRequest, "error.filter", "sort", s)
	}
	if p := strings.TrimSpace(f.Party); p != "" {
		// Parties by their identifier in any case (GOV, gov).
		f.Party = ""
		if ag, ok := q.u.app.Agreement(f.Agreement); ok {
		find:
			for _, ver := range ag.Versions {
				for _, pt := range ver.Parties {
					if strings.EqualFold(pt.ID, p) {
						f.Party = pt.ID
						break find
					}
				}
			}
		}
		if f.Party == "" {
			return f, v, fail(http.StatusBadRequest, "error.filter", "party", p)
		}
	}
	// The API's and the command line's reading of dates: a day in the
	// agreement's time zone, the last one included.
	var err error
	if f.From, f.To, err = period.Range("from", v.Get("from"), "to", v.Get("to"), q.location()); err != nil {
		var pe *period.Error
		errors.As(err, &pe)
		return f, v, fail(http.StatusBadRequest, "error.date", pe.Param, pe.Value)
	}
	if p, err := strconv.Atoi(v.Get("page")); err == nil && p > 1 {
		f.Offset = (p - 1) * f.Limit
	}
	return f, v, nil
}

func (u *UI) incidents(q *req) error {
	f, v, err := q.filter()
	if err != nil {
		return err
	}
	newest := v.Get("sort") != "oldest"
	f.Newest = newest
	list, total, err := u.app.Incidents(q.ctx, q.user, f)
	if err != nil {
		return err
	}
	page := f.Offset/f.Limit + 1
	link := func(key, val string) string {
		w := url.Values{}
		for k, vs := range v {
			w[k] = vs
		}
		w.Set(key, val)
		if key == "sort" {
			w.Del("page")
		}
		return "/incidents?" + w.Encode()
	}
	sorted := "oldest"
	if newest {
		sorted = "newest"
	}
	total, more := store.Shown(total)
	data := map[string]any{"Incidents": list, "Total": total, "More": more, "Q": v, "Page": page, "Sort": sorted,
		"SortNewest": link("sort", "newest"), "SortOldest": link("sort", "oldest"),
		"States": states, "Verdicts": verdicts}
	if page > 1 {
		data["Prev"] = link("page", strconv.Itoa(page-1))
	}
	if f.Offset+len(list) < total || more && len(list) == f.Limit {
		data["Next"] = link("page", strconv.Itoa(page+1))
	}
	return u.render(q, "incidents", "nav.incidents", data)
}

func (u *UI) incident(q *req) error {
	id, err := strconv.ParseInt(q.r.PathValue("id"), 10, 64)
	if err != nil {
		return fail(http.StatusNotFound, "error.not_found")
	}
	return u.incidentPage(q, id, url.Values{}, "")
}

// incidentPage renders an incident; after a refused form, with the
// error and the form's values (form, named by its action field).
func (u *UI) incidentPage(q *req, id int64, form url.Values, msg string) error {
	c, err := u.app.CaseFor(q.ctx, q.user, id)
	if err != nil {
		return err
	}
	refs, size, err := u.app.LogRefs(q.ctx, c)
	if err != nil {
		return err
	}
	var reviewFacts bool
	if q.user != nil {
		probe := workflow.Event{Action: workflow.Fact, FactReview: &workflow.FactReview{Report: 1, Field: "act", Verdict: workflow.FactAccept}}
		_, err := c.Case.Check(*q.user, probe, workflow.Subject{Accused: c.Accused})
		reviewFacts = err == nil
	}
	// The sieges in force where and when it happened: an attack on a
	// besieged town is read with the siege beside it.
	sieges, err := u.app.SiegesAt(q.ctx, q.user, c.Incident)
	if err != nil {
		return err
	}
	return u.render(q, "incident", "incident.title", map[string]any{
		"Case": c, "Actions": q.actions(c), "Sieges": sieges, "ReviewFacts": reviewFacts, "LogRefs": refs, "LogSize": size, "Stances": []workflow.Stance{workflow.Deny, workflow.Accept, workflow.Explain},
		"Forms": refills(form), "Error": msg, "Grades": workflow.Grades, "Conclusions": []workflow.Conclusion{workflow.IsViolation, workflow.NoViolation, workflow.Inconclusive},
	})
}

// refills sorts a refused form's values to the form of the incident page
// they came from, by its action: "workflow" (the state changes and
// comments), "reply", "finding" or "position".
func refills(form url.Values) map[string]url.Values {
	out := map[string]url.Values{"workflow": {}, "reply": {}, "finding": {}, "position": {}}
	switch a := form.Get("action"); a {
	case "":
	case string(workflow.Reply), string(workflow.Propose), "position":
		out[a] = form
	default:
		out["workflow"] = form
	}
	return out
}

// actions are the workflow actions to offer u on a case: those the
// workflow would allow (the server checks again when one is posted).
func (q *req) actions(c *app.Case) []workflow.Action {
	if q.user == nil {
		return nil
	}
	s := workflow.Subject{Accused: c.Accused}
	var out []workflow.Action
	for _, a := range []workflow.Action{workflow.Review, workflow.Verify, workflow.Dispute, workflow.Dismiss, workflow.Reopen, workflow.Comment} {
		if _, err := c.Case.Check(*q.user, workflow.Event{Action: a, Reason: "x"}, s); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// postEvent records a workflow action from the incident page's forms.
func (u *UI) postEvent(q *req) error {
	if q.user == nil {
		return fail(http.StatusUnauthorized, "error.login")
	}
	id, err := strconv.ParseInt(q.r.PathValue("id"), 10, 64)
	if err != nil {
		return fail(http.StatusNotFound, "error.not_found")
	}
	if _, err := u.app.CaseFor(q.ctx, q.user, id); err != nil {
		return err
	}
	f := q.r.PostForm
	e := workflow.Event{Action: workflow.Action(f.Get("action")), Reason: f.Get("reason"), Stance: workflow.Stance(f.Get("stance")),
		Grade: workflow.Grade(f.Get("grade")), Position: f.Get("position"), Assignee: f.Get("assignee")}
	e.Of, _ = strconv.Atoi(f.Get("of"))
	if e.Action == workflow.Fact {
		report, _ := strconv.ParseInt(f.Get("report"), 10, 64)
		start, _ := strconv.Atoi(f.Get("start"))
		e.FactReview = &workflow.FactReview{Report: report, Field: f.Get("field"), Start: start, Verdict: f.Get("verdict"), Value: strings.TrimSpace(f.Get("value"))}
	}
	if e.Action == workflow.Propose {
		e.Finding = &workflow.Finding{Agreement: f.Get("agreement"), Conclusion: workflow.Conclusion(f.Get("conclusion")), Text: f.Get("text"),
			Clauses: fields(f.Get("clauses")), Parties: fields(f.Get("parties"))}
	}
	// A refused form comes back with what was typed in it.
	again := func(err error) error {
		return u.refill(q, err, func(msg string) error { return u.incidentPage(q, id, f, msg) })
	}
	if e.Action == workflow.Reply {
		// A refused reply stores nothing: check it before its file.
		if err := u.app.CheckAct(q.ctx, *q.user, id, e); err != nil {
			return again(err)
		}
		sha, err := q.upload("evidence")
		if err != nil {
			return again(err)
		}
		if sha != "" {
			e.Evidence = []string{sha}
		}
	}
	if _, err := u.app.Act(q.ctx, *q.user, id, e); err != nil {
		return again(err)
	}
	http.Redirect(q.w, q.r, fmt.Sprintf("/incidents/%d?done=%s", id, url.QueryEscape(string(e.Action))), http.StatusSeeOther)
	return nil
}

func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// upload stores the file of a form field as evidence, if one was sent:
// bounded, its type read from its content and checked, its name never
// trusted.
func (q *req) upload(field string) (string, error) {
	f, err := q.formFile(field)
	if err != nil || f == nil {
		return "", err
	}
	return q.storeFile(f)
}

// formFile is an evidence file read from a form and checked, not yet
// stored.
type formFile struct {
	name string
	data []byte
}

// formFile reads and checks the file of a form field, if one was sent,
// without storing it: storing writes the evidence and its receipt to the
// log, which must not happen for a request that is then refused.
func (q *req) formFile(field string) (*formFile, error) {
	if q.r.MultipartForm == nil {
		return nil, nil // a form without files
	}
	f, h, err := q.r.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) {
		return nil, nil
	}
	if err != nil {
		return nil, fail(http.StatusBadRequest, "error.bad_form")
	}
	defer f.Close()
	if h.Size > maxUpload {
		return nil, fail(http.StatusRequestEntityTooLarge, "error.too_large", maxUpload>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxUpload+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxUpload {
		return nil, fail(http.StatusRequestEntityTooLarge, "error.too_large", maxUpload>>20)
	}
	if len(data) == 0 {
		return nil, nil
	}
	if mt := evidence.MediaType(data); !evidence.Accepted(mt) {
		return nil, fail(http.StatusUnsupportedMediaType, "error.file_type", h.Filename, mt)
	}
	return &formFile{name: h.Filename, data: data}, nil
}

// storeFile stores a checked file as evidence sent by the viewer, and
// returns its SHA-256.
func (q *req) storeFile(f *formFile) (string, error) {
	by := "public"
	if q.user != nil {
		by = q.user.Name
	}
	sha, _, err := q.u.app.AddEvidence(q.ctx, f.data, by, "web", f.name)
	return sha, err
}

// evidence serves a stored file to those who see everything, and to a
// party its own.
func (u *UI) evidence(q *req) error {
	data, mt, err := u.app.Download(q.ctx, q.user, q.r.PathValue("sha"), "web")
	if err != nil {
		return err
	}
	q.w.Header().Set("Content-Type", mt)
	q.w.Header().Set("Content-Disposition", "attachment")
	q.w.Write(data)
	return nil
}

func (u *UI) mapPage(q *req) error {
	_, v, err := q.filter()
	if err != nil {
		return err
	}
	// Whole URLs of a known shape, so that the template does not
	// escape the query's "=" and "&" once more (they were, and the map
	// then showed every incident whatever the filters).
	qs := v.Encode()
	data := map[string]any{"Q": v, "Verdicts": verdicts}
	// The zones of the latest version of the first agreement.
	data["Src"] = template.URL("/map/incidents.geojson?" + qs)
	data["List"] = template.URL("/incidents?" + qs)
	if ags := u.app.Agreements(); len(ags) > 0 && len(ags[0].Versions) > 0 {
		data["Zones"] = fmt.Sprintf("/agreements/%s/zones.geojson", ags[0].ID)
	}
	data["Humanitarian"] = "/map/humanitarian.geojson"
	return u.render(q, "map", "nav.map", data)
}

// mapIncidents is the map's data: the incidents the viewer may see, as
// GeoJSON points with their ruling and grade.
func (u *UI) mapIncidents(q *req) error {
	f, _, err := q.filter()
	if err != nil {
		return err
	}
	f.Limit, f.Offset, f.NoCount = 5000, 0, true
	type feature struct {
		Type       string         `json:"type"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	// Streamed as the incidents are read: the same bytes as one
	// FeatureCollection encoded whole, without holding the page.
	started := false
	sep := `{"type":"FeatureCollection","features":[`
	err = u.app.EachOnMap(q.ctx, q.user, f, func(in store.OnMap) error {
		if !in.Place.HasPoint {
			return nil
		}
		verdict := string(in.Verdict)
		b, err := json.Marshal(feature{Type: "Feature",
			Geometry: map[string]any{"type": "Point", "coordinates": []float64{in.Place.Lon, in.Place.Lat}},
			Properties: map[string]any{"id": in.ID, "title": in.Title, "date": i18n.Date(q.lang, in.Occurred.Start), "verdict": verdict,
				"verdict_label": q.t("verdict." + cmp.Or(verdict, "none")), "grade": in.Grade, "grade_label": q.t("grade." + cmp.Or(in.Grade, "none")), "state": q.t("state." + string(in.State)), "act": q.t("act." + string(in.Act))}})
		if err != nil {
			return err
		}
		if !started {
			q.w.Header().Set("Content-Type", "application/geo+json")
			started = true
		}
		if _, err := io.WriteString(q.w, sep); err != nil {
			return err
		}
		sep = ","
		_, err = q.w.Write(b)
		return err
	})
	if err != nil && started {
		// Half a collection is sent: end the response as broken rather
		// than let it pass for the whole map.
		panic(http.ErrAbortHandler)
	}
	if err != nil {
		return err
	}
	if !started {
		q.w.Header().Set("Content-Type", "application/geo+json")
	}
	end := "]}\n"
	if !started {
		end = sep + end // no feature: the head is still to write
	}
	_, err = io.WriteString(q.w, end)
	return err
}

// boundaries is the map's base layer, so that it works with no internet:
// the shipped governorates.
func (u *UI) boundaries(w http.ResponseWriter, r *http.Request) {
	f, err := bundled.FS.Open(strings.TrimSuffix(bundled.Boundaries, "/") + "/syr_admin1.geojson.gz")
	if err != nil {
		http.Error(w, "no boundaries", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("Vary", "Accept-Encoding")
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		// Shipped gzipped: sent as it is.
		w.Header().Set("Content-Encoding", "gzip")
		io.Copy(w, f)
		return
	}
	gz, err := gzip.NewReader(f)
	if err != nil {
		http.Error(w, "no boundaries", http.StatusInternalServerError)
		return
	}
	io.Copy(w, gz)
}

func (u *UI) submitForm(q *req) error { return u.submitPage(q, url.Values{}, "") }

// submitPage is the report form; after a refusal, with the error and what
// was typed.
func (u *UI) submitPage(q *req, form url.Values, msg string) error {
	return u.render(q, "submit", "nav.submit", map[string]any{"Acts": act.All(), "Form": form, "Error": msg})
}

// submit takes a report from the form: anyone may report (the public as
// "public", a monitor as "monitor", a liaison as its party's claim), with
// one evidence file.
func (u *UI) submit(q *req) error {
	err := u.submitReport(q)
	if err == nil {
		return nil
	}
	// What was typed comes back (not the file: browsers cannot be given
	// one).
	return u.refill(q, err, func(msg string) error { return u.submitPage(q, q.r.PostForm, msg) })
}

func (u *UI) submitReport(q *req) error {
	if q.user == nil && !u.login.Allow("submit "+auth.LimitKey(u.clientIP(q.r)), time.Now()) {
		return fail(http.StatusTooManyRequests, "error.rate")
	}
	f := q.r.PostForm
	// The reporter's name is not part of the report: the source says
	// only which channel it came through (the user's role decides what
	// kind of report it is, in SubmitAs).
	source := "web-public"
	switch {
	case q.user == nil, q.user.Role == workflow.Researcher:
	case q.user.Role == workflow.Liaison:
		source = "web-party"
	default:
		source = "web-monitor"
	}
	// The day in the agreement's time zone, as every other door reads it.
	day, dayEnd, err := period.Day("date", f.Get("date"), q.location())
	if err != nil {
		return fail(http.StatusBadRequest, "error.date", q.t("submit.date"), f.Get("date"))
	}
	// Everything is checked before anything is stored: the file here,
	// the fields below, the whole report before the file is stored.
	file, err := q.formFile("evidence")
	if err != nil {
		return err
	}
	rep := map[string]any{
		"source": source, "source_id": auth.Token("w"),
		"occurred":    map[string]any{"start": day.Format(time.RFC3339), "end": dayEnd.Format(time.RFC3339), "precision": "day"},
		"place":       map[string]any{"name": f.Get("place")},
		"act":         f.Get("act"),
		"description": f.Get("description"),
	}
	if lat, lon := f.Get("lat"), f.Get("lon"); lat != "" || lon != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lon, 64)
		if err1 != nil || err2 != nil {
			return fail(http.StatusBadRequest, "error.point", lat, lon)
		}
		rep["place"] = map[string]any{"name": f.Get("place"), "lat": la, "lon": lo, "has_point": true, "precision": "exact"}
	}
	var actors []map[string]string
	for _, a := range []struct{ field, role string }{{"perpetrator", "perpetrator"}, {"target", "target"}} {
		if n := strings.TrimSpace(f.Get(a.field)); n != "" {
			actors = append(actors, map[string]string{"name": n, "role": a.role})
		}
	}
	rep["actors"] = actors
	if n, err := strconv.Atoi(f.Get("killed")); err == nil && n >= 0 {
		rep["casualties"] = map[string]int{"low": n, "best": n, "high": n}
	}
	if file != nil {
		// The file's hash as the store will name it, so that the report
		// checked is the one submitted.
		sum := sha256.Sum256(file.data)
		rep["evidence"] = []string{hex.EncodeToString(sum[:])}
	}
	// Who reported and who saw it: sealed before they are stored.
	if n := strings.TrimSpace(f.Get("reporter_name")); n != "" {
		rep["reporter"] = map[string]string{"name": n, "contact": strings.TrimSpace(f.Get("reporter_contact"))}
	}
	var witnesses []map[string]string
	for _, line := range strings.Split(f.Get("witnesses"), "\n") {
		name, contact, _ := strings.Cut(line, ",")
		if name = strings.TrimSpace(name); name != "" {
			witnesses = append(witnesses, map[string]string{"name": name, "contact": strings.TrimSpace(contact)})
		}
	}
	if witnesses != nil {
		rep["witnesses"] = witnesses
	}
	body, _ := json.Marshal(rep)
	// The same check SubmitAs makes, but before the file is stored: a
	// report refused there would leave its evidence and the evidence's
	// log entries behind. (SubmitAs checks again, with the file stored.)
	if _, fe := jsonl.Parse(body, jsonl.Config{Actors: u.app.Actors, Boundaries: u.app.Boundaries, Places: u.app.Places}); fe != nil {
		return fmt.Errorf("%w: %w", app.ErrInvalidReport, fe)
	}
	if file != nil {
		sha, err := q.storeFile(file)
		if err != nil {
			return err
		}
		rep["evidence"] = []string{sha}
		body, _ = json.Marshal(rep)
	}
	res, _, err := u.app.SubmitAs(q.ctx, body, q.user)
	if err != nil {
		return err
	}
	next := "/submit?done=submitted"
	if app.SeesAll(q.user) {
		next = fmt.Sprintf("/incidents/%d?done=submitted", res.IncidentID)
	}
	http.Redirect(q.w, q.r, next, http.StatusSeeOther)
	return nil
}
