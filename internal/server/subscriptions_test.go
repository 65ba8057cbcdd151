package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/delivery"
	"github.com/truce-monitor/truce/internal/server"
	"github.com/truce-monitor/truce/internal/workflow"
)

// subscriptionServer is a server over an app with the bundled agreement
// and a user of each kind, by name with their tokens.
func subscriptionServer(t *testing.T) (*app.App, *httptest.Server, map[string]string) {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "subs.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, u := range []workflow.User{{Name: "adm", Role: workflow.Admin}, {Name: "rev", Role: workflow.Reviewer},
		{Name: "gov", Role: workflow.Liaison, Party: "GOV"}, {Name: "opp", Role: workflow.Liaison, Party: "OPP"}, {Name: "res", Role: workflow.Researcher}} {
		if tokens[u.Name], err = a.AddUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(server.New(a, server.Options{}))
	t.Cleanup(srv.Close)
	return a, srv, tokens
}

// subCall makes a request to srv with a user's token (none for "").
func subCall(t *testing.T, srv *httptest.Server, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
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

// TestSubscriptionAccess (issue 16 item 5): a user manages only their own
// subscriptions, an administrator anyone's; a party's user cannot
// subscribe to another party's protected messages; a user who sees no
// protected record is sent public messages only; every field is checked.
func TestSubscriptionAccess(t *testing.T) {
	_, srv, tok := subscriptionServer(t)
	hook := `"channel":"webhook","address":"https://hooks.example.org/truce","secret":"a secret of enough characters"`
	create := func(user, body string, want int) map[string]any {
		t.Helper()
		status, v := subCall(t, srv, "POST", "/api/subscriptions", tok[user], body)
		if status != want {
			t.Fatalf("%s POST %s: %d %v, want %d", user, body, status, v, want)
		}
		return v
	}
	// Without a login: nothing.
	for _, r := range [][2]string{{"POST", "/api/subscriptions"}, {"GET", "/api/subscriptions"}, {"DELETE", "/api/subscriptions/x"}, {"GET", "/api/subscriptions/x/log"}} {
		if status, _ := subCall(t, srv, r[0], r[1], "", `{`+hook+`}`); status != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d", r[0], r[1], status)
		}
	}
	if status, _ := subCall(t, srv, "GET", "/api/subscriptions", "not-a-token", ""); status != http.StatusUnauthorized {
		t.Errorf("a wrong token: %d", status)
	}

	gov := create("gov", `{`+hook+`,"party":"GOV","verdict":"violation"}`, http.StatusCreated)
	if gov["user"] != "gov" || gov["party"] != "GOV" || gov["public_only"] != false || gov["secret"] != nil {
		t.Errorf("gov's subscription: %v", gov)
	}
	// A party's user and another party's messages: public ones only.
	if _, v := subCall(t, srv, "POST", "/api/subscriptions", tok["gov"], `{`+hook+`,"party":"OPP"}`); !strings.Contains(v["error"].(string), "public_only") {
		t.Errorf("the refusal does not say how: %v", v)
	}
	create("gov", `{`+hook+`,"party":"OPP"}`, http.StatusForbidden)
	govOpp := create("gov", `{`+hook+`,"party":"OPP","public_only":true}`, http.StatusCreated)
	govFeed := create("gov", `{"channel":"atom","party":"OPP"}`, http.StatusCreated)
	if govFeed["public_only"] != true || !strings.HasPrefix(govFeed["feed_url"].(string), srv.URL+"/feeds/feed_") || govFeed["feed_token"] == nil {
		t.Errorf("an Atom subscription: %v", govFeed)
	}
	// Only an administrator subscribes someone else.
	create("gov", `{`+hook+`,"user":"opp"}`, http.StatusForbidden)
	create("rev", `{`+hook+`,"user":"opp"}`, http.StatusForbidden)
	opp := create("adm", `{"channel":"email","address":"OPP liaison <opp@example.org>","user":"opp","party":"OPP","severity":"high"}`, http.StatusCreated)
	if opp["user"] != "opp" || opp["address"] != "opp@example.org" {
		t.Errorf("opp's subscription by the administrator: %v", opp)
	}
	create("adm", `{`+hook+`,"user":"nobody"}`, http.StatusBadRequest)
	// The administrator cannot subscribe a party's user to another
	// party's protected messages either.
	create("adm", `{`+hook+`,"user":"opp","party":"GOV"}`, http.StatusForbidden)
	// Staff subscribe to any party; a researcher is sent public messages.
	create("rev", `{`+hook+`,"party":"GOV"}`, http.StatusCreated)
	if res := create("res", `{`+hook+`}`, http.StatusCreated); res["public_only"] != true {
		t.Errorf("a researcher's subscription is not limited to public messages: %v", res)
	}
	// A webhook without a secret gets one, shown once.
	made := create("rev", `{"channel":"webhook","address":"https://hooks.example.org/x"}`, http.StatusCreated)
	if s, _ := made["secret"].(string); !strings.HasPrefix(s, "whsec_") {
		t.Errorf("a made secret: %v", made)
	}

	// Every field is checked.
	for _, body := range []string{
		`{"channel":"sms","address":"+963"}`,
		`{"channel":"webhook","address":"http://hooks.example.org/plain"}`,
		`{"channel":"webhook","address":"https://hooks.example.org/x","secret":"short"}`,
		`{"channel":"email","address":"not an address"}`,
		`{"channel":"email","address":"a@example.org","secret":"a secret of enough characters"}`,
		`{"channel":"atom","address":"https://example.org/"}`,
		`{` + hook + `,"zone":"Atlantis"}`,
		`{` + hook + `,"area":"XX99"}`,
		`{` + hook + `,"party":"NOPE"}`,
		`{` + hook + `,"verdict":"guilty"}`,
		`{` + hook + `,"severity":"extreme"}`,
		`{` + hook + `,"kind":"rumour"}`,
		`{` + hook + `,"colour":"red"}`,
		`not json`,
	} {
		create("rev", body, http.StatusBadRequest)
	}
	create("rev", `{`+hook+`,"zone":"DZ1","area":"SY03","kind":"alert","severity":"medium"}`, http.StatusCreated)

	// Listing: one's own; an administrator's, anyone's.
	list := func(user, query string, want int) []any {
		t.Helper()
		status, v := subCall(t, srv, "GET", "/api/subscriptions"+query, tok[user], "")
		if status != want {
			t.Fatalf("%s lists %s: %d %v", user, query, status, v)
		}
		l, _ := v["subscriptions"].([]any)
		return l
	}
	owners := func(l []any) map[string]int {
		out := map[string]int{}
		for _, x := range l {
			s := x.(map[string]any)
			out[s["user"].(string)]++
			if _, ok := s["secret"]; ok {
				t.Errorf("a secret is listed: %v", s)
			}
			if _, ok := s["feed_token"]; ok {
				t.Errorf("a feed token is listed: %v", s)
			}
		}
		return out
	}
	if o := owners(list("gov", "", http.StatusOK)); len(o) != 1 || o["gov"] != 3 {
		t.Errorf("gov lists %v", o)
	}
	list("gov", "?user=opp", http.StatusForbidden)
	if o := owners(list("opp", "", http.StatusOK)); len(o) != 1 || o["opp"] != 1 {
		t.Errorf("opp lists %v", o)
	}
	if o := owners(list("adm", "", http.StatusOK)); o["gov"] != 3 || o["opp"] != 1 || o["rev"] != 3 || o["res"] != 1 {
		t.Errorf("the administrator lists %v", o)
	}
	if o := owners(list("adm", "?user=opp", http.StatusOK)); len(o) != 1 || o["opp"] != 1 {
		t.Errorf("the administrator lists opp's: %v", o)
	}
	if l := list("res", "", http.StatusOK); len(l) != 1 {
		t.Errorf("res lists %v", l)
	}

	// Removing: one's own; another's is not found, as if it did not
	// exist; an administrator removes anyone's.
	del := func(user, id string, want int) {
		t.Helper()
		if status, v := subCall(t, srv, "DELETE", "/api/subscriptions/"+id, tok[user], ""); status != want {
			t.Errorf("%s removes %s: %d %v, want %d", user, id, status, v, want)
		}
	}
	del("opp", gov["id"].(string), http.StatusNotFound)
	del("rev", gov["id"].(string), http.StatusNotFound)
	if status, _ := subCall(t, srv, "GET", "/api/subscriptions/"+gov["id"].(string)+"/log", tok["opp"], ""); status != http.StatusNotFound {
		t.Errorf("opp reads gov's delivery log: %d", status)
	}
	if status, v := subCall(t, srv, "GET", "/api/subscriptions/"+gov["id"].(string)+"/log", tok["gov"], ""); status != http.StatusOK || v["attempts"] == nil {
		t.Errorf("gov reads its delivery log: %d %v", status, v)
	}
	del("gov", gov["id"].(string), http.StatusOK)
	del("gov", gov["id"].(string), http.StatusNotFound)
	del("adm", govOpp["id"].(string), http.StatusOK)
	del("adm", opp["id"].(string), http.StatusOK)
	if o := owners(list("adm", "", http.StatusOK)); o["gov"] != 1 || o["opp"] != 0 {
		t.Errorf("after removals: %v", o)
	}
}

