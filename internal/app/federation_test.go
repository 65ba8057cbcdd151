package app_test

import (
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/federation"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/sealed"
	"github.com/truce-monitor/truce/internal/server"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/sqldb"
	"github.com/truce-monitor/truce/internal/store/storetest"
	"github.com/truce-monitor/truce/internal/workflow"
)

// switchable is a node's HTTP front: the test swaps the node behind it
// (a rewritten log) or cuts it off (a partition).
type switchable struct {
	mu   sync.Mutex
	h    http.Handler
	down bool
}

func (s *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h, down := s.h, s.down
	s.mu.Unlock()
	if down {
		http.Error(w, "partitioned", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

func (s *switchable) set(h http.Handler, down bool) {
	s.mu.Lock()
	s.h, s.down = h, down
	s.mu.Unlock()
}

// fedNode is one node of a test federation, served over HTTP.
type fedNode struct {
	name   string
	db     string
	skey   string
	app    *app.App
	signer note.Signer
	vkey   string
	front  *switchable
	url    string
	puller *app.Puller
}

// week is the UCDP events of the week starting on day d of January 2017.
func week(d int) app.ImportOptions {
	from := time.Date(2017, 1, d, 0, 0, 0, 0, time.UTC)
	return app.ImportOptions{From: from, To: from.AddDate(0, 0, 7)}
}

func importWeek(t testing.TB, a *app.App, opt app.ImportOptions) {
	t.Helper()
	f, err := bundled.FS.Open(bundled.DemoEvents)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Import(context.Background(), "ucdp", gz, "ged.csv", opt); err != nil {
		t.Fatal(err)
	}
}

// openNode opens a node's database with its key (skey, vkey; generated
// when empty), loads the agreements and imports opt's events.
func openNode(t testing.TB, name, db, skey, vkey string, opt app.ImportOptions) *fedNode {
	t.Helper()
	ctx := context.Background()
	if skey == "" {
		var err error
		if skey, vkey, err = ledger.GenerateKey(name); err != nil {
			t.Fatal(err)
		}
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	key := db + ".key"
	if app.IsPostgres(db) {
		// Beside no file: a key of its own in the test's folder.
		key = filepath.Join(t.TempDir(), name+".key")
	}
	a, err := app.Open(ctx, app.Config{DB: db, DataKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	importWeek(t, a, opt)
	n := &fedNode{name: name, db: db, skey: skey, app: a, signer: signer, vkey: vkey}
	n.puller = &app.Puller{App: a, Signer: signer}
	return n
}

// serve puts the node behind an HTTP server.
func (n *fedNode) serve(t testing.TB) {
	n.front = &switchable{h: server.New(n.app, server.Options{})}
	srv := httptest.NewServer(n.front)
	t.Cleanup(srv.Close)
	n.url = srv.URL
}

// follow makes n follow p, under a grant p makes for n.
func (n *fedNode) follow(t testing.TB, p *fedNode) {
	t.Helper()
	ctx := context.Background()
	token, err := p.app.Grant(ctx, n.name, nil, true, true)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := n.app.AddPeer(ctx, p.url, p.vkey, token)
	if err != nil {
		t.Fatal(err)
	}
	// The token reads the peer's records as n: never stored in clear.
	if strings.Contains(stored.Token, token) || !sealed.IsSealed(stored.Token) {
		t.Fatalf("peer token stored as %q", stored.Token)
	}
}

func (n *fedNode) checkpoint(t testing.TB) []byte {
	t.Helper()
	msg, err := n.app.Checkpoint(context.Background(), n.signer)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// origin counts a node's reports by the node that recorded them ("" for
// itself), and fails on a report held twice.
func (n *fedNode) origin(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	seen := map[string]bool{}
	err := n.app.EachReport(context.Background(), app.Operator(), func(r incident.Report) error {
		k := r.Source + "/" + strings.TrimPrefix(r.SourceID, r.Node+":")
		if seen[r.Node+" "+k] {
			return fmt.Errorf("report %s from %q held twice", k, r.Node)
		}
		seen[r.Node+" "+k] = true
		out[r.Node]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (n *fedNode) peer(t *testing.T, name string) store.Peer {
	t.Helper()
	ps, err := n.app.Peers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Name == name {
			return p.Peer
		}
	}
	t.Fatalf("%s does not follow %s", n.name, name)
	return store.Peer{}
}

// round signs every node's log, then has every node pull every peer.
func round(t *testing.T, nodes ...*fedNode) []error {
	t.Helper()
	for _, n := range nodes {
		n.checkpoint(t)
	}
	var errs []error
	for _, n := range nodes {
		res, err := n.puller.PullAll(context.Background())
		for _, r := range res {
			if r.Problem != nil {
				t.Fatalf("%s pulling %s: %v", n.name, r.Peer, r.Problem)
			}
		}
		errs = append(errs, err)
	}
	return errs
}

// federation makes three nodes on dbs, each following the others.
func threeNodes(t *testing.T, dbs [3]string) []*fedNode {
	names := [3]string{"ru.truce.test", "tr.truce.test", "ir.truce.test"}
	var nodes []*fedNode
	for i, name := range names {
		n := openNode(t, name, dbs[i], "", "", week(1+7*i))
		n.serve(t)
		nodes = append(nodes, n)
	}
	for _, n := range nodes {
		for _, p := range nodes {
			if p != n {
				n.follow(t, p)
			}
		}
	}
	return nodes
}

func sqliteDBs(t *testing.T) [3]string {
	dir := t.TempDir()
	return [3]string{filepath.Join(dir, "ru.db"), filepath.Join(dir, "tr.db"), filepath.Join(dir, "ir.db")}
}

// TestFederationReplicates: records written on each of three nodes appear,
// verified, on the others, join their incidents, and a guarantor's
// finding on one node is shown on the others with the node that signed
// it; the nodes' own logs still verify.
func TestFederationReplicates(t *testing.T) {
	testReplicates(t, sqliteDBs(t))
}

// TestFederationReplicatesPostgres is the same with one node on
// PostgreSQL.
func TestFederationReplicatesPostgres(t *testing.T) {
	dbs := sqliteDBs(t)
	dbs[1] = postgresDB(t, "truce_fed")
	testReplicates(t, dbs)
}

func postgresDB(t *testing.T, prefix string) string {
	t.Helper()
	// Under CI a missing server fails the test, as the store's tests do.
	server := storetest.PostgresURL(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("%s_%d", prefix, os.Getpid())
	admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close(ctx)
	})
	cfg, _ := pgx.ParseConfig(server)
	return fmt.Sprintf("postgres://%s:%s@%s:%d/%s", cfg.User, cfg.Password, cfg.Host, cfg.Port, name)
}

func testReplicates(t *testing.T, dbs [3]string) {
	if testing.Short() {
		t.Skip("three nodes: not in -short")
	}
	ctx := context.Background()
	nodes := threeNodes(t, dbs)
	ru, tr := nodes[0], nodes[1]
	own := map[string]int{}
	for _, n := range nodes {
		own[n.name] = n.origin(t)[""]
		if own[n.name] == 0 {
			t.Fatalf("%s imported nothing", n.name)
		}
	}

	// An evidence file on RU's node.
	pdf := []byte("%PDF-1.4\nstatement of a witness\n%%EOF\n")
	sha, _, err := ru.app.AddEvidence(ctx, pdf, "rev", "api", "statement.pdf")
	if err != nil {
		t.Fatal(err)
	}

	// A finding on RU's node.
	list, _, err := ru.app.Incidents(ctx, app.Operator(), store.Filter{Agreement: "syria-coh-2016", Verdict: ruling.Violation})
	if err != nil || len(list) == 0 {
		t.Fatalf("no violation on %s (%v)", ru.name, err)
	}
	v := list[0]
	rev := workflow.User{Name: "rev", Role: workflow.Reviewer}
	ruG := workflow.User{Name: "ru", Role: workflow.GuarantorMember, Guarantor: "RU"}
	trG := workflow.User{Name: "tr", Role: workflow.GuarantorMember, Guarantor: "TR"}
	for _, u := range []workflow.User{rev, ruG, trG} {
		if _, err := ru.app.AddUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
	}
	party := v.Ruling.Parties[0]
	for _, e := range []struct {
		u workflow.User
		e workflow.Event
	}{
		{rev, workflow.Event{Action: workflow.Review}},
		{rev, workflow.Event{Action: workflow.Verify, Reason: "the sources agree"}},
		{ruG, workflow.Event{Action: workflow.Propose, Finding: &workflow.Finding{Agreement: "syria-coh-2016", Conclusion: workflow.IsViolation, Clauses: v.Ruling.Clauses, Parties: []string{party}, Text: "established"}}},
	} {
		if _, err := ru.app.Act(ctx, e.u, v.ID, e.e); err != nil {
			t.Fatalf("%s %s: %v", e.u.Name, e.e.Action, err)
		}
	}

	for i := 0; i < 2; i++ {
		for _, err := range round(t, nodes...) {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, n := range nodes {
		got := n.origin(t)
		for _, p := range nodes {
			want := own[p.name]
			key := p.name
			if p == n {
				key = ""
			}
			if got[key] != want {
				t.Errorf("%s holds %d reports of %s, want %d", n.name, got[key], p.name, want)
			}
		}
		// Every node's own log still verifies, with the copies it logged.
		res, err := n.app.Verify(ctx, mustVerifiers(t, n.vkey))
		if err != nil || len(res.Problems) > 0 {
			t.Errorf("%s: verify: %v %v", n.name, err, res)
		}
		if d, err := n.app.VerifyDerived(ctx); err != nil || len(d.Problems) > 0 {
			t.Errorf("%s: verify -deep: %v %v", n.name, err, d)
		}
		if checks, err := n.app.VerifyPeers(ctx); err != nil || len(checks) != 2 || len(checks[0].Problems)+len(checks[1].Problems) > 0 {
			t.Errorf("%s: peer verify: %+v %v", n.name, checks, err)
		}
		for _, p := range nodes {
			if p == n {
				continue
			}
			size, _ := p.app.LogSize(ctx)
			if got := n.peer(t, p.name); got.Size != size || got.Flag != "" {
				t.Errorf("%s's copy of %s: size %d (of %d), flag %q", n.name, p.name, got.Size, size, got.Flag)
			}
		}
	}

	// RU's evidence file is on TR and IR, its custody saying whence.
	for _, n := range nodes[1:] {
		data, _, err := n.app.Download(ctx, app.Operator(), sha, "test")
		if err != nil || string(data) != string(pdf) {
			t.Errorf("%s: RU's evidence file: %q %v", n.name, data, err)
		}
	}

	// RU's finding shows on TR, on the incident holding RU's reports.
	reps, err := ru.app.Incident(ctx, app.Operator(), v.ID)
	if err != nil {
		t.Fatal(err)
	}
	var local int64
	err = tr.app.EachReport(ctx, app.Operator(), func(r incident.Report) error {
		if r.Node == ru.name && r.SourceID == federation.LocalID(ru.name, reps.Reports[0].SourceID) {
			local = r.IncidentID
		}
		return nil
	})
	if err != nil || local == 0 {
		t.Fatalf("RU's report is not on TR (%v)", err)
	}
	fs, err := tr.app.PeerFindings(ctx, app.Operator(), local)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Node != ru.name || fs[0].Event.Finding == nil || fs[0].Event.By != "ru" {
		t.Fatalf("RU's finding on TR's incident %d: %+v", local, fs)
	}

	// The same through TR's API, for its staff.
	tok, err := tr.app.AddUser(ctx, workflow.User{Name: "tr-rev", Role: workflow.Reviewer}, "")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/incidents/%d/case", tr.url, local), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"peer_findings"`) || !strings.Contains(string(body), `"node": "`+ru.name+`"`) {
		t.Errorf("TR's case %d: %d %.300s", local, resp.StatusCode, body)
	}
	t.Logf("reports recorded on each node: %v; on TR by origin: %v; RU finding on TR: %+v", own, tr.origin(t), fs[0].Event.Finding)
	// Idempotent: another round adds nothing.
	before := tr.origin(t)
	round(t, nodes...)
	if after := tr.origin(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("another round changed TR: %v -> %v", before, after)
	}
}

func mustVerifiers(t *testing.T, vkey string) note.Verifiers {
	t.Helper()
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return note.VerifierList(v)
}

// pair makes a node pulled by another: RU followed by TR.
func pair(t *testing.T) (ru, tr *fedNode) {
	dbs := sqliteDBs(t)
	ru = openNode(t, "ru.truce.test", dbs[0], "", "", week(1))
	tr = openNode(t, "tr.truce.test", dbs[1], "", "", week(8))
	ru.serve(t)
	tr.serve(t)
	tr.follow(t, ru)
	return ru, tr
}

// TestFederationTamperedRecord: a node that alters a stored record serves
// a record its log does not hold; the puller flags it, naming the index,
// and pulls from it no more.
func TestFederationTamperedRecord(t *testing.T) {
	ctx := context.Background()
	ru, tr := pair(t)
	raw, err := sql.Open("sqlite", "file:"+ru.db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var key string
	if err := raw.QueryRow(`SELECT log_key FROM reports ORDER BY id LIMIT 1 OFFSET 5`).Scan(&key); err != nil {
		t.Fatal(err)
	}
	if _, err := sqldb.EditDoc(ctx, raw, "reports", "log_key = ?", []any{key}, func(doc string) string {
		return strings.Replace(doc, `"best":`, `"best":1`, 1)
	}); err != nil {
		t.Fatal(err)
	}
	idx, _, err := ru.app.LogEntryIndex(ctx, ledger.Report, key, 1)
	if err != nil {
		t.Fatal(err)
	}
	ru.checkpoint(t)
	res, err := tr.puller.Pull(ctx, ru.name)
	if err != nil {
		t.Fatal(err)
	}
	if res.Problem == nil || res.Problem.Kind != federation.Mismatch || res.Problem.Index != idx {
		t.Fatalf("tampered record at %d: problem %v", idx, res.Problem)
	}
	p := tr.peer(t, ru.name)
	if p.Flag == "" || p.FlagIndex != idx || p.Size > idx {
		t.Fatalf("peer after tamper: %+v", p)
	}
	if _, err := tr.puller.Pull(ctx, ru.name); !errors.Is(err, app.ErrFlagged) {
		t.Fatalf("pull of a flagged peer: %v", err)
	}
	// Nothing of the bad page was taken.
	if n := tr.origin(t)[ru.name]; int64(n) > idx {
		t.Errorf("%d of RU's reports taken, beyond the bad index %d", n, idx)
	}
}

// TestFederationRewrittenLog: a node that rebuilds its log under the same
// key is caught at the next pull: the new checkpoint does not extend the
// tree verified before. Both checkpoints are kept, and the first index at
// which the logs differ is named.
func TestFederationRewrittenLog(t *testing.T) {
	ctx := context.Background()
	ru, tr := pair(t)
	old := ru.checkpoint(t)
	if res, err := tr.puller.Pull(ctx, ru.name); err != nil || res.Problem != nil || res.To == 0 {
		t.Fatalf("first pull: %+v %v", res, err)
	}
	// The same key over another database: the same agreements, the week
	// imported in another order of log keys, and more.
	skey := ru.skey
	ru2 := openNode(t, ru.name, filepath.Join(t.TempDir(), "ru2.db"), skey, ru.vkey, week(1))
	importWeek(t, ru2.app, week(15))
	newer := ru2.checkpoint(t)
	ru.front.set(server.New(ru2.app, server.Options{}), false)

	want := firstDifference(t, ru.app, ru2.app)
	res, err := tr.puller.Pull(ctx, ru.name)
	if err != nil {
		t.Fatal(err)
	}
	if res.Problem == nil || res.Problem.Kind != federation.Inconsistent || res.Problem.Index != want {
		t.Fatalf("rewritten log (first difference %d): %v", want, res.Problem)
	}
	p := tr.peer(t, ru.name)
	if !sameCheckpoint(p.ProofA, old) || !sameCheckpoint(p.ProofB, newer) {
		t.Errorf("proofs kept:\n%s\n%s", p.ProofA, p.ProofB)
	}
}

// sameCheckpoint: a is b, or b cosigned.
func sameCheckpoint(a string, b []byte) bool {
	return strings.HasPrefix(a, strings.TrimSuffix(string(b), "\n"))
}

// TestFederationFork: a node showing one log to a peer and another to a
// second (both signed with its key) is caught when the two peers exchange
// the checkpoints they hold, with both checkpoints named.
func TestFederationFork(t *testing.T) {
	ctx := context.Background()
	dbs := sqliteDBs(t)
	ru := openNode(t, "ru.truce.test", dbs[0], "", "", week(1))
	ruB := openNode(t, ru.name, filepath.Join(t.TempDir(), "ru-b.db"), ru.skey, ru.vkey, week(1))
	tr := openNode(t, "tr.truce.test", dbs[1], "", "", week(8))
	ir := openNode(t, "ir.truce.test", dbs[2], "", "", week(15))
	for _, n := range []*fedNode{ru, ruB, tr, ir} {
		n.serve(t)
	}
	tr.follow(t, ru)
	ir.follow(t, ruB) // RU's other face, under RU's name and key
	tr.follow(t, ir)
	ir.follow(t, tr)
	a, b := ru.checkpoint(t), ruB.checkpoint(t)
	tr.checkpoint(t)
	ir.checkpoint(t)
	for _, n := range []*fedNode{tr, ir} {
		if res, err := n.puller.Pull(ctx, ru.name); err != nil || res.Problem != nil {
			t.Fatalf("%s pulling RU: %+v %v", n.name, res, err)
		}
	}
	// TR hears IR's copy of RU's checkpoint.
	if _, err := tr.puller.Pull(ctx, ir.name); err != nil {
		t.Fatal(err)
	}
	p := tr.peer(t, ru.name)
	if !strings.HasPrefix(p.Flag, federation.Fork) {
		t.Fatalf("RU not flagged on TR for a fork: %+v", p)
	}
	if !sameCheckpoint(p.ProofA, a) || !sameCheckpoint(p.ProofB, b) {
		t.Errorf("the two checkpoints are not both kept:\n%s\n%s", p.ProofA, p.ProofB)
	}
	// And IR, hearing TR's.
	if _, err := ir.puller.Pull(ctx, tr.name); err != nil {
		t.Fatal(err)
	}
	if p := ir.peer(t, ru.name); !strings.HasPrefix(p.Flag, federation.Fork) {
		t.Fatalf("RU not flagged on IR: %+v", p)
	}
}

// TestFederationPartition: a node cut off while all three write goes on
// failing to pull and being pulled (errors, never flags); once the
// partition heals, every node holds every record exactly once.
func TestFederationPartition(t *testing.T) {
	if testing.Short() {
		t.Skip("three nodes: not in -short")
	}
	nodes := threeNodes(t, sqliteDBs(t))
	round(t, nodes...)
	ir := nodes[2]
	ir.front.set(ir.front.h, true)
	// IR cannot reach the others either.
	cut := &http.Client{Transport: partitioned{}}
	ir.puller.Client = cut
	for i, n := range nodes {
		importWeek(t, n.app, week(22+7*i))
	}
	errs := round(t, nodes...)
	for i, err := range errs {
		if err == nil {
			t.Errorf("%s pulled through the partition", nodes[i].name)
		}
	}
	ir.front.set(ir.front.h, false)
	ir.puller.Client = nil
	for i := 0; i < 2; i++ {
		for _, err := range round(t, nodes...) {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	own := map[string]int{}
	for _, n := range nodes {
		own[n.name] = n.origin(t)[""]
	}
	for _, n := range nodes {
		got := n.origin(t) // fails on a report held twice
		for _, p := range nodes {
			if p != n && got[p.name] != own[p.name] {
				t.Errorf("%s holds %d of %s's reports, want %d", n.name, got[p.name], p.name, own[p.name])
			}
		}
	}
}

// partitioned is a network that reaches nothing.
type partitioned struct{}

func (partitioned) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("network unreachable")
}

// firstDifference is the first index at which two logs differ.
func firstDifference(t *testing.T, a, b *app.App) int64 {
	t.Helper()
	ctx := context.Background()
	ea, err := a.LogEntries(ctx, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	eb, err := b.LogEntries(ctx, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for i := range min(len(ea), len(eb)) {
		if ea[i].Data != eb[i].Data {
			return int64(i)
		}
	}
	return -1
}

// TestFederationPolicy: a node serves a peer only what its grant allows
// (here monitors' reports, no events), and what it serves keeps the
// reporter's identity sealed under a key the peer does not hold; the
// peer's copy of the log verifies all the same.
func TestFederationPolicy(t *testing.T) {
	ctx := context.Background()
	dbs := sqliteDBs(t)
	ru := openNode(t, "ru.truce.test", dbs[0], "", "", week(1))
	tr := openNode(t, "tr.truce.test", dbs[1], "", "", week(8))
	ru.serve(t)
	mon := workflow.User{Name: "mon", Role: workflow.Monitor}
	if _, err := ru.app.AddUser(ctx, mon, ""); err != nil {
		t.Fatal(err)
	}
	report := `{"source":"field","source_id":"p-1","occurred":{"start":"2017-01-03T00:00:00+02:00","end":"2017-01-04T00:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"act":"shelling","description":"seen from the roof",
		"reporter":{"name":"Witness Canary Name","contact":"+963-canary"}}`
	if _, _, err := ru.app.SubmitAs(ctx, []byte(report), &mon); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ru.app.Submit(ctx, []byte(strings.Replace(report, "p-1", "p-2", 1)), incident.FromDataset); err != nil {
		t.Fatal(err)
	}
	token, err := ru.app.Grant(ctx, tr.name, []string{"monitor"}, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.app.AddPeer(ctx, ru.url, ru.vkey, token); err != nil {
		t.Fatal(err)
	}
	ru.checkpoint(t)
	res, err := tr.puller.Pull(ctx, ru.name)
	if err != nil || res.Problem != nil {
		t.Fatalf("pull: %+v %v", res, err)
	}
	size, _ := ru.app.LogSize(ctx)
	if res.To != size || res.Records != 1 || res.Imported != 1 {
		t.Fatalf("pulled %+v of a log of %d: want every entry and the monitor's report only", res, size)
	}
	// What was served: sealed.
	page, err := ru.app.ServeRecords(ctx, token, 0, size, true)
	if err != nil {
		t.Fatal(err)
	}
	rawB, _ := json.Marshal(page)
	raw := string(rawB)
	if len(page.Records) != 1 || strings.Contains(raw, "Canary") || !strings.Contains(raw, `sealed`) {
		t.Fatalf("served: %.500s", raw)
	}
	// Not even TR's administrator sees the name: TR holds no key to it.
	var copyOf incident.Report
	err = tr.app.EachReport(ctx, app.Operator(), func(r incident.Report) error {
		if r.Node == ru.name {
			copyOf = r
		}
		return nil
	})
	if err != nil || copyOf.Reporter != nil || copyOf.Sealed == "" {
		t.Fatalf("TR's copy: %+v %v", copyOf, err)
	}
	c, err := tr.app.CaseFor(ctx, app.Operator(), copyOf.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Reports {
		if r.Reporter != nil {
			t.Errorf("TR opened RU's sealed reporter: %+v", r.Reporter)
		}
	}
	// Evidence files were not granted.
	if _, _, err := ru.app.ServeEvidence(ctx, token, strings.Repeat("0", 64)); !errors.Is(err, workflow.ErrForbidden) {
		t.Errorf("evidence not granted: %v", err)
	}
	// A token that is no grant's gets nothing.
	if _, err := ru.app.ServeRecords(ctx, "truce_peer_nobody", 0, size, true); !errors.Is(err, app.ErrLogin) {
		t.Errorf("records for no grant: %v", err)
	}
}

// TestFederationVerifyCopy: this node's copy of a peer's log and records
// is checked again as stored (truce peer verify), and an edit to it is
// named by its index.
func TestFederationVerifyCopy(t *testing.T) {
	ctx := context.Background()
	ru, tr := pair(t)
	ru.checkpoint(t)
	if res, err := tr.puller.Pull(ctx, ru.name); err != nil || res.Problem != nil {
		t.Fatalf("pull: %+v %v", res, err)
	}
	checks, err := tr.app.VerifyPeers(ctx)
	if err != nil || len(checks) != 1 || len(checks[0].Problems) > 0 || checks[0].Records == 0 {
		t.Fatalf("clean copy: %+v %v", checks, err)
	}
	raw, err := sql.Open("sqlite", "file:"+tr.db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var rec, ent int64
	if err := raw.QueryRow(`SELECT idx FROM peer_records ORDER BY idx LIMIT 1 OFFSET 3`).Scan(&rec); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE peer_records SET content = replace(content, 'best', 'bust') WHERE idx = ?`, rec); err != nil {
		t.Fatal(err)
	}
	ent = rec + 7
	if _, err := raw.Exec(`UPDATE peer_entries SET data = CAST(replace(CAST(data AS TEXT), '"rev":1', '"rev":2') AS BLOB) WHERE idx = ?`, ent); err != nil {
		t.Fatal(err)
	}
	checks, err = tr.app.VerifyPeers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var named []int64
	for _, p := range checks[0].Problems {
		named = append(named, p.Index)
	}
	t.Logf("problems: %+v", checks[0].Problems)
	if !slices.Contains(named, rec) || !slices.Contains(named, ent) {
		t.Fatalf("edits at %d (record) and %d (entry): problems %+v", rec, ent, checks[0].Problems)
	}
}

// flaky fails a fifth of the requests, at random (seeded: the same every
// run).
type flaky struct {
	mu  sync.Mutex
	rnd *rand.Rand
}

func (f *flaky) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	fail := f.rnd.IntN(5) == 0
	f.mu.Unlock()
	if fail {
		return nil, errors.New("connection reset")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestFederationResume: a pull over a network that fails a fifth of the
// requests, in pages that do not fall on tiles, resumes each time at the
// last verified page and ends with the whole log and every record once.
func TestFederationResume(t *testing.T) {
	ctx := context.Background()
	ru, tr := pair(t)
	importWeek(t, ru.app, week(15))
	ru.checkpoint(t)
	tr.puller.PageSize = 100
	tr.puller.Client = &http.Client{Transport: &flaky{rnd: rand.New(rand.NewPCG(1, 2))}}
	size, _ := ru.app.LogSize(ctx)
	failures := 0
	for tries := 0; tr.peer(t, ru.name).Size < size || failures == 0; tries++ {
		if tries == 200 {
			t.Fatalf("no progress: %+v", tr.peer(t, ru.name))
		}
		res, err := tr.puller.Pull(ctx, ru.name)
		if res.Problem != nil {
			t.Fatalf("flagged for a network fault: %v", res.Problem)
		}
		if err != nil {
			failures++
		}
	}
	tr.puller.Client = nil
	if _, err := tr.puller.Pull(ctx, ru.name); err != nil {
		t.Fatal(err)
	}
	if got, want := tr.origin(t)[ru.name], ru.origin(t)[""]; got != want {
		t.Errorf("%d of RU's %d reports after %d failed pulls", got, want, failures)
	}
	if checks, err := tr.app.VerifyPeers(ctx); err != nil || len(checks[0].Problems) > 0 || checks[0].Entries != size {
		t.Errorf("copy: %+v %v", checks, err)
	}
}

// TestFederationJoins: a monitor's report recorded on RU's node about an
// event TR holds from a dataset joins TR's incident when TR takes it in,
// through the same clustering as a report of its own.
func TestFederationJoins(t *testing.T) {
	ctx := context.Background()
	dbs := sqliteDBs(t)
	ru := openNode(t, "ru.truce.test", dbs[0], "", "", week(8))
	tr := openNode(t, "tr.truce.test", dbs[1], "", "", week(1))
	ru.serve(t)
	tr.follow(t, ru)
	list, _, err := tr.app.Incidents(ctx, app.Operator(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var target store.IncidentSummary
	for _, in := range list {
		if in.Place.HasPoint && in.Place.Precision == incident.PlaceExact && in.Act != "" && in.Occurred.End.Sub(in.Occurred.Start) <= 24*time.Hour {
			target = in
			break
		}
	}
	if target.ID == 0 {
		t.Fatal("no precise incident on TR")
	}
	mon := workflow.User{Name: "mon", Role: workflow.Monitor}
	if _, err := ru.app.AddUser(ctx, mon, ""); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{
		"source": "field", "source_id": "j-1", "occurred": target.Occurred, "act": target.Act, "actors": target.Actors,
		"place":       map[string]any{"name": target.Place.Name, "lat": target.Place.Lat, "lon": target.Place.Lon, "has_point": true, "precision": "exact"},
		"description": "seen by a monitor",
	})
	if _, _, err := ru.app.SubmitAs(ctx, body, &mon); err != nil {
		t.Fatal(err)
	}
	ru.checkpoint(t)
	if res, err := tr.puller.Pull(ctx, ru.name); err != nil || res.Problem != nil {
		t.Fatalf("pull: %+v %v", res, err)
	}
	var joined int64
	tr.app.EachReport(ctx, app.Operator(), func(r incident.Report) error {
		if r.Node == ru.name && strings.HasSuffix(r.SourceID, "j-1") {
			joined = r.IncidentID
		}
		return nil
	})
	if joined != target.ID {
		t.Fatalf("RU's monitor report is in TR's incident %d, want %d (%s)", joined, target.ID, target.Title)
	}
	links, err := tr.app.CaseFor(ctx, app.Operator(), target.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("joined TR's incident %d %q: %v", target.ID, target.Title, links.Joined)
}

// TestFederationKeyRotation: a node that signs with a new key under the
// same name is not trusted on it until its peer takes the new key (an
// error, not a flag); then the copy goes on, verified.
func TestFederationKeyRotation(t *testing.T) {
	ctx := context.Background()
	ru, tr := pair(t)
	ru.checkpoint(t)
	if _, err := tr.puller.Pull(ctx, ru.name); err != nil {
		t.Fatal(err)
	}
	skey, vkey, err := ledger.GenerateKey(ru.name)
	if err != nil {
		t.Fatal(err)
	}
	if ru.signer, err = note.NewSigner(skey); err != nil {
		t.Fatal(err)
	}
	importWeek(t, ru.app, week(15))
	ru.checkpoint(t)
	if _, err := tr.puller.Pull(ctx, ru.name); err == nil || tr.peer(t, ru.name).Flag != "" {
		t.Fatalf("a checkpoint under an unknown key: %v, %+v", err, tr.peer(t, ru.name))
	}
	// The operator gives the new key with the grant's token again (the
	// stored one is sealed): a fresh grant replaces the old by name.
	token, err := ru.app.Grant(ctx, tr.name, nil, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.app.AddPeer(ctx, ru.url, vkey, token); err != nil {
		t.Fatal(err)
	}
	res, err := tr.puller.Pull(ctx, ru.name)
	size, _ := ru.app.LogSize(ctx)
	if err != nil || res.Problem != nil || res.To != size || res.From == 0 {
		t.Fatalf("after the new key: %+v %v", res, err)
	}
	if checks, err := tr.app.VerifyPeers(ctx); err != nil || len(checks[0].Problems) > 0 {
		t.Errorf("copy: %+v %v", checks, err)
	}
}

// TestFederationRun: serve's pull loop takes what a peer writes, and
// after the peer was unreachable for a while (backing off meanwhile)
// catches up once it is back.
func TestFederationRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ru, tr := pair(t)
	ru.checkpoint(t)
	done := make(chan struct{})
	go func() { tr.puller.Run(ctx, 20*time.Millisecond); close(done) }()
	caughtUp := func() {
		t.Helper()
		size, _ := ru.app.LogSize(ctx)
		for deadline := time.Now().Add(20 * time.Second); tr.peer(t, ru.name).Size != size; {
			if time.Now().After(deadline) {
				t.Fatalf("the loop did not catch up: %+v of %d", tr.peer(t, ru.name), size)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	caughtUp()
	ru.front.set(ru.front.h, true)
	importWeek(t, ru.app, week(15))
	ru.checkpoint(t)
	time.Sleep(200 * time.Millisecond)
	if p := tr.peer(t, ru.name); p.LastError == "" || p.Flag != "" {
		t.Errorf("while unreachable: %+v", p)
	}
	ru.front.set(ru.front.h, false)
	caughtUp()
	cancel()
	<-done
	// Stopped perhaps between storing a page and taking it in: the next
	// pull takes in what is left.
	if _, err := tr.puller.Pull(context.Background(), ru.name); err != nil {
		t.Fatal(err)
	}
	if got, want := tr.origin(t)[ru.name], ru.origin(t)[""]; got != want {
		t.Errorf("%d of RU's %d reports", got, want)
	}
}
