package sqldb

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// Rows that nothing in a transaction reads back before it commits are
// buffered and written many to a statement: a bulk import or a group
// commit runs a handful of statements per report instead of a dozen, which
// is most of the difference on SQLite (each statement costs more than the
// row it writes) and on PostgreSQL (each statement is a round trip). A
// read of a buffered table flushes it first (txw.query and txw.scan), so
// that the transaction always reads its own writes.

// batchRows is how many rows one buffered INSERT writes at most.
const batchRows = 64

// batch holds a transaction's buffered rows.
type batch struct {
	// reports are new reports; their ids are learnt when they are written,
	// and given to each one's done.
	reports []pendingReport
	// rulings are keyed by incident and agreement: the last ruling of an
	// incident in the transaction is the one stored.
	rulings  map[rulingKey]pendingRuling
	order    []rulingKey
	parties  []any // incident_id, agreement_id, party
	notified []any // party, incident_id, agreement_id, message, created_at
	seen     map[string]bool
	// cleared are the incidents whose stored ruling parties must go before
	// the buffered ones are written; incidents created in the transaction
	// (fresh) have none.
	cleared []rulingKey
	fresh   map[int64]bool
}

type pendingRuling struct {
	version                  int
	verdict, outcome, doc, t string
}

type pendingReport struct {
	args []any // the 14 columns of the INSERT below
	done func(id int64)
}

const reportCols = `source, source_id, incident_id, original, original_digest, doc, imported_at, format_id, joined, party, owner, log_key, placed_in, placed_why`

// bufferedTables names the tables that may hold buffered rows.
var bufferedTables = regexp.MustCompile(`\b(reports|rulings|ruling_parties|notifications)\b`)

// touchesBuffered reports whether a statement names a table that may hold
// buffered rows.
func (s *Store) touchesBuffered(query string) bool {
	if v, ok := s.buffered.Load(query); ok {
		return v.(bool)
	}
	t := bufferedTables.MatchString(query)
	s.buffered.Store(query, t)
	return t
}

// before flushes the buffered rows when query may read or change them.
func (w *txw) before(ctx context.Context, query string) error {
	if w.b == nil || !w.s.touchesBuffered(query) {
		return nil
	}
	return w.flush(ctx)
}

func (w *txw) batch() *batch {
	if w.b == nil {
		w.b = &batch{rulings: map[rulingKey]pendingRuling{}, seen: map[string]bool{}, fresh: map[int64]bool{}}
	}
	return w.b
}

// addReport buffers a new report; done receives its id once written.
func (w *txw) addReport(args []any, done func(int64)) {
	b := w.batch()
	b.reports = append(b.reports, pendingReport{args: args, done: done})
}

// setRuling buffers an incident's ruling with its parties and
// notifications, replacing what the transaction buffered for it before.
func (w *txw) setRuling(k rulingKey, r pendingRuling, parties []any, notified []any) {
	b := w.batch()
	if _, ok := b.rulings[k]; ok {
		// Rare (an incident ruled twice in one transaction): drop the
		// earlier parties and notifications of k.
		b.parties = dropRows(b.parties, 3, func(row []any) bool { return row[0] == k.incident && row[1] == k.agreement })
	} else {
		b.order = append(b.order, k)
		if !b.fresh[k.incident] {
			b.cleared = append(b.cleared, k)
		}
	}
	b.rulings[k] = r
	b.parties = append(b.parties, parties...)
	for i := 0; i < len(notified); i += 5 {
		key := fmt.Sprint(notified[i], "/", notified[i+1], "/", notified[i+2])
		if !b.seen[key] {
			b.seen[key] = true
			b.notified = append(b.notified, notified[i:i+5]...)
		}
	}
}

func dropRows(rows []any, cols int, drop func([]any) bool) []any {
	out := rows[:0]
	for i := 0; i < len(rows); i += cols {
		if !drop(rows[i : i+cols]) {
			out = append(out, rows[i:i+cols]...)
		}
	}
	return out
}

