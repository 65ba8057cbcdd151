package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

const peerColumns = `name, url, pubkey, token, size, checkpoint, flag, flag_index, proof_a, proof_b, last_error, last_pull, added_at`

func scanPeer(scan func(...any) error) (store.Peer, error) {
	var p store.Peer
	var pulled, added string
	if err := scan(&p.Name, &p.URL, &p.PubKey, &p.Token, &p.Size, &p.Checkpoint, &p.Flag, &p.FlagIndex, &p.ProofA, &p.ProofB, &p.LastError, &pulled, &added); err != nil {
		return p, err
	}
	var err error
	if p.LastPull, err = parseTS(pulled); err != nil {
		return p, fmt.Errorf("peer %s: last pull: %w", p.Name, err)
	}
	if p.AddedAt, err = parseTS(added); err != nil {
		return p, fmt.Errorf("peer %s: added: %w", p.Name, err)
	}
	return p, nil
}

// PutPeer implements store.Federation.
func (s *Store) PutPeer(ctx context.Context, p store.Peer) error {
	err := s.tx(ctx, func(w *txw) error {
		_, err := w.exec(ctx, `INSERT INTO peers (name, url, pubkey, token, added_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET url = excluded.url, pubkey = excluded.pubkey, token = excluded.token`,
			p.Name, p.URL, p.PubKey, p.Token, ts(time.Now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("store peer %s: %w", p.Name, err)
	}
	return nil
}

// Peers implements store.Federation.
func (s *Store) Peers(ctx context.Context) ([]store.Peer, error) {
	rows, err := s.query(ctx, `SELECT `+peerColumns+` FROM peers ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list peers: %w", err)
	}
	defer rows.Close()
	var out []store.Peer
	for rows.Next() {
		p, err := scanPeer(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Peer implements store.Federation.
func (s *Store) Peer(ctx context.Context, name string) (store.Peer, error) {
	p, err := scanPeer(s.queryRow(ctx, `SELECT `+peerColumns+` FROM peers WHERE name = ?`, name).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("peer %s: %w", name, store.ErrNotFound)
	}
	return p, err
}

// peerHashes reads a peer's stored hashes.
type peerHashes struct {
	ctx  context.Context
	s    *Store
	peer string
}

func (h peerHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		var b []byte
		if err := h.s.queryRow(h.ctx, `SELECT hash FROM peer_hashes WHERE peer = ? AND idx = ?`, h.peer, x).Scan(&b); err != nil {
			return nil, fmt.Errorf("peer %s: stored hash %d: %w", h.peer, x, err)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// PeerHashes implements store.Federation.
func (s *Store) PeerHashes(ctx context.Context, peer string) tlog.HashReader {
	return peerHashes{ctx, s, peer}
}

// EachPeerEntry implements store.Federation.
func (s *Store) EachPeerEntry(ctx context.Context, peer string, start int64, fn func(int64, []byte) error) error {
	return s.eachEntry(ctx, fn, "peer "+peer+": entries", `SELECT idx, data FROM peer_entries WHERE peer = ? AND idx >= ? ORDER BY idx`, peer, start)
}

// SavePeerBatch implements store.Federation.
func (s *Store) SavePeerBatch(ctx context.Context, b store.PeerBatch) error {
	err := s.tx(ctx, func(w *txw) error {
		var size int64
		if err := w.scan(ctx, `UPDATE peers SET size = size WHERE name = ? RETURNING size`, []any{b.Peer}, &size); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return store.ErrNotFound
			}
			return err
		}
		if size != b.Start {
			return fmt.Errorf("%w: stored %d entries, batch starts at %d", store.ErrPeerMoved, size, b.Start)
		}
		for i, data := range b.Entries {
			if _, err := w.exec(ctx, `INSERT INTO peer_entries (peer, idx, data) VALUES (?, ?, ?)`, b.Peer, b.Start+int64(i), data); err != nil {
				return err
			}
		}
		first := tlog.StoredHashCount(b.Start)
		for i, h := range b.Hashes {
			if _, err := w.exec(ctx, `INSERT INTO peer_hashes (peer, idx, hash) VALUES (?, ?, ?)`, b.Peer, first+int64(i), h[:]); err != nil {
				return err
			}
		}
		for _, r := range b.Records {
			if _, err := w.exec(ctx, `INSERT INTO peer_records (peer, idx, kind, record_key, content) VALUES (?, ?, ?, ?, ?) ON CONFLICT (peer, idx) DO NOTHING`,
				b.Peer, r.Index, r.Kind, r.Key, string(r.Content)); err != nil {
				return err
			}
			for _, k := range r.Reports {
				if _, err := w.exec(ctx, `INSERT INTO peer_event_reports (peer, idx, source, source_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
					b.Peer, r.Index, k[0], k[1]); err != nil {
					return err
				}
			}
		}
		_, err := w.exec(ctx, `UPDATE peers SET size = ?, checkpoint = ? WHERE name = ?`, b.Start+int64(len(b.Entries)), b.Checkpoint, b.Peer)
		return err
	})
	if err != nil {
		return fmt.Errorf("store peer %s entries from %d: %w", b.Peer, b.Start, err)
	}
	return nil
}

