package bulletin_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/bulletin"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store/sqldb"
	"github.com/truce-monitor/truce/internal/workflow"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Incidents of the bundled UCDP events in the week of 2017-01-09 (Monday)
// and the week before, as the demo import numbers them.
const (
	violation1   = 193 // 2017-01-10, attack on civilians, OPP: verified, denied, finding adopted
	violation2   = 257 // 2017-01-14, attack on civilians, OPP: under review
	undetermined = 225 // 2017-01-12, a clash, 11 killed: verified
	disputed     = 206 // 2017-01-11, a clash: disputed
	dismissed    = 204 // 2017-01-11, a clash: dismissed
	prevVerified = 106 // 2017-01-05, a clash, 15 killed: verified
	prevDismiss  = 64  // 2017-01-02, a clash: dismissed
)

var (
	rev   = workflow.User{Name: "rev", Role: workflow.Reviewer}
	opp   = workflow.User{Name: "opp", Role: workflow.Liaison, Party: "OPP"}
	ru    = workflow.User{Name: "ru", Role: workflow.GuarantorMember, Guarantor: "RU"}
	tr    = workflow.User{Name: "tr", Role: workflow.GuarantorMember, Guarantor: "TR"}
	mon   = workflow.User{Name: "mon", Role: workflow.Monitor}
	week  = bulletin.Request{Agreement: "syria-coh-2016", Period: bulletin.Week, Date: "2017-01-11"}
	fixed = bulletin.Log{Root: "dGhlIHJvb3Qgb2YgdGhlIHRlc3QgbG9nLCBmaXhlZC4="}
)

// fixture is the demo data with some incidents of the week reviewed.
type fixture struct {
	a  *app.App
	db string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "bulletin.db")
	a, err := app.Open(ctx, app.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ImportDemoEvents(ctx); err != nil {
		t.Fatal(err)
	}
	act := func(u workflow.User, id int64, e workflow.Event) {
		t.Helper()
		if _, err := a.Act(ctx, u, id, e); err != nil {
			t.Fatalf("incident %d, %s: %v", id, e.Action, err)
		}
	}
	review := func(id int64, end workflow.Action) {
		act(rev, id, workflow.Event{Action: workflow.Review})
		if end != "" {
			act(rev, id, workflow.Event{Action: end, Reason: "the team's review"})
		}
	}
	review(violation1, workflow.Verify)
	review(violation2, "")
	review(undetermined, workflow.Verify)
	review(disputed, workflow.Dispute)
	review(dismissed, workflow.Dismiss)
	review(prevVerified, workflow.Verify)
	review(prevDismiss, workflow.Dismiss)
	act(opp, violation1, workflow.Event{Action: workflow.Reply, Stance: workflow.Deny, Reason: "No unit of ours was there."})
	act(ru, violation1, workflow.Event{Action: workflow.Propose, Finding: &workflow.Finding{Agreement: "syria-coh-2016",
		Conclusion: workflow.IsViolation, Clauses: []string{"C2"}, Parties: []string{"OPP"}, Text: "An attack on civilians in breach of the cessation."}})
	c, err := a.CaseFor(ctx, app.Operator(), violation1)
	if err != nil || len(c.Findings) != 1 {
		t.Fatalf("the finding: %v", err)
	}
	act(tr, violation1, workflow.Event{Action: workflow.Position, Of: c.Findings[0].Seq, Position: workflow.DissentPosition, Reason: "The toll is not established."})
	return &fixture{a: a, db: db}
}

// compute computes the week's bulletin for a viewer from the log as it
// stands.
func (f *fixture) compute(t *testing.T, viewer *workflow.User) *bulletin.Bulletin {
	t.Helper()
	ctx := context.Background()
	at, err := f.a.BulletinLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := week
	r.Viewer = viewer
	b, err := bulletin.Compute(ctx, f.a, r, at)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// raw opens the database apart from the app, as someone with the file
// would: to alter it behind the app's back.
func (f *fixture) raw(t *testing.T) *sql.DB {
	t.Helper()
	st, err := app.OpenStore(context.Background(), f.db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st.(interface{ DB() *sql.DB }).DB()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/bulletin -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Fatalf("%s differs at line %d:\n got: %.300s\nwant: %.300s\n(go test ./internal/bulletin -update rewrites it)", name, i+1, g[i], w[i])
			}
		}
		t.Fatalf("%s differs in length: %d lines, want %d (go test ./internal/bulletin -update rewrites it)", name, len(g), len(w))
	}
}

