package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/truce-monitor/truce/internal/federation"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// PeerCheck is what VerifyPeers found of one peer's copy.
type PeerCheck struct {
	Peer    string `json:"peer"`
	Entries int64  `json:"entries"`
	Records int    `json:"records"`
	// Problems name the first bad index of each thing wrong.
	Problems []ledger.Problem `json:"problems,omitempty"`
}

// VerifyPeers checks this node's copies of its peers' logs as stored now:
// each copy's entries against the latest checkpoint of the peer verified
// here (its signature, by the peer's key, and its root), and each record
// kept against its entry. An edit to a copy in this node's database is
// named by its index; the peers are not asked.
func (a *App) VerifyPeers(ctx context.Context) ([]PeerCheck, error) {
	ps, err := a.store.Peers(ctx)
	if err != nil {
		return nil, err
	}
	var out []PeerCheck
	for _, p := range ps {
		pc := PeerCheck{Peer: p.Name}
		bad := func(idx int64, what string, args ...any) {
			pc.Problems = append(pc.Problems, ledger.Problem{Index: idx, Record: p.Name, What: fmt.Sprintf(what, args...)})
		}
		var h ledger.Hashes
		err := a.store.EachPeerEntry(ctx, p.Name, 0, func(i int64, data []byte) error {
			if i != pc.Entries {
				bad(pc.Entries, "entry %d is missing from the copy", pc.Entries)
				return errStop
			}
			pc.Entries++
			return h.Append(i, data)
		})
		if err != nil && !errors.Is(err, errStop) {
			return nil, err
		}
		if pc.Entries != p.Size {
			bad(-1, "the copy holds %d entries, %d were verified", pc.Entries, p.Size)
		}
		if p.Checkpoint != "" {
			v, err := note.NewVerifier(p.PubKey)
			if err != nil {
				return nil, err
			}
			c, _, err := ledger.Open([]byte(p.Checkpoint), note.VerifierList(v))
			switch {
			case err != nil:
				bad(-1, "the checkpoint kept is not signed by %s: %v", p.Name, err)
			case c.Size <= pc.Entries:
				root, err := tlog.TreeHash(c.Size, h)
				if err != nil {
					return nil, err
				}
				if root != c.Root {
					bad(pc.firstBad(ctx, a, p.Name, h), "the copy's entries are not those of the tree of size %d %s signed", c.Size, p.Name)
				}
			}
		}
		err = a.store.EachPeerRecord(ctx, p.Name, func(r store.PeerRecord, data []byte) error {
			pc.Records++
			e, err := ledger.ParseEntry(r.Index, data)
			if err != nil {
				bad(r.Index, "record kept without its entry: %v", err)
				return nil
			}
			var rec federation.Record
			if err := json.Unmarshal(r.Content, &rec); err != nil {
				bad(r.Index, "record kept is unreadable: %v", err)
				return nil
			}
			if err := federation.Check(e, rec); err != nil {
				bad(r.Index, "record kept does not match its entry: %v", err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, pc)
	}
	return out, nil
}

var errStop = errors.New("stop")

// firstBad is the first entry of the copy whose stored hashes differ from
// those its data gives (-1 when none does: the stored hashes themselves
// were not changed, the entries were).
func (pc *PeerCheck) firstBad(ctx context.Context, a *App, peer string, h ledger.Hashes) int64 {
	held := a.store.PeerHashes(ctx, peer)
	for i := int64(0); i < pc.Entries; i++ {
		x := tlog.StoredHashIndex(0, i)
		got, err := held.ReadHashes([]int64{x})
		if err != nil || got[0] != h[x] {
			return i
		}
	}
	return -1
}
