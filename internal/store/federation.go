package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
)

// Peer is another node this node follows (docs/federation.md): where it
// is, the key its checkpoints are signed with, and how far its log has
// been verified and copied here.
type Peer struct {
	// Name is the peer's node name: the name of its log key, and the
	// origin line of its checkpoints.
	Name   string `json:"name"`
	URL    string `json:"url"`
	PubKey string `json:"pubkey"`
	// Token is what this node presents to the peer for its records (the
	// peer's grant); never listed.
	Token string `json:"-"`
	// Size is how many of the peer's entries are verified and stored.
	Size int64 `json:"size"`
	// Checkpoint is the latest signed checkpoint of the peer verified
	// here (cosigned by this node when it has a key).
	Checkpoint string `json:"checkpoint,omitempty"`
	// Flag says why the peer is no longer trusted ("" when it is):
	// nothing more is pulled from it until an operator acts. FlagIndex is
	// the first bad index of its log, when one is known (-1 otherwise);
	// ProofA and ProofB are the two signed notes that contradict each
	// other (a fork or a rewritten log), kept as evidence.
	Flag      string `json:"flag,omitempty"`
	FlagIndex int64  `json:"flag_index"`
	ProofA    string `json:"proof_a,omitempty"`
	ProofB    string `json:"proof_b,omitempty"`
	// LastError is why the last pull failed ("" when it did not).
	LastError string    `json:"last_error,omitempty"`
	LastPull  time.Time `json:"last_pull,omitzero"`
	AddedAt   time.Time `json:"added_at"`
}

// PeerRecord is one of a peer's records as the peer served it, verified
// against the peer's log entry at Index before it is stored.
type PeerRecord struct {
	Index int64  `json:"index"`
	Kind  string `json:"kind"`
	Key   string `json:"key"`
	// Content is the record as served (federation.Record), JSON.
	Content json.RawMessage `json:"content"`
	// LocalID is the report this node made of it (0 until then).
	LocalID int64 `json:"local_id,omitempty"`
	// Reports are the reports (as this node stores them: source and
	// source id) an incident event was about.
	Reports [][2]string `json:"-"`
}

// PeerBatch is a run of a peer's log verified as a prefix of one of its
// signed checkpoints: entries Start to Start+len(Entries), the stored
// hashes they add, and the records of them that were served.
type PeerBatch struct {
	Peer    string
	Start   int64
	Entries [][]byte
	// Hashes are the stored hashes from tlog.StoredHashCount(Start) on.
	Hashes  []tlog.Hash
	Records []PeerRecord
	// Checkpoint is the signed checkpoint the batch was proven in.
	Checkpoint string
}

// PeerCheckpoint is a node's signed checkpoint as this node received it,
// from the node itself (Via "") or gossiped by another node.
type PeerCheckpoint struct {
	Node     string    `json:"node"`
	Size     int64     `json:"size"`
	Root     string    `json:"root"`
	Via      string    `json:"via,omitempty"`
	Note     string    `json:"note"`
	Received time.Time `json:"received"`
}

// Grant is what this node serves to a peer presenting a token: the
// per-peer policy. Sealed identities stay sealed whatever the grant.
type Grant struct {
	Name string `json:"name"`
	// Kinds are the report kinds served (incident.SourceKind); none
	// means all.
	Kinds []string `json:"kinds,omitempty"`
	// Events says whether incident events (reviews, findings,
	// positions) are served.
	Events bool `json:"events"`
	// Evidence says whether evidence files are served (they can show
	// who was where).
	Evidence  bool      `json:"evidence"`
	CreatedAt time.Time `json:"created_at"`
}

// PeerEvent is an incident event a peer recorded, found by the local
// incident whose reports it was about.
type PeerEvent struct {
	Peer    string
	Index   int64
	Content json.RawMessage
}

// ErrPeerMoved is returned when a batch does not start where the peer's
// stored copy ends (another pull stored it meanwhile).
var ErrPeerMoved = errors.New("the peer's copy moved meanwhile")

