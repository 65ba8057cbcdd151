package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/humanitarian"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store/storetest"
	"github.com/truce-monitor/truce/internal/workflow"
)

// humanitarianApp opens a fresh app with the bundled agreement, on SQLite
// and, when TRUCE_TEST_POSTGRES is set, on PostgreSQL too.
func humanitarianApps(t *testing.T) map[string]*app.App {
	t.Helper()
	ctx := context.Background()
	dbs := map[string]string{"sqlite": filepath.Join(t.TempDir(), "h.db")}
	if os.Getenv("TRUCE_TEST_POSTGRES") != "" || os.Getenv("CI") != "" {
		server := storetest.PostgresURL(t) // under CI, fails when unset
		admin, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("truce_h_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			admin.Close(ctx)
		})
		cfg, _ := pgx.ParseConfig(server)
		dbs["postgres"] = fmt.Sprintf("postgres://%s:%s@%s:%d/%s", cfg.User, cfg.Password, cfg.Host, cfg.Port, name)
	}
	out := map[string]*app.App{}
	for engine, db := range dbs {
		a, err := app.Open(ctx, app.Config{DB: db, DataKey: filepath.Join(t.TempDir(), engine+".key")})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		if err := a.LoadBundledAgreements(ctx); err != nil {
			t.Fatal(err)
		}
		out[engine] = a
	}
	return out
}

var (
	reviewer = &workflow.User{Name: "rev", Role: workflow.Reviewer}
	monitor  = &workflow.User{Name: "mon", Role: workflow.Monitor}
	govLia   = &workflow.User{Name: "gov", Role: workflow.Liaison, Party: "GOV"}
)

func deniedConvoy() humanitarian.AccessRequest {
	return humanitarian.AccessRequest{
		ID: "ocha-2017-06-douma", RequestedBy: "UN OCHA", Date: "2017-06-01", People: 35000,
		Destination: humanitarian.Area{Name: "Douma", PCodes: []string{"SY030200"}},
		Items:       []string{"food", "medical supplies"},
		Steps: []humanitarian.AccessStep{
			{Date: "2017-06-01", Status: humanitarian.StepRequested, Source: humanitarian.Source{Citation: "test: request letter"}},
			{Date: "2017-06-10", Status: humanitarian.StepDenied, By: "government-of-syria", Note: "no approval at the checkpoint",
				Source: humanitarian.Source{Citation: "test: convoy leader's report"}},
		},
	}
}

// TestDeniedConvoyIsRuled: a convoy denied by the government's forces in
// a de-escalation area is a violation of the access clause (DZ-2) by GOV,
// Russia and Iran answering, and enters the workflow like any incident.
func TestDeniedConvoyIsRuled(t *testing.T) {
	for engine, a := range humanitarianApps(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			if _, err := a.PutAccess(ctx, monitor, humanitarian.AccessRequest{}); err == nil {
				t.Error("an empty request was stored")
			}
			if _, err := a.PutAccess(ctx, govLia, deniedConvoy()); !errors.Is(err, workflow.ErrForbidden) {
				t.Errorf("a liaison recorded an access request: %v", err)
			}
			r, err := a.PutAccess(ctx, monitor, deniedConvoy())
			if err != nil {
				t.Fatal(err)
			}
			id := r.Steps[1].Incident
			if id == 0 || r.Steps[0].Incident != 0 {
				t.Fatalf("steps' incidents = %d, %d: want only the denial ruled", r.Steps[0].Incident, id)
			}
			d, err := a.Incident(ctx, app.Operator(), id)
			if err != nil {
				t.Fatal(err)
			}
			var rl ruling.Ruling
			for _, x := range d.Rulings {
				if x.Agreement == "syria-coh-2016" {
					rl = x
				}
			}
			if rl.Verdict != ruling.Violation || !slices.Contains(rl.Clauses, "DZ-2") ||
				fmt.Sprint(rl.Parties) != "[GOV]" || fmt.Sprint(rl.Guarantors) != "[IR RU]" {
				t.Fatalf("ruling = %s clauses %v parties %v guarantors %v: %s", rl.Outcome(), rl.Clauses, rl.Parties, rl.Guarantors, rl.Explanation)
			}
			if !strings.Contains(rl.Explanation, "Humanitarian access") {
				t.Errorf("explanation does not name the access clause: %s", rl.Explanation)
			}
			// Recorded again with a later step, the denial keeps its incident.
			more := deniedConvoy()
			more.Steps = append(more.Steps, humanitarian.AccessStep{Date: "2017-06-20", Status: humanitarian.StepDelivered, Source: humanitarian.Source{Citation: "test: WFP"}})
			r2, err := a.PutAccess(ctx, monitor, more)
			if err != nil || r2.Steps[1].Incident != id || r2.Fate() != humanitarian.StepDelivered {
				t.Fatalf("second revision: incident %d (want %d), fate %s, %v", r2.Steps[1].Incident, id, r2.Fate(), err)
			}
			// The same workflow: under review, then the accused party replies.
			if _, err := a.Act(ctx, *reviewer, id, workflow.Event{Action: workflow.Review}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Act(ctx, *govLia, id, workflow.Event{Action: workflow.Reply, Stance: workflow.Explain, Reason: "the convoy's papers were incomplete"}); err != nil {
				t.Fatalf("the accused party's reply: %v", err)
			}
			list, err := a.AccessRequests(ctx, nil)
			if err != nil || len(list) != 1 || len(list[0].Steps) != 3 {
				t.Errorf("public list of requests = %+v, %v", list, err)
			}
		})
	}
}