// TestWeekGolden: the week of 2017-01-09 in English and Arabic, in full
// (staff) and public editions, as HTML and Markdown.
func TestWeekGolden(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, ed := range []struct {
		name   string
		viewer *workflow.User
	}{{"full", app.Operator()}, {"public", nil}} {
		b := f.compute(t, ed.viewer)
		// The root hash is of records with times in them: fixed here.
		b.Log.Root, b.Log.Checkpoint = fixed.Root, ""
		for _, lang := range []string{"en", "ar"} {
			for _, format := range []string{"html", "md"} {
				if format == "md" && (ed.name == "full" || lang == "ar") {
					continue // the same figures as the page
				}
				out, err := bulletin.Write(ctx, b, f.a, format, bulletin.Options{Lang: lang, Site: "https://truce.example", File: "week." + format})
				if err != nil {
					t.Fatal(err)
				}
				golden(t, fmt.Sprintf("week-2017-01-09.%s.%s.%s.golden", ed.name, lang, format), out)
			}
		}
	}
	// What the fixture should show, so that the golden files are not
	// merely whatever came out.
	b := f.compute(t, app.Operator())
	for id, want := range map[string][2]int{
		"violations": {2, 0}, "party/OPP": {2, 0}, "guarantor/TR": {2, 0}, "clause/C2": {2, 0}, "dismissed": {1, 1},
		"day/2017-01-10": {1, -1}, "day/2017-01-14": {1, -1}, "admin1/SY02": {1, 0},
	} {
		fg := b.D.Figure(id)
		if fg == nil || fg.N != want[0] || (want[1] >= 0 && (fg.Prev == nil || fg.Prev.N != want[1])) {
			t.Errorf("figure %s: %+v, want %d (previous %d)", id, fg, want[0], want[1])
		}
	}
	if fg := b.D.Figure("violations"); fg.Verified != 1 || fg.UnderReview != 1 {
		t.Errorf("violations: %d verified, %d under review; want 1 and 1", fg.Verified, fg.UnderReview)
	}
	if len(b.D.Notable) == 0 || b.D.Notable[0].ID != violation1 || len(b.D.Notable[0].Findings) != 1 || !b.D.Notable[0].Findings[0].Adopted {
		t.Errorf("the first notable incident is not %d with its adopted finding: %+v", violation1, b.D.Notable)
	}
	if len(b.D.Disputed) != 2 || len(b.D.OpenReplies) != 0 {
		t.Errorf("disputed %+v (want %d denied and %d disputed), open replies %+v (the finding was adopted)", b.D.Disputed, violation1, disputed, b.D.OpenReplies)
	}
	pub := f.compute(t, nil)
	if fg := pub.D.Figure("violations"); fg.N != 1 || fg.Incidents[0] != violation1 {
		t.Errorf("public violations: %+v, want only the verified %d", fg, violation1)
	}
}

// TestKeysTranslated: every string of the bulletin is in the catalog: no
// key shows as itself, in any language.
func TestKeysTranslated(t *testing.T) {
	f := newFixture(t)
	b := f.compute(t, app.Operator())
	key := regexp.MustCompile(`\b(bulletin|ruling|verdict|state|act|stance|conclusion|finding|dash|list|incident)\.[a-z_.0-9]+[a-z]\b`)
	for _, lang := range []string{"en", "ar", "ru", "tr", "fa"} {
		for _, format := range []string{"html", "md"} {
			out, err := bulletin.Write(context.Background(), b, f.a, format, bulletin.Options{Lang: lang})
			if err != nil {
				t.Fatal(err)
			}
			text := string(out)
			text = text[:strings.Index(text, "truce-bulletin")] // not the data
			if m := key.FindString(text); m != "" {
				t.Errorf("%s %s: the key %q is not translated", lang, format, m)
			}
		}
	}
}

