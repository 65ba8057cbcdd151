package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// Events implements store.Store.
func (s *Store) Events(ctx context.Context, incidentID int64) ([]workflow.Event, error) {
	rows, err := s.query(ctx, `SELECT doc FROM incident_events WHERE incident_id = ? ORDER BY seq`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("incident %d events: %w", incidentID, err)
	}
	defer rows.Close()
	var out []workflow.Event
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var e workflow.Event
		if err := unmarshal(doc, &e); err != nil {
			return nil, fmt.Errorf("incident %d event: %w", incidentID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AppendEvent implements store.Store.
func (s *Store) AppendEvent(ctx context.Context, incidentID int64, e workflow.Event, status store.Status) error {
	err := s.tx(ctx, func(w *txw) error {
		return appendEvent(ctx, w, incidentID, e, status)
	})
	if err != nil {
		return fmt.Errorf("incident %d: %s: %w", incidentID, e.Action, err)
	}
	return nil
}

// appendEvent records e as the next event of the incident, in the log,
// and the incident's status. The caller checked e against the history up
// to e.Seq-1: if another event took that place meanwhile, it fails with
// store.ErrConflict and the caller checks again.
func appendEvent(ctx context.Context, w *txw, incidentID int64, e workflow.Event, st store.Status) error {
	var last int
	if err := w.scan(ctx, `SELECT coalesce(max(seq), 0) FROM incident_events WHERE incident_id = ?`, []any{incidentID}, &last); err != nil {
		return err
	}
	if e.Seq != last+1 {
		return fmt.Errorf("%w: the incident changed (event %d recorded meanwhile)", store.ErrConflict, last)
	}
	doc, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := w.exec(ctx, `INSERT INTO incident_events (incident_id, seq, action, by_user, doc, at) VALUES (?, ?, ?, ?, ?, ?)`,
		incidentID, e.Seq, string(e.Action), e.By, string(doc), ts(e.At)); err != nil {
		return err
	}
	if err := appendLog(ctx, w, ledger.Entry{Kind: ledger.IncidentEvent, Key: fmt.Sprintf("%d/%d", incidentID, e.Seq), Rev: 1, Digest: digest(string(doc))}); err != nil {
		return err
	}
	// The state is also in the incident's document, which listings read.
	var idoc string
	err = w.scan(ctx, `SELECT doc FROM incidents WHERE id = ?`, []any{incidentID}, w.s.docs.intoText(&idoc))
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("incident %d: %w", incidentID, store.ErrNotFound)
	}
	if err != nil {
		return err
	}
	var m map[string]any
	if err := unmarshal(idoc, &m); err != nil {
		return err
	}
	m["state"] = st.State
	b, _ := json.Marshal(m)
	_, err = w.exec(ctx, `UPDATE incidents SET state = ?, grade = ?, assignee = ?, doc = ?, updated_at = ? WHERE id = ?`,
		string(st.State), string(st.Grade), st.Assignee, w.s.docs.value(string(b)), ts(time.Now()), incidentID)
	return err
}

// regrade grades an incident with a history again, after its reports
// changed; one without a history has no grade yet.
func regrade(ctx context.Context, w *txw, id int64, grade store.GradeFunc) error {
	if grade == nil {
		return nil
	}
	var events []workflow.Event
	var reports []incident.Report
	var rulings []ruling.Ruling
	for _, q := range []struct {
		query string
		add   func([]byte) error
	}{
		{`SELECT doc FROM incident_events WHERE incident_id = ? ORDER BY seq`, func(b []byte) error {
			var e workflow.Event
			err := unmarshal(b, &e)
			events = append(events, e)
			return err
		}},
		{`SELECT doc FROM reports WHERE incident_id = ? ORDER BY id`, func(b []byte) error {
			var r incident.Report
			err := unmarshal(b, &r)
			reports = append(reports, r)
			return err
		}},
		{`SELECT doc FROM rulings WHERE incident_id = ? ORDER BY agreement_id`, func(b []byte) error {
			var r ruling.Ruling
			err := unmarshal(b, &r)
			rulings = append(rulings, r)
			return err
		}},
	} {
		rows, err := w.query(ctx, q.query, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var b []byte
			if err = rows.Scan(w.s.docs.into(&b)); err != nil {
				break
			}
			if err = q.add(b); err != nil {
				break
			}
		}
		rows.Close()
		if err := errors.Join(err, rows.Err()); err != nil {
			return fmt.Errorf("grade incident %d: %w", id, err)
		}
		if len(events) == 0 {
			return nil
		}
	}
	_, err := w.exec(ctx, `UPDATE incidents SET grade = ? WHERE id = ?`, string(grade(reports, events, rulings)), id)
	return err
}

// MoveReports implements store.Store.
func (s *Store) MoveReports(ctx context.Context, m store.Move, rule store.RuleFunc) (int64, error) {
	var moved int64
	err := s.tx(ctx, func(w *txw) error {
		now := ts(time.Now())
		to := m.To
		if to == 0 {
			if err := w.scan(ctx, `INSERT INTO incidents (occurred_start, occurred_end, act, state, doc, updated_at) VALUES ('', '', '', 'reported', '{}', ?) RETURNING id`, []any{now}, &to); err != nil {
				return err
			}
		}
		for _, id := range m.Reports {
			err := w.execOne(ctx, `UPDATE reports SET incident_id = ?, pinned = 1, joined = ? WHERE id = ? AND incident_id = ?`, to, "placed by "+m.By.By, id, m.From)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("report %d is not in incident %d: %w", id, m.From, err)
			}
			if err != nil {
				return err
			}
		}
		var left int
		if err := w.scan(ctx, `SELECT count(*) FROM reports WHERE incident_id = ?`, []any{m.From}, &left); err != nil {
			return err
		}
		if left == 0 {
			if _, err := w.exec(ctx, `UPDATE incidents SET merged_into = ? WHERE id = ?`, to, m.From); err != nil {
				return err
			}
		} else if err := recombine(ctx, w, m.From, store.Intake{Rule: rule}, now); err != nil {
			return err
		}
		if err := recombine(ctx, w, to, store.Intake{Rule: rule}, now); err != nil {
			return err
		}
		ev := m.By
		ev.Other = to
		if err := appendEvent(ctx, w, m.From, ev, m.FromStatus); err != nil {
			return err
		}
		var last int
		if err := w.scan(ctx, `SELECT coalesce(max(seq), 0) FROM incident_events WHERE incident_id = ?`, []any{to}, &last); err != nil {
			return err
		}
		var st store.Status
		var state, grade, assignee string
		if err := w.scan(ctx, `SELECT state, grade, assignee FROM incidents WHERE id = ?`, []any{to}, &state, &grade, &assignee); err != nil {
			return err
		}
		st.State, st.Grade, st.Assignee = incident.State(state), workflow.Grade(grade), assignee
		ev = m.By
		ev.Seq, ev.Other, ev.State = last+1, m.From, st.State
		if ev.Action == workflow.Split {
			ev.Action = workflow.Merge // the receiving side took reports in
		}
		moved = to
		if err := appendEvent(ctx, w, to, ev, st); err != nil {
			return err
		}
		// The status the caller gave was made before the reports moved.
		if err := regrade(ctx, w, m.From, m.Grade); err != nil {
			return err
		}
		return regrade(ctx, w, to, m.Grade)
	})
	if err != nil {
		return 0, fmt.Errorf("move reports of incident %d: %w", m.From, err)
	}
	return moved, nil
}

// PutUser implements store.Store.
func (s *Store) PutUser(ctx context.Context, u workflow.User, tokenHash string) error {
	return s.tx(ctx, func(w *txw) error {
		_, err := w.exec(ctx, `INSERT INTO users (name, role, party, guarantor, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET role = excluded.role, party = excluded.party, guarantor = excluded.guarantor, token_hash = excluded.token_hash`,
			u.Name, string(u.Role), u.Party, u.Guarantor, tokenHash, ts(time.Now()))
		return err
	})
}

// UserByToken implements store.Store.
func (s *Store) UserByToken(ctx context.Context, tokenHash string) (workflow.User, error) {
	return s.user(ctx, "token_hash", tokenHash)
}

// User implements store.Store.
func (s *Store) User(ctx context.Context, name string) (workflow.User, error) {
	u, err := s.user(ctx, "name", name)
	if err != nil {
		return u, fmt.Errorf("user %s: %w", name, err)
	}
	return u, nil
}

// user finds the user whose column (a unique key) holds value.
func (s *Store) user(ctx context.Context, column, value string) (workflow.User, error) {
	var u workflow.User
	var role string
	err := s.queryRow(ctx, `SELECT name, role, party, guarantor FROM users WHERE `+column+` = ?`, value).Scan(&u.Name, &role, &u.Party, &u.Guarantor)
	if errors.Is(err, sql.ErrNoRows) {
		return u, store.ErrNotFound
	}
	u.Role = workflow.Role(role)
	return u, err
}

// Users implements store.Store.
func (s *Store) Users(ctx context.Context) ([]workflow.User, error) {
	rows, err := s.query(ctx, `SELECT name, role, party, guarantor FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []workflow.User
	for rows.Next() {
		var u workflow.User
		var role string
		if err := rows.Scan(&u.Name, &role, &u.Party, &u.Guarantor); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		u.Role = workflow.Role(role)
		out = append(out, u)
	}
	return out, rows.Err()
}

// PutEvidence implements store.Store.
func (s *Store) PutEvidence(ctx context.Context, data []byte, r store.Receipt) (string, error) {
	sum := sha256.Sum256(data)
	id := hex.EncodeToString(sum[:])
	meta, err := json.Marshal(r.Meta)
	if err != nil {
		return "", err
	}
	err = s.tx(ctx, func(w *txw) error {
		var n int
		if err := w.scan(ctx, `SELECT count(*) FROM evidence WHERE sha256 = ?`, []any{id}, &n); err != nil {
			return err
		}
		if n == 0 {
			if _, err := w.exec(ctx, `INSERT INTO evidence (sha256, media_type, size, data, added_by, added_at, meta) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				id, r.MediaType, len(data), data, r.By, ts(time.Now()), string(meta)); err != nil {
				return err
			}
			if err := appendLog(ctx, w, ledger.Entry{Kind: ledger.Evidence, Key: id, Rev: 1, Digest: id}); err != nil {
				return err
			}
		}
		note := fmt.Sprintf("via %s as %q, %d bytes, %s", r.Via, r.FileName, len(data), r.MediaType)
		if n > 0 {
			note += "; the same file was already held"
		}
		return addCustody(ctx, w, id, store.CustodyEntry{Action: "received", By: r.By, At: time.Now().UTC(), Note: note})
	})
	if err != nil {
		return "", fmt.Errorf("store evidence: %w", err)
	}
	return id, nil
}