// flush writes the buffered rows.
func (w *txw) flush(ctx context.Context) error {
	b := w.b
	if b == nil {
		return nil
	}
	w.b = nil // the statements below read nothing buffered
	for len(b.reports) > 0 {
		n := min(len(b.reports), batchRows)
		if err := w.insertReports(ctx, b.reports[:n]); err != nil {
			return err
		}
		b.reports = b.reports[n:]
	}
	for len(b.cleared) > 0 {
		n := min(len(b.cleared), batchRows)
		var args []any
		for _, k := range b.cleared[:n] {
			args = append(args, k.incident, k.agreement)
		}
		q := `DELETE FROM ruling_parties WHERE ` + strings.TrimSuffix(strings.Repeat(`(incident_id = ? AND agreement_id = ?) OR `, n), ` OR `)
		if _, err := w.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("ruling parties: %w", err)
		}
		b.cleared = b.cleared[n:]
	}
	var rows []any
	for _, k := range b.order {
		r := b.rulings[k]
		rows = append(rows, k.incident, k.agreement, r.version, r.verdict, r.outcome, r.doc, r.t)
	}
	if err := insertRows(ctx, w, `INSERT INTO rulings (incident_id, agreement_id, version, verdict, outcome, doc, ruled_at) VALUES `, 7, rows,
		` ON CONFLICT (incident_id, agreement_id) DO UPDATE SET version = excluded.version, verdict = excluded.verdict, outcome = excluded.outcome, doc = excluded.doc, ruled_at = excluded.ruled_at`); err != nil {
		return fmt.Errorf("rulings: %w", err)
	}
	if err := insertRows(ctx, w, `INSERT INTO ruling_parties (incident_id, agreement_id, party) VALUES `, 3, b.parties, ""); err != nil {
		return fmt.Errorf("ruling parties: %w", err)
	}
	if err := insertRows(ctx, w, `INSERT INTO notifications (party, incident_id, agreement_id, message, created_at) VALUES `, 5, b.notified,
		` ON CONFLICT (party, incident_id, agreement_id) DO NOTHING`); err != nil {
		return fmt.Errorf("notifications: %w", err)
	}
	return nil
}

// insertReports writes new reports in one statement and hands each its id.
func (w *txw) insertReports(ctx context.Context, reps []pendingReport) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO reports (` + reportCols + `) VALUES `)
	args := make([]any, 0, len(reps)*14)
	for i, r := range reps {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, r.args...)
	}
	// Rows come back in no promised order: each is known by its key.
	q.WriteString(` RETURNING id, source, source_id`)
	rows, err := w.query(ctx, q.String(), args...)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	defer rows.Close()
	ids := make(map[[2]string]int64, len(reps))
	for rows.Next() {
		var id int64
		var src, sid string
		if err := rows.Scan(&id, &src, &sid); err != nil {
			return fmt.Errorf("reports: %w", err)
		}
		ids[[2]string{src, sid}] = id
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	for _, r := range reps {
		id, ok := ids[[2]string{r.args[0].(string), r.args[1].(string)}]
		if !ok {
			return fmt.Errorf("reports: %v/%v was not stored", r.args[0], r.args[1])
		}
		r.done(id)
	}
	return nil
}

// insertRows runs head with rows of cols values each, batchRows rows a
// statement, and tail after the values.
func insertRows(ctx context.Context, w *txw, head string, cols int, args []any, tail string) error {
	for len(args) > 0 {
		k := min(len(args)/cols, batchRows)
		if _, err := w.exec(ctx, head+values(k, cols)+tail, args[:k*cols]...); err != nil {
			return err
		}
		args = args[k*cols:]
	}
	return nil
}

// values is k rows of cols placeholders.
func values(k, cols int) string {
	var q strings.Builder
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	for i := range k {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	return q.String()
}