// TestArabicDigitsAndDirection: the Arabic and Persian bulletins are
// right to left, and their own text (data and ids aside) has no Latin
// letter or digit: the rule of internal/i18n, "Digits and direction".
func TestArabicDigitsAndDirection(t *testing.T) {
	f := newFixture(t)
	b := f.compute(t, app.Operator())
	for lang, digits := range map[string]string{"ar": "٠١٢٣٤٥٦٧٨٩", "fa": "۰۱۲۳۴۵۶۷۸۹"} {
		out, err := bulletin.HTML(b, f.a, bulletin.Options{Lang: lang, Site: "https://truce.example"})
		if err != nil {
			t.Fatal(err)
		}
		page := string(out)
		if !strings.Contains(page, `<html lang="`+lang+`" dir="rtl">`) || !strings.Contains(page, `direction="rtl"`) {
			t.Errorf("%s: the page or its charts are not right to left", lang)
		}
		text := ownText(page)
		if loc := regexp.MustCompile(`[0-9A-Za-z]+`).FindStringIndex(text); loc != nil {
			t.Errorf("%s: Latin %q in the bulletin's own text: …%s…", lang, text[loc[0]:loc[1]], text[max(0, loc[0]-80):min(len(text), loc[1]+80)])
		}
		if !strings.ContainsAny(text, digits) {
			t.Errorf("%s: no number in the locale's digits", lang)
		}
	}
}

// ownText is a page's text without markup, without what is data or an id
// (<bdi>, <code>, the map's incident numbers, what Unicode's isolates
// isolate in the charts' text), the embedded data and the
// product's name.
func ownText(page string) string {
	for _, expr := range []string{`(?s)<head>.*?</head>`, `(?s)<script.*?</script>`, `(?s)<bdi\b[^>]*>.*?</bdi>`, `(?s)<code\b[^>]*>.*?</code>`,
		`(?s)<text[^>]*class="id"[^>]*>.*?</text>`, "(?s)\u2068.*?\u2069", `<[^>]*>`} {
		page = regexp.MustCompile(expr).ReplaceAllString(page, " ")
	}
	page = strings.NewReplacer("truce", " ", "SHA-256", " ", "&amp;", "&").Replace(page)
	return strings.Join(strings.Fields(page), " ")
}