// Federation keeps the peers a node follows, its verified copies of their
// logs and records, and the grants under which it serves its own.
type Federation interface {
	// PutPeer adds a peer or changes its URL, key and token (its copy
	// and state are kept).
	PutPeer(ctx context.Context, p Peer) error
	// Peers lists the peers by name; Peer returns one (ErrNotFound).
	Peers(ctx context.Context) ([]Peer, error)
	Peer(ctx context.Context, name string) (Peer, error)
	// PeerHashes reads the stored hashes of a peer's verified copy.
	PeerHashes(ctx context.Context, peer string) tlog.HashReader
	// EachPeerEntry calls fn with the peer's stored entries from start
	// on, in order.
	EachPeerEntry(ctx context.Context, peer string, start int64, fn func(index int64, data []byte) error) error
	// SavePeerBatch stores a verified batch, the peer's new size and
	// checkpoint in one transaction: ErrPeerMoved unless the peer's size
	// is b.Start. A record already stored is kept as it is.
	SavePeerBatch(ctx context.Context, b PeerBatch) error
	// SetPeerCheckpoint stores the latest verified checkpoint of a peer
	// whose size has not changed.
	SetPeerCheckpoint(ctx context.Context, peer, note string) error
	// FlagPeer stops trusting a peer, with why, the first bad index (-1
	// when none) and the two contradicting notes.
	FlagPeer(ctx context.Context, peer, why string, index int64, a, b string) error
	// TrustPeer clears a peer's flag; with reset, it also drops the
	// peer's copy (entries, hashes, records not imported) so that it is
	// pulled again from the start.
	TrustPeer(ctx context.Context, peer string, reset bool) error
	// SetPeerPulled records a pull's end and its error ("" for none).
	SetPeerPulled(ctx context.Context, peer, errText string, at time.Time) error
	// PendingPeerReports returns at most limit of a peer's report
	// records not yet imported, in log order.
	PendingPeerReports(ctx context.Context, peer string, limit int) ([]PeerRecord, error)
	// SetPeerLocal records the local reports made of a peer's records
	// (by index), in one transaction.
	SetPeerLocal(ctx context.Context, peer string, local map[int64]int64) error
	// EachPeerRecord calls fn with every stored record of a peer, in
	// log order, with the data of its entry.
	EachPeerRecord(ctx context.Context, peer string, fn func(r PeerRecord, entry []byte) error) error
	// PeerRecordCount counts a peer's stored records by kind.
	PeerRecordCount(ctx context.Context, peer string) (map[string]int, error)
	// PeerEvents returns the peers' incident events about any report of
	// a local incident, by peer and index.
	PeerEvents(ctx context.Context, incidentID int64) ([]PeerEvent, error)

	// PutPeerCheckpoint keeps a signed checkpoint received (idempotent);
	// PeerCheckpoints lists those of a node ("" for all), largest first.
	PutPeerCheckpoint(ctx context.Context, c PeerCheckpoint) error
	PeerCheckpoints(ctx context.Context, node string) ([]PeerCheckpoint, error)

	// PutGrant stores a grant under the SHA-256 of its token (a name
	// taken is replaced); GrantByToken finds one (ErrNotFound); Grants
	// lists them.
	PutGrant(ctx context.Context, g Grant, tokenHash string) error
	GrantByToken(ctx context.Context, tokenHash string) (Grant, error)
	Grants(ctx context.Context) ([]Grant, error)

	// ServedReports returns report revisions by their log key and
	// revision, exactly as stored (what their digests cover); a
	// revision not stored is missing from the map.
	ServedReports(ctx context.Context, keys []KeyRev) (map[KeyRev]ledger.RawReport, error)
	// IncidentReportKeys returns the source and source id of every
	// report of an incident now.
	IncidentReportKeys(ctx context.Context, incidentID int64) ([][2]string, error)
}

// KeyRev is a record's key and revision in the log.
type KeyRev struct {
	Key string
	Rev int
}
