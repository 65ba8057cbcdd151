package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// testFederation: a peer's copy grows only by batches that start where it
// ends (a batch stored twice is refused, so nothing is held twice), with
// its entries, hashes, records and the peer's events placed on the local
// incident holding their reports; a flag keeps its proof until the peer
// is trusted again, and a reset drops the copy; grants are found by their
// token's hash; reports are served by log key and revision as stored.
func testFederation(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.PutPeer(ctx, store.Peer{Name: "ru.test", URL: "https://ru.test", PubKey: "ru.test+1+key", Token: "tok"}); err != nil {
		t.Fatal(err)
	}
	p, err := s.Peer(ctx, "ru.test")
	if err != nil || p.Size != 0 || p.Token != "tok" || p.FlagIndex != -1 || p.AddedAt.IsZero() {
		t.Fatalf("new peer %+v %v", p, err)
	}
	if _, err := s.Peer(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown peer: %v", err)
	}
	// A local report the peer's event is about (as this node stores a
	// report recorded by ru.test): only further copies from ru.test
	// revise it, not even an administrator.
	rep := Report("ru.test:7", day(2017, 1, 3), "SY070000")
	rep.Owner, rep.Node = store.OwnerNode+"ru.test", "ru.test"
	done, err := s.ImportReports(ctx, []incident.Report{rep}, store.Intake{})
	if err != nil {
		t.Fatal(err)
	}
	byAdmin := rep
	byAdmin.Owner, byAdmin.Description = store.OwnerAdmin+"root", "edited here"
	if _, err := s.ImportReports(ctx, []incident.Report{byAdmin}, store.Intake{}); !errors.Is(err, store.ErrNotOwner) {
		t.Errorf("an administrator revised a peer's report: %v", err)
	}
	var h ledger.Hashes
	batch := func(start, n int) store.PeerBatch {
		b := store.PeerBatch{Peer: "ru.test", Start: int64(start), Checkpoint: fmt.Sprintf("cp %d", start+n)}
		first := len(h)
		for i := start; i < start+n; i++ {
			data := ledger.Entry{Kind: ledger.Report, Key: fmt.Sprint("k", i), Rev: 1, Digest: fmt.Sprintf("%064x", i)}.Data()
			if err := h.Append(int64(i), data); err != nil {
				t.Fatal(err)
			}
			b.Entries = append(b.Entries, data)
			b.Records = append(b.Records, store.PeerRecord{Index: int64(i), Kind: ledger.Report, Key: fmt.Sprint("k", i), Content: []byte(`{"i":` + fmt.Sprint(i) + `}`)})
		}
		b.Hashes = append([]tlog.Hash(nil), h[first:]...)
		return b
	}
	b1 := batch(0, 3)
	b1.Records = append(b1.Records[:2], store.PeerRecord{Index: 2, Kind: ledger.IncidentEvent, Key: "5/1", Content: []byte(`{"event":1}`), Reports: [][2]string{{"test", "ru.test:7"}}})
	if err := s.SavePeerBatch(ctx, b1); err != nil {
		t.Fatal(err)
	}
	if err := s.SavePeerBatch(ctx, b1); !errors.Is(err, store.ErrPeerMoved) {
		t.Fatalf("a batch stored twice: %v", err)
	}
	if err := s.SavePeerBatch(ctx, batch(3, 2)); err != nil {
		t.Fatal(err)
	}
	p, _ = s.Peer(ctx, "ru.test")
	if p.Size != 5 || p.Checkpoint != "cp 5" {
		t.Fatalf("after two batches: %+v", p)
	}
	root, err := tlog.TreeHash(5, s.PeerHashes(ctx, "ru.test"))
	if want, _ := tlog.TreeHash(5, h); err != nil || root != want {
		t.Errorf("the copy's tree: %v %v", root, err)
	}
	var entries int
	if err := s.EachPeerEntry(ctx, "ru.test", 2, func(i int64, data []byte) error {
		if i != int64(2+entries) {
			return fmt.Errorf("entry %d out of order", i)
		}
		entries++
		return nil
	}); err != nil || entries != 3 {
		t.Errorf("entries from 2: %d %v", entries, err)
	}
	pending, err := s.PendingPeerReports(ctx, "ru.test", 10)
	if err != nil || len(pending) != 4 || pending[0].Index != 0 || pending[3].Index != 4 {
		t.Fatalf("pending reports: %+v %v", pending, err)
	}
	if err := s.SetPeerLocal(ctx, "ru.test", map[int64]int64{0: done[0].ReportID, 1: done[0].ReportID}); err != nil {
		t.Fatal(err)
	}
	if pending, _ = s.PendingPeerReports(ctx, "ru.test", 10); len(pending) != 2 {
		t.Errorf("pending after two imported: %d", len(pending))
	}
	counts, err := s.PeerRecordCount(ctx, "ru.test")
	if err != nil || counts[ledger.Report] != 4 || counts[ledger.IncidentEvent] != 1 {
		t.Errorf("counts %v %v", counts, err)
	}
	n := 0
	if err := s.EachPeerRecord(ctx, "ru.test", func(r store.PeerRecord, entry []byte) error {
		if e, err := ledger.ParseEntry(r.Index, entry); err != nil || e.Key != r.Key && r.Kind == ledger.Report {
			return fmt.Errorf("record %d with entry %s: %v", r.Index, entry, err)
		}
		n++
		return nil
	}); err != nil || n != 5 {
		t.Errorf("records with entries: %d %v", n, err)
	}
	evs, err := s.PeerEvents(ctx, done[0].IncidentID)
	if err != nil || len(evs) != 1 || evs[0].Peer != "ru.test" || evs[0].Index != 2 || string(evs[0].Content) != `{"event":1}` {
		t.Fatalf("peer events of the local incident: %+v %v", evs, err)
	}

	if err := s.FlagPeer(ctx, "ru.test", "fork: two trees", 3, "note a", "note b"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPeerPulled(ctx, "ru.test", "", p.AddedAt); err != nil {
		t.Fatal(err)
	}
	p, _ = s.Peer(ctx, "ru.test")
	if p.Flag != "fork: two trees" || p.FlagIndex != 3 || p.ProofA != "note a" || p.ProofB != "note b" || p.LastPull.IsZero() {
		t.Fatalf("flagged: %+v", p)
	}
	if err := s.TrustPeer(ctx, "ru.test", false); err != nil {
		t.Fatal(err)
	}
	if p, _ = s.Peer(ctx, "ru.test"); p.Flag != "" || p.ProofA != "" || p.Size != 5 {
		t.Fatalf("trusted again: %+v", p)
	}
	if err := s.TrustPeer(ctx, "ru.test", true); err != nil {
		t.Fatal(err)
	}
	if p, _ = s.Peer(ctx, "ru.test"); p.Size != 0 || p.Checkpoint != "" {
		t.Fatalf("reset: %+v", p)
	}
	if counts, _ = s.PeerRecordCount(ctx, "ru.test"); len(counts) != 0 {
		t.Errorf("records after a reset: %v", counts)
	}
	if err := s.SavePeerBatch(ctx, batch(0, 0)); err != nil {
		t.Errorf("an empty batch at 0 after a reset: %v", err)
	}

	// Checkpoints received, by node, largest first; one received twice
	// is kept once.
	for _, c := range []store.PeerCheckpoint{{Node: "ru.test", Size: 3, Root: "r3", Note: "n3"}, {Node: "ru.test", Size: 5, Root: "r5", Via: "tr.test", Note: "n5"}, {Node: "tr.test", Size: 1, Root: "t1", Note: "t"}, {Node: "ru.test", Size: 3, Root: "r3", Note: "n3"}} {
		if err := s.PutPeerCheckpoint(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	cps, err := s.PeerCheckpoints(ctx, "ru.test")
	if err != nil || len(cps) != 2 || cps[0].Size != 5 || cps[0].Via != "tr.test" || cps[1].Note != "n3" {
		t.Errorf("checkpoints of ru.test: %+v %v", cps, err)
	}
	if all, _ := s.PeerCheckpoints(ctx, ""); len(all) != 3 {
		t.Errorf("all checkpoints: %d", len(all))
	}

	if err := s.PutGrant(ctx, store.Grant{Name: "tr.test", Kinds: []string{"monitor", "dataset"}, Events: false}, "hash1"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutGrant(ctx, store.Grant{Name: "tr.test", Events: true}, "hash2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GrantByToken(ctx, "hash1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a replaced grant's token: %v", err)
	}
	g, err := s.GrantByToken(ctx, "hash2")
	if err != nil || g.Name != "tr.test" || len(g.Kinds) != 0 || !g.Events {
		t.Errorf("grant %+v %v", g, err)
	}
	if gs, err := s.Grants(ctx); err != nil || len(gs) != 1 {
		t.Errorf("grants %+v %v", gs, err)
	}

	// Reports served by their log key, current and replaced revisions.
	raws, err := s.IncidentReports(ctx, done[0].IncidentID)
	if err != nil || len(raws) != 1 {
		t.Fatal(raws, err)
	}
	rep.Description = "revised"
	if _, err := s.ImportReports(ctx, []incident.Report{rep}, store.Intake{}); err != nil {
		t.Fatal(err)
	}
	key := raws[0].Key
	served, err := s.ServedReports(ctx, []store.KeyRev{{Key: key, Rev: 1}, {Key: key, Rev: 2}, {Key: "nothing", Rev: 1}})
	if err != nil || len(served) != 2 {
		t.Fatalf("served %d %v", len(served), err)
	}
	for kr, r := range served {
		idx, entry, err := s.LogEntryFor(ctx, ledger.Report, kr.Key, kr.Rev)
		if err != nil {
			t.Fatal(err)
		}
		e, _ := ledger.ParseEntry(idx, entry)
		if ledger.ReportDigest(r) != e.Digest {
			t.Errorf("served revision %d does not match its entry", kr.Rev)
		}
	}
}