// TestAtomFeedRoute: GET /feeds/{token}.atom is a valid Atom feed of the
// subscription's public messages only, readable without a login; an
// unknown token, or a path that is no feed, is not found.
func TestAtomFeedRoute(t *testing.T) {
	ctx := context.Background()
	a, srv, tok := subscriptionServer(t)
	_, v := subCall(t, srv, "POST", "/api/subscriptions", tok["gov"], `{"channel":"atom","zone":"DZ1"}`)
	feedURL, _ := v["feed_url"].(string)
	if feedURL == "" {
		t.Fatalf("no feed URL: %v", v)
	}
	at := time.Date(2017, 3, 10, 9, 0, 0, 0, time.UTC)
	msgs := []delivery.Message{
		{ID: "alert:DZ1:1", Kind: delivery.KindAlert, Party: "GOV", Zone: "DZ1", Severity: "high", Title: "تصعيد في دوما", Text: "ثلاث حوادث", Link: "/incidents/4", At: at, Public: true},
		{ID: "alert:DZ1:2", Kind: delivery.KindAlert, Party: "GOV", Zone: "DZ1", Title: "protected: GOV's own", Text: "staff words", At: at.Add(time.Hour)},
		{ID: "alert:DZ2:3", Kind: delivery.KindAlert, Party: "GOV", Zone: "DZ2", Title: "another zone", At: at, Public: true},
		{ID: "alert:DZ1:4", Kind: delivery.KindAlert, Party: "OPP", Zone: "DZ1", Title: "Ceasefire holds <mostly>", At: at.Add(2 * time.Hour), Public: true},
	}
	if n, err := a.Enqueue(ctx, msgs); err != nil || n != 2 {
		t.Fatalf("enqueue: %d %v (want 2: the public ones in DZ1)", n, err)
	}
	res, err := http.Get(feedURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, body)
		}
	}
	var feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		ID      string   `xml:"id"`
		Self    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Entries []struct {
			ID    string `xml:"id"`
			Title string `xml:"title"`
			Link  struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(body, &feed); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), "protected") || strings.Contains(string(body), "staff words") || strings.Contains(string(body), "another zone") {
		t.Errorf("the feed holds what it must not:\n%s", body)
	}
	if len(feed.Entries) != 2 || feed.Entries[0].Title != "Ceasefire holds <mostly>" || feed.Entries[1].Title != "تصعيد في دوما" ||
		feed.Entries[1].Link.Href != srv.URL+"/incidents/4" || feed.Self.Href != feedURL {
		t.Errorf("feed %+v\n%s", feed, body)
	}
	for _, path := range []string{"/feeds/feed_0000.atom", "/feeds/" + strings.TrimSuffix(strings.TrimPrefix(feedURL, srv.URL+"/feeds/"), ".atom"), "/feeds/.atom"} {
		if res, err := http.Get(srv.URL + path); err != nil || res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %v %v", path, res.StatusCode, err)
		}
	}
}
