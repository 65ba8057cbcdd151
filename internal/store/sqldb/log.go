package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
)

// appendLog adds e to the entries the record's own transaction appends to
// the log when it commits (flushLog), so that a record and its log entry
// are committed together or not at all.
func appendLog(ctx context.Context, w *txw, e ledger.Entry) error {
	if !w.s.noLog {
		w.pending = append(w.pending, e)
	}
	return nil
}

// flushLog appends the transaction's pending entries, last before commit.
// It locks the one log_state row (an update, which serialises concurrent
// appenders on both engines) and writes the new size back: the lock is
// held only for the log's own writes and the commit, not while the
// transaction stores its records, so that concurrent writers on
// PostgreSQL overlap everything but this.
func flushLog(ctx context.Context, w *txw) error {
	if len(w.pending) == 0 {
		return nil
	}
	if w.conn != nil {
		if n, hs, ok := w.s.frontier.take(len(w.pending)); ok {
			return appendAhead(ctx, w, n, hs)
		}
	}
	// The hashes the appends read are those of the log's size, which the
	// lock tells: they are read with it for the size this store last
	// left, and again if another writer has appended since.
	guess := w.s.logSize.Load()
	var n int64
	if err := w.later(ctx, `UPDATE log_state SET size = size WHERE id = 1 RETURNING size`, func(rows Rows) error {
		if !rows.Next() {
			return errors.New("no log state")
		}
		if err := rows.Scan(&n); err != nil {
			return err
		}
		return rows.Err()
	}); err != nil {
		return fmt.Errorf("log: %w", err)
	}
	if w.conn == nil {
		guess = n // not pipelined: the lock has answered
	}
	if err := readHashes(ctx, w, neededHashes(guess, len(w.pending))); err != nil {
		return err
	}
	if err := w.send(ctx); err != nil {
		return fmt.Errorf("log: %w", err)
	}
	if n != guess {
		if err := readHashes(ctx, w, neededHashes(n, len(w.pending))); err != nil {
			return err
		}
		if err := w.send(ctx); err != nil {
			return fmt.Errorf("log: %w", err)
		}
	}
	return writeLog(ctx, w, n, `UPDATE log_state SET size = ? WHERE id = 1`, func(size int64) []any { return []any{size} })
}

// appendAhead appends the pending entries to a log of size n whose
// stored hashes hs the appends need (frontier), without a round trip:
// the entries, their hashes and the lock go with the commit, and
// log_advance (migration 0023) fails the transaction, to be run again,
// if the log is no longer of size n.
func appendAhead(ctx context.Context, w *txw, n int64, hs map[int64]tlog.Hash) error {
	maps.Copy(w.hashes, hs)
	return writeLog(ctx, w, n, `SELECT log_advance(?, ?)`, func(size int64) []any { return []any{n, size} })
}