// TestSiegeAtIncident: an incident in Douma while Eastern Ghouta was
// besieged is read with the siege beside it; one after the siege is not.
func TestSiegeAtIncident(t *testing.T) {
	for engine, a := range humanitarianApps(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			in := incident.Incident{Occurred: incident.Day(2017, 3, 1, time.UTC),
				Place: incident.Place{Area: "SY030200", Admin1: "SY03", Admin2: "SY0302", Admin3: "SY030200", Precision: incident.PlaceAdmin3}}
			at, err := a.SiegesAt(ctx, nil, in)
			if err != nil || len(at) != 1 || at[0].Siege.ID != "eastern-ghouta" || at[0].Period.Status != humanitarian.Besieged {
				t.Fatalf("sieges at Douma, 1 Mar 2017 = %+v, %v", at, err)
			}
			in.Occurred = incident.Day(2018, 6, 1, time.UTC)
			if at, err := a.SiegesAt(ctx, nil, in); err != nil || len(at) != 0 {
				t.Errorf("sieges at Douma, June 2018 = %+v, %v", at, err)
			}
			v, err := a.Area(ctx, nil, "SY030200")
			if err != nil || len(v.Sieges) != 1 || len(v.Evacuations) == 0 {
				t.Errorf("area page of Duma: %d sieges, %d evacuations, %v", len(v.Sieges), len(v.Evacuations), err)
			}
		})
	}
}

const canary = "Qutaybah Canaryson al-Zumurrudi"

// TestSealedCaseCanary: a detainee's name is in no stored byte, no log
// entry and no answer to anyone but the Joint Group's staff.
func TestSealedCaseCanary(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "canary.db")
	a, err := app.Open(ctx, app.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	c := humanitarian.Case{ID: "c-1", Kind: humanitarian.CaseDetainee, Status: humanitarian.CaseHeld, HeldBy: "GOV", SoughtBy: "OPP",
		Since: "2017-02-01", Admin1: "SY03", Identity: &humanitarian.Identity{Name: canary, NameAr: "قتيبة الزمردي", Born: "1990"}}
	if _, err := a.PutList(ctx, govLia, humanitarian.List{ID: "opp-seeks", Side: "OPP", Role: humanitarian.ListSeeks, Submitted: "2017-03-01",
		Source: humanitarian.Source{Citation: "test"}}, []humanitarian.Case{c}); !errors.Is(err, workflow.ErrForbidden) {
		t.Errorf("the GOV liaison submitted OPP's list: %v", err)
	}
	oppLia := &workflow.User{Name: "opp", Role: workflow.Liaison, Party: "OPP"}
	if _, err := a.PutList(ctx, oppLia, humanitarian.List{ID: "opp-seeks", Side: "OPP", Role: humanitarian.ListSeeks, Submitted: "2017-03-01",
		Source: humanitarian.Source{Citation: "test"}}, []humanitarian.Case{c}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*workflow.User{nil, monitor, govLia, oppLia, {Name: "res", Role: workflow.Researcher}} {
		cases, err := a.Cases(ctx, u)
		if err != nil || len(cases) != 1 {
			t.Fatalf("cases: %v", err)
		}
		if cases[0].Identity != nil || cases[0].Sealed != "" || strings.Contains(fmt.Sprintf("%+v", cases[0]), "Canaryson") {
			t.Errorf("%v sees the identity: %+v", u, cases[0])
		}
	}
	staff, err := a.Case(ctx, reviewer, "c-1")
	if err != nil || staff.Identity == nil || staff.Identity.Name != canary {
		t.Fatalf("the reviewer does not see the name: %+v, %v", staff, err)
	}
	var logged bytes.Buffer
	entries, err := a.LogEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		logged.WriteString(e.Data)
	}
	if !strings.Contains(logged.String(), `"humanitarian"`) {
		t.Error("the case is not in the log")
	}
	a.Close()
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"Canaryson", "Zumurrudi", "قتيبة"} {
			if bytes.Contains(b, []byte(s)) || strings.Contains(logged.String(), s) {
				t.Errorf("%s (or the log) holds %q", filepath.Base(f), s)
			}
		}
	}
}

