// Package sqlite is the embedded store: one SQLite file, nothing to
// install. It runs in WAL mode with synchronous=FULL, so that a commit
// that has returned survives a crash or power loss.
package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store on a SQLite file. Writes go through a pool of one
// connection, so writers queue in Go rather than fail with "database is
// locked"; reads use their own pool and, in WAL mode, never wait for them.
type Store struct {
	db   *sql.DB // the single writer
	read *sql.DB
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	// Immediate transactions take the write lock at BEGIN, so concurrent
	// writers queue on busy_timeout instead of failing on upgrade.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	// The writer's page cache holds the indexes an import walks for every
	// row (16 MiB; the default 2 MiB makes it read them from disk).
	if _, err := db.ExecContext(ctx, `PRAGMA cache_size = -16384`); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	s := &Store{db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate sqlite %s: %w", path, err)
	}
	q.Set("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	q.Del("_txlock")
	if s.read, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode()); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	s.read.SetMaxOpenConns(4)
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	return errors.Join(s.read.Close(), s.db.Close())
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		name := strings.TrimPrefix(f, "migrations/")
		n, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", name)
		}
		var applied int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, n).Scan(&applied); err != nil {
			return err
		}
		if applied > 0 {
			continue
		}
		body, err := migrations.ReadFile(f)
		if err != nil {
			return err
		}
		err = s.tx(ctx, func(tx *txw) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, n, name, ts(time.Now()))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// txw is a transaction that prepares each distinct statement once: an
// import runs the same few statements thousands of times, and parsing the
// SQL each time would cost more than running it.
type txw struct {
	*sql.Tx
	stmts map[string]*sql.Stmt
}

func (w *txw) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	st, err := w.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	w.stmts[query] = st
	return st, nil
}

// exec runs a prepared statement.
func (w *txw) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// scan runs a prepared query for one row into dest.
func (w *txw) scan(ctx context.Context, query string, args []any, dest ...any) error {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return err
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}

