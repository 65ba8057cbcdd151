// Package storetest is the test suite every store engine must pass, so
// that the engines behave the same.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
)

// Run runs the suite; open returns a new, empty store for each test.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"AgreementVersionsAreImmutable", testAgreements},
		{"ReferenceFilesAreVersions", testReferenceFiles},
		{"ImportIsIdempotent", testImportIdempotent},
		{"Readings", testReadings},
		{"ChangedRecordKeepsHistory", testImportUpdate},
		{"OnlyTheOwnerRevises", testOwnership},
		{"Filters", testFilters},
		{"PeriodWithALongIncident", testLongIncident},
		{"SearchOnlyWhatIsVisible", testSearch},
		{"ThePublicSeesThePublished", testPublicListings},
		{"RulingsReplace", testRulingsReplace},
		{"UnchangedRulingsAreNotWritten", testRulingsUnchanged},
		{"EachIncident", testEachIncident},
		{"EachToRuleKnowsCurrentRulings", testEachToRule},
		{"EachReportKeepsOriginal", testEachReport},
		{"ImportRulesInSameTransaction", testImportRules},
		{"JoinAtIntake", testJoin},
		{"JoinWithinOneImport", testJoinWithinOneImport},
		{"WorkflowEvents", testEvents},
		{"Accounts", testAccounts},
		{"EvidenceAndNotifications", testEvidence},
		{"Feeds", testFeeds},
		{"Delivery", testDelivery},
		{"Humanitarian", testHumanitarian},
		{"Federation", testFederation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each has a store of its own; run beside another, a test's
			// waits on the disk and the server overlap (the PostgreSQL
			// suite's time is half creating databases).
			t.Parallel()
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tt.fn(t, s)
		})
	}
}

var damascus = time.FixedZone("EET", 2*3600)

func day(y int, m time.Month, d int) incident.TimeSpan { return incident.Day(y, m, d, damascus) }

// Report makes a test report.
func Report(id string, span incident.TimeSpan, admin3 string) incident.Report {
	return incident.Report{
		Source:   "test",
		SourceID: id,
		Kind:     incident.FromDataset,
		Occurred: span,
		Place: incident.Place{Name: "place " + id, Lat: 35.9, Lon: 36.6, HasPoint: true, Precision: incident.PlaceExact,
			Admin1: admin3[:4], Admin2: admin3[:6], Admin3: admin3},
		Actors:      []incident.ActorRef{{Name: "Government of Syria", ID: "government-of-syria", Role: incident.Perpetrator}, {Name: "Civilians", ID: "civilians", Role: incident.Target}},
		Act:         act.Shelling,
		Casualties:  incident.Casualties{Low: 1, Best: 2, High: 3, Civilians: 2},
		Description: "shelling " + id,
		Original:    "row," + id + ",verbatim",
	}
}

func testAgreements(t *testing.T, s store.Store) {
	ctx := context.Background()
	v1 := store.VersionRecord{AgreementID: "a", Version: 1, Label: "one", EffectiveFrom: time.Date(2016, 12, 29, 22, 0, 0, 0, time.UTC), Digest: "d1d1d1d1d1d1d1", Canonical: []byte(`{"v":1}`)}
	v2 := store.VersionRecord{AgreementID: "a", Version: 2, Label: "two", EffectiveFrom: time.Date(2017, 1, 23, 22, 0, 0, 0, time.UTC), Digest: "d2d2d2d2d2d2d2", Canonical: []byte(`{"v":2}`)}
	src := store.AgreementSource{AgreementID: "a", File: "a.yaml", Source: []byte("v1")}
	added, err := s.PutAgreement(ctx, src, []store.VersionRecord{v1})
	if err != nil || len(added) != 1 {
		t.Fatalf("first put: added %v, err %v", added, err)
	}
	src.Source = []byte("v1+v2")
	added, err = s.PutAgreement(ctx, src, []store.VersionRecord{v1, v2})
	if err != nil || fmt.Sprint(added) != "[2]" {
		t.Fatalf("second put: added %v, err %v", added, err)
	}
	changed := v1
	changed.Digest = "ffffffffffffffff"
	if _, err := s.PutAgreement(ctx, src, []store.VersionRecord{changed}); !errors.Is(err, store.ErrVersionChanged) {
		t.Fatalf("changed version: err = %v, want ErrVersionChanged", err)
	}
	vs, err := s.AgreementVersions(ctx, "a")
	if err != nil || len(vs) != 2 || vs[0].Digest != v1.Digest || !vs[1].EffectiveFrom.Equal(v2.EffectiveFrom) {
		t.Fatalf("versions = %+v, %v", vs, err)
	}
	srcs, err := s.AgreementSources(ctx)
	if err != nil || len(srcs) != 1 || string(srcs[0].Source) != "v1+v2" {
		t.Fatalf("sources = %+v, %v", srcs, err)
	}
	if _, err := s.AgreementVersions(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown agreement: err = %v", err)
	}
}

