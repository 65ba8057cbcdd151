package app

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/federation"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// TestPeerReport: a peer's report record becomes a local report under the
// peer's name; a record that is no report, or names identities in clear,
// is refused (and is then kept as the peer's record only).
func TestPeerReport(t *testing.T) {
	rec := func(doc string) store.PeerRecord {
		b, _ := json.Marshal(federation.Record{Index: 4, Kind: ledger.Report, Report: &ledger.RawReport{Key: "r1", Revision: 1, Original: "row", Format: "csv", Doc: doc}})
		return store.PeerRecord{Index: 4, Kind: ledger.Report, Content: b}
	}
	rep, err := peerReport("ru.test", rec(`{"id":9,"incident_id":3,"source":"ucdp","source_id":"12","kind":"dataset","sealed":"x"}`))
	if err != nil || rep.Node != "ru.test" || rep.SourceID != "ru.test:12" || rep.Owner != "node:ru.test" || rep.ID != 0 || rep.IncidentID != 0 || rep.Original != "row" || rep.Sealed != "x" {
		t.Errorf("copy: %+v %v", rep, err)
	}
	for _, bad := range []store.PeerRecord{
		rec(`{"source":"s","source_id":"1","reporter":{"name":"In Clear"}}`),
		rec(`{"source":"s","source_id":"1","witnesses":[{"name":"In Clear"}]}`),
		rec(`not json`),
		{Index: 5, Kind: ledger.Report, Content: []byte(`{"index":5,"kind":"report"}`)},
	} {
		if _, err := peerReport("ru.test", bad); err == nil || strings.Contains(err.Error(), "In Clear") {
			t.Errorf("%s: %v", bad.Content, err)
		}
	}
}