func (s *Store) tx(ctx context.Context, fn func(*txw) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	w := &txw{Tx: tx, stmts: map[string]*sql.Stmt{}}
	defer func() {
		for _, st := range w.stmts {
			st.Close()
		}
	}()
	if err := fn(w); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// ts formats times at fixed width in UTC so that text order is time order.
func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

func parseTS(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse("2006-01-02T15:04:05.000000Z", s)
}

// PutAgreement implements store.Store.
func (s *Store) PutAgreement(ctx context.Context, src store.AgreementSource, versions []store.VersionRecord) ([]int, error) {
	var added []int
	err := s.tx(ctx, func(tx *txw) error {
		added = nil
		for _, v := range versions {
			var digest string
			err := tx.QueryRowContext(ctx, `SELECT digest FROM agreement_versions WHERE agreement_id = ? AND version = ?`, v.AgreementID, v.Version).Scan(&digest)
			switch {
			case err == nil:
				if digest != v.Digest {
					return fmt.Errorf("agreement %s version %d: %w (stored %s, new %s)", v.AgreementID, v.Version, store.ErrVersionChanged, digest[:12], v.Digest[:12])
				}
				continue
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO agreement_versions (agreement_id, version, label, effective_from, effective_to, digest, canonical, stored_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, v.AgreementID, v.Version, v.Label, ts(v.EffectiveFrom), ts(v.EffectiveTo), v.Digest, v.Canonical, ts(time.Now()))
			if err != nil {
				return err
			}
			added = append(added, v.Version)
		}
		var last []byte
		err := tx.QueryRowContext(ctx, `SELECT source FROM agreement_sources WHERE agreement_id = ? ORDER BY id DESC LIMIT 1`, src.AgreementID).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if string(last) == string(src.Source) {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO agreement_sources (agreement_id, file, source, loaded_at) VALUES (?, ?, ?, ?)`,
			src.AgreementID, src.File, src.Source, ts(time.Now()))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store agreement %s: %w", src.AgreementID, err)
	}
	return added, nil
}

// AgreementSources implements store.Store.
func (s *Store) AgreementSources(ctx context.Context) ([]store.AgreementSource, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT agreement_id, file, source, loaded_at FROM agreement_sources
		WHERE id IN (SELECT max(id) FROM agreement_sources GROUP BY agreement_id) ORDER BY agreement_id`)
	if err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	defer rows.Close()
	var out []store.AgreementSource
	for rows.Next() {
		var a store.AgreementSource
		var loaded string
		if err := rows.Scan(&a.AgreementID, &a.File, &a.Source, &loaded); err != nil {
			return nil, err
		}
		a.LoadedAt, _ = parseTS(loaded)
		out = append(out, a)
	}
	return out, rows.Err()
}

// AgreementVersions implements store.Store.
func (s *Store) AgreementVersions(ctx context.Context, agreementID string) ([]store.VersionRecord, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT agreement_id, version, label, effective_from, effective_to, digest, canonical, stored_at
		FROM agreement_versions WHERE agreement_id = ? ORDER BY version`, agreementID)
	if err != nil {
		return nil, fmt.Errorf("agreement %s versions: %w", agreementID, err)
	}
	defer rows.Close()
	var out []store.VersionRecord
	for rows.Next() {
		var v store.VersionRecord
		var from, to, stored string
		if err := rows.Scan(&v.AgreementID, &v.Version, &v.Label, &from, &to, &v.Digest, &v.Canonical, &stored); err != nil {
			return nil, err
		}
		v.EffectiveFrom, _ = parseTS(from)
		v.EffectiveTo, _ = parseTS(to)
		v.StoredAt, _ = parseTS(stored)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("agreement %s: %w", agreementID, store.ErrNotFound)
	}
	return out, nil
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// reportDoc is the stored JSON of a report: everything but the original
// and its format, which have their own columns.
func reportDoc(r incident.Report) (string, error) {
	r.Original, r.OriginalFormat = "", ""
	r.ID, r.IncidentID = 0, 0
	b, err := json.Marshal(r)
	return string(b), err
}

func incidentDoc(in incident.Incident) (string, error) {
	in.ID = 0
	in.ReportIDs = nil
	b, err := json.Marshal(in)
	return string(b), err
}

// importer is one import transaction.
type importer struct {
	w       *txw
	rule    store.RuleFunc
	formats map[string]int64
	now     string
}

// formatID returns the id of an original format, storing it if new.
func (im *importer) formatID(ctx context.Context, format string) (int64, error) {
	if format == "" {
		return 0, nil
	}
	if id, ok := im.formats[format]; ok {
		return id, nil
	}
	var id int64
	err := im.w.scan(ctx, `SELECT id FROM original_formats WHERE format = ?`, []any{format}, &id)
	if errors.Is(err, sql.ErrNoRows) {
		var res sql.Result
		if res, err = im.w.exec(ctx, `INSERT INTO original_formats (format) VALUES (?)`, format); err == nil {
			id, err = res.LastInsertId()
		}
	}
	if err != nil {
		return 0, fmt.Errorf("original format: %w", err)
	}
	im.formats[format] = id
	return id, nil
}

// ImportReports implements store.Store.
func (s *Store) ImportReports(ctx context.Context, reports []incident.Report, rule store.RuleFunc) ([]store.Imported, error) {
	out := make([]store.Imported, len(reports))
	err := s.tx(ctx, func(w *txw) error {
		im := &importer{w: w, rule: rule, formats: map[string]int64{}, now: ts(time.Now())}
		for i := range reports {
			r := &reports[i]
			res, err := im.importOne(ctx, r)
			if err != nil {
				return fmt.Errorf("report %s/%s: %w", r.Source, r.SourceID, err)
			}
			out[i] = res
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import reports: %w", err)
	}
	return out, nil
}

func (im *importer) importOne(ctx context.Context, r *incident.Report) (store.Imported, error) {
	doc, err := reportDoc(*r)
	if err != nil {
		return store.Imported{}, err
	}
	formatID, err := im.formatID(ctx, r.OriginalFormat)
	if err != nil {
		return store.Imported{}, err
	}
	dg := digest(r.Original + "\x00" + r.OriginalFormat + "\x00" + doc)
	var (
		id, incidentID, oldFormat int64
		oldDigest                 string
		oldOriginal               string
		oldDoc                    string
		revision                  int
	)
	err = im.w.scan(ctx, `SELECT id, incident_id, original_digest, original, doc, revision, format_id FROM reports WHERE source = ? AND source_id = ?`,
		[]any{r.Source, r.SourceID}, &id, &incidentID, &oldDigest, &oldOriginal, &oldDoc, &revision, &oldFormat)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		in := incident.FromReport(*r)
		if incidentID, err = im.putIncident(ctx, 0, in); err != nil {
			return store.Imported{}, err
		}
		res, err := im.w.exec(ctx, `INSERT INTO reports (source, source_id, incident_id, original, original_digest, doc, imported_at, format_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Source, r.SourceID, incidentID, r.Original, dg, doc, im.now, formatID)
		if err != nil {
			return store.Imported{}, err
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return store.Imported{}, err
		}
		r.IncidentID = incidentID
		return store.Imported{ReportID: r.ID, IncidentID: incidentID, Outcome: store.Created}, nil
	case err != nil:
		return store.Imported{}, err
	}
	r.ID, r.IncidentID = id, incidentID
	if oldDigest == dg {
		return store.Imported{ReportID: id, IncidentID: incidentID, Outcome: store.Unchanged}, nil
	}
	if _, err := im.w.exec(ctx, `INSERT INTO report_revisions (report_id, revision, original, doc, replaced_at, format_id) VALUES (?, ?, ?, ?, ?, ?)`,
		id, revision, oldOriginal, oldDoc, im.now, oldFormat); err != nil {
		return store.Imported{}, err
	}
	if _, err := im.w.exec(ctx, `UPDATE reports SET original = ?, original_digest = ?, doc = ?, revision = ?, imported_at = ?, format_id = ? WHERE id = ?`,
		r.Original, dg, doc, revision+1, im.now, formatID, id); err != nil {
		return store.Imported{}, err
	}
	// An incident made from this one report takes the new facts; one that
	// merged several reports keeps its own (a reviewer's business).
	var n int
	if err := im.w.scan(ctx, `SELECT count(*) FROM reports WHERE incident_id = ?`, []any{incidentID}, &n); err != nil {
		return store.Imported{}, err
	}
	if n == 1 {
		var state string
		if err := im.w.scan(ctx, `SELECT state FROM incidents WHERE id = ?`, []any{incidentID}, &state); err != nil {
			return store.Imported{}, err
		}
		in := incident.FromReport(*r)
		in.State = incident.State(state)
		if _, err := im.putIncident(ctx, incidentID, in); err != nil {
			return store.Imported{}, err
		}
	}
	return store.Imported{ReportID: id, IncidentID: incidentID, Outcome: store.Updated}, nil
}

// putIncident stores an incident (new when id is 0) and its rulings.
func (im *importer) putIncident(ctx context.Context, id int64, in incident.Incident) (int64, error) {
	idoc, err := incidentDoc(in)
	if err != nil {
		return 0, err
	}
	if id == 0 {
		res, err := im.w.exec(ctx, `INSERT INTO incidents (occurred_start, occurred_end, admin1, admin2, admin3, area, act, state, doc, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ts(in.Occurred.Start), ts(in.Occurred.End), in.Place.Admin1, in.Place.Admin2, in.Place.Admin3, in.Place.Area,
			string(in.Act), string(in.State), idoc, im.now)
		if err != nil {
			return 0, err
		}
		if id, err = res.LastInsertId(); err != nil {
			return 0, err
		}
	} else if _, err := im.w.exec(ctx, `UPDATE incidents SET occurred_start = ?, occurred_end = ?, admin1 = ?, admin2 = ?, admin3 = ?, area = ?, act = ?, doc = ?, updated_at = ? WHERE id = ?`,
		ts(in.Occurred.Start), ts(in.Occurred.End), in.Place.Admin1, in.Place.Admin2, in.Place.Admin3, in.Place.Area, string(in.Act), idoc, im.now, id); err != nil {
		return 0, err
	}
	if im.rule == nil {
		return id, nil
	}
	in.ID = id
	for _, r := range im.rule(in) {
		if err := saveRuling(ctx, im.w, id, r, im.now); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// SaveRulings implements store.Store.
func (s *Store) SaveRulings(ctx context.Context, rulings []store.IncidentRuling) error {
	err := s.tx(ctx, func(w *txw) error {
		now := ts(time.Now())
		for _, ir := range rulings {
			if err := saveRuling(ctx, w, ir.IncidentID, ir.Ruling, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save rulings: %w", err)
	}
	return nil
}

func saveRuling(ctx context.Context, w *txw, incidentID int64, r ruling.Ruling, now string) error {
	doc, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if _, err := w.exec(ctx, `INSERT INTO rulings (incident_id, agreement_id, version, verdict, outcome, doc, ruled_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (incident_id, agreement_id) DO UPDATE SET version = excluded.version, verdict = excluded.verdict, outcome = excluded.outcome, doc = excluded.doc, ruled_at = excluded.ruled_at`,
		incidentID, r.Agreement, r.Version, string(r.Verdict), r.Outcome(), string(doc), now); err != nil {
		return fmt.Errorf("incident %d: %w", incidentID, err)
	}
	if _, err := w.exec(ctx, `DELETE FROM ruling_parties WHERE incident_id = ? AND agreement_id = ?`, incidentID, r.Agreement); err != nil {
		return err
	}
	for _, p := range r.Parties {
		if _, err := w.exec(ctx, `INSERT INTO ruling_parties (incident_id, agreement_id, party) VALUES (?, ?, ?)`, incidentID, r.Agreement, p); err != nil {
			return err
		}
	}
	return nil
}

// where builds the WHERE clause shared by listing and counting.
func where(f store.Filter) (string, []any) {
	var conds []string
	var args []any
	if !f.From.IsZero() {
		conds = append(conds, "i.occurred_end > ?")
		args = append(args, ts(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "i.occurred_start < ?")
		args = append(args, ts(f.To))
	}
	if f.Admin != "" {
		conds = append(conds, "(i.admin3 LIKE ? OR (i.admin3 = '' AND i.area LIKE ?))")
		args = append(args, f.Admin+"%", f.Admin+"%")
	}
	if f.Verdict != "" {
		conds = append(conds, "r.verdict = ?")
		args = append(args, string(f.Verdict))
	}
	if f.Party != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM ruling_parties p WHERE p.incident_id = i.id AND p.agreement_id = ? AND p.party = ?)")
		args = append(args, f.Agreement, f.Party)
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Incidents implements store.Store.
func (s *Store) Incidents(ctx context.Context, f store.Filter) ([]store.IncidentSummary, int, error) {
	if (f.Party != "" || f.Verdict != "") && f.Agreement == "" {
		return nil, 0, fmt.Errorf("list incidents: filtering by party or verdict needs an agreement")
	}
	join := " FROM incidents i LEFT JOIN rulings r ON r.incident_id = i.id AND r.agreement_id = ?"
	w, args := where(f)
	args = append([]any{f.Agreement}, args...)
	var total int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*)"+join+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count incidents: %w", err)
	}
	q := "SELECT i.id, i.doc, r.doc, (SELECT group_concat(id) FROM reports WHERE incident_id = i.id)" + join + w + " ORDER BY i.occurred_start, i.id"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, f.Offset)
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list incidents: %w", err)
	}
	defer rows.Close()
	var out []store.IncidentSummary
	for rows.Next() {
		var (
			id   int64
			idoc string
			rdoc sql.NullString
			rids sql.NullString
		)
		if err := rows.Scan(&id, &idoc, &rdoc, &rids); err != nil {
			return nil, 0, err
		}
		var sum store.IncidentSummary
		if err := json.Unmarshal([]byte(idoc), &sum.Incident); err != nil {
			return nil, 0, fmt.Errorf("incident %d: %w", id, err)
		}
		sum.ID = id
		for _, s := range strings.Split(rids.String, ",") {
			if rid, err := strconv.ParseInt(s, 10, 64); err == nil {
				sum.ReportIDs = append(sum.ReportIDs, rid)
			}
		}
		if rdoc.Valid {
			var r ruling.Ruling
			if err := json.Unmarshal([]byte(rdoc.String), &r); err != nil {
				return nil, 0, fmt.Errorf("incident %d ruling: %w", id, err)
			}
			sum.Ruling = &r
		}
		out = append(out, sum)
	}
	return out, total, rows.Err()
}

// Incident implements store.Store.
func (s *Store) Incident(ctx context.Context, id int64) (store.IncidentDetail, error) {
	var d store.IncidentDetail
	var idoc string
	err := s.read.QueryRowContext(ctx, `SELECT doc FROM incidents WHERE id = ?`, id).Scan(&idoc)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("incident %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("incident %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(idoc), &d.Incident); err != nil {
		return d, fmt.Errorf("incident %d: %w", id, err)
	}
	d.ID = id
	err = s.eachReport(ctx, `WHERE r.incident_id = ?`, []any{id}, func(r incident.Report) error {
		d.Reports = append(d.Reports, r)
		d.ReportIDs = append(d.ReportIDs, r.ID)
		return nil
	})
	if err != nil {
		return d, fmt.Errorf("incident %d reports: %w", id, err)
	}
	rrows, err := s.read.QueryContext(ctx, `SELECT doc FROM rulings WHERE incident_id = ? ORDER BY agreement_id`, id)
	if err != nil {
		return d, fmt.Errorf("incident %d rulings: %w", id, err)
	}
	defer rrows.Close()
	for rrows.Next() {
		var doc string
		if err := rrows.Scan(&doc); err != nil {
			return d, err
		}
		var r ruling.Ruling
		if err := json.Unmarshal([]byte(doc), &r); err != nil {
			return d, err
		}
		d.Rulings = append(d.Rulings, r)
	}
	return d, rrows.Err()
}

// EachIncident implements store.Store.
func (s *Store) EachIncident(ctx context.Context, from, to time.Time, fn func(incident.Incident) error) error {
	w, args := where(store.Filter{From: from, To: to})
	rows, err := s.read.QueryContext(ctx, "SELECT i.id, i.doc, (SELECT group_concat(r.id) FROM reports r WHERE r.incident_id = i.id) FROM incidents i"+w+" ORDER BY i.occurred_start, i.id", args...)
	if err != nil {
		return fmt.Errorf("scan incidents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var doc string
		var reports sql.NullString
		if err := rows.Scan(&id, &doc, &reports); err != nil {
			return err
		}
		var in incident.Incident
		if err := json.Unmarshal([]byte(doc), &in); err != nil {
			return fmt.Errorf("incident %d: %w", id, err)
		}
		in.ID = id
		for _, r := range strings.Split(reports.String, ",") {
			if rid, err := strconv.ParseInt(r, 10, 64); err == nil {
				in.ReportIDs = append(in.ReportIDs, rid)
			}
		}
		if err := fn(in); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachReport implements store.Store.
func (s *Store) EachReport(ctx context.Context, fn func(incident.Report) error) error {
	if err := s.eachReport(ctx, "", nil, fn); err != nil {
		return fmt.Errorf("scan reports: %w", err)
	}
	return nil
}

func (s *Store) eachReport(ctx context.Context, where string, args []any, fn func(incident.Report) error) error {
	rows, err := s.read.QueryContext(ctx, `SELECT r.id, r.incident_id, r.doc, r.original, coalesce(f.format, '')
		FROM reports r LEFT JOIN original_formats f ON f.id = r.format_id `+where+` ORDER BY r.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r incident.Report
		var id, incidentID int64
		var doc, original, format string
		if err := rows.Scan(&id, &incidentID, &doc, &original, &format); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(doc), &r); err != nil {
			return fmt.Errorf("report %d: %w", id, err)
		}
		r.ID, r.IncidentID, r.Original = id, incidentID, original
		// Reports stored before formats had their own table keep the
		// format in their doc.
		if format != "" {
			r.OriginalFormat = format
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