// testReferenceFiles: every reference file loaded is kept; a new file of
// the same kind and name is a new version, an identical one adds nothing,
// and each version is in the log.
func testReferenceFiles(t *testing.T, s store.Store) {
	ctx := context.Background()
	put := func(kind, name, file, src string, want bool) {
		t.Helper()
		added, err := s.PutReferenceFile(ctx, kind, name, file, []byte(src))
		if err != nil || added != want {
			t.Fatalf("put %s/%s %q: added %v, err %v; want added %v", kind, name, src, added, err, want)
		}
	}
	put(store.ReferenceActors, "extra.yaml", "/tmp/extra.yaml", "actors: [1]", true)
	put(store.ReferenceActors, "extra.yaml", "extra.yaml", "actors: [1]", false) // identical: nothing added
	put(store.ReferenceActors, "extra.yaml", "extra.yaml", "actors: [1, 2]", true)
	put(store.ReferenceActors, "a.yaml", "a.yaml", "actors: [a]", true)
	put(store.ReferenceControl, "extra.yaml", "layer.yaml", "actors: [1]", true) // another kind: its own versions
	// Back to an earlier content is a new version too: the latest counts.
	put(store.ReferenceActors, "a.yaml", "a.yaml", "actors: [b]", true)
	put(store.ReferenceActors, "a.yaml", "a.yaml", "actors: [a]", true)

	files, err := s.ReferenceFiles(ctx, store.ReferenceActors)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		if f.Kind != store.ReferenceActors || f.LoadedAt.IsZero() || f.Seq == 0 {
			t.Errorf("file %+v", f)
		}
		got = append(got, fmt.Sprintf("%s %s %s", f.Name, f.File, f.Source))
	}
	if want := []string{"a.yaml a.yaml actors: [a]", "extra.yaml extra.yaml actors: [1, 2]"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("actors files = %q, want %q", got, want)
	}
	if files, err := s.ReferenceFiles(ctx, store.ReferenceControl); err != nil || len(files) != 1 || files[0].File != "layer.yaml" {
		t.Errorf("control files = %+v, %v", files, err)
	}
	if files, err := s.ReferenceFiles(ctx, "nothing"); err != nil || len(files) != 0 {
		t.Errorf("files of an unknown kind = %+v, %v", files, err)
	}
	for _, bad := range [][2]string{{"maps", "m.yaml"}, {store.ReferenceActors, ""}, {store.ReferenceActors, "a/b.yaml"}} {
		if _, err := s.PutReferenceFile(ctx, bad[0], bad[1], "f", []byte("x")); err == nil {
			t.Errorf("kind %q name %q: stored", bad[0], bad[1])
		}
	}
	// Every version stored is in the log, the superseded ones too.
	type digester interface {
		RecordDigests(ctx context.Context, fn func(kind, key string, rev int, digest [32]byte) error) error
	}
	d, ok := s.(digester)
	if !ok {
		return
	}
	n := 0
	err = d.RecordDigests(ctx, func(kind, key string, rev int, _ [32]byte) error {
		if kind == ledger.ReferenceFile {
			n++
			if parts := strings.Split(key, "/"); len(parts) != 3 || rev != 1 {
				t.Errorf("record %s %s rev %d", kind, key, rev)
			}
		}
		return nil
	})
	if err != nil || n != 6 {
		t.Errorf("reference files among the records: %d (%v), want 6", n, err)
	}
}