// writeLog writes the pending entries as appended to a log of size n,
// their hashes, and the new size by lock, which takes args(size).
func writeLog(ctx context.Context, w *txw, n int64, lock string, args func(size int64) []any) error {
	size := n + int64(len(w.pending))
	now := ts(time.Now())
	var entries, hashes []any
	for _, e := range w.pending {
		data := e.Data()
		hs, err := tlog.StoredHashes(n, data, txHashes{ctx, w})
		if err != nil {
			return fmt.Errorf("log entry %d: %w", n, err)
		}
		entries = append(entries, n, e.Kind, e.Key, data, now)
		first := tlog.StoredHashCount(n)
		for i, h := range hs {
			hashes = append(hashes, first+int64(i), h[:])
			w.hashes[first+int64(i)] = h
		}
		n++
	}
	err := w.withPlans(ctx, "auto", func() error {
		if err := w.later(ctx, lock, nil, args(size)...); err != nil {
			return fmt.Errorf("log: %w", err)
		}
		if err := w.insertMany(ctx, `INSERT INTO log_entries (idx, kind, record_key, data, logged_at)`, "bttyt", entries, ""); err != nil {
			return fmt.Errorf("log entries: %w", err)
		}
		if err := w.insertMany(ctx, `INSERT INTO log_hashes (idx, hash)`, "by", hashes, ""); err != nil {
			return fmt.Errorf("log hashes: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.pending = w.pending[:0]
	w.logSize = size
	return nil
}

// frontier keeps, for a store that pipelines, the stored hashes the next
// append needs and the log's size they are of, as its last committed
// append left them: the roots of the complete subtrees the log of that
// size is made of (tlog), those it knows. An append that finds them
// here sends its entries, hashes and lock with the commit (appendAhead);
// one that does not reads them first.
type frontier struct {
	mu     sync.Mutex
	size   int64
	hashes map[int64]tlog.Hash // nil: none
}

// take returns the size and hashes kept, if they hold every hash that
// appending count entries reads, and forgets them: a transaction that
// fails leaves none, and the next one reads what it needs.
func (f *frontier) take(count int) (int64, map[int64]tlog.Hash, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, hs := f.size, f.hashes
	f.hashes = nil
	if hs == nil {
		return 0, nil, false
	}
	for _, x := range neededHashes(n, count) {
		if _, ok := hs[x]; !ok {
			return 0, nil, false
		}
	}
	return n, hs, true
}

// keep keeps, of hashes, the roots of the complete subtrees a log of size
// n is made of: the only stored hashes an append to it reads that it
// does not write itself.
func (f *frontier) keep(n int64, hashes map[int64]tlog.Hash) {
	roots := map[int64]tlog.Hash{}
	for level := 0; n>>level > 0; level++ {
		if (n>>level)&1 == 1 {
			x := tlog.StoredHashIndex(level, n>>level-1)
			if h, ok := hashes[x]; ok {
				roots[x] = h
			}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.size, f.hashes = n, roots
}

// neededHashes are the stored hashes that appending count entries to a
// log of size n reads (tlog.StoredHashes), besides those the appends
// write: which they are depends on n alone, not on the entries.
func neededHashes(n int64, count int) []int64 {
	r := hashNeeds{written: map[int64]bool{}, seen: map[int64]bool{}}
	for i := range int64(count) {
		hs, err := tlog.StoredHashes(n+i, nil, &r)
		if err != nil {
			return r.need // cannot happen: r never fails
		}
		first := tlog.StoredHashCount(n + i)
		for j := range hs {
			r.written[first+int64(j)] = true
		}
	}
	return r.need
}

// hashNeeds is a tlog.HashReader that records what is read.
type hashNeeds struct {
	written, seen map[int64]bool
	need          []int64
}

func (r *hashNeeds) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	for _, x := range indexes {
		if !r.written[x] && !r.seen[x] {
			r.seen[x] = true
			r.need = append(r.need, x)
		}
	}
	return make([]tlog.Hash, len(indexes)), nil
}

// readHashes queues the read of stored hashes xs into the transaction's
// cache (txw.hashes), those not there yet; a hash missing here is read
// when needed (txHashes), so that a wrong guess of xs is only slower.
func readHashes(ctx context.Context, w *txw, xs []int64) error {
	var want []any
	for _, x := range xs {
		if _, ok := w.hashes[x]; !ok {
			want = append(want, x)
		}
	}
	if len(want) == 0 {
		return nil
	}
	err := w.later(ctx, `SELECT idx, hash FROM log_hashes WHERE idx IN `+values(1, len(want)), func(rows Rows) error {
		for rows.Next() {
			var x int64
			var b []byte
			if err := rows.Scan(&x, &b); err != nil {
				return err
			}
			var h tlog.Hash
			copy(h[:], b)
			w.hashes[x] = h
		}
		return rows.Err()
	}, want...)
	if err != nil {
		return fmt.Errorf("stored hashes: %w", err)
	}
	return nil
}

// logAgreementSource logs an agreement file as stored: the engine rules
// from it, so verification must cover it.
func logAgreementSource(ctx context.Context, w *txw, agreementID string, id int64, source []byte) error {
	sum := sha256.Sum256(source)
	return appendLog(ctx, w, ledger.Entry{Kind: ledger.AgreementSource, Key: fmt.Sprintf("%s/%d", agreementID, id), Rev: 1, Digest: hex.EncodeToString(sum[:])})
}

// logReferenceFile logs a reference file as stored (an actor registry
// file, a control layer): the engine rules with it, so verification must
// cover it.
func logReferenceFile(ctx context.Context, w *txw, kind, name string, id int64, source []byte) error {
	sum := sha256.Sum256(source)
	return appendLog(ctx, w, ledger.Entry{Kind: ledger.ReferenceFile, Key: ledger.ReferenceFileKey(kind, name, id), Rev: 1, Digest: hex.EncodeToString(sum[:])})
}

// placement is where a report was first placed, and why (see
// ledger.RawReport).
type placement struct {
	in  int64
	why string
}

// txHashes reads stored hashes inside a transaction.
type txHashes struct {
	ctx context.Context
	w   *txw
}

func (r txHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if h, ok := r.w.hashes[x]; ok {
			out[i] = h
			continue
		}
		var b []byte
		if err := r.w.scan(r.ctx, `SELECT hash FROM log_hashes WHERE idx = ?`, []any{x}, &b); err != nil {
			return nil, fmt.Errorf("stored hash %d: %w", x, err)
		}
		copy(out[i][:], b)
		r.w.hashes[x] = out[i]
	}
	return out, nil
}

// LogSize returns the number of entries in the log.
func (s *Store) LogSize(ctx context.Context) (int64, error) {
	var n int64
	if err := s.queryRow(ctx, `SELECT size FROM log_state WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("log size: %w", err)
	}
	return n, nil
}

// ReadHashes implements tlog.HashReader over the stored tree.
func (s *Store) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	ctx := context.Background()
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		var b []byte
		if err := s.queryRow(ctx, `SELECT hash FROM log_hashes WHERE idx = ?`, x).Scan(&b); err != nil {
			return nil, fmt.Errorf("stored hash %d: %w", x, err)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// EachLogEntry calls fn with the raw data of every entry from start on,
// in order. data is the driver's buffer, valid only until fn returns (a
// verifier reads every entry once and keeps none).
func (s *Store) EachLogEntry(ctx context.Context, start int64, fn func(index int64, data []byte) error) error {
	return s.eachEntry(ctx, fn, "log entries", `SELECT idx, data FROM log_entries WHERE idx >= ? ORDER BY idx`, start)
}

// EachLogEntryByRecord calls fn with the raw data of every entry, in the
// order of the record each names (kind, then key, bytewise), then of
// index: a record's revisions come together, oldest first. The order is
// that of the kind and key columns, which only index the entries: a
// verifier checks it against what each entry says. data is the driver's
// buffer, valid only until fn returns.
func (s *Store) EachLogEntryByRecord(ctx context.Context, fn func(index int64, data []byte) error) error {
	// Bytewise, as a verifier compares them: SQLite's default (BINARY),
	// PostgreSQL's "C" (its default collation may be a locale's).
	order := `kind, record_key, idx`
	if s.d.Name == "postgres" {
		order = `kind COLLATE "C", record_key COLLATE "C", idx`
	}
	return s.eachEntry(ctx, fn, "log entries by record", `SELECT idx, data FROM log_entries ORDER BY `+order)
}

// eachEntry calls fn with each (index, data) row of query (what names it
// in an error); data is the driver's buffer, valid only until fn returns.
func (s *Store) eachEntry(ctx context.Context, fn func(int64, []byte) error, what, query string, args ...any) error {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var i int64
	var data sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&i, &data); err != nil {
			return err
		}
		if err := fn(i, data); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachStoredHash calls fn with every stored hash, in index order.
func (s *Store) EachStoredHash(ctx context.Context, fn func(index int64, h tlog.Hash) error) error {
	if s.d.Name != "sqlite" {
		return eachStoredHashRow(ctx, s.r, s.rebind, math.MinInt64, math.MaxInt64, fn)
	}
	// SQLite gives them hashChunk to a row, concatenated in SQL, in one
	// read transaction: a verification reads them all, and the pure-Go
	// driver's cost is per row and column, far more than SQLite's own.
	// A chunk that is not whole (a gap in the indexes, a hash that is not
	// 32 bytes) is read row by row.
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("log hashes: %w", err)
	}
	defer tx.Rollback()
	var first sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT min(idx) FROM log_hashes`).Scan(&first); err != nil || !first.Valid {
		return err
	}
	for at := first.Int64; ; {
		if at > math.MaxInt64-hashChunk {
			return eachStoredHashRow(ctx, tx, s.rebind, at, math.MaxInt64, fn)
		}
		whole, err := hashChunkAt(ctx, tx, at, fn)
		if err != nil {
			return err
		}
		if whole {
			at += hashChunk
			continue
		}
		if err := eachStoredHashRow(ctx, tx, s.rebind, at, at+hashChunk-1, fn); err != nil {
			return err
		}
		var next sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT min(idx) FROM log_hashes WHERE idx >= ?`, at+hashChunk).Scan(&next); err != nil || !next.Valid {
			return err
		}
		at = next.Int64
	}
}

// hashChunk is how many stored hashes SQLite concatenates in a row.
const hashChunk = 4096

// hashChunkAt gives fn the stored hashes at indexes at to
// at+hashChunk-1 when all are there and 32 bytes long (whole); else it
// gives none. The inner ORDER BY makes the concatenation in index order
// (SQLite does not flatten an ordered subquery into an aggregate).
func hashChunkAt(ctx context.Context, tx *sql.Tx, at int64, fn func(index int64, h tlog.Hash) error) (whole bool, err error) {
	// A hash that is not 32 bytes is left out of the concatenation, which
	// is then too short (one test a row; min and max of the lengths cost
	// twice as much).
	rows, err := tx.QueryContext(ctx, `SELECT count(*), CAST(coalesce(group_concat(CASE WHEN length(hash) = 32 THEN hash END, ''), '') AS BLOB)
		FROM (SELECT hash FROM log_hashes WHERE idx >= ? AND idx < ? ORDER BY idx)`, at, at+hashChunk)
	if err != nil {
		return false, fmt.Errorf("log hashes: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return false, fmt.Errorf("log hashes: %w", errors.Join(rows.Err(), sql.ErrNoRows))
	}
	var n int64
	var b sql.RawBytes
	if err := rows.Scan(&n, &b); err != nil {
		return false, fmt.Errorf("log hashes: %w", err)
	}
	if n != hashChunk || len(b) != 32*hashChunk {
		return false, nil
	}
	for k := range int64(hashChunk) {
		if err := fn(at+k, tlog.Hash(b[32*k:32*k+32])); err != nil {
			return false, err
		}
	}
	return true, rows.Err()
}

// eachStoredHashRow gives fn the stored hashes whose index is in [lo, hi],
// in index order, one row each.
func eachStoredHashRow(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, rebind func(string) string, lo, hi int64, fn func(index int64, h tlog.Hash) error) error {
	rows, err := q.QueryContext(ctx, rebind(`SELECT idx, hash FROM log_hashes WHERE idx BETWEEN ? AND ? ORDER BY idx`), lo, hi)
	if err != nil {
		return fmt.Errorf("log hashes: %w", err)
	}
	defer rows.Close()
	var i int64
	var b sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&i, &b); err != nil {
			return fmt.Errorf("log hashes: %w", err)
		}
		var h tlog.Hash
		copy(h[:], b)
		if err := fn(i, h); err != nil {
			return err
		}
	}
	return rows.Err()
}

// PutCheckpoint stores a signed checkpoint of the given size.
func (s *Store) PutCheckpoint(ctx context.Context, size int64, signed []byte) error {
	return s.tx(ctx, func(w *txw) error {
		_, err := w.exec(ctx, `INSERT INTO log_checkpoints (size, note, signed_at) VALUES (?, ?, ?) ON CONFLICT (size) DO NOTHING`, size, string(signed), ts(time.Now()))
		return err
	})
}

// Checkpoints returns every stored signed checkpoint, smallest first. The
// order is the size each note states (the size column only keys them),
// so that the latest checkpoint is the one signed over the largest tree.
func (s *Store) Checkpoints(ctx context.Context) ([][]byte, error) {
	rows, err := s.query(ctx, `SELECT size, note FROM log_checkpoints ORDER BY size`)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	defer rows.Close()
	type cp struct {
		size int64
		note []byte
	}
	var cps []cp
	for rows.Next() {
		var c cp
		if err := rows.Scan(&c.size, &c.note); err != nil {
			return nil, err
		}
		text, _, _ := strings.Cut(string(c.note), "\n\n")
		if signed, err := ledger.ParseCheckpoint(text + "\n"); err == nil {
			c.size = signed.Size
		}
		cps = append(cps, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(cps, func(i, j int) bool { return cps[i].size < cps[j].size })
	out := make([][]byte, len(cps))
	for i, c := range cps {
		out[i] = c.note
	}
	return out, nil
}

// blobKind is a kind of record whose digest is that of one stored column,
// and the query giving each record's key and that column.
type blobKind struct{ kind, query string }

// blobDigests gives fn the digest of every record of these kinds, each
// its first revision (they are never revised), recomputed from what is
// stored.
func blobDigests(ctx context.Context, s *Store, fn func(kind, key string, rev int, digest [32]byte) error, kinds []blobKind) error {
	for _, q := range kinds {
		rows, err := s.query(ctx, q.query)
		if err != nil {
			return err
		}
		var key string
		var data sql.RawBytes
		for rows.Next() {
			if err = rows.Scan(&key, &data); err != nil {
				break
			}
			if err = fn(q.kind, key, 1, sha256.Sum256(data)); err != nil {
				break
			}
		}
		rows.Close()
		if err := errors.Join(err, rows.Err()); err != nil {
			return err
		}
	}
	return nil
}

// RecordDigests calls fn with the key, revision and digest of every
// stored record revision, current and replaced, so that a verifier can
// check each against the log.
func (s *Store) RecordDigests(ctx context.Context, fn func(kind, key string, rev int, digest [32]byte) error) error {
	return s.RecordDigestsPart(ctx, 0, 1, fn)
}

// RecordDigestsPart is RecordDigests for part of parts (from 0) of the
// records: the reports are split by id into ranges of about equal size,
// and the last part has the other records too. The parts can be read at
// once, on as many connections.
func (s *Store) RecordDigestsPart(ctx context.Context, part, parts int, fn func(kind, key string, rev int, digest [32]byte) error) error {
	// Digests are recomputed from what is stored, never read from a
	// digest column, so that an edit to the record itself is caught.
	if part == parts-1 {
		if err := blobDigests(ctx, s, fn, []blobKind{
			{ledger.AgreementVersion, `SELECT agreement_id || '/' || CAST(version AS TEXT), canonical FROM agreement_versions`},
			{ledger.AgreementSource, `SELECT agreement_id || '/' || CAST(id AS TEXT), source FROM agreement_sources`},
			{ledger.ReferenceFile, `SELECT kind || '/' || name || '/' || CAST(id AS TEXT), source FROM reference_files`},
		}); err != nil {
			return err
		}
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if parts > 1 {
		var first, last int64
		if err := s.queryRow(ctx, `SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM reports`).Scan(&first, &last); err != nil {
			return err
		}
		span := (last - first + int64(parts)) / int64(parts)
		if part > 0 {
			lo = first + int64(part)*span
		}
		if part < parts-1 {
			hi = first + int64(part+1)*span - 1
		}
	}
	if err := s.reportDigests(ctx, lo, hi, fn); err != nil {
		return err
	}
	if part != parts-1 {
		return nil
	}
	if err := humanitarianDigests(ctx, s, fn); err != nil {
		return err
	}
	// Workflow events, chain-of-custody steps and evidence files.
	return blobDigests(ctx, s, fn, []blobKind{
		{ledger.IncidentEvent, `SELECT CAST(incident_id AS TEXT) || '/' || CAST(seq AS TEXT), doc FROM incident_events`},
		{ledger.Custody, `SELECT sha256 || '/' || CAST(seq AS TEXT), doc FROM evidence_custody`},
		{ledger.Evidence, `SELECT sha256, data FROM evidence`},
	})
}

// reportDigests calls fn with the digest of every revision of the reports
// with ids in [lo, hi]. Where the driver has Dialect.ReportSum the engine
// hashes each revision, and a verification reads 32 bytes a report: the
// pure-Go driver's cost is per column (a lock, a copy, a conversion each),
// far more than SQLite's own. The formats (a handful) are read first and
// named in the query, one read transaction with it, instead of joined to
// every row. TestReportDigestsAsStored checks this agrees with the
// columns read one by one.
func (s *Store) reportDigests(ctx context.Context, lo, hi int64, fn func(kind, key string, rev int, digest [32]byte) error) error {
	if s.d.ReportSum == "" {
		return s.reportDigestsByColumn(ctx, lo, hi, fn)
	}
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("report digests: %w", err)
	}
	defer tx.Rollback()
	format, join, fargs, err := formatExpr(ctx, tx)
	if err != nil {
		return fmt.Errorf("report digests: %w", err)
	}
	hashed := s.d.ReportSum + `(%[1]s.original, ` + format + `, %[1]s.doc, r.placed_in, r.placed_why)`
	joined := func(t string) string {
		if join == "" {
			return ""
		}
		return fmt.Sprintf(join, t)
	}
	q := `SELECT r.log_key, r.revision, ` + fmt.Sprintf(hashed, "r") + ` FROM reports r ` + joined("r") + ` WHERE r.id BETWEEN ? AND ?
		UNION ALL
		SELECT r.log_key, v.revision, ` + fmt.Sprintf(hashed, "v") + ` FROM report_revisions v
		JOIN reports r ON r.id = v.report_id ` + joined("v") + ` WHERE v.report_id BETWEEN ? AND ?`
	args := append(append(append(append(fargs[:len(fargs):len(fargs)], lo, hi), fargs...), lo), hi)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("report digests: %w", err)
	}
	defer rows.Close()
	var key string
	var rev int
	var data sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&key, &rev, &data); err != nil {
			return fmt.Errorf("report digests: %w", err)
		}
		if len(data) != sha256.Size {
			return fmt.Errorf("report digests: %s revision %d: %s gave %d bytes", key, rev, s.d.ReportSum, len(data))
		}
		if err := fn(ledger.Report, key, rev, [32]byte(data)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// formatExpr is the SQL giving the format of the row named %[1]s (a
// report or a revision) as a left join of original_formats would (the
// empty string when none): a CASE over the stored formats, or the join
// itself (join, to put in FROM) when there are too many to name. args
// are the CASE's.
func formatExpr(ctx context.Context, tx *sql.Tx) (expr, join string, args []any, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, format FROM original_formats`)
	if err != nil {
		return "", "", nil, err
	}
	defer rows.Close()
	var b strings.Builder
	b.WriteString(`CASE %[1]s.format_id`)
	for rows.Next() {
		var id int64
		var format string
		if err := rows.Scan(&id, &format); err != nil {
			return "", "", nil, err
		}
		b.WriteString(` WHEN ? THEN ?`)
		args = append(args, id, format)
	}
	if err := rows.Err(); err != nil {
		return "", "", nil, err
	}
	switch {
	case len(args) == 0:
		return `''`, ``, nil, nil
	case len(args) > 2*256:
		return `coalesce(f.format, '')`, `LEFT JOIN original_formats f ON f.id = %[1]s.format_id`, nil, nil
	}
	b.WriteString(` ELSE '' END`)
	return b.String(), ``, args, nil
}

// reportDigestsByColumn is reportDigests reading each part of what is
// hashed as its own column (PostgreSQL: its text cannot hold the NUL
// bytes between them).
func (s *Store) reportDigestsByColumn(ctx context.Context, lo, hi int64, fn func(kind, key string, rev int, digest [32]byte) error) error {
	rows, err := s.query(ctx, `SELECT r.log_key, r.revision, r.original, coalesce(f.format, ''), r.doc, r.placed_in, r.placed_why FROM reports r
		LEFT JOIN original_formats f ON f.id = r.format_id WHERE r.id BETWEEN ? AND ?
		UNION ALL
		SELECT r.log_key, v.revision, v.original, coalesce(f.format, ''), v.doc, r.placed_in, r.placed_why FROM report_revisions v
		JOIN reports r ON r.id = v.report_id LEFT JOIN original_formats f ON f.id = v.format_id WHERE v.report_id BETWEEN ? AND ?`, lo, hi, lo, hi)
	if err != nil {
		return fmt.Errorf("report digests: %w", err)
	}
	defer rows.Close()
	// RawBytes: the driver's own buffers, hashed where they lie; a
	// verification reads every record once and keeps none.
	var key string
	var rev int
	var original, format, doc sql.RawBytes
	var pl placement
	for rows.Next() {
		if err := rows.Scan(&key, &rev, &original, &format, &doc, &pl.in, &pl.why); err != nil {
			return fmt.Errorf("report digests: %w", err)
		}
		// A document that will not unpack was altered: hashed as it is
		// stored, it differs from what was logged, and verify says so.
		if d, err := s.docs.unpack(doc); err == nil {
			doc = d
		}
		if err := fn(ledger.Report, key, rev, ledger.ReportSum(original, format, doc, pl.in, pl.why)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// IncidentReports returns the current revision of every report of an
// incident as stored.
func (s *Store) IncidentReports(ctx context.Context, incidentID int64) ([]ledger.RawReport, error) {
	rows, err := s.query(ctx, `SELECT r.log_key, r.revision, r.original, coalesce(f.format, ''), r.doc, r.placed_in, r.placed_why FROM reports r
		LEFT JOIN original_formats f ON f.id = r.format_id WHERE r.incident_id = ? ORDER BY r.id`, incidentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ledger.RawReport
	for rows.Next() {
		var r ledger.RawReport
		if err := rows.Scan(&r.Key, &r.Revision, &r.Original, &r.Format, s.docs.intoText(&r.Doc), &r.PlacedIn, &r.PlacedWhy); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// IncidentEventDocs returns an incident's history as stored.
func (s *Store) IncidentEventDocs(ctx context.Context, incidentID int64) ([]ledger.RawEvent, error) {
	rows, err := s.query(ctx, `SELECT seq, doc FROM incident_events WHERE incident_id = ? ORDER BY seq`, incidentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ledger.RawEvent
	for rows.Next() {
		var seq int64
		var e ledger.RawEvent
		if err := rows.Scan(&seq, &e.Doc); err != nil {
			return nil, err
		}
		e.Key = fmt.Sprintf("%d/%d", incidentID, seq)
		out = append(out, e)
	}
	return out, rows.Err()
}

// LogEntryFor finds the log entry of a record revision.
func (s *Store) LogEntryFor(ctx context.Context, kind, key string, rev int) (int64, []byte, error) {
	rows, err := s.query(ctx, `SELECT idx, data FROM log_entries WHERE kind = ? AND record_key = ? ORDER BY idx`, kind, key)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		var data []byte
		if err := rows.Scan(&i, &data); err != nil {
			return 0, nil, err
		}
		// The kind and key columns only index the entry: what it says is
		// its data.
		if e, err := ledger.ParseEntry(i, data); err == nil && e.Kind == kind && e.Key == key && e.Rev == rev {
			return i, data, nil
		}
	}
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	return 0, nil, fmt.Errorf("%s %s revision %d: not in the log", kind, key, rev)
}