// SetPeerCheckpoint implements store.Federation.
func (s *Store) SetPeerCheckpoint(ctx context.Context, peer, note string) error {
	return s.peerUpdate(ctx, peer, `UPDATE peers SET checkpoint = ? WHERE name = ?`, note, peer)
}

// FlagPeer implements store.Federation.
func (s *Store) FlagPeer(ctx context.Context, peer, why string, index int64, a, b string) error {
	return s.peerUpdate(ctx, peer, `UPDATE peers SET flag = ?, flag_index = ?, proof_a = ?, proof_b = ? WHERE name = ?`, why, index, a, b, peer)
}

// SetPeerPulled implements store.Federation.
func (s *Store) SetPeerPulled(ctx context.Context, peer, errText string, at time.Time) error {
	return s.peerUpdate(ctx, peer, `UPDATE peers SET last_error = ?, last_pull = ? WHERE name = ?`, errText, ts(at), peer)
}

func (s *Store) peerUpdate(ctx context.Context, peer, query string, args ...any) error {
	err := s.tx(ctx, func(w *txw) error { return w.execOne(ctx, query, args...) })
	if err != nil {
		return fmt.Errorf("peer %s: %w", peer, err)
	}
	return nil
}

// TrustPeer implements store.Federation.
func (s *Store) TrustPeer(ctx context.Context, peer string, reset bool) error {
	err := s.tx(ctx, func(w *txw) error {
		q := `UPDATE peers SET flag = '', flag_index = -1, proof_a = '', proof_b = '', last_error = '' WHERE name = ?`
		if reset {
			q = `UPDATE peers SET flag = '', flag_index = -1, proof_a = '', proof_b = '', last_error = '', size = 0, checkpoint = '' WHERE name = ?`
		}
		if err := w.execOne(ctx, q, peer); err != nil {
			return err
		}
		if !reset {
			return nil
		}
		// Records already made into local reports stay (they were
		// verified when taken, and the local log holds them); the rest of
		// the copy is pulled again.
		for _, q := range []string{
			`DELETE FROM peer_entries WHERE peer = ?`,
			`DELETE FROM peer_hashes WHERE peer = ?`,
			`DELETE FROM peer_event_reports WHERE peer = ?`,
			`DELETE FROM peer_records WHERE peer = ?`,
			`DELETE FROM peer_checkpoints WHERE node = ?`,
		} {
			if _, err := w.exec(ctx, q, peer); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("trust peer %s: %w", peer, err)
	}
	return nil
}

// PendingPeerReports implements store.Federation.
func (s *Store) PendingPeerReports(ctx context.Context, peer string, limit int) ([]store.PeerRecord, error) {
	rows, err := s.query(ctx, `SELECT idx, kind, record_key, content FROM peer_records WHERE peer = ? AND kind = ? AND local_id = 0 ORDER BY idx LIMIT ?`, peer, ledger.Report, limit)
	if err != nil {
		return nil, fmt.Errorf("peer %s: pending reports: %w", peer, err)
	}
	defer rows.Close()
	var out []store.PeerRecord
	for rows.Next() {
		var r store.PeerRecord
		var content string
		if err := rows.Scan(&r.Index, &r.Kind, &r.Key, &content); err != nil {
			return nil, err
		}
		r.Content = []byte(content)
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetPeerLocal implements store.Federation.
func (s *Store) SetPeerLocal(ctx context.Context, peer string, local map[int64]int64) error {
	err := s.tx(ctx, func(w *txw) error {
		for idx, id := range local {
			if _, err := w.exec(ctx, `UPDATE peer_records SET local_id = ? WHERE peer = ? AND idx = ?`, id, peer, idx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("peer %s: local reports: %w", peer, err)
	}
	return nil
}

// PeerRecordCount implements store.Federation.
func (s *Store) PeerRecordCount(ctx context.Context, peer string) (map[string]int, error) {
	rows, err := s.query(ctx, `SELECT kind, count(*) FROM peer_records WHERE peer = ? GROUP BY kind`, peer)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// PeerEvents implements store.Federation.
func (s *Store) PeerEvents(ctx context.Context, incidentID int64) ([]store.PeerEvent, error) {
	rows, err := s.query(ctx, `SELECT DISTINCT p.peer, p.idx, p.content FROM reports r
		JOIN peer_event_reports e ON e.source = r.source AND e.source_id = r.source_id
		JOIN peer_records p ON p.peer = e.peer AND p.idx = e.idx
		WHERE r.incident_id = ? ORDER BY p.peer, p.idx`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("peer events of incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	var out []store.PeerEvent
	for rows.Next() {
		var e store.PeerEvent
		var content string
		if err := rows.Scan(&e.Peer, &e.Index, &content); err != nil {
			return nil, err
		}
		e.Content = []byte(content)
		out = append(out, e)
	}
	return out, rows.Err()
}

// PutPeerCheckpoint implements store.Federation.
func (s *Store) PutPeerCheckpoint(ctx context.Context, c store.PeerCheckpoint) error {
	err := s.tx(ctx, func(w *txw) error {
		_, err := w.exec(ctx, `INSERT INTO peer_checkpoints (node, size, root, via, note, received_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (node, size, root, via) DO UPDATE SET note = excluded.note`, c.Node, c.Size, c.Root, c.Via, c.Note, ts(time.Now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("store checkpoint of %s: %w", c.Node, err)
	}
	return nil
}

// PeerCheckpoints implements store.Federation.
func (s *Store) PeerCheckpoints(ctx context.Context, node string) ([]store.PeerCheckpoint, error) {
	rows, err := s.query(ctx, `SELECT node, size, root, via, note, received_at FROM peer_checkpoints WHERE node = ? OR ? = '' ORDER BY size DESC, node, via`, node, node)
	if err != nil {
		return nil, fmt.Errorf("checkpoints of %s: %w", node, err)
	}
	defer rows.Close()
	var out []store.PeerCheckpoint
	for rows.Next() {
		var c store.PeerCheckpoint
		var at string
		if err := rows.Scan(&c.Node, &c.Size, &c.Root, &c.Via, &c.Note, &at); err != nil {
			return nil, err
		}
		if c.Received, err = parseTS(at); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PutGrant implements store.Federation.
func (s *Store) PutGrant(ctx context.Context, g store.Grant, tokenHash string) error {
	flag := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	err := s.tx(ctx, func(w *txw) error {
		_, err := w.exec(ctx, `INSERT INTO peer_grants (name, token_hash, kinds, events, evidence, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET token_hash = excluded.token_hash, kinds = excluded.kinds, events = excluded.events, evidence = excluded.evidence`,
			g.Name, tokenHash, strings.Join(g.Kinds, ","), flag(g.Events), flag(g.Evidence), ts(time.Now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("store grant %s: %w", g.Name, err)
	}
	return nil
}

func scanGrant(scan func(...any) error) (store.Grant, error) {
	var g store.Grant
	var kinds, at string
	var events, evidence int
	if err := scan(&g.Name, &kinds, &events, &evidence, &at); err != nil {
		return g, err
	}
	if kinds != "" {
		g.Kinds = strings.Split(kinds, ",")
	}
	g.Events, g.Evidence = events != 0, evidence != 0
	var err error
	g.CreatedAt, err = parseTS(at)
	return g, err
}

// GrantByToken implements store.Federation.
func (s *Store) GrantByToken(ctx context.Context, tokenHash string) (store.Grant, error) {
	g, err := scanGrant(s.queryRow(ctx, `SELECT name, kinds, events, evidence, created_at FROM peer_grants WHERE token_hash = ?`, tokenHash).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return g, fmt.Errorf("grant: %w", store.ErrNotFound)
	}
	return g, err
}

// Grants implements store.Federation.
func (s *Store) Grants(ctx context.Context) ([]store.Grant, error) {
	rows, err := s.query(ctx, `SELECT name, kinds, events, evidence, created_at FROM peer_grants ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	defer rows.Close()
	var out []store.Grant
	for rows.Next() {
		g, err := scanGrant(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// ServedReports implements store.Federation.
func (s *Store) ServedReports(ctx context.Context, keys []store.KeyRev) (map[store.KeyRev]ledger.RawReport, error) {
	out := make(map[store.KeyRev]ledger.RawReport, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	// Current revisions in one query (nearly every entry is one); a
	// replaced revision is looked for on its own.
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k.Key
	}
	rows, err := s.query(ctx, `SELECT r.log_key, r.revision, r.original, coalesce(f.format, ''), r.doc, r.placed_in, r.placed_why FROM reports r
		LEFT JOIN original_formats f ON f.id = r.format_id WHERE r.log_key IN `+values(1, len(keys)), args...)
	if err != nil {
		return nil, fmt.Errorf("served reports: %w", err)
	}
	for rows.Next() {
		var r ledger.RawReport
		if err := rows.Scan(&r.Key, &r.Revision, &r.Original, &r.Format, s.docs.intoText(&r.Doc), &r.PlacedIn, &r.PlacedWhy); err != nil {
			rows.Close()
			return nil, err
		}
		out[store.KeyRev{Key: r.Key, Rev: r.Revision}] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, k := range keys {
		if _, ok := out[k]; ok {
			continue
		}
		var r ledger.RawReport
		err := s.queryRow(ctx, `SELECT r.log_key, v.revision, v.original, coalesce(f.format, ''), v.doc, r.placed_in, r.placed_why FROM report_revisions v
			JOIN reports r ON r.id = v.report_id LEFT JOIN original_formats f ON f.id = v.format_id WHERE r.log_key = ? AND v.revision = ?`,
			k.Key, k.Rev).Scan(&r.Key, &r.Revision, &r.Original, &r.Format, s.docs.intoText(&r.Doc), &r.PlacedIn, &r.PlacedWhy)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("report %s revision %d: %w", k.Key, k.Rev, err)
		}
		out[k] = r
	}
	return out, nil
}

// IncidentReportKeys implements store.Federation.
func (s *Store) IncidentReportKeys(ctx context.Context, incidentID int64) ([][2]string, error) {
	rows, err := s.query(ctx, `SELECT source, source_id FROM reports WHERE incident_id = ? ORDER BY id`, incidentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// EachPeerRecord implements store.Federation.
func (s *Store) EachPeerRecord(ctx context.Context, peer string, fn func(store.PeerRecord, []byte) error) error {
	rows, err := s.query(ctx, `SELECT r.idx, r.kind, r.record_key, r.content, r.local_id, coalesce(e.data, '') FROM peer_records r
		LEFT JOIN peer_entries e ON e.peer = r.peer AND e.idx = r.idx WHERE r.peer = ? ORDER BY r.idx`, peer)
	if err != nil {
		return fmt.Errorf("peer %s: records: %w", peer, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r store.PeerRecord
		var content string
		var entry []byte
		if err := rows.Scan(&r.Index, &r.Kind, &r.Key, &content, &r.LocalID, &entry); err != nil {
			return err
		}
		r.Content = []byte(content)
		if err := fn(r, entry); err != nil {
			return err
		}
	}
	return rows.Err()
}
