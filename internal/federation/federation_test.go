package federation

import (
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
)

// TestCheck: a record matches its entry only when its kind, key,
// revision and recomputed digest all do.
func TestCheck(t *testing.T) {
	raw := ledger.RawReport{Key: "r1", Revision: 2, Original: "row,1", Format: "csv", Doc: `{"source":"s"}`, PlacedIn: 4, PlacedWhy: "near"}
	ev := ledger.RawEvent{Key: "4/1", Doc: `{"seq":1}`}
	rep := ledger.Entry{Index: 7, Kind: ledger.Report, Key: "r1", Rev: 2, Digest: ledger.ReportDigest(raw)}
	evE := ledger.Entry{Index: 8, Kind: ledger.IncidentEvent, Key: "4/1", Rev: 1, Digest: ledger.EventDigest(ev)}
	sha := strings.Repeat("a", 64)
	fileE := ledger.Entry{Index: 9, Kind: ledger.Evidence, Key: sha, Rev: 1, Digest: sha}
	altered := raw
	altered.Doc = `{"source":"t"}`
	moved := raw
	moved.PlacedIn = 5
	for _, tt := range []struct {
		name string
		e    ledger.Entry
		r    Record
		want string // "" for a match, else a word of the error
	}{
		{"report", rep, Record{Index: 7, Kind: ledger.Report, Report: &raw}, ""},
		{"event", evE, Record{Index: 8, Kind: ledger.IncidentEvent, Event: &ev}, ""},
		{"altered reading", rep, Record{Index: 7, Kind: ledger.Report, Report: &altered}, "digest"},
		{"altered placement", rep, Record{Index: 7, Kind: ledger.Report, Report: &moved}, "digest"},
		{"another index", rep, Record{Index: 6, Kind: ledger.Report, Report: &raw}, "index"},
		{"another kind", rep, Record{Index: 7, Kind: ledger.IncidentEvent, Event: &ev}, "is a"},
		{"another revision", ledger.Entry{Index: 7, Kind: ledger.Report, Key: "r1", Rev: 1, Digest: rep.Digest}, Record{Index: 7, Kind: ledger.Report, Report: &raw}, "revision"},
		{"no report", rep, Record{Index: 7, Kind: ledger.Report}, "no report"},
		{"altered event", evE, Record{Index: 8, Kind: ledger.IncidentEvent, Event: &ledger.RawEvent{Key: "4/1", Doc: `{"seq":2}`}}, "digest"},
		{"evidence", fileE, Record{Index: 9, Kind: ledger.Evidence, Evidence: &EvidenceFile{SHA256: sha}}, ""},
		{"another file", fileE, Record{Index: 9, Kind: ledger.Evidence, Evidence: &EvidenceFile{SHA256: strings.Repeat("b", 64)}}, "not evidence file"},
		{"not replicated", ledger.Entry{Index: 10, Kind: ledger.Custody}, Record{Index: 10, Kind: ledger.Custody}, "not replicated"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.e, tt.r)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error about %q", err, tt.want)
			}
		})
	}
}

// TestLocal: every node names a report by its origin, whoever relays it.
func TestLocal(t *testing.T) {
	for _, tt := range []struct {
		ref              ReportRef
		peer, self, want string
	}{
		{ReportRef{Source: "ucdp", SourceID: "12"}, "ru", "tr", "ru:12"},              // the peer's own
		{ReportRef{Node: "tr", Source: "ucdp", SourceID: "tr:9"}, "ru", "tr", "9"},    // this node's, relayed back
		{ReportRef{Node: "ir", Source: "ucdp", SourceID: "ir:5"}, "ru", "tr", "ir:5"}, // a third node's
	} {
		if _, got := tt.ref.Local(tt.peer, tt.self); got != tt.want {
			t.Errorf("%+v from %s on %s: %q, want %q", tt.ref, tt.peer, tt.self, got, tt.want)
		}
	}
}

// TestOverlay: hashes added in memory over a stored prefix give the tree
// built whole.
func TestOverlay(t *testing.T) {
	var whole ledger.Hashes
	var data [][]byte
	for i := range int64(300) {
		d := ledger.Entry{Kind: ledger.Report, Key: "k", Rev: int(i + 1), Digest: strings.Repeat("a", 64)}.Data()
		data = append(data, d)
		if err := whole.Append(i, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, cut := range []int64{0, 1, 100, 256, 299} {
		base := whole[:tlog.StoredHashCount(cut)]
		o := &Overlay{Base: base, First: int64(len(base))}
		for i := cut; i < 300; i++ {
			if err := o.Append(i, data[i]); err != nil {
				t.Fatal(err)
			}
		}
		got, err := tlog.TreeHash(300, o)
		want, _ := tlog.TreeHash(300, whole)
		if err != nil || got != want {
			t.Errorf("cut at %d: %v %v", cut, got, err)
		}
	}
}