// TestVerify: a bulletin verifies against the database it came from, in
// every format, and still does after records are added to the log (it is
// computed as of its checkpoint); altering one incident behind a figure in
// the database makes it fail, naming the figure and the incident.
func TestVerify(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	skey, vkey, err := ledger.GenerateKey("truce.test/log")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := app.ReadSigner(writeFile(t, "node.key", skey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Checkpoint(ctx, signer); err != nil {
		t.Fatal(err)
	}
	known, err := app.ReadVerifiers(writeFile(t, "node.key.pub", vkey))
	if err != nil {
		t.Fatal(err)
	}
	for _, viewer := range []*workflow.User{app.Operator(), nil} {
		b := f.compute(t, viewer)
		if b.Log.Checkpoint == "" || len(b.Log.Signers) != 1 {
			t.Fatalf("the bulletin does not state the signed checkpoint: %+v", b.Log)
		}
		for _, format := range []string{"html", "md", "json"} {
			out, err := bulletin.Write(ctx, b, f.a, format, bulletin.Options{Lang: "ar"})
			if err != nil {
				t.Fatal(err)
			}
			back, err := bulletin.Read(out)
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if err := bulletin.Verify(ctx, f.a, back, known); err != nil {
				t.Errorf("%s edition, %s: %v", bulletin.EditionOf(viewer), format, err)
			}
		}
	}
	full := f.compute(t, app.Operator())
	public := f.compute(t, nil)

	// Work goes on after the checkpoint: the incident under review is
	// verified, another incident of the week is reviewed. The bulletins
	// still hold: they are of the log at their checkpoint.
	if _, err := f.a.Act(ctx, rev, violation2, workflow.Event{Action: workflow.Verify, Reason: "two sources"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Act(ctx, rev, 232, workflow.Event{Action: workflow.Review}); err != nil {
		t.Fatal(err)
	}
	for _, b := range []*bulletin.Bulletin{full, public} {
		if err := bulletin.Verify(ctx, f.a, b, known); err != nil {
			t.Errorf("%s edition, after later work: %v", b.Edition, err)
		}
	}
	// A bulletin computed now, from the same checkpoint, is the same.
	if again := f.compute(t, nil); again.DataHash != public.DataHash {
		t.Errorf("the public bulletin changed with work after its checkpoint")
	}

	// Someone with the database file moves a verified violation of the
	// week to another governorate, behind the app's back.
	db := f.raw(t)
	n, err := sqldb.EditDoc(ctx, db, "incidents", "id = ?", []any{violation1}, func(doc string) string {
		var m map[string]any
		json.Unmarshal([]byte(doc), &m)
		m["place"].(map[string]any)["admin1"] = "SY01"
		b, _ := json.Marshal(m)
		return string(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d rows altered", n)
	}
	if _, err := db.Exec(`UPDATE incidents SET admin1 = 'SY01' WHERE id = ?`, violation1); err != nil {
		t.Fatal(err)
	}
	for _, b := range []*bulletin.Bulletin{full, public} {
		err := bulletin.Verify(ctx, f.a, b, known)
		var ve *bulletin.VerifyError
		if !errors.As(err, &ve) {
			t.Fatalf("%s edition: the altered database verifies: %v", b.Edition, err)
		}
		msg := err.Error()
		for _, want := range []string{"admin1/SY02: the bulletin counts 1 (incidents 193), the database now 0", "admin1/SY01", "incident 193: digest",
			`admin1 "SY02" → "SY01"`, "the database was altered"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s edition: the failure does not say %q:\n%s", b.Edition, want, msg)
			}
		}
	}

	// A file whose figures were edited fails on its own hash.
	out, _ := bulletin.Write(ctx, public, f.a, "md", bulletin.Options{Lang: "en"})
	forged := bytes.Replace(out, []byte(`{"id":"violations","n":1`), []byte(`{"id":"violations","n":0`), 1)
	if bytes.Equal(forged, out) {
		t.Fatal("the forgery found nothing to change")
	}
	back, err := bulletin.Read(forged)
	if err != nil {
		t.Fatal(err)
	}
	if err := bulletin.Verify(ctx, f.a, back, known); err == nil || !strings.Contains(err.Error(), "data: the data's SHA-256") {
		t.Errorf("an edited figure: %v", err)
	}
}

func writeFile(t *testing.T, name, s string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// canary is a word placed in everything of a monitor's report that only
// the Joint Group may read (see internal/web/canary_test.go).
const canary = "zqcanary"

// TestPublicCanary: a secret placed in a monitor's report of the week (its
// words, and so the incident's title; its outlet, citations and id; the
// reporter's and a witness's sealed names) is in the staff's bulletin, and
// in no format of the public one; a party's edition does not have it
// either.
func TestPublicCanary(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	body := fmt.Sprintf(`{"source":"team-api","source_id":"%[1]s-17","occurred":{"start":"2017-01-12T00:00:00+02:00","end":"2017-01-13T00:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"actors":[{"name":"Syrian Arab Army","role":"perpetrator"},{"name":"civilians","role":"target"}],
		"act":"shelling","casualties":{"low":500,"best":500,"high":500},"description":"%[1]s team 4 saw the impact","outlet":"%[1]s outlet","citations":["%[1]s cite,2017-01-12,notes"],
		"reporter":{"name":"Abu %[1]s","contact":"+963 %[1]s"},"witnesses":[{"name":"Umm %[1]s"}]}`, canary)
	res, _, err := f.a.SubmitAs(ctx, []byte(body), &mon)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []workflow.Event{{Action: workflow.Review}, {Action: workflow.Verify, Reason: "team 4"}} {
		if _, err := f.a.Act(ctx, rev, res.IncidentID, e); err != nil {
			t.Fatal(err)
		}
	}
	gov := &workflow.User{Name: "gov", Role: workflow.Liaison, Party: "GOV"}
	for _, v := range []struct {
		name   string
		viewer *workflow.User
		sees   bool
	}{{"staff", app.Operator(), true}, {"public", nil, false}, {"gov", gov, false}} {
		b := f.compute(t, v.viewer)
		if b.D.Fact(res.IncidentID) == nil {
			t.Fatalf("%s: the monitor's verified incident %d is not in the bulletin, so the test proves nothing", v.name, res.IncidentID)
		}
		for _, format := range []string{"html", "md", "json"} {
			for _, lang := range []string{"en", "ar"} {
				out, err := bulletin.Write(ctx, b, f.a, format, bulletin.Options{Lang: lang, Site: "https://truce.example"})
				if err != nil {
					t.Fatal(err)
				}
				has := bytes.Contains(bytes.ToLower(out), []byte(canary))
				if has != v.sees {
					i := bytes.Index(bytes.ToLower(out), []byte(canary))
					t.Errorf("%s bulletin, %s %s: canary shown %v, want %v: …%s…", v.name, lang, format, has, v.sees, out[max(0, i-100):min(len(out), max(i, 0)+60)])
				}
			}
		}
	}
}
