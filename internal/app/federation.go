package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/federation"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/sealed"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// Federation (docs/federation.md): this node follows peers, pulling their
// logs and records and keeping only what verifies, and serves its own to
// the peers it granted. Peers and grants are the operator's (the command
// line, or serve's pull loop); the records served are only ever those a
// grant allows.

// ErrFlagged is returned when a flagged peer would be pulled.
var ErrFlagged = errors.New("the peer is flagged and not trusted until an operator acts (truce peer list; truce peer trust)")

// AddPeer follows a peer at url whose log key is pubkey (a note verifier
// key: its name is the peer's node name), presenting token (the peer's
// grant to this node, "" for the log only).
func (a *App) AddPeer(ctx context.Context, url, pubkey, token string) (store.Peer, error) {
	v, err := note.NewVerifier(strings.TrimSpace(pubkey))
	if err != nil {
		return store.Peer{}, fmt.Errorf("peer key: %w", err)
	}
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return store.Peer{}, fmt.Errorf("peer URL %q: want http:// or https://", url)
	}
	p := store.Peer{Name: v.Name(), URL: strings.TrimRight(url, "/"), PubKey: strings.TrimSpace(pubkey)}
	if token != "" {
		// The token lets whoever holds it read the peer's records as this
		// node: sealed under the data key, kept apart from the database.
		box, err := a.box()
		if err != nil {
			return store.Peer{}, fmt.Errorf("peer token: %w", err)
		}
		p.Token = box.Seal(peerTokenContext(p.Name), []byte(token))
	}
	if err := a.store.PutPeer(ctx, p); err != nil {
		return p, err
	}
	return a.store.Peer(ctx, p.Name)
}

// PeerStatus is a peer with how many of its records this node holds.
type PeerStatus struct {
	store.Peer
	Records map[string]int `json:"records"`
}