// TestMatchProposedNotMerged: the same man on two sides' lists, in two
// scripts, is proposed as a pair; nothing joins the cases until a
// reviewer confirms, and a monitor may not.
func TestMatchProposedNotMerged(t *testing.T) {
	for engine, a := range humanitarianApps(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			held := humanitarian.Case{ID: "gov-holds-17", Kind: humanitarian.CaseDetainee, Status: humanitarian.CaseHeld, HeldBy: "GOV",
				Identity: &humanitarian.Identity{Name: "Mohamed bin Ahmad el-Hallak", Born: "1985-04-02", Place: "Douma"}}
			sought := humanitarian.Case{ID: "opp-seeks-3", Kind: humanitarian.CaseMissing, Status: humanitarian.CaseSought, SoughtBy: "OPP",
				Identity: &humanitarian.Identity{Name: "محمد أحمد الحلاق", Born: "1985", Place: "دوما"}}
			other := humanitarian.Case{ID: "opp-seeks-4", Kind: humanitarian.CaseMissing, Status: humanitarian.CaseSought, SoughtBy: "OPP",
				Identity: &humanitarian.Identity{Name: "محمد الخطيب", Born: "1961"}}
			if _, err := a.PutList(ctx, govLia, humanitarian.List{ID: "gov-holds", Side: "GOV", Role: humanitarian.ListHolds, Submitted: "2017-03-01", Source: humanitarian.Source{Citation: "test"}}, []humanitarian.Case{held}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.PutList(ctx, monitor, humanitarian.List{ID: "opp-seeks", Side: "OPP", Role: humanitarian.ListSeeks, Submitted: "2017-03-02", Source: humanitarian.Source{Citation: "test"}}, []humanitarian.Case{sought, other}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.MatchCandidates(ctx, monitor, 0); !errors.Is(err, workflow.ErrForbidden) {
				t.Errorf("a monitor asked for candidates (they speak of names): %v", err)
			}
			cands, err := a.MatchCandidates(ctx, reviewer, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(cands) != 1 || cands[0].A != "gov-holds-17" || cands[0].B != "opp-seeks-3" || cands[0].Decision != "" {
				t.Fatalf("candidates = %+v", cands)
			}
			t.Logf("%.2f %v", cands[0].Score, cands[0].Reasons)
			cases, err := a.Cases(ctx, reviewer)
			if err != nil || len(cases) != 3 {
				t.Fatalf("cases after matching: %d, %v", len(cases), err)
			}
			for _, c := range cases {
				if len(c.SameAs) > 0 {
					t.Errorf("case %s joined before any decision: %v", c.ID, c.SameAs)
				}
			}
			m := humanitarian.Match{A: "gov-holds-17", B: "opp-seeks-3", Decision: humanitarian.MatchConfirmed}
			if _, err := a.DecideMatch(ctx, monitor, m); !errors.Is(err, workflow.ErrForbidden) {
				t.Errorf("a monitor decided a match: %v", err)
			}
			if _, err := a.DecideMatch(ctx, reviewer, m); err != nil {
				t.Fatal(err)
			}
			c, err := a.Case(ctx, reviewer, "opp-seeks-3")
			if err != nil || fmt.Sprint(c.SameAs) != "[gov-holds-17]" {
				t.Errorf("after confirmation: same as %v, %v", c.SameAs, err)
			}
			if cases, _ := a.Cases(ctx, reviewer); len(cases) != 3 {
				t.Errorf("a confirmation merged cases: %d left", len(cases))
			}
			cands, _ = a.MatchCandidates(ctx, reviewer, 0)
			if len(cands) != 1 || cands[0].Decision != humanitarian.MatchConfirmed {
				t.Errorf("candidates after the decision = %+v", cands)
			}
		})
	}
}

// TestHumanitarianVerifies: the records and the incidents they made pass
// truce verify and verify -deep, on both engines.
func TestHumanitarianVerifies(t *testing.T) {
	for engine, a := range humanitarianApps(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			if _, err := a.PutAccess(ctx, monitor, deniedConvoy()); err != nil {
				t.Fatal(err)
			}
			ev := humanitarian.Evacuation{ID: "four-towns", Agreed: "2017-04-12", Source: humanitarian.Source{Citation: "test"},
				From: humanitarian.Area{Name: "al-Fu'ah", PCodes: []string{"SY070002"}}, To: humanitarian.Area{Name: "Aleppo", PCodes: []string{"SY020000"}},
				Events: []humanitarian.EvacuationEvent{{Date: "2017-04-15", Kind: humanitarian.EvacAttacked, By: "unidentified-armed-group", Killed: 126, Source: humanitarian.Source{Citation: "test"}}}}
			got, err := a.PutEvacuation(ctx, reviewer, ev)
			if err != nil || got.Events[0].Incident == 0 {
				t.Fatalf("evacuation: %+v, %v", got, err)
			}
			if _, err := a.PutCase(ctx, reviewer, humanitarian.Case{ID: "c-9", Kind: humanitarian.CaseMissing, Status: humanitarian.CaseSought, Identity: &humanitarian.Identity{Name: "x y"}}); err != nil {
				t.Fatal(err)
			}
			res, err := a.Verify(ctx, nil)
			if err != nil || len(res.Problems) > 0 {
				t.Errorf("verify: %v %v", res.Problems, err)
			}
			d, err := a.VerifyDerived(ctx)
			if err != nil || len(d.Problems) > 0 {
				t.Errorf("verify -deep: %v %v", d.Problems, err)
			}
		})
	}
}