// testReadings: the reading a report was stored with is what Originals
// returns; a report found unchanged takes the reading it was found so with,
// except from an intake that names none (a submission).
func testReadings(t *testing.T, s store.Store) {
	ctx := context.Background()
	batch := func() []incident.Report {
		return []incident.Report{Report("1", day(2017, 1, 5), "SY070000"), Report("2", day(2017, 1, 6), "SY070000")}
	}
	readings := func() []string {
		t.Helper()
		got, err := s.Originals(ctx, "test", []string{"1", "2"})
		if err != nil {
			t.Fatal(err)
		}
		return []string{got["1"].Reading, got["2"].Reading}
	}
	for _, step := range []struct{ reading, want string }{
		{"first", "first"},
		{"first", "first"},
		{"", "first"},
		{"second", "second"},
	} {
		res, err := s.ImportReports(ctx, batch(), store.Intake{Reading: step.reading})
		if err != nil {
			t.Fatal(err)
		}
		if got := readings(); got[0] != step.want || got[1] != step.want {
			t.Errorf("after an import read %q (%v): readings %q, want %q", step.reading, res[0].Outcome, got, step.want)
		}
	}
}

func testImportIdempotent(t *testing.T, s store.Store) {
	ctx := context.Background()
	batch := []incident.Report{Report("1", day(2017, 1, 5), "SY070000"), Report("2", day(2017, 1, 6), "SY070000")}
	res, err := s.ImportReports(ctx, batch, store.Intake{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Outcome != store.Created {
			t.Errorf("first import: %v", r.Outcome)
		}
	}
	again, err := s.ImportReports(ctx, []incident.Report{Report("1", day(2017, 1, 5), "SY070000"), Report("2", day(2017, 1, 6), "SY070000")}, store.Intake{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range again {
		if r.Outcome != store.Unchanged || r.IncidentID != res[i].IncidentID {
			t.Errorf("re-import %d: %+v, first %+v", i, r, res[i])
		}
	}
	_, total, err := s.Incidents(ctx, store.Filter{})
	if err != nil || total != 2 {
		t.Errorf("incidents after re-import: %d, %v", total, err)
	}
	d, err := s.Incident(ctx, res[0].IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Reports) != 1 || d.Reports[0].Original != "row,1,verbatim" || d.Reports[0].SourceID != "1" {
		t.Errorf("incident reports = %+v", d.Reports)
	}
	if d.Casualties.Best != 2 || d.Place.Admin3 != "SY070000" || !d.Occurred.Start.Equal(batch[0].Occurred.Start) {
		t.Errorf("incident facts = %+v", d.Incident)
	}
}

// testOwnership: a report is revised only by whoever submitted it, or an
// administrator (issue 12: any token could overwrite any report).
func testOwnership(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := Report("own-1", day(2017, 1, 5), "SY070000")
	r.Owner = "user:monitor-a"
	first, err := s.ImportReports(ctx, []incident.Report{r}, store.Intake{})
	if err != nil {
		t.Fatal(err)
	}
	forged := r
	forged.Owner, forged.Description, forged.Original = "user:researcher-b", "nothing happened", "forged"
	if _, err := s.ImportReports(ctx, []incident.Report{forged}, store.Intake{}); !errors.Is(err, store.ErrNotOwner) {
		t.Fatalf("another user's revision: %v, want ErrNotOwner", err)
	}
	for _, owner := range []string{store.OwnerImport, store.OwnerAPI, store.OwnerPublic} {
		forged.Owner = owner
		if _, err := s.ImportReports(ctx, []incident.Report{forged}, store.Intake{}); !errors.Is(err, store.ErrNotOwner) {
			t.Errorf("a revision as %q: %v, want ErrNotOwner", owner, err)
		}
	}
	d, err := s.Incident(ctx, first[0].IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Reports[0].Description != r.Description {
		t.Errorf("refused revisions changed the report: %q", d.Reports[0].Description)
	}
	// The same record from anyone is no change; the owner and an
	// administrator may revise.
	same := r
	same.Owner = "user:researcher-b"
	if res, err := s.ImportReports(ctx, []incident.Report{same}, store.Intake{}); err != nil || res[0].Outcome != store.Unchanged {
		t.Errorf("identical record from another: %v %v", res, err)
	}
	r.Description, r.Original = "revised by its monitor", "row,own-1,v2"
	if res, err := s.ImportReports(ctx, []incident.Report{r}, store.Intake{}); err != nil || res[0].Outcome != store.Updated {
		t.Fatalf("owner's revision: %v %v", res, err)
	}
	r.Owner, r.Description, r.Original = store.OwnerAdmin+"root", "corrected by an administrator", "row,own-1,v3"
	if res, err := s.ImportReports(ctx, []incident.Report{r}, store.Intake{}); err != nil || res[0].Outcome != store.Updated {
		t.Fatalf("administrator's revision: %v %v", res, err)
	}
	// Imports own what they bring, and may revise it again.
	ds := Report("own-2", day(2017, 1, 6), "SY070000")
	if _, err := s.ImportReports(ctx, []incident.Report{ds}, store.Intake{}); err != nil {
		t.Fatal(err)
	}
	ds.Original = "row,own-2,corrected"
	if res, err := s.ImportReports(ctx, []incident.Report{ds}, store.Intake{}); err != nil || res[0].Outcome != store.Updated {
		t.Errorf("an import revising its own record: %v %v", res, err)
	}
}

func testImportUpdate(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := Report("7", day(2017, 1, 5), "SY070000")
	first, err := s.ImportReports(ctx, []incident.Report{r}, store.Intake{})
	if err != nil {
		t.Fatal(err)
	}
	r.Casualties.Best = 9
	r.Casualties.High = 9
	r.Original = "row,7,corrected"
	res, err := s.ImportReports(ctx, []incident.Report{r}, store.Intake{})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Outcome != store.Updated || res[0].IncidentID != first[0].IncidentID {
		t.Fatalf("update: %+v", res[0])
	}
	d, err := s.Incident(ctx, first[0].IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Casualties.Best != 9 || d.Reports[0].Original != "row,7,corrected" {
		t.Errorf("after update: %+v / %q", d.Casualties, d.Reports[0].Original)
	}
}

// testLongIncident: a period holds the incidents running during it, one
// that began a year before it among them (the shared UCDP file has events
// a year long), and not those that ended before it, whatever the listing
// reads first (incidents or rulings) and in both orders, a page at a time
// and pages that hold both the long incidents and the others (which a
// store may read apart).
func testLongIncident(t *testing.T, s store.Store) {
	ctx := context.Background()
	span := func(name string, from, to incident.TimeSpan, pcode string) incident.Report {
		return Report(name, incident.TimeSpan{Start: from.Start, End: to.End, Precision: "day"}, pcode)
	}
	res, err := s.ImportReports(ctx, []incident.Report{
		span("long", day(2016, 2, 1), day(2017, 2, 3), "SY070000"),
		span("long ended", day(2016, 3, 1), day(2017, 1, 25), "SY030000"),
		span("days", day(2017, 1, 28), day(2017, 2, 2), "SY070000"),
		Report("ended", day(2017, 1, 20), "SY070000"),
		span("long inside", day(2017, 2, 5), day(2017, 4, 1), "SY070100"),
		Report("inside", day(2017, 2, 10), "SY030200"),
		Report("after", day(2017, 3, 5), "SY070100"),
	}, store.Intake{})
	if err != nil {
		t.Fatal(err)
	}
	var rulings []store.IncidentRuling
	for _, r := range res {
		rulings = append(rulings, store.IncidentRuling{IncidentID: r.IncidentID, Ruling: ruling.Ruling{Verdict: ruling.Violation, Agreement: "ag", Version: 1, Parties: []string{"GOV"}, Clauses: []string{"C1"}}})
	}
	if _, err := s.SaveRulings(ctx, rulings); err != nil {
		t.Fatal(err)
	}
	from, to := time.Date(2017, 2, 1, 0, 0, 0, 0, damascus), time.Date(2017, 3, 1, 0, 0, 0, 0, damascus)
	for _, base := range []store.Filter{
		{From: from, To: to},
		{Agreement: "ag", From: from, To: to},
		{Agreement: "ag", Verdict: ruling.Violation, From: from, To: to},
		{Agreement: "ag", Party: "GOV", From: from, To: to},
	} {
		for _, newest := range []bool{false, true} {
			want := []string{"long", "days", "long inside", "inside"}
			if newest {
				slices.Reverse(want)
			}
			for _, limit := range []int{1, 3} {
				f := base
				f.Newest, f.Limit = newest, limit
				var got []string
				for f.Offset = 0; f.Offset < 6; f.Offset += limit {
					page, total, err := s.Incidents(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if total != len(want) {
						t.Errorf("%+v: total %d, want %d", f, total, len(want))
					}
					for _, in := range page {
						got = append(got, in.Title[len("shelling "):])
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%+v, newest %v, %d a page: pages give %q, want %q", base, newest, limit, got, want)
				}
			}
		}
	}
	// A long incident stored after the period was read (a store may keep
	// what it found of the period while the data is unchanged).
	if _, err := s.ImportReports(ctx, []incident.Report{span("later long", day(2016, 1, 5), day(2017, 2, 20), "SY070000")}, store.Intake{}); err != nil {
		t.Fatal(err)
	}
	page, total, err := s.Incidents(ctx, store.Filter{From: from, To: to, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if total != 5 || len(page) != 2 || page[0].Title != "shelling later long" || page[1].Title != "shelling long" {
		var got []string
		for _, in := range page {
			got = append(got, in.Title)
		}
		t.Errorf("after a long incident stored: total %d, first page %q; want 5, the later long one first", total, got)
	}
}

func testFilters(t *testing.T, s store.Store) {
	ctx := context.Background()
	res, err := s.ImportReports(ctx, []incident.Report{
		Report("a", day(2017, 1, 1), "SY070000"),
		Report("b", day(2017, 1, 10), "SY030200"),
		Report("c", day(2017, 2, 1), "SY070100"),
	}, store.Intake{})
	if err != nil {
		t.Fatal(err)
	}
	rulings := []store.IncidentRuling{
		{IncidentID: res[0].IncidentID, Ruling: ruling.Ruling{Verdict: ruling.Violation, Agreement: "ag", Version: 1, Parties: []string{"GOV"}, Clauses: []string{"C1"}}},
		{IncidentID: res[1].IncidentID, Ruling: ruling.Ruling{Verdict: ruling.NotViolation, Agreement: "ag", Version: 1, Reason: ruling.ExcludedGroup}},
		{IncidentID: res[2].IncidentID, Ruling: ruling.Ruling{Verdict: ruling.Violation, Agreement: "ag", Version: 2, Parties: []string{"OPP"}, Clauses: []string{"C1"}}},
	}
	if _, err := s.SaveRulings(ctx, rulings); err != nil {
		t.Fatal(err)
	}
	date := func(m time.Month, d int) time.Time { return time.Date(2017, m, d, 0, 0, 0, 0, damascus) }
	tests := []struct {
		name string
		f    store.Filter
		want []string
	}{
		{"all", store.Filter{}, []string{"a", "b", "c"}},
		{"from", store.Filter{From: date(1, 10)}, []string{"b", "c"}},
		{"to excludes the day it starts", store.Filter{To: date(1, 10)}, []string{"a"}},
		{"admin1", store.Filter{Admin: "SY07"}, []string{"a", "c"}},
		{"admin3", store.Filter{Admin: "SY070100"}, []string{"c"}},
		{"verdict", store.Filter{Agreement: "ag", Verdict: ruling.Violation}, []string{"a", "c"}},
		{"party", store.Filter{Agreement: "ag", Party: "OPP"}, []string{"c"}},
		{"party and period", store.Filter{Agreement: "ag", Party: "GOV", From: date(1, 2)}, nil},
		{"limit", store.Filter{Limit: 1, Offset: 1}, []string{"b"}},
		{"newest first", store.Filter{Newest: true}, []string{"c", "b", "a"}},
		{"newest first, a page", store.Filter{Newest: true, Limit: 2, Offset: 1}, []string{"b", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.Incidents(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, g := range got {
				names = append(names, g.Title[len("shelling "):])
			}
			if fmt.Sprint(names) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", names, tt.want)
			}
			for _, g := range got {
				if len(g.ReportIDs) != 1 {
					t.Errorf("incident %d lists reports %v", g.ID, g.ReportIDs)
				}
			}
			if tt.f.Limit == 0 && total != len(tt.want) {
				t.Errorf("total %d, want %d", total, len(tt.want))
			}
			if tt.f.Agreement == "ag" {
				for _, g := range got {
					if g.Ruling == nil || g.Ruling.Agreement != "ag" {
						t.Errorf("incident %d has no ruling under ag", g.ID)
					}
				}
			}
		})
	}
	if _, _, err := s.Incidents(ctx, store.Filter{Party: "GOV"}); err == nil {
		t.Error("party filter without agreement: want an error")
	}
}

func testRulingsReplace(t *testing.T, s store.Store) {
	ctx := context.Background()
	res, err := s.ImportReports(ctx, []incident.Report{Report("x", day(2017, 1, 1), "SY070000")}, store.Intake{})
	if err != nil {
		t.Fatal(err)
	}
	id := res[0].IncidentID
	first := ruling.Ruling{Verdict: ruling.Violation, Agreement: "ag", Version: 1, Parties: []string{"GOV"}, Explanation: "first"}
	second := ruling.Ruling{Verdict: ruling.Undetermined, Agreement: "ag", Version: 1, Missing: ruling.MissingInitiator, Parties: []string{"OPP"}, Explanation: "second"}
	if _, err := s.SaveRulings(ctx, []store.IncidentRuling{{IncidentID: id, Ruling: first}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveRulings(ctx, []store.IncidentRuling{{IncidentID: id, Ruling: second}}); err != nil {
		t.Fatal(err)
	}
	d, err := s.Incident(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Rulings) != 1 || d.Rulings[0].Explanation != "second" {
		t.Errorf("rulings = %+v", d.Rulings)
	}
	got, _, _ := s.Incidents(ctx, store.Filter{Agreement: "ag", Party: "GOV"})
	if len(got) != 0 {
		t.Errorf("party GOV still matches after the ruling changed")
	}
	if _, err := s.Incident(ctx, id+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing incident: %v", err)
	}
}

func testEachIncident(t *testing.T, s store.Store) {
	ctx := context.Background()
	var batch []incident.Report
	for i := 0; i < 50; i++ {
		batch = append(batch, Report(fmt.Sprint(i), day(2017, 1, 1+i%28), "SY070000"))
	}
	if _, err := s.ImportReports(ctx, batch, store.Intake{}); err != nil {
		t.Fatal(err)
	}
	var n int
	var last time.Time
	err := s.EachIncident(ctx, time.Time{}, time.Time{}, func(in incident.Incident) error {
		if in.Occurred.Start.Before(last) {
			t.Errorf("out of order: %v after %v", in.Occurred.Start, last)
		}
		last = in.Occurred.Start
		n++
		if len(in.ReportIDs) != 1 || in.ReportIDs[0] == 0 {
			t.Errorf("incident %d: report ids %v, want its one report", in.ID, in.ReportIDs)
		}
		// Writing while iterating must not deadlock.
		_, err := s.SaveRulings(ctx, []store.IncidentRuling{{IncidentID: in.ID, Ruling: ruling.Ruling{Verdict: ruling.Undetermined, Agreement: "ag"}}})
		return err
	})
	if err != nil || n != 50 {
		t.Fatalf("EachIncident: n=%d err=%v", n, err)
	}
}

func testEachReport(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := Report("1", day(2017, 1, 5), "SY070300")
	a.OriginalFormat = "text/csv; header=id,x"
	b := Report("2", day(2017, 1, 6), "SY070300")
	b.OriginalFormat = a.OriginalFormat
	c := Report("3", day(2017, 1, 7), "SY070300")
	c.Original, c.OriginalFormat = `{"type":"Feature"}`, "application/geo+json"
	if _, err := s.ImportReports(ctx, []incident.Report{a, b, c}, store.Intake{}); err != nil {
		t.Fatal(err)
	}
	var got []incident.Report
	if err := s.EachReport(ctx, func(r incident.Report) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d reports, want 3", len(got))
	}
	for i, want := range []incident.Report{a, b, c} {
		r := got[i]
		if r.ID == 0 || r.IncidentID == 0 {
			t.Errorf("report %d: id %d, incident %d; want both set", i, r.ID, r.IncidentID)
		}
		if r.SourceID != want.SourceID || r.Original != want.Original || r.OriginalFormat != want.OriginalFormat {
			t.Errorf("report %d: got %s %q %q, want %s %q %q", i, r.SourceID, r.Original, r.OriginalFormat, want.SourceID, want.Original, want.OriginalFormat)
		}
		if !r.Occurred.Start.Equal(want.Occurred.Start) || r.Casualties != want.Casualties || r.Act != want.Act {
			t.Errorf("report %d: facts changed in storage: %+v", i, r)
		}
	}
	// A changed format alone is a changed record.
	c.OriginalFormat = "application/geo+json; v=2"
	res, err := s.ImportReports(ctx, []incident.Report{c}, store.Intake{})
	if err != nil || res[0].Outcome != store.Updated {
		t.Fatalf("format change: %+v, %v; want updated", res, err)
	}
}

func testImportRules(t *testing.T, s store.Store) {
	ctx := context.Background()
	var ruled []string
	rule := func(in incident.Incident) []ruling.Ruling {
		if in.ID == 0 {
			t.Errorf("ruled an incident without an id: %+v", in)
		}
		ruled = append(ruled, fmt.Sprint(in.Casualties.Best))
		return []ruling.Ruling{{Agreement: "ag", Version: 1, Verdict: ruling.Violation, Parties: []string{"GOV"}}}
	}
	r := Report("r", day(2017, 1, 5), "SY070000")
	res, err := s.ImportReports(ctx, []incident.Report{r}, store.Intake{Rule: rule})
	if err != nil {
		t.Fatal(err)
	}
	// Unchanged: nothing to rule. Changed: ruled on the new facts.
	if _, err := s.ImportReports(ctx, []incident.Report{r}, store.Intake{Rule: rule}); err != nil {
		t.Fatal(err)
	}
	r.Casualties.Best = 9
	if _, err := s.ImportReports(ctx, []incident.Report{r}, store.Intake{Rule: rule}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ruled) != "[2 9]" {
		t.Errorf("ruled %v, want the new incident then the changed one", ruled)
	}
	list, total, err := s.Incidents(ctx, store.Filter{Agreement: "ag", Party: "GOV", Verdict: ruling.Violation})
	if err != nil || total != 1 || list[0].ID != res[0].IncidentID || list[0].Ruling == nil {
		t.Errorf("ruling stored with the import: %+v, %d, %v", list, total, err)
	}
}

// PostgresURL is the PostgreSQL server tests use, from TRUCE_TEST_POSTGRES
// (.ci/run starts one and sets it). Without it a test skips, except under
// CI (CI set), where a missing server is a failure: tests never stand in a
// mock for the server.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("TRUCE_TEST_POSTGRES")
	if u == "" && os.Getenv("CI") != "" {
		t.Fatal("TRUCE_TEST_POSTGRES is not set under CI: .ci/run must start PostgreSQL")
	}
	if u == "" {
		t.Skip("TRUCE_TEST_POSTGRES is not set: no PostgreSQL server to test against")
	}
	return u
}
