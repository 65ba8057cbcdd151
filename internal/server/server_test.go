package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/server"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

var (
	once    sync.Once
	demoApp *app.App
	srv     *httptest.Server
	setupE  error
	// adminToken is a token of a user who sees everything.
	adminToken string
	tmp        string
)

func TestMain(m *testing.M) {
	var err error
	if tmp, err = os.MkdirTemp("", "truce-server-test"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

// demo is one server over the demo data, shared by the tests here.
func demo(t *testing.T) *httptest.Server {
	t.Helper()
	once.Do(func() {
		ctx := context.Background()
		a, err := app.Open(ctx, app.Config{DB: filepath.Join(tmp, "demo.db")})
		if err != nil {
			setupE = err
			return
		}
		if err := a.LoadBundledAgreements(ctx); err != nil {
			setupE = err
			return
		}
		if _, err := a.ImportDemoEvents(ctx); err != nil {
			setupE = err
			return
		}
		demoApp = a
		// The tests read as the mechanism's staff, who see everything;
		// TestVisibility reads as the public and as a party.
		if adminToken, setupE = a.AddUser(ctx, workflow.User{Name: "test-admin", Role: workflow.Admin}, ""); setupE != nil {
			return
		}
		srv = httptest.NewServer(server.New(a, server.Options{SubmitToken: testToken}))
	})
	if setupE != nil {
		t.Fatal(setupE)
	}
	return srv
}

func get(t *testing.T, path string, wantStatus int, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", demo(t).URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != wantStatus {
		var body map[string]any
		json.NewDecoder(res.Body).Decode(&body)
		t.Fatalf("GET %s: status %d, want %d (%v)", path, res.StatusCode, wantStatus, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s: content type %q", path, ct)
	}
	if v != nil {
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
}

type listing struct {
	Total     int `json:"total"`
	Incidents []struct {
		ID       int64 `json:"id"`
		Occurred struct {
			Start string `json:"start"`
		} `json:"occurred"`
		Place struct {
			Admin1 string `json:"admin1"`
		} `json:"place"`
		Ruling *struct {
			Verdict string   `json:"verdict"`
			Parties []string `json:"parties"`
		} `json:"ruling"`
	} `json:"incidents"`
}

func TestAgreements(t *testing.T) {
	var ags []struct {
		ID       string `json:"id"`
		Versions []struct {
			Version int    `json:"version"`
			Digest  string `json:"digest"`
		} `json:"versions"`
	}
	get(t, "/api/agreements", 200, &ags)
	if len(ags) != 1 || ags[0].ID != "syria-coh-2016" || len(ags[0].Versions) != 6 || len(ags[0].Versions[0].Digest) != 64 {
		t.Fatalf("agreements = %+v", ags)
	}
	var changes []struct{ Op, What, ID string }
	get(t, "/api/agreements/syria-coh-2016/diff?from=1&to=2", 200, &changes)
	found := false
	for _, c := range changes {
		found = found || (c.Op == "+" && c.What == "guarantor" && c.ID == "IR")
	}
	if !found {
		t.Errorf("diff 1→2 does not add guarantor IR: %+v", changes)
	}
	get(t, "/api/agreements/syria-coh-2016/versions/3", 200, nil)
	get(t, "/api/agreements/nope", 404, nil)
	get(t, "/api/agreements/syria-coh-2016/versions/9", 404, nil)
}

func TestIncidentFilters(t *testing.T) {
	var all, rest listing
	get(t, "/api/incidents?limit=1000", 200, &all)
	get(t, "/api/incidents?limit=1000&offset=1000", 200, &rest)
	if all.Total < 1000 || len(all.Incidents)+len(rest.Incidents) != all.Total || rest.Incidents[0].ID == all.Incidents[0].ID {
		t.Fatalf("total %d, listed %d + %d", all.Total, len(all.Incidents), len(rest.Incidents))
	}
	var newest listing
	get(t, "/api/incidents?limit=1&sort=newest", 200, &newest)
	if len(newest.Incidents) != 1 {
		t.Fatalf("sort=newest: %+v", newest.Incidents)
	}
	last, _ := time.Parse(time.RFC3339, rest.Incidents[len(rest.Incidents)-1].Occurred.Start)
	if first, _ := time.Parse(time.RFC3339, newest.Incidents[0].Occurred.Start); first.Before(last) {
		t.Errorf("sort=newest starts at %v, before the oldest-first listing's last, %v", first, last)
	}
	var jan listing
	get(t, "/api/incidents?from=2017-01-01&to=2017-01-31&limit=1000", 200, &jan)
	if jan.Total == 0 || jan.Total >= all.Total {
		t.Errorf("January: %d of %d", jan.Total, all.Total)
	}
	var v listing
	get(t, "/api/incidents?agreement=syria-coh-2016&ruling=undetermined&party=GOV&limit=1000", 200, &v)
	if v.Total == 0 {
		t.Fatal("no undetermined incidents naming GOV")
	}
	for _, it := range v.Incidents {
		if it.Ruling == nil || it.Ruling.Verdict != "undetermined" || !contains(it.Ruling.Parties, "GOV") {
			t.Fatalf("filter leak: %+v", it)
		}
	}
	var idlib listing
	get(t, "/api/incidents?admin=SY07&limit=1000", 200, &idlib)
	if idlib.Total == 0 {
		t.Fatal("no incidents in Idleb")
	}
	for _, it := range idlib.Incidents {
		if it.Place.Admin1 != "SY07" {
			t.Fatalf("admin filter leak: %+v", it)
		}
	}
	var one struct {
		ID      int64 `json:"id"`
		Reports []struct {
			Original string `json:"original"`
		} `json:"reports"`
		Rulings []struct {
			Explanation string   `json:"explanation"`
			Facts       []string `json:"facts"`
		} `json:"rulings"`
	}
	get(t, "/api/incidents/"+strconv.FormatInt(v.Incidents[0].ID, 10), 200, &one)
	if len(one.Reports) != 1 || one.Reports[0].Original == "" || len(one.Rulings) != 1 || one.Rulings[0].Explanation == "" {
		t.Errorf("incident detail: %+v", one)
	}
	var sum struct {
		Total    int            `json:"total"`
		Outcomes map[string]int `json:"outcomes"`
	}
	get(t, "/api/rulings/summary?agreement=syria-coh-2016", 200, &sum)
	if sum.Total != all.Total {
		t.Errorf("summary total %d, want %d", sum.Total, all.Total)
	}
}

func TestBadRequests(t *testing.T) {
	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"/api/incidents?from=yesterday", 400, `from: "yesterday" is not a date`},
		{"/api/incidents?ruling=guilty", 400, `ruling: "guilty" is not`},
		{"/api/incidents?party=XYZ", 400, `party: "XYZ" is not a party`},
		{"/api/incidents?limit=-1", 400, `limit:`},
		{"/api/incidents?colour=red", 400, `unknown parameter "colour"`},
		{"/api/incidents?sort=random", 400, `sort: "random" is not oldest or newest`},
		{"/api/incidents?agreement=nope", 404, `no agreement "nope"`},
		{"/api/incidents/abc", 400, `id: "abc" is not an incident id`},
		{"/api/incidents/999999", 404, `incident 999999`},
	}
	for _, tt := range tests {
		var body map[string]string
		get(t, tt.path, tt.status, &body)
		if !strings.Contains(body["error"], tt.want) {
			t.Errorf("%s: error %q, want it to contain %q", tt.path, body["error"], tt.want)
		}
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

const testToken = "test-submit-token"

func post(t *testing.T, token, body string) (int, map[string]any) {
	t.Helper()
	return call(t, "POST", "/api/reports", token, body)
}

// call makes a request with a bearer token and decodes a JSON object.
func call(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, demo(t).URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v map[string]any
	json.NewDecoder(res.Body).Decode(&v)
	return res.StatusCode, v
}

func TestSubmit(t *testing.T) {
	report := `{"source":"monitor-7","source_id":"m7-0001","occurred":{"start":"2017-01-10T00:00:00+02:00","end":"2017-01-11T00:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},
		"actors":[{"name":"Syrian Arab Army","role":"perpetrator"},{"name":"civilians","role":"target"}],"act":"shelling",
		"casualties":{"low":2,"best":2,"high":2,"civilians":2},"description":"Shelling of the market"}`
	status, v := post(t, testToken, report)
	if status != http.StatusCreated || v["outcome"] != "created" {
		t.Fatalf("submit: %d %v", status, v)
	}
	id := int(v["incident_id"].(float64))
	var d struct {
		Place   struct{ Admin3 string } `json:"place"`
		Reports []struct {
			Kind     string `json:"kind"`
			Original string `json:"original"`
		} `json:"reports"`
		Rulings []struct {
			Verdict string `json:"verdict"`
		} `json:"rulings"`
	}
	get(t, "/api/incidents/"+strconv.Itoa(id), http.StatusOK, &d)
	if d.Place.Admin3 != "SY030200" || len(d.Reports) != 1 || d.Reports[0].Kind != "monitor" || !strings.Contains(d.Reports[0].Original, "m7-0001") || len(d.Rulings) != 1 {
		t.Errorf("stored incident: %+v", d)
	}
	// A retry of the same submission changes nothing.
	if status, v := post(t, testToken, report); status != http.StatusOK || v["outcome"] != "unchanged" || int(v["incident_id"].(float64)) != id {
		t.Errorf("retry: %d %v", status, v)
	}
	for _, tt := range []struct {
		name, token, body string
		status            int
		want              string
	}{
		{"no token", "", report, http.StatusUnauthorized, "bearer token"},
		{"wrong token", "guess", report, http.StatusUnauthorized, "bearer token"},
		{"bad act", testToken, strings.Replace(report, `"shelling"`, `"bombing"`, 1), http.StatusBadRequest, `act: "bombing" is not an act type`},
		{"unknown field", testToken, strings.Replace(report, `"act"`, `"colour":"red","act"`, 1), http.StatusBadRequest, "colour: is not a field a submission may set"},
		// What intake derives or keeps is not the client's to set: these
		// fields of the stored report used to pass straight through.
		{"sealed identities", testToken, strings.Replace(report, `"act"`, `"sealed":"forged","act"`, 1), http.StatusBadRequest, "sealed: is not a field a submission may set"},
		{"intake flags", testToken, strings.Replace(report, `"act"`, `"flags":[],"act"`, 1), http.StatusBadRequest, "flags: is not a field a submission may set"},
		{"original record", testToken, strings.Replace(report, `"act"`, `"original":"x","act"`, 1), http.StatusBadRequest, "original: is not a field a submission may set"},
		{"incident id", testToken, strings.Replace(report, `"act"`, `"incident_id":1,"act"`, 1), http.StatusBadRequest, "incident_id: is not a field a submission may set"},
		{"not json", testToken, "{", http.StatusBadRequest, "invalid report"},
		{"too big", testToken, `{"description":"` + strings.Repeat("x", 2<<20) + `"}`, http.StatusRequestEntityTooLarge, "at most"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, v := post(t, tt.token, tt.body)
			if status != tt.status || !strings.Contains(fmt.Sprint(v["error"]), tt.want) {
				t.Errorf("got %d %v, want %d %q", status, v, tt.status, tt.want)
			}
		})
	}
}

// TestLogProofs: the checkpoint, entries and proofs served over HTTP let a
// client check, with only the node's public key, that an entry is in the
// signed tree and that an older tree is a prefix of it.
func TestLogProofs(t *testing.T) {
	demo(t)
	skey, vkey, _ := ledger.GenerateKey("truce.test/log")
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	if _, err := demoApp.Checkpoint(context.Background(), signer); err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(srv.URL + "/log/checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(res.Body)
	res.Body.Close()
	cp, _, err := ledger.Open(msg, note.VerifierList(verifier))
	if err != nil || cp.Size < 1000 {
		t.Fatalf("checkpoint: %+v %v\n%s", cp, err, msg)
	}
	var page struct {
		Entries []struct {
			Index int64
			Data  string
		}
	}
	get(t, "/log/entries?start=5", http.StatusOK, &page)
	if len(page.Entries) == 0 || page.Entries[0].Index != 5 {
		t.Fatalf("entries: %+v", page.Entries[:1])
	}
	var inc struct {
		Root  string
		Proof []string
	}
	get(t, fmt.Sprintf("/log/proof/inclusion?index=5&size=%d", cp.Size), http.StatusOK, &inc)
	if err := tlog.CheckRecord(unb64(t, inc.Proof), cp.Size, cp.Root, 5, tlog.RecordHash([]byte(page.Entries[0].Data))); err != nil {
		t.Errorf("inclusion proof: %v", err)
	}
	var old struct{ Root string }
	get(t, "/log/proof/inclusion?index=0&size=10", http.StatusOK, &old)
	var cons struct{ Proof []string }
	get(t, fmt.Sprintf("/log/proof/consistency?old=10&new=%d", cp.Size), http.StatusOK, &cons)
	var oldRoot tlog.Hash
	copy(oldRoot[:], unb64(t, []string{old.Root})[0][:])
	if err := tlog.CheckTree(unb64(t, cons.Proof), cp.Size, cp.Root, 10, oldRoot); err != nil {
		t.Errorf("consistency proof: %v", err)
	}
	get(t, "/log/proof/inclusion?index=5", http.StatusBadRequest, nil)
	get(t, fmt.Sprintf("/log/proof/inclusion?index=5&size=%d", cp.Size+1000000), http.StatusBadRequest, nil)
}

func unb64(t *testing.T, ss []string) []tlog.Hash {
	t.Helper()
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			t.Fatalf("hash %q: %v", s, err)
		}
		copy(out[i][:], b)
	}
	return out
}

// TestWorkflowAPI: every workflow route needs a user's token; the rules of
// the workflow answer with the status that says why.
func TestWorkflowAPI(t *testing.T) {
	demo(t)
	ctx := context.Background()
	list, _, err := demoApp.Incidents(ctx, app.Operator(), store.Filter{Agreement: "syria-coh-2016", Verdict: ruling.Violation, Party: "GOV", Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("no GOV violation in the demo data: %v", err)
	}
	path := fmt.Sprintf("/api/incidents/%d", list[0].ID)
	token := map[string]string{}
	for _, u := range []workflow.User{{Name: "api-rev", Role: workflow.Reviewer}, {Name: "api-gov", Role: workflow.Liaison, Party: "GOV"},
		{Name: "api-govstaff", Role: workflow.Reviewer, Party: "GOV"}, {Name: "api-reader", Role: workflow.Researcher}} {
		if token[u.Name], err = demoApp.AddUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name, method, path, user, body string
		status                         int
		want                           string
	}{
		{"case without a token", "GET", path + "/case", "", "", http.StatusUnauthorized, "bearer token"},
		{"event with a wrong token", "POST", path + "/events", "nobody", `{"action":"review"}`, http.StatusUnauthorized, "bearer token"},
		{"verify before review", "POST", path + "/events", "api-rev", `{"action":"verify","reason":"x"}`, http.StatusConflict, "needs it under_review"},
		{"review", "POST", path + "/events", "api-rev", `{"action":"review"}`, http.StatusCreated, ""},
		{"the accused rules", "POST", path + "/events", "api-govstaff", `{"action":"dismiss","reason":"lies"}`, http.StatusForbidden, "accused"},
		{"a reader acts on what it cannot see", "POST", path + "/events", "api-reader", `{"action":"verify","reason":"x"}`, http.StatusNotFound, "not found"},
		{"verify without reason", "POST", path + "/events", "api-rev", `{"action":"verify"}`, http.StatusBadRequest, "reason is required"},
		{"unknown field", "POST", path + "/events", "api-rev", `{"action":"verify","why":"x"}`, http.StatusBadRequest, "unknown field"},
		{"verify", "POST", path + "/events", "api-rev", `{"action":"verify","reason":"a monitor's report"}`, http.StatusCreated, ""},
		{"reply with unknown evidence", "POST", path + "/events", "api-gov", `{"action":"reply","stance":"deny","reason":"no","evidence":["00"]}`, http.StatusBadRequest, "store it first"},
		{"reply", "POST", path + "/events", "api-gov", `{"action":"reply","stance":"explain","reason":"return fire"}`, http.StatusCreated, ""},
		{"evidence by a reader", "POST", "/api/evidence", "api-reader", "%PDF-1.4", http.StatusForbidden, "cannot add evidence"},
		{"empty evidence", "POST", "/api/evidence?name=x.pdf", "api-gov", "", http.StatusBadRequest, "x.pdf is empty"},
		{"disguised evidence", "POST", "/api/evidence?name=photo.jpg", "api-gov", "#!/bin/sh", http.StatusUnsupportedMediaType, "photo.jpg is text/plain, which is not taken as evidence"},
		{"evidence", "POST", "/api/evidence?name=statement.pdf", "api-gov", "%PDF-1.4\nstatement", http.StatusOK, ""},
		{"notifications of a party without one", "GET", "/api/notifications", "api-rev", "", http.StatusForbidden, "no party"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tok := token[tt.user]
			if tt.user == "nobody" {
				tok = "truce_guess"
			}
			status, v := call(t, tt.method, tt.path, tok, tt.body)
			if status != tt.status || !strings.Contains(fmt.Sprint(v["error"]), tt.want) {
				t.Errorf("%s %s: %d %v, want %d %q", tt.method, tt.path, status, v, tt.status, tt.want)
			}
		})
	}
	var c struct {
		State   string `json:"state"`
		Grade   string `json:"grade"`
		Replies []struct {
			Stance string `json:"stance"`
		} `json:"replies"`
		History []any `json:"history"`
	}
	req, _ := http.NewRequest("GET", demo(t).URL+path+"/case", nil)
	req.Header.Set("Authorization", "Bearer "+token["api-rev"])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	json.NewDecoder(res.Body).Decode(&c)
	if c.State != "verified" || len(c.Replies) != 1 || len(c.History) != 3 || c.Grade == "" {
		t.Errorf("case: %+v", c)
	}
	req, _ = http.NewRequest("GET", demo(t).URL+"/api/notifications", nil)
	req.Header.Set("Authorization", "Bearer "+token["api-gov"])
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var ns []map[string]any
	json.NewDecoder(res.Body).Decode(&ns)
	if len(ns) == 0 || ns[0]["party"] != "GOV" {
		t.Errorf("notifications: %v", ns)
	}
}

// TestVisibility: the public sees only incidents whose review is complete,
// without protected fields; a party's liaison also sees those it is
// accused in; a wrong token is refused, not taken for the public.
func TestVisibility(t *testing.T) {
	demo(t)
	ctx := context.Background()
	liaison, err := demoApp.AddUser(ctx, workflow.User{Name: "vis-opp", Role: workflow.Liaison, Party: "OPP"}, "")
	if err != nil {
		t.Fatal(err)
	}
	list, total, err := demoApp.Incidents(ctx, app.Operator(), store.Filter{Agreement: "syria-coh-2016", Verdict: ruling.Violation, Party: "OPP", Limit: 1})
	if err != nil || total == 0 {
		t.Fatalf("no OPP violation: %v", err)
	}
	id := list[0].ID
	status, v := call(t, "GET", "/api/incidents?limit=1", "", "")
	if status != http.StatusOK {
		t.Fatalf("public list: %d %v", status, v)
	}
	publicTotal := int(v["total"].(float64))
	var all listing
	get(t, "/api/incidents?limit=1", http.StatusOK, &all)
	if publicTotal >= all.Total {
		t.Errorf("the public sees %d incidents of %d: unreviewed ones must be hidden", publicTotal, all.Total)
	}
	if status, _ := call(t, "GET", fmt.Sprintf("/api/incidents/%d", id), "", ""); status != http.StatusNotFound {
		t.Errorf("the public read an unreviewed incident: %d", status)
	}
	status, v = call(t, "GET", fmt.Sprintf("/api/incidents/%d", id), liaison, "")
	if status != http.StatusOK {
		t.Fatalf("the accused party cannot read its incident: %d %v", status, v)
	}
	for _, r := range v["reports"].([]any) {
		if o := r.(map[string]any)["original"]; o != nil && o != "" {
			t.Errorf("a party sees an original record: %v", o)
		}
	}
	if status, _ := call(t, "GET", "/api/incidents", "truce_wrong", ""); status != http.StatusUnauthorized {
		t.Errorf("a wrong token: %d", status)
	}
}

// TestSubmitAsUser: with a user's token, the user's role decides what the
// report is, whatever the body says.
func TestSubmitAsUser(t *testing.T) {
	demo(t)
	tok, err := demoApp.AddUser(context.Background(), workflow.User{Name: "submit-gov", Role: workflow.Liaison, Party: "GOV"}, "")
	if err != nil {
		t.Fatal(err)
	}
	body := `{"source":"gov-office","source_id":"g-1","kind":"monitor","party":"OPP","occurred":{"start":"2017-01-12T00:00:00+02:00","end":"2017-01-13T00:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"actors":[{"name":"Jaysh al-Islam","role":"perpetrator"}],"act":"shelling","description":"Terrorists shelled Damascus"}`
	status, v := post(t, tok, body)
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, v)
	}
	d, err := demoApp.Incident(context.Background(), app.Operator(), int64(v["incident_id"].(float64)))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range d.Reports {
		if r.SourceID == "submit-gov:g-1" && (r.Kind != "party" || r.Party != "GOV") {
			t.Errorf("a liaison's report is %s of %q, want a party claim of GOV", r.Kind, r.Party)
		}
	}
}
