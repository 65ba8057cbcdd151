package sqldb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// PutHumanitarian implements store.Humanitarian.
func (s *Store) PutHumanitarian(ctx context.Context, kind, id string, doc []byte) (int, bool, error) {
	// kind and id make the record's log key, kind/id.
	if kind == "" || id == "" || strings.ContainsAny(kind, "/\n") || strings.Contains(id, "\n") {
		return 0, false, fmt.Errorf("store humanitarian record: bad kind %q or id %q", kind, id)
	}
	var rev int
	var changed bool
	err := s.tx(ctx, func(w *txw) error {
		rev, changed = 0, false
		var last []byte
		err := w.scan(ctx, `SELECT rev, doc FROM humanitarian_records WHERE kind = ? AND id = ? ORDER BY rev DESC LIMIT 1`, []any{kind, id}, &rev, &last)
		switch {
		case err == nil && bytes.Equal(last, doc):
			return nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		rev++
		if _, err := w.exec(ctx, `INSERT INTO humanitarian_records (kind, id, rev, doc, stored_at) VALUES (?, ?, ?, ?, ?)`,
			kind, id, rev, doc, ts(time.Now())); err != nil {
			return err
		}
		changed = true
		sum := sha256.Sum256(doc)
		e := ledger.Entry{Kind: ledger.Humanitarian, Key: kind + "/" + id, Rev: rev, Digest: hex.EncodeToString(sum[:])}
		if rev > 1 {
			// A revision names the one it replaces, as a report's does.
			prev := sha256.Sum256(last)
			e.Prev = hex.EncodeToString(prev[:])
		}
		return appendLog(ctx, w, e)
	})
	if err != nil {
		return 0, false, fmt.Errorf("store %s %s: %w", kind, id, err)
	}
	return rev, changed, nil
}

// HumanitarianRecords implements store.Humanitarian.
func (s *Store) HumanitarianRecords(ctx context.Context, kind string) ([]store.HumanitarianRecord, error) {
	rows, err := s.query(ctx, `SELECT r.kind, r.id, r.rev, r.doc, r.stored_at FROM humanitarian_records r
		WHERE (? = '' OR r.kind = ?)
		AND r.rev = (SELECT max(l.rev) FROM humanitarian_records l WHERE l.kind = r.kind AND l.id = r.id)
		ORDER BY r.kind, r.id`, kind, kind)
	if err != nil {
		return nil, fmt.Errorf("list humanitarian records: %w", err)
	}
	return scanHumanitarian(rows)
}

// HumanitarianHistory implements store.Humanitarian.
func (s *Store) HumanitarianHistory(ctx context.Context, kind, id string) ([]store.HumanitarianRecord, error) {
	rows, err := s.query(ctx, `SELECT kind, id, rev, doc, stored_at FROM humanitarian_records WHERE kind = ? AND id = ? ORDER BY rev`, kind, id)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, id, err)
	}
	out, err := scanHumanitarian(rows)
	if err == nil && len(out) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, id, err)
	}
	return out, nil
}

func scanHumanitarian(rows *sql.Rows) ([]store.HumanitarianRecord, error) {
	defer rows.Close()
	var out []store.HumanitarianRecord
	for rows.Next() {
		var r store.HumanitarianRecord
		var at string
		if err := rows.Scan(&r.Kind, &r.ID, &r.Rev, &r.Doc, &at); err != nil {
			return nil, err
		}
		var err error
		if r.StoredAt, err = parseTS(at); err != nil {
			return nil, fmt.Errorf("%s %s: stored at: %w", r.Kind, r.ID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// humanitarianDigests gives fn the digest of every stored revision of
// every humanitarian record, recomputed from its document.
func humanitarianDigests(ctx context.Context, s *Store, fn func(kind, key string, rev int, digest [32]byte) error) error {
	rows, err := s.query(ctx, `SELECT kind || '/' || id, rev, doc FROM humanitarian_records`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var key string
	var rev int
	var doc sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&key, &rev, &doc); err != nil {
			return err
		}
		if err := fn(ledger.Humanitarian, key, rev, sha256.Sum256(doc)); err != nil {
			return err
		}
	}
	return rows.Err()
}
