package sqldb

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/truce-monitor/truce/internal/store"
)

// Rows that nothing in a transaction reads back before it commits are
// buffered and written many to a statement: a bulk import or a group
// commit runs a handful of statements per report instead of a dozen, which
// is most of the difference on SQLite (each statement costs more than the
// row it writes) and on PostgreSQL (each statement is a round trip). A
// read of a buffered table flushes it first (txw.query and txw.scan), so
// that the transaction always reads its own writes.

// batchRows is how many rows one buffered INSERT writes at most. On
// SQLite each statement that writes a trigram index (a report's, an
// incident's: migration 0024's triggers) opens a savepoint, at which FTS5
// writes what it holds as a segment and later merges them: at 64 rows a
// statement that was 30% of a bulk import's CPU, at 512 about 15%
// (docs/benchmarks.md, "Issue 17, fifteenth round").
const batchRows = 512

// batch holds a transaction's buffered rows.
type batch struct {
	// incidents are changed incidents' rows, the last one of each.
	incidents map[int64]pendingIncident
	incOrder  []int64
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

type pendingIncident struct {
	row store.IncidentRow
	doc any // row.Doc as stored (codec.value)
	now string
}

// The buffered tables, as flush masks: a statement naming one of a
// group's tables flushes that group.
const (
	bufIncidents = 1 << iota
	bufReports
	bufRulings // rulings, ruling_parties, notifications
	bufAll     = bufIncidents | bufReports | bufRulings
)

type pendingRuling struct {
	version                  int
	verdict, outcome, doc, t string
	// parties, clauses and guarantors are the ruling's, as JSON arrays
	// (listColumn): what the summaries count by (migration 0016).
	parties, clauses, guarantors string
	// inputs is what the ruling was made from (inputsOf), empty when
	// unknown.
	inputs []byte
}

type pendingReport struct {
	args []any // the reportColumns values of reportCols
	done func(id int64)
}

const (
	reportCols    = `source, source_id, incident_id, original, original_digest, doc, imported_at, format_id, joined, party, owner, log_key, placed_in, placed_why, description, reading_id`
	reportColumns = 16
	reportTypes   = "ttbttttbttttbttb" // as unnestInsert's types
)

// bufferedTables names the tables that may hold buffered rows.
var bufferedTables = regexp.MustCompile(`\b(incidents|reports|rulings|ruling_parties|notifications)\b`)

// touchesBuffered says which buffered tables a statement names.
func (s *Store) touchesBuffered(query string) int {
	if v, ok := s.buffered.Load(query); ok {
		return v.(int)
	}
	mask := 0
	for _, t := range bufferedTables.FindAllString(query, -1) {
		switch t {
		case "incidents":
			mask |= bufIncidents
		case "reports":
			mask |= bufReports
		default:
			mask |= bufRulings
		}
	}
	s.buffered.Store(query, mask)
	return mask
}

// before flushes the buffered rows that query may read or change.
func (w *txw) before(ctx context.Context, query string) error {
	if w.b == nil {
		return nil
	}
	if mask := w.s.touchesBuffered(query); mask != 0 {
		return w.flush(ctx, mask)
	}
	return nil
}

func (w *txw) batch() *batch {
	if w.b == nil {
		w.b = &batch{incidents: map[int64]pendingIncident{}, rulings: map[rulingKey]pendingRuling{}, seen: map[string]bool{}, fresh: map[int64]bool{}}
	}
	return w.b
}

// setIncident buffers an incident's new or changed row (a stored
// incident's state aside).
func (w *txw) setIncident(id int64, row store.IncidentRow, doc any, now string) {
	b := w.batch()
	if _, ok := b.incidents[id]; !ok {
		b.incOrder = append(b.incOrder, id)
	}
	b.incidents[id] = pendingIncident{row: row, doc: doc, now: now}
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
		// earlier parties of k. A notification once buffered stays, as
		// one once written would (they are never withdrawn).
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

// flush writes the buffered rows of the groups in mask, incidents first
// (the others refer to them).
func (w *txw) flush(ctx context.Context, mask int) error {
	b := w.b
	if b == nil {
		return nil
	}
	// Reports and rulings refer to incidents, which go first.
	if mask&(bufReports|bufRulings) != 0 {
		mask |= bufIncidents
	}
	// The statements below must not flush again.
	w.b = nil
	defer func() { w.b = b }()
	if b.pending(mask) {
		return w.withPlans(ctx, "auto", func() error { return w.flushRows(ctx, b, mask) })
	}
	return nil
}

// withPlans runs fn with PostgreSQL's plan_cache_mode set to mode, then
// as the connection was opened (postgres.Open: force_custom_plan, every
// statement planned for its values). Under that, the foreign-key check
// each report and ruling written makes, one query a row, was planned at
// every row too: 13% of the database's CPU in a group commit of
// submissions (pg_stat_statements counted as many plans as checks). The
// writes run "auto" (a check or an insert planned a few times on a
// connection, then kept); the group search, whose plan cannot depend on
// its values, its generic plan.
func (w *txw) withPlans(ctx context.Context, mode string, fn func() error) error {
	if !w.s.d.Server {
		return fn()
	}
	if err := w.later(ctx, `SET LOCAL plan_cache_mode = `+mode, nil); err != nil {
		return err
	}
	if err := fn(); err != nil {
		return err
	}
	return w.later(ctx, `SET LOCAL plan_cache_mode TO DEFAULT`, nil)
}

// flushRows writes b's rows of the groups in mask.
func (w *txw) flushRows(ctx context.Context, b *batch, mask int) error {
	if mask&bufIncidents != 0 && len(b.incOrder) > 0 {
		var rows []any
		for _, id := range b.incOrder {
			p := b.incidents[id]
			r := p.row
			rows = append(rows, id, r.Start, r.End, r.Admin1, r.Admin2, r.Admin3, r.Area, r.Act, r.State, p.doc, p.now, r.Cell, r.Datasets,
				r.Title, r.TitleProtected, r.Words)
		}
		// An upsert on the key is an INSERT or UPDATE of many rows in one
		// statement, on both engines; a stored incident keeps its state.
		if err := w.insertMany(ctx, `INSERT INTO incidents (id, occurred_start, occurred_end, admin1, admin2, admin3, area, act, state, doc, updated_at, cell, datasets, title, title_protected, words)`, "bttttttttttbttot", rows,
			` ON CONFLICT (id) DO UPDATE SET occurred_start = excluded.occurred_start, occurred_end = excluded.occurred_end, admin1 = excluded.admin1, admin2 = excluded.admin2, admin3 = excluded.admin3, area = excluded.area, act = excluded.act, doc = excluded.doc, updated_at = excluded.updated_at, cell = excluded.cell, datasets = excluded.datasets, title = excluded.title, title_protected = excluded.title_protected, words = excluded.words`); err != nil {
			return fmt.Errorf("incidents: %w", err)
		}
		clear(b.incidents)
		b.incOrder = b.incOrder[:0]
	}
	if mask&bufReports != 0 {
		for len(b.reports) > 0 {
			n := min(len(b.reports), batchRows)
			if err := w.insertReports(ctx, b.reports[:n]); err != nil {
				return err
			}
			b.reports = b.reports[n:]
		}
	}
	if mask&bufRulings != 0 {
		if err := w.flushRulings(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

// pending says whether the groups in mask hold rows to write.
func (b *batch) pending(mask int) bool {
	return mask&bufIncidents != 0 && len(b.incOrder) > 0 ||
		mask&bufReports != 0 && len(b.reports) > 0 ||
		mask&bufRulings != 0 && (len(b.order) > 0 || len(b.cleared) > 0 || len(b.notified) > 0)
}

func (w *txw) flushRulings(ctx context.Context, b *batch) error {
	if w.arrays() && len(b.cleared) > 0 {
		// Only the parties a ruling no longer names go; the others are
		// kept (partiesArrays updates them). Cleared and written again,
		// every party of every ruling written was deleted, and each
		// deletion emptied its ruling's inputs (migration 0020's trigger)
		// just before the ruling was written: a fifth of the database's
		// time in a group commit of submissions.
		ids, agreements := make([]int64, len(b.cleared)), make([]string, len(b.cleared))
		for i, k := range b.cleared {
			ids[i], agreements[i] = k.incident, k.agreement
		}
		pids, pagreements, parties, _ := b.partyArrays()
		if err := w.later(ctx, clearPartiesArrays, nil, ids, ids, agreements, pids, pagreements, parties); err != nil {
			return fmt.Errorf("ruling parties: %w", err)
		}
		b.cleared = b.cleared[:0]
	}
	for len(b.cleared) > 0 {
		n := min(len(b.cleared), batchRows)
		var args []any
		for _, k := range b.cleared[:n] {
			args = append(args, k.incident, k.agreement)
		}
		q := `DELETE FROM ruling_parties WHERE ` + strings.TrimSuffix(strings.Repeat(`(incident_id = ? AND agreement_id = ?) OR `, n), ` OR `)
		if err := w.later(ctx, q, nil, args...); err != nil {
			return fmt.Errorf("ruling parties: %w", err)
		}
		b.cleared = b.cleared[n:]
	}
	if w.arrays() {
		if err := w.rulingsFromArrays(ctx, b); err != nil {
			return err
		}
	} else if err := w.rulingsFromRows(ctx, b); err != nil {
		return err
	}
	if err := w.insertMany(ctx, `INSERT INTO notifications (party, incident_id, agreement_id, message, created_at)`, "tbttt", b.notified,
		` ON CONFLICT (party, incident_id, agreement_id) DO NOTHING`); err != nil {
		return fmt.Errorf("notifications: %w", err)
	}
	// Their parties are stored now: ruled again in this transaction, an
	// incident created in it has rows to clear like any other.
	for _, k := range b.order {
		delete(b.fresh, k.incident)
	}
	clear(b.rulings)
	b.order, b.parties, b.notified = b.order[:0], b.parties[:0], b.notified[:0]
	clear(b.seen)
	return nil
}

const rulingsUpdate = ` ON CONFLICT (incident_id, agreement_id) DO UPDATE SET version = excluded.version, verdict = excluded.verdict, outcome = excluded.outcome, doc = excluded.doc, ruled_at = excluded.ruled_at,
		parties = excluded.parties, clauses = excluded.clauses, guarantors = excluded.guarantors, inputs = excluded.inputs, occurred_start = excluded.occurred_start, occurred_end = excluded.occurred_end, merged_into = excluded.merged_into, state = excluded.state`

// rulingsFromRows writes the buffered rulings and their parties batchRows
// rows a statement, each row copying its incident's start, end,
// merged_into and state by a subquery.
func (w *txw) rulingsFromRows(ctx context.Context, b *batch) error {
	var rows []any
	for _, k := range b.order {
		r := b.rulings[k]
		rows = append(rows, k.incident, k.agreement, r.version, r.verdict, r.outcome, w.s.docs.value(r.doc), r.t, r.parties, r.clauses, r.guarantors, r.inputs, k.incident, k.incident, k.incident, k.incident)
	}
	// The incident's start, end, merged_into and state are copied from its
	// row, written before (flush), so that the copies are the stored ones
	// whoever rules the incident.
	if err := insertShaped(ctx, w, `INSERT INTO rulings (incident_id, agreement_id, version, verdict, outcome, doc, ruled_at, parties, clauses, guarantors, inputs, occurred_start, occurred_end, merged_into, state) VALUES `,
		`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, `+startOf+`, `+endOf+`, `+mergedOf+`, `+stateOf+`)`, 15, rows, rulingsUpdate); err != nil {
		return fmt.Errorf("rulings: %w", err)
	}
	// A party's row also holds its ruling's verdict (the last buffered),
	// so that a page of a party's violations reads ruling_parties alone.
	parties := make([]any, 0, len(b.parties)/3*8)
	for i := 0; i < len(b.parties); i += 3 {
		k := rulingKey{b.parties[i].(int64), b.parties[i+1].(string)}
		parties = append(parties, b.parties[i], b.parties[i+1], b.parties[i+2], b.rulings[k].verdict, b.parties[i], b.parties[i], b.parties[i], b.parties[i])
	}
	if err := insertShaped(ctx, w, `INSERT INTO ruling_parties (incident_id, agreement_id, party, verdict, occurred_start, occurred_end, merged_into, state) VALUES `, `(?, ?, ?, ?, `+startOf+`, `+endOf+`, `+mergedOf+`, `+stateOf+`)`, 8, parties, ""); err != nil {
		return fmt.Errorf("ruling parties: %w", err)
	}
	return nil
}

// rulingsFromArrays writes the buffered rulings and their parties on a
// server, whose statements may take arrays: one statement each, of fixed
// text, joined once to incidents for the copies of the start, end,
// merged_into and state. The subqueries of rulingsFromRows (two a row
// then, start and merged_into), each planned at every run, took a sixth of
// PostgreSQL's CPU in a group commit.
func (w *txw) rulingsFromArrays(ctx context.Context, b *batch) error {
	if len(b.order) == 0 {
		return nil
	}
	var (
		ids                                                     []int64
		versions                                                []int32
		agreements, verdicts, outcomes, docs, times, ps, cs, gs []string
		inputs                                                  [][]byte
	)
	for _, k := range b.order {
		r := b.rulings[k]
		ids, agreements, versions = append(ids, k.incident), append(agreements, k.agreement), append(versions, int32(r.version))
		verdicts, outcomes, docs, times = append(verdicts, r.verdict), append(outcomes, r.outcome), append(docs, r.doc), append(times, r.t)
		ps, cs, gs = append(ps, r.parties), append(cs, r.clauses), append(gs, r.guarantors)
		inputs = append(inputs, r.inputs) // never nil (saveRulingDoc): an array's nil is NULL
	}
	if err := w.later(ctx, rulingsArrays, nil, ids, agreements, versions, verdicts, outcomes, docs, times, ps, cs, gs, inputs); err != nil {
		return fmt.Errorf("rulings: %w", err)
	}
	if len(b.parties) == 0 {
		return nil
	}
	pids, pagreements, parties, pverdicts := b.partyArrays()
	if err := w.later(ctx, partiesArrays, nil, pids, pagreements, parties, pverdicts); err != nil {
		return fmt.Errorf("ruling parties: %w", err)
	}
	return nil
}

// partyArrays are the buffered parties as arrays, one per column of
// ruling_parties: incident, agreement, party and its ruling's verdict.
func (b *batch) partyArrays() (ids []int64, agreements, parties, verdicts []string) {
	for i := 0; i < len(b.parties); i += 3 {
		k := rulingKey{b.parties[i].(int64), b.parties[i+1].(string)}
		ids, agreements = append(ids, k.incident), append(agreements, k.agreement)
		parties, verdicts = append(parties, b.parties[i+2].(string)), append(verdicts, b.rulings[k].verdict)
	}
	return ids, agreements, parties, verdicts
}

// The statements of rulingsFromArrays and flushRulings on a server, each
// row joined to its incident through the key (TestArraysIndexes).
const (
	rulingsArrays = `INSERT INTO rulings (incident_id, agreement_id, version, verdict, outcome, doc, ruled_at, parties, clauses, guarantors, inputs, occurred_start, occurred_end, merged_into, state)
		SELECT u.incident_id, u.agreement_id, u.version, u.verdict, u.outcome, u.doc, u.ruled_at, u.parties, u.clauses, u.guarantors, u.inputs, coalesce(i.occurred_start, ''), coalesce(i.occurred_end, ''), coalesce(i.merged_into, 0), coalesce(i.state, '')
		FROM unnest(CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS integer[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bytea[]))
			AS u(incident_id, agreement_id, version, verdict, outcome, doc, ruled_at, parties, clauses, guarantors, inputs)
		LEFT JOIN incidents i ON i.id = u.incident_id` + rulingsUpdate
	partiesArrays = `INSERT INTO ruling_parties (incident_id, agreement_id, party, verdict, occurred_start, occurred_end, merged_into, state)
		SELECT u.incident_id, u.agreement_id, u.party, u.verdict, coalesce(i.occurred_start, ''), coalesce(i.occurred_end, ''), coalesce(i.merged_into, 0), coalesce(i.state, '')
		FROM unnest(CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[])) AS u(incident_id, agreement_id, party, verdict)
		LEFT JOIN incidents i ON i.id = u.incident_id
		ON CONFLICT (incident_id, agreement_id, party) DO UPDATE SET verdict = excluded.verdict, occurred_start = excluded.occurred_start, occurred_end = excluded.occurred_end, merged_into = excluded.merged_into, state = excluded.state
		WHERE (ruling_parties.verdict, ruling_parties.occurred_start, ruling_parties.occurred_end, ruling_parties.merged_into, ruling_parties.state) IS DISTINCT FROM (excluded.verdict, excluded.occurred_start, excluded.occurred_end, excluded.merged_into, excluded.state)`
	// The parties of the rulings in the first two arrays that the
	// buffered parties (the last three) no longer name. Joined to the
	// arrays, the planner hashed them and read every party; the
	// incidents' ids first go through the key.
	clearPartiesArrays = `DELETE FROM ruling_parties p WHERE p.incident_id = ANY (CAST(? AS bigint[]))
		AND (p.incident_id, p.agreement_id) IN (SELECT * FROM unnest(CAST(? AS bigint[]), CAST(? AS text[])))
		AND NOT EXISTS (SELECT 1 FROM unnest(CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[])) AS n(incident_id, agreement_id, party)
			WHERE n.incident_id = p.incident_id AND n.agreement_id = p.agreement_id AND n.party = p.party)`
)

// insertReports writes new reports in one statement and hands each its id
// (with a pipeline, when the statement is sent).
func (w *txw) insertReports(ctx context.Context, reps []pendingReport) error {
	args := make([]any, 0, len(reps)*reportColumns)
	for _, r := range reps {
		args = append(args, r.args...)
	}
	// Rows come back in no promised order: each is known by its key.
	q := `INSERT INTO reports (` + reportCols + `) VALUES ` + values(len(reps), reportColumns) + ` RETURNING id, source, source_id`
	if w.arrays() {
		var err error
		if q, args, err = unnestInsert(`INSERT INTO reports (`+reportCols+`)`, reportTypes, args); err != nil {
			return fmt.Errorf("reports: %w", err)
		}
		q += ` RETURNING id, source, source_id`
	}
	err := w.later(ctx, q, func(rows Rows) error {
		ids := make(map[[2]string]int64, len(reps))
		for rows.Next() {
			var id int64
			var src, sid string
			if err := rows.Scan(&id, &src, &sid); err != nil {
				return err
			}
			ids[[2]string{src, sid}] = id
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range reps {
			id, ok := ids[[2]string{r.args[0].(string), r.args[1].(string)}]
			if !ok {
				return fmt.Errorf("%v/%v was not stored", r.args[0], r.args[1])
			}
			r.done(id)
		}
		return nil
	}, args...)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}

// startOf is the start of the incident whose id is the placeholder, as
// its row holds it: the copy rulings and ruling_parties keep (migration
// 0016).
const startOf = `coalesce((SELECT i.occurred_start FROM incidents i WHERE i.id = ?), '')`

// endOf, mergedOf and stateOf are, likewise, the incident's end,
// merged_into and state.
const endOf = `coalesce((SELECT i.occurred_end FROM incidents i WHERE i.id = ?), '')`

const stateOf = `coalesce((SELECT i.state FROM incidents i WHERE i.id = ?), '')`

const mergedOf = `coalesce((SELECT i.merged_into FROM incidents i WHERE i.id = ?), 0)`

// arrays says that statements may take arrays, one per column, for many
// rows (PostgreSQL): then a statement has one text, planned for any number
// of rows at the cost of a few, where rows of placeholders came in 64
// shapes, each parsed, described and planned for every value. Documents
// must then be text (not packed).
func (w *txw) arrays() bool { return w.s.d.Server && !w.s.d.Pack }

// insertMany runs head (an INSERT naming its columns) for rows of
// len(types) values each, then tail: from arrays (unnestInsert) where the
// dialect takes them, else batchRows rows a statement.
func (w *txw) insertMany(ctx context.Context, head, types string, args []any, tail string) error {
	if len(args) == 0 {
		return nil
	}
	if !w.arrays() {
		return insertRows(ctx, w, head+` VALUES `, len(types), args, tail)
	}
	q, arrays, err := unnestInsert(head, types, args)
	if err != nil {
		return err
	}
	return w.later(ctx, q+tail, nil, arrays...)
}

// unnestInsert is head (an INSERT naming its columns) selecting rows from
// arrays, one per column, and the arrays of args, rows of len(types)
// values: types has a letter a column, b for bigint, t text, o boolean,
// y bytea.
func unnestInsert(head, types string, args []any) (string, []any, error) {
	cols := len(types)
	casts := make([]string, cols)
	arrays := make([]any, cols)
	n := len(args) / cols
	for c, t := range types {
		switch t {
		case 'b':
			casts[c] = `CAST(? AS bigint[])`
			a := make([]int64, n)
			for i := range n {
				v := reflect.ValueOf(args[i*cols+c])
				if !v.CanInt() {
					return "", nil, fmt.Errorf("column %d: %T, not an integer", c+1, args[i*cols+c])
				}
				a[i] = v.Int()
			}
			arrays[c] = a
		case 't':
			casts[c] = `CAST(? AS text[])`
			a := make([]string, n)
			for i := range n {
				v := reflect.ValueOf(args[i*cols+c])
				if v.Kind() != reflect.String {
					return "", nil, fmt.Errorf("column %d: %T, not text", c+1, args[i*cols+c])
				}
				a[i] = v.String()
			}
			arrays[c] = a
		case 'o':
			casts[c] = `CAST(? AS boolean[])`
			a := make([]bool, n)
			for i := range n {
				b, ok := args[i*cols+c].(bool)
				if !ok {
					return "", nil, fmt.Errorf("column %d: %T, not a boolean", c+1, args[i*cols+c])
				}
				a[i] = b
			}
			arrays[c] = a
		case 'y':
			casts[c] = `CAST(? AS bytea[])`
			a := make([][]byte, n)
			for i := range n {
				b, ok := args[i*cols+c].([]byte)
				if !ok {
					return "", nil, fmt.Errorf("column %d: %T, not bytes", c+1, args[i*cols+c])
				}
				a[i] = b
			}
			arrays[c] = a
		default:
			return "", nil, fmt.Errorf("column %d: no type %q", c+1, t)
		}
	}
	return head + ` SELECT * FROM unnest(` + strings.Join(casts, ", ") + `)`, arrays, nil
}

// insertRows runs head with rows of cols values each, batchRows rows a
// statement, and tail after the values.
func insertRows(ctx context.Context, w *txw, head string, cols int, args []any, tail string) error {
	return insertShaped(ctx, w, head, "("+strings.Repeat("?, ", cols-1)+"?)", cols, args, tail)
}

// insertShaped is insertRows with each row written as row, an expression
// list taking cols placeholders.
func insertShaped(ctx context.Context, w *txw, head, row string, cols int, args []any, tail string) error {
	for len(args) > 0 {
		k := min(len(args)/cols, batchRows)
		if err := w.later(ctx, head+rowsOf(k, row)+tail, nil, args[:k*cols]...); err != nil {
			return err
		}
		args = args[k*cols:]
	}
	return nil
}

// values is k rows of cols placeholders.
func values(k, cols int) string {
	return rowsOf(k, "("+strings.Repeat("?, ", cols-1)+"?)")
}

// rowsOf is k copies of row, separated by commas.
func rowsOf(k int, row string) string {
	var q strings.Builder
	for i := range k {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	return q.String()
}