// EvidenceInfo implements store.Store.
func (s *Store) EvidenceInfo(ctx context.Context, sha string) (store.EvidenceFile, error) {
	f := store.EvidenceFile{SHA256: sha}
	var meta string
	err := s.queryRow(ctx, `SELECT media_type, size, meta FROM evidence WHERE sha256 = ?`, sha).Scan(&f.MediaType, &f.Size, &meta)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("evidence %s: %w", sha, store.ErrNotFound)
	}
	if err != nil {
		return f, err
	}
	f.Meta = json.RawMessage(meta)
	f.Custody, err = s.Custody(ctx, sha)
	return f, err
}

// AddCustody implements store.Store.
func (s *Store) AddCustody(ctx context.Context, sha string, c store.CustodyEntry) error {
	return s.tx(ctx, func(w *txw) error { return addCustody(ctx, w, sha, c) })
}

func addCustody(ctx context.Context, w *txw, sha string, c store.CustodyEntry) error {
	if err := w.scan(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM evidence_custody WHERE sha256 = ?`, []any{sha}, &c.Seq); err != nil {
		return err
	}
	doc, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if _, err := w.exec(ctx, `INSERT INTO evidence_custody (sha256, seq, action, by_user, doc, at) VALUES (?, ?, ?, ?, ?, ?)`,
		sha, c.Seq, c.Action, c.By, string(doc), ts(c.At)); err != nil {
		return fmt.Errorf("custody of %s: %w", sha, err)
	}
	return appendLog(ctx, w, ledger.Entry{Kind: ledger.Custody, Key: fmt.Sprintf("%s/%d", sha, c.Seq), Rev: 1, Digest: digest(string(doc))})
}

// Custody implements store.Store.
func (s *Store) Custody(ctx context.Context, sha string) ([]store.CustodyEntry, error) {
	rows, err := s.query(ctx, `SELECT doc FROM evidence_custody WHERE sha256 = ? ORDER BY seq`, sha)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.CustodyEntry
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var c store.CustodyEntry
		if err := unmarshal(doc, &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Evidence implements store.Store.
func (s *Store) Evidence(ctx context.Context, sha string) ([]byte, string, error) {
	var data []byte
	var mt string
	err := s.queryRow(ctx, `SELECT data, media_type FROM evidence WHERE sha256 = ?`, sha).Scan(&data, &mt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", fmt.Errorf("evidence %s: %w", sha, store.ErrNotFound)
	}
	return data, mt, err
}

// Notifications implements store.Store.
func (s *Store) Notifications(ctx context.Context, party string) ([]store.Notification, error) {
	rows, err := s.query(ctx, `SELECT id, party, incident_id, agreement_id, message, created_at FROM notifications WHERE party = ? ORDER BY id`, party)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	return scanNotifications(rows)
}

// scanNotifications reads rows of (id, party, incident_id, agreement_id,
// message, created_at).
func scanNotifications(rows *sql.Rows) ([]store.Notification, error) {
	defer rows.Close()
	var out []store.Notification
	for rows.Next() {
		var n store.Notification
		var at string
		if err := rows.Scan(&n.ID, &n.Party, &n.IncidentID, &n.Agreement, &n.Message, &at); err != nil {
			return nil, err
		}
		var err error
		if n.At, err = parseTS(at); err != nil {
			return nil, fmt.Errorf("notification %d: %w", n.ID, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// IncidentLinks implements store.Store: why each report is in its
// incident ("placed by NAME" when a reviewer put it there).
func (s *Store) IncidentLinks(ctx context.Context, incidentID int64) (map[int64]string, error) {
	rows, err := s.query(ctx, `SELECT id, joined FROM reports WHERE incident_id = ?`, incidentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var joined string
		if err := rows.Scan(&id, &joined); err != nil {
			return nil, err
		}
		out[id] = joined
	}
	return out, rows.Err()
}

// SetPassword implements store.Store.
func (s *Store) SetPassword(ctx context.Context, name, hash string) error {
	return s.tx(ctx, func(w *txw) error {
		err := w.execOne(ctx, `UPDATE users SET password_hash = ? WHERE name = ?`, hash, name)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("user %s: %w", name, err)
		}
		if err != nil {
			return err
		}
		// A new password ends every session of the old one.
		_, err = w.exec(ctx, `DELETE FROM sessions WHERE user_name = ?`, name)
		return err
	})
}

// PasswordHash implements store.Store.
func (s *Store) PasswordHash(ctx context.Context, name string) (string, error) {
	var h string
	err := s.queryRow(ctx, `SELECT password_hash FROM users WHERE name = ?`, name).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("user %s: %w", name, store.ErrNotFound)
	}
	return h, err
}

// PutSession implements store.Store.
func (s *Store) PutSession(ctx context.Context, tokenHash, user, csrf string, expires time.Time) error {
	return s.tx(ctx, func(w *txw) error {
		_, err := w.exec(ctx, `INSERT INTO sessions (token_hash, user_name, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			tokenHash, user, csrf, ts(time.Now()), ts(expires))
		return err
	})
}

// Session implements store.Store: the user of a live session and its CSRF
// token.
func (s *Store) Session(ctx context.Context, tokenHash string) (workflow.User, string, error) {
	var u workflow.User
	var role, csrf string
	err := s.queryRow(ctx, `SELECT u.name, u.role, u.party, u.guarantor, s.csrf FROM sessions s JOIN users u ON u.name = s.user_name
		WHERE s.token_hash = ? AND s.expires_at > ?`, tokenHash, ts(time.Now())).Scan(&u.Name, &role, &u.Party, &u.Guarantor, &csrf)
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", store.ErrNotFound
	}
	u.Role = workflow.Role(role)
	return u, csrf, err
}

// DeleteSession implements store.Store.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.tx(ctx, func(w *txw) error {
		_, err := w.exec(ctx, `DELETE FROM sessions WHERE token_hash = ? OR expires_at < ?`, tokenHash, ts(time.Now()))
		return err
	})
}