// Peers lists the peers this node follows.
func (a *App) Peers(ctx context.Context) ([]PeerStatus, error) {
	ps, err := a.store.Peers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PeerStatus, len(ps))
	for i, p := range ps {
		out[i].Peer = p
		if out[i].Records, err = a.store.PeerRecordCount(ctx, p.Name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TrustPeer trusts a flagged peer again, once an operator has looked at
// the evidence; reset drops the copy of its log so that it is pulled
// again from the start (after a key rotation, or a log the peer rebuilt).
func (a *App) TrustPeer(ctx context.Context, name string, reset bool) error {
	return a.store.TrustPeer(ctx, name, reset)
}

// Grant lets the peer named name pull this node's records: the report
// kinds listed (none: all) and, with events, incident events (reviews,
// findings, positions), with evidence, evidence files. It returns the
// token to give the peer, shown once.
func (a *App) Grant(ctx context.Context, name string, kinds []string, events, evidence bool) (string, error) {
	for _, k := range kinds {
		if !slices.Contains([]incident.SourceKind{incident.FromMonitor, incident.FromParty, incident.FromPublic, incident.FromDataset, incident.FromNews}, incident.SourceKind(k)) {
			return "", fmt.Errorf("grant %s: %q is not a report kind (monitor, party, public, dataset, news)", name, k)
		}
	}
	token := auth.Token("truce_peer_")
	if err := a.store.PutGrant(ctx, store.Grant{Name: name, Kinds: kinds, Events: events, Evidence: evidence}, auth.Hash(token)); err != nil {
		return "", err
	}
	return token, nil
}

// Grants lists the grants this node has made.
func (a *App) Grants(ctx context.Context) ([]store.Grant, error) {
	return a.store.Grants(ctx)
}

// maxServed bounds a page of records served to a peer: four tiles' worth.
const maxServed = 1024

// ServeRecords answers a peer's GET /federation/records: the records of
// the log's entries [start, end) that the grant of token allows, exactly
// as stored (sealed identities stay sealed), for the peer to check
// against the entries. Records this node took from a peer are marked with
// their origin, or left out with own. A token that is no grant's is
// ErrLogin.
func (a *App) ServeRecords(ctx context.Context, token string, start, end int64, own bool) (federation.Page, error) {
	page := federation.Page{Start: start, End: end, Records: []federation.Record{}}
	g, err := a.grant(ctx, token)
	if err != nil {
		return page, err
	}
	if end <= start || end-start > maxServed {
		end = start + maxServed
		page.End = end
	}
	var entries []ledger.Entry
	errFull := errors.New("page full")
	err = a.store.EachLogEntry(ctx, start, func(i int64, data []byte) error {
		if i >= end {
			return errFull
		}
		e, err := ledger.ParseEntry(i, data)
		if err != nil {
			return err
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil && !errors.Is(err, errFull) {
		return page, err
	}
	var keys []store.KeyRev
	for _, e := range entries {
		if e.Kind == ledger.Report {
			keys = append(keys, store.KeyRev{Key: e.Key, Rev: e.Rev})
		}
	}
	reports, err := a.store.ServedReports(ctx, keys)
	if err != nil {
		return page, err
	}
	events := map[int64][]ledger.RawEvent{}
	refs := map[int64][]federation.ReportRef{}
	for _, e := range entries {
		switch e.Kind {
		case ledger.Report:
			raw, ok := reports[store.KeyRev{Key: e.Key, Rev: e.Rev}]
			if !ok {
				continue // not stored: verification will say so, here
			}
			var r incident.Report
			if err := json.Unmarshal([]byte(raw.Doc), &r); err != nil {
				return page, fmt.Errorf("report %s: %w", e.Key, err)
			}
			if (len(g.Kinds) > 0 && !slices.Contains(g.Kinds, string(r.Kind))) || (own && r.Node != "") {
				continue
			}
			page.Records = append(page.Records, federation.Record{Index: e.Index, Kind: e.Kind, Node: r.Node, Report: &raw})
		case ledger.Evidence:
			if !g.Evidence {
				continue
			}
			f, err := a.store.EvidenceInfo(ctx, e.Key)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return page, err
			}
			page.Records = append(page.Records, federation.Record{Index: e.Index, Kind: e.Kind, Evidence: &federation.EvidenceFile{SHA256: f.SHA256, MediaType: f.MediaType, Size: f.Size}})
		case ledger.IncidentEvent:
			if !g.Events {
				continue
			}
			id, err := strconv.ParseInt(strings.SplitN(e.Key, "/", 2)[0], 10, 64)
			if err != nil {
				continue
			}
			if _, ok := events[id]; !ok {
				if events[id], err = a.store.IncidentEventDocs(ctx, id); err != nil {
					return page, err
				}
				d, err := a.store.Incident(ctx, id)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return page, err
				}
				for _, r := range d.Reports {
					// Only the reports the grant serves are named.
					if len(g.Kinds) == 0 || slices.Contains(g.Kinds, string(r.Kind)) {
						refs[id] = append(refs[id], federation.ReportRef{Node: r.Node, Source: r.Source, SourceID: r.SourceID})
					}
				}
			}
			for _, ev := range events[id] {
				if ev.Key == e.Key {
					page.Records = append(page.Records, federation.Record{Index: e.Index, Kind: e.Kind, Event: &ev, Reports: refs[id]})
					break
				}
			}
		}
	}
	return page, nil
}

// grant is the grant of a peer's token; ErrLogin for none.
func (a *App) grant(ctx context.Context, token string) (store.Grant, error) {
	if token == "" {
		return store.Grant{}, fmt.Errorf("a peer's grant token is required: %w", ErrLogin)
	}
	g, err := a.store.GrantByToken(ctx, auth.Hash(token))
	if errors.Is(err, store.ErrNotFound) {
		return g, fmt.Errorf("not a grant's token: %w", ErrLogin)
	}
	return g, err
}

// ServeEvidence answers a peer's GET /federation/evidence/{sha}: an
// evidence file's bytes, for a grant that includes evidence (otherwise
// workflow.ErrForbidden).
func (a *App) ServeEvidence(ctx context.Context, token, sha string) ([]byte, string, error) {
	g, err := a.grant(ctx, token)
	if err != nil {
		return nil, "", err
	}
	if !g.Evidence {
		return nil, "", fmt.Errorf("evidence files: not granted to %s: %w", g.Name, workflow.ErrForbidden)
	}
	data, mt, err := a.store.Evidence(ctx, sha)
	if err != nil {
		return nil, "", err
	}
	// A copy handed to another node is a step in the file's custody.
	if err := a.store.AddCustody(ctx, sha, store.CustodyEntry{Action: "sent to node", By: store.OwnerNode + g.Name, At: time.Now().UTC(), Note: "federation"}); err != nil {
		return nil, "", err
	}
	return data, mt, nil
}

// HeldCheckpoints are the checkpoints this node shows to others (GET
// /federation/checkpoints): its own latest, and the latest of each peer it
// verified (cosigned by this node), so that a node showing two histories
// to two peers is caught by any third that hears both.
func (a *App) HeldCheckpoints(ctx context.Context) ([]federation.Gossip, error) {
	var out []federation.Gossip
	if own, err := a.LatestCheckpoint(ctx); err == nil {
		if c, _, err := ledger.Unverified(own); err == nil {
			out = append(out, federation.Gossip{Node: c.Origin, Note: string(own)})
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	ps, err := a.store.Peers(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Checkpoint != "" {
			out = append(out, federation.Gossip{Node: p.Name, Note: p.Checkpoint})
		}
	}
	return out, nil
}

// PeerFinding is an incident event a peer recorded about a local
// incident's reports: a finding or a guarantor's position on it, shown
// with the node that signed it into its log.
type PeerFinding struct {
	Node  string         `json:"node"`
	Index int64          `json:"index"`
	Event workflow.Event `json:"event"`
}

// PeerFindings returns the findings and positions peers recorded about
// incident id's reports, for a viewer who may see the incident; the names
// of whoever acted are kept for those who see everything.
func (a *App) PeerFindings(ctx context.Context, u *workflow.User, id int64) ([]PeerFinding, error) {
	c, err := a.CaseFor(ctx, u, id)
	if err != nil {
		return nil, err
	}
	return c.PeerFindings, nil
}

// peerFindings reads them, for CaseFor, once the viewer may see the
// incident.
func (a *App) peerFindings(ctx context.Context, u *workflow.User, id int64) ([]PeerFinding, error) {
	evs, err := a.store.PeerEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []PeerFinding
	for _, pe := range evs {
		var r federation.Record
		if err := json.Unmarshal(pe.Content, &r); err != nil || r.Event == nil {
			continue
		}
		var ev workflow.Event
		if err := json.Unmarshal([]byte(r.Event.Doc), &ev); err != nil {
			continue
		}
		if ev.Finding == nil && ev.Position == "" {
			continue
		}
		if !SeesAll(u) {
			ev.By = ""
		}
		out = append(out, PeerFinding{Node: pe.Peer, Index: pe.Index, Event: ev})
	}
	return out, nil
}

// LogEntryIndex is the index of a record revision's entry in this node's
// log.
func (a *App) LogEntryIndex(ctx context.Context, kind, key string, rev int) (int64, []byte, error) {
	return a.store.LogEntryFor(ctx, kind, key, rev)
}

func peerTokenContext(node string) string { return "peer token " + node }

// peerToken is the token this node presents to p, opened; a token stored
// before tokens were sealed is taken as it is.
func (a *App) peerToken(p store.Peer) (string, error) {
	if p.Token == "" || !sealed.IsSealed(p.Token) {
		return p.Token, nil
	}
	box, err := a.box()
	if err != nil {
		return "", fmt.Errorf("peer %s token: %w", p.Name, err)
	}
	b, err := box.Open(peerTokenContext(p.Name), p.Token)
	if err != nil {
		return "", fmt.Errorf("peer %s token: %w", p.Name, err)
	}
	return string(b), nil
}
