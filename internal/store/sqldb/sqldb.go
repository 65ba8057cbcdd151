// Package sqldb is truce's store on a SQL database: the queries, shared
// by the engines. An engine (sqlite, postgres) opens its connections,
// names its dialect and brings its schema up to date with the migrations
// kept here, one folder per engine, so that the two evolve together.
package sqldb

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
)

//go:embed migrations
var migrations embed.FS

// Dialect is what differs between engines in the shared queries.
type Dialect struct {
	// Name is the engine, and the folder of its migrations.
	Name string
	// Numbered placeholders ($1, $2) instead of "?".
	Numbered bool
	// Retry reports whether a failed transaction may succeed if run
	// again (a serialization failure, a unique key taken concurrently).
	Retry func(error) bool
	// OneWriter says that a write transaction excludes every other
	// writer (SQLite), so that it may number new rows itself, from the
	// largest id, and write them in batches.
	OneWriter bool
	// Server says that every statement is a round trip to a server
	// (PostgreSQL): fewer, larger statements pay there even when they cost
	// more to parse, as a group's one search for all its reports does;
	// in process (SQLite) a prepared statement per report is cheaper.
	Server bool
	// Pack says that documents are stored packed (docs.go).
	Pack bool
	// Pipeline, when set, sends statements to the server in one round
	// trip on conn, which holds the transaction, in order, handing each
	// statement's rows to its Read. A transaction then queues the
	// statements whose results it does not wait for (txw.later) and sends
	// them with the next statement it must wait for, or before it
	// commits: a group commit on PostgreSQL made a round trip for each of
	// a dozen statements, each a wait for the server and for the committer
	// to be scheduled again.
	Pipeline func(ctx context.Context, conn *sql.Conn, stmts []Piped) error
	// ReportSum names an SQL function of (original, format, doc,
	// placed_in, placed_why) giving ledger.ReportSum of a report
	// revision (its document unpacked), when the driver has one: a
	// verification then reads 32 bytes a report instead of the whole
	// record.
	ReportSum string
	// DataVersion, when set, returns a value that differs from any it
	// returned before whenever a transaction has committed since, on any
	// connection or in any process ("" when it cannot tell): Incidents
	// then counts a filter, and RulingCounts groups, once per version
	// (totals.go).
	DataVersion func(context.Context) string
}

// Piped is a statement sent in a pipeline (Dialect.Pipeline).
type Piped struct {
	// Query is in the dialect's placeholders.
	Query string
	Args  []any
	// Read, when set, reads the statement's rows, all of them, and
	// returns rows.Err().
	Read func(Rows) error
	// Commit says the statement is COMMIT, which PostgreSQL answers
	// with the tag ROLLBACK, and no error, when the transaction had
	// failed: the pipeline must then fail.
	Commit bool
}

// Rows are the rows of a statement, as *sql.Rows and the drivers' own
// rows read them.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Store is a store.Store on a SQL database. Writes go through w and reads
// through r, which may be the same pool.
type Store struct {
	w, r *sql.DB
	d    Dialect
	// noLog skips the log, for measuring what the log costs; only this
	// package's benchmarks set it.
	noLog bool
	// noTextIndex searches text without the trigram indexes, for checking
	// that they change nothing; only this package's tests set it.
	noTextIndex bool
	// maxIndexed and maxTested are the constants, which this package's
	// tests lower to search a few incidents as a million are.
	maxIndexed, maxTested int
	// textIndexes says the database has the text search's trigram
	// indexes: always on SQLite, on PostgreSQL where pg_trgm could be had
	// (migration 0024).
	textIndexes bool
	// rebound caches rebind's answers, buffered touchesBuffered's: the
	// queries are a fixed set. prepared holds statements kept prepared on
	// the writer pool (keep), keptCount how many.
	rebound, buffered, prepared sync.Map
	// docs packs and unpacks the document columns of incidents, reports,
	// report revisions and rulings.
	docs      *codec
	keptCount atomic.Int64
	// searching admits one text search at a time (searchSlots): a search
	// reads every incident its other filters leave, and several at once
	// would hold every reader while the other pages wait.
	searching chan struct{}
	// budget is searchBudget but in this package's tests.
	budget time.Duration
	// logSize is the log's size when this store last committed entries
	// to it: a transaction appending to the log guesses that it is still
	// the size, and reads the hashes the append needs with the log's lock
	// (flushLog); a wrong guess costs one more round trip, never a wrong
	// hash.
	logSize atomic.Int64
	// frontier holds what the next append needs of the log (flushLog).
	frontier frontier
	// totals are the totals counted for the current data version, counts
	// the ruling counts (totals.go).
	totals kept[int]
	counts kept[[]store.RulingCount]
	// periods are the bounds of the periods read (sinceFor), by From.
	periods kept[bounds]
	// notifiedBelow: with one writer, every notification of a smaller
	// id has been handed to the outbox (see PendingNotifications).
	notifiedBelow atomic.Int64
}

// searchSlots and searchBudget bound text searches: how many run at once,
// and how long one may read before it is refused as too broad (about a
// quarter of a million incidents on SQLite on the project's machine).
const (
	searchSlots  = 1
	searchBudget = 10 * time.Second
)

var _ store.Store = (*Store)(nil)

// New returns a store on the given pools, with its schema brought up to
// date.
func New(ctx context.Context, w, r *sql.DB, d Dialect) (*Store, error) {
	docs, err := newCodec(d.Pack)
	if err != nil {
		return nil, err
	}
	s := &Store{w: w, r: r, d: d, docs: docs, searching: make(chan struct{}, searchSlots), budget: searchBudget, maxIndexed: maxIndexed, maxTested: maxTested, totals: newTotals(), counts: newKeptCounts(), periods: newKeptPeriods()}
	if err := s.migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate %s: %w", d.Name, err)
	}
	s.textIndexes = d.Name == "sqlite"
	if d.Name == "postgres" {
		if s.textIndexes, err = s.pgTextIndexes(ctx); err != nil {
			return nil, fmt.Errorf("text indexes: %w", err)
		}
	}
	return s, nil
}

// Close closes the pools.
func (s *Store) Close() error {
	s.prepared.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	if s.r == s.w {
		return s.w.Close()
	}
	return errors.Join(s.r.Close(), s.w.Close())
}

// DB returns the writer pool, for engine-specific work (backup).
func (s *Store) DB() *sql.DB { return s.w }

// rebind writes a query in the dialect's placeholders. Queries here never
// hold "?" inside a string literal.
func (s *Store) rebind(q string) string {
	if !s.d.Numbered {
		return q
	}
	if r, ok := s.rebound.Load(q); ok {
		return r.(string)
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	s.rebound.Store(q, b.String())
	return b.String()
}

func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.r.QueryContext(ctx, s.rebind(q), args...)
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.r.QueryRowContext(ctx, s.rebind(q), args...)
}

// Derived lists the tables the schema's triggers keep from the others
// (party_incidents and party_pairs, migrations 0035 and 0036). A
// PostgreSQL backup leaves them out and a restore empties them with the
// rest: the triggers fill them again as the tables they are made from
// are loaded.
func Derived() []string { return []string{"party_incidents", "party_pairs"} }

// Tables lists the tables of the schema in an order that respects their
// references, for backups. A table missing here is silently missing from
// every PostgreSQL backup: TestTablesComplete checks the list against the
// schema.
func Tables() []string {
	return []string{"schema_migrations", "agreement_sources", "agreement_versions", "reference_files", "original_formats", "readings", "incidents", "reports", "report_revisions", "rulings", "ruling_parties",
		"log_entries", "log_hashes", "log_state", "log_checkpoints", "incident_events", "users", "evidence", "notifications", "sessions", "evidence_custody", "feeds", "delivery_subscriptions", "delivery_outbox", "delivery_attempts", "delivery_notified",
		"humanitarian_records", "peers", "peer_entries", "peer_hashes", "peer_records", "peer_event_reports", "peer_checkpoints", "peer_grants"}
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	dir := path.Join("migrations", s.d.Name)
	files, err := fs.Glob(migrations, dir+"/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(files)
	var fresh bool
	if err := s.queryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM schema_migrations)`).Scan(&fresh); err != nil {
		return err
	}
	if fresh {
		// A new database takes its whole schema in one transaction: one
		// commit, not one a migration (a third of opening one's time).
		return s.tx(ctx, func(tx *txw) error {
			for _, f := range files {
				if err := s.migrateOne(ctx, tx, f); err != nil {
					return err
				}
			}
			return nil
		})
	}
	// An upgrade commits each migration on its own: one that fails leaves
	// the ones before it applied, and none holds a transaction over all.
	for _, f := range files {
		if err := s.tx(ctx, func(tx *txw) error { return s.migrateOne(ctx, tx, f) }); err != nil {
			return err
		}
	}
	return nil
}

// migrateOne applies the migration in file f in tx unless it has been.
func (s *Store) migrateOne(ctx context.Context, tx *txw, f string) error {
	name := path.Base(f)
	n, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
	if err != nil {
		return fmt.Errorf("migration %s: name must start with a number", name)
	}
	body, err := migrations.ReadFile(f)
	if err != nil {
		return err
	}
	var applied int
	if err := tx.scan(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, []any{n}, &applied); err != nil || applied > 0 {
		return err
	}
	// As written: statements of their own, placeholders none.
	if err := tx.send(ctx); err != nil {
		return err
	}
	if _, err := tx.db.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	if after := afterMigration[n]; after != nil {
		if err := after(ctx, tx); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	_, err = tx.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, n, name, ts(time.Now()))
	return err
}

// pgTextIndexes reports whether PostgreSQL has the text search's trigram
// indexes, first building them if it has not and pg_trgm can now be had
// (migration 0024 made none where the extension was missing).
func (s *Store) pgTextIndexes(ctx context.Context) (bool, error) {
	const q = `SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'reports_text' AND schemaname = current_schema())`
	var ok bool
	if err := s.queryRow(ctx, q).Scan(&ok); err != nil || ok {
		return ok, err
	}
	body, err := migrations.ReadFile("migrations/postgres/0024_text_index.sql")
	if err != nil {
		return false, err
	}
	if _, err := s.w.ExecContext(ctx, string(body)); err != nil {
		return false, err
	}
	err = s.queryRow(ctx, q).Scan(&ok)
	return ok, err
}

// afterMigration holds what a migration needs done in Go, in its own
// transaction.
var afterMigration = map[int]func(context.Context, *txw) error{
	// Agreement files were not logged before 0008: log those stored, so
	// that from now on an edit to them is caught (one made before the
	// upgrade is not; the versions' own entries still bind what they say).
	8: func(ctx context.Context, w *txw) error {
		rows, err := w.query(ctx, `SELECT id, agreement_id, source FROM agreement_sources ORDER BY id`)
		if err != nil {
			return err
		}
		type src struct {
			id  int64
			ag  string
			doc []byte
		}
		var srcs []src
		for rows.Next() {
			var x src
			if err := rows.Scan(&x.id, &x.ag, &x.doc); err != nil {
				rows.Close()
				return err
			}
			srcs = append(srcs, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, x := range srcs {
			if err := logAgreementSource(ctx, w, x.ag, x.id, x.doc); err != nil {
				return err
			}
		}
		return nil
	},
}

// txw is a transaction that prepares each distinct statement once on
// SQLite: an import runs the same few statements thousands of times, and
// parsing the SQL each time would cost more than running it. PostgreSQL's
// driver keeps its own cache of prepared statements per connection, so
// there a statement is sent as it is: preparing it again in every
// transaction would cost two more round trips each.
type txw struct {
	// db runs the transaction's statements: its *sql.Tx, or with a
	// pipeline its connection, on which BEGIN and COMMIT are pipelined
	// too (tx is then nil). Not for use but through exec, query and
	// scan, which send the queued statements (BEGIN among them) first.
	db    dbtx
	tx    *sql.Tx
	s     *Store
	stmts map[string]*sql.Stmt
	// hashes caches log hashes read or written in this transaction: a
	// group of appends reads mostly what the previous append wrote.
	hashes map[int64]tlog.Hash
	// pending are the log entries the transaction appends at commit.
	pending []ledger.Entry
	// fresh are the statements this transaction had to prepare.
	fresh []string
	// b holds rows written at commit or before a read of their table.
	b *batch
	// lastIncident is the largest incident id, once a new incident has
	// been numbered by the transaction (Dialect.OneWriter).
	lastIncident int64
	// conn holds the transaction when the dialect pipelines statements;
	// piped are the statements queued for the next round trip (later).
	conn  *sql.Conn
	piped []Piped
	// logSize is the log's size after this transaction's appends.
	logSize int64
}

func (w *txw) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	var st *sql.Stmt
	var err error
	if base, ok := w.s.prepared.Load(query); ok && w.tx != nil {
		// Prepared on the writer's one connection, which this
		// transaction holds: used as it is, not prepared again.
		st = w.tx.StmtContext(ctx, base.(*sql.Stmt))
	} else {
		st, err = w.db.PrepareContext(ctx, w.s.rebind(query))
		if err != nil {
			return nil, err
		}
		w.fresh = append(w.fresh, query)
	}
	w.stmts[query] = st
	return st, nil
}

// keep prepares, on the writer pool, the statements a committed
// transaction had to prepare, for the transactions after it: a group
// commit of a few reports otherwise spends as long parsing its statements
// as running them. The writer pool must be free (after the commit): a
// transaction holds SQLite's one writer connection.
func (s *Store) keep(ctx context.Context, queries []string) {
	for _, q := range queries {
		if _, ok := s.prepared.Load(q); ok || s.keptCount.Load() >= maxKept {
			continue
		}
		st, err := s.w.PrepareContext(ctx, s.rebind(q))
		if err != nil {
			continue // prepared again next time; nothing is lost
		}
		if _, dup := s.prepared.LoadOrStore(q, st); dup {
			st.Close()
			continue
		}
		s.keptCount.Add(1)
	}
}

// maxKept bounds the statements kept prepared (the multi-row inserts come
// in up to batchRows sizes each).
const maxKept = 1024

// later runs a statement whose result the transaction does not wait
// for: with a pipeline (Dialect.Pipeline), it is sent with the next
// statement the transaction waits for, or before it commits, and its
// errors are that statement's; without, it runs now. read, when set,
// reads its rows.
func (w *txw) later(ctx context.Context, query string, read func(Rows) error, args ...any) error {
	if err := w.before(ctx, query); err != nil {
		return err
	}
	if w.conn != nil {
		w.piped = append(w.piped, Piped{Query: w.s.rebind(query), Args: args, Read: read})
		return nil
	}
	if read == nil {
		_, err := w.exec(ctx, query, args...)
		return err
	}
	rows, err := w.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return read(rows)
}

// send sends the queued statements (later), in one round trip.
func (w *txw) send(ctx context.Context) error {
	if len(w.piped) == 0 {
		return nil
	}
	piped := w.piped
	w.piped = nil
	return w.s.d.Pipeline(ctx, w.conn, piped)
}

// exec runs a statement.
func (w *txw) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := w.before(ctx, query); err != nil {
		return nil, err
	}
	if err := w.send(ctx); err != nil {
		return nil, err
	}
	if w.s.d.Numbered {
		return w.db.ExecContext(ctx, w.s.rebind(query), args...)
	}
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// execOne runs a statement that must change a row: store.ErrNotFound
// when it changed none.
func (w *txw) execOne(ctx context.Context, query string, args ...any) error {
	res, err := w.exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// query runs a query.
func (w *txw) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := w.before(ctx, query); err != nil {
		return nil, err
	}
	if err := w.send(ctx); err != nil {
		return nil, err
	}
	if w.s.d.Numbered {
		return w.db.QueryContext(ctx, w.s.rebind(query), args...)
	}
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// scan runs a query for one row into dest.
func (w *txw) scan(ctx context.Context, query string, args []any, dest ...any) error {
	if err := w.before(ctx, query); err != nil {
		return err
	}
	if len(w.piped) > 0 {
		// The queued statements and this one in one round trip.
		found := false
		err := w.later(ctx, query, func(rows Rows) error {
			if rows.Next() {
				found = true
				if err := rows.Scan(dest...); err != nil {
					return err
				}
			}
			for rows.Next() {
			}
			return rows.Err()
		}, args...)
		if err == nil {
			err = w.send(ctx)
		}
		if err == nil && !found {
			err = sql.ErrNoRows
		}
		return err
	}
	if w.s.d.Numbered {
		return w.db.QueryRowContext(ctx, w.s.rebind(query), args...).Scan(dest...)
	}
	st, err := w.stmt(ctx, query)
	if err != nil {
		return err
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}

// tx runs fn in a transaction, again if the engine says a failure was a
// clash with a concurrent transaction (fn must be safe to rerun).
func (s *Store) tx(ctx context.Context, fn func(*txw) error) error {
	for attempt := 1; ; attempt++ {
		err := s.tryTx(ctx, fn)
		if err == nil || s.d.Retry == nil || !s.d.Retry(err) || attempt == 10 || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt) * time.Millisecond)
	}
}

// dbtx is what runs a transaction's statements: *sql.Tx, or *sql.Conn
// holding a transaction begun by a statement.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

func (s *Store) tryTx(ctx context.Context, fn func(*txw) error) error {
	w := &txw{s: s, stmts: map[string]*sql.Stmt{}, hashes: map[int64]tlog.Hash{}}
	if s.d.Pipeline != nil {
		// BEGIN goes with the transaction's first statements and COMMIT
		// with its last, in their round trips: two fewer a transaction
		// (a tenth of a group commit's time on PostgreSQL).
		conn, err := s.w.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		w.db, w.conn = conn, conn
		w.piped = []Piped{{Query: "BEGIN"}}
	} else {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		w.db, w.tx = tx, tx
	}
	defer func() {
		for _, st := range w.stmts {
			st.Close()
		}
	}()
	err := fn(w)
	if err == nil {
		err = w.flush(ctx, bufAll)
	}
	if err == nil {
		err = flushLog(ctx, w)
	}
	if err != nil {
		w.rollback()
		return err
	}
	if w.tx != nil {
		if err := w.send(ctx); err != nil {
			w.rollback()
			return err
		}
		if err := w.tx.Commit(); err != nil {
			return err
		}
	} else if w.unsent() && len(w.piped) == 1 {
		// Nothing was sent, nor is there anything to send.
	} else {
		w.piped = append(w.piped, Piped{Query: "COMMIT", Commit: true})
		if err := w.send(ctx); err != nil {
			w.rollback()
			return err
		}
	}
	if w.logSize > 0 {
		s.logSize.Store(w.logSize)
		if w.conn != nil {
			s.frontier.keep(w.logSize, w.hashes)
		}
	}
	if s.d.OneWriter && len(w.fresh) > 0 {
		s.keep(ctx, w.fresh)
	}
	return nil
}

// unsent says that a pipelined transaction has sent nothing yet: its
// queued BEGIN still leads the queue.
func (w *txw) unsent() bool {
	return len(w.piped) > 0 && w.piped[0].Query == "BEGIN"
}

// rollback ends a failed transaction. A connection whose ROLLBACK fails
// is not reused in its transaction: the driver's pool discards a
// connection that is not idle (pgx's stdlib ResetSession).
func (w *txw) rollback() {
	if w.tx != nil {
		w.tx.Rollback()
		return
	}
	if w.unsent() {
		return
	}
	// Not the transaction's context, which may be why it failed.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	w.conn.ExecContext(ctx, "ROLLBACK")
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
			err := tx.scan(ctx, `SELECT digest FROM agreement_versions WHERE agreement_id = ? AND version = ?`, []any{v.AgreementID, v.Version}, &digest)
			switch {
			case err == nil:
				if digest != v.Digest {
					return fmt.Errorf("agreement %s version %d: %w (stored %s, new %s)", v.AgreementID, v.Version, store.ErrVersionChanged, digest[:12], v.Digest[:12])
				}
				continue
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			_, err = tx.exec(ctx, `INSERT INTO agreement_versions (agreement_id, version, label, effective_from, effective_to, digest, canonical, stored_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, v.AgreementID, v.Version, v.Label, ts(v.EffectiveFrom), ts(v.EffectiveTo), v.Digest, v.Canonical, ts(time.Now()))
			if err != nil {
				return err
			}
			if err := appendLog(ctx, tx, ledger.Entry{Kind: ledger.AgreementVersion, Key: fmt.Sprintf("%s/%d", v.AgreementID, v.Version), Rev: 1, Digest: v.Digest}); err != nil {
				return err
			}
			added = append(added, v.Version)
		}
		var last []byte
		err := tx.scan(ctx, `SELECT source FROM agreement_sources WHERE agreement_id = ? ORDER BY id DESC LIMIT 1`, []any{src.AgreementID}, &last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if string(last) == string(src.Source) {
			return nil
		}
		var id int64
		if err := tx.scan(ctx, `INSERT INTO agreement_sources (agreement_id, file, source, loaded_at) VALUES (?, ?, ?, ?) RETURNING id`,
			[]any{src.AgreementID, src.File, src.Source, ts(time.Now())}, &id); err != nil {
			return err
		}
		return logAgreementSource(ctx, tx, src.AgreementID, id, src.Source)
	})
	if err != nil {
		return nil, fmt.Errorf("store agreement %s: %w", src.AgreementID, err)
	}
	return added, nil
}

// AgreementSources implements store.Store.
func (s *Store) AgreementSources(ctx context.Context) ([]store.AgreementSource, error) {
	rows, err := s.query(ctx, `SELECT id, agreement_id, file, source, loaded_at FROM agreement_sources
		WHERE id IN (SELECT max(id) FROM agreement_sources GROUP BY agreement_id) ORDER BY agreement_id`)
	if err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	defer rows.Close()
	var out []store.AgreementSource
	for rows.Next() {
		var a store.AgreementSource
		var loaded string
		if err := rows.Scan(&a.Seq, &a.AgreementID, &a.File, &a.Source, &loaded); err != nil {
			return nil, err
		}
		a.LoadedAt, _ = parseTS(loaded)
		out = append(out, a)
	}
	return out, rows.Err()
}

// PutReferenceFile implements store.Store.
func (s *Store) PutReferenceFile(ctx context.Context, kind, name, file string, src []byte) (bool, error) {
	if kind != store.ReferenceActors && kind != store.ReferenceControl {
		return false, fmt.Errorf("store reference file: unknown kind %q", kind)
	}
	// The name is part of the record's log key, kind/name/id.
	if name == "" || strings.ContainsAny(name, "/\n") {
		return false, fmt.Errorf("store %s file: bad name %q", kind, name)
	}
	var added bool
	err := s.tx(ctx, func(tx *txw) error {
		added = false
		var last []byte
		err := tx.scan(ctx, `SELECT source FROM reference_files WHERE kind = ? AND name = ? ORDER BY id DESC LIMIT 1`, []any{kind, name}, &last)
		switch {
		case err == nil && string(last) == string(src):
			return nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		// The next id after the largest, not an engine's sequence: see
		// migration 0009.
		var id int64
		if err := tx.scan(ctx, `SELECT coalesce(max(id), 0) + 1 FROM reference_files`, nil, &id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO reference_files (id, kind, name, file, source, loaded_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, kind, name, file, src, ts(time.Now())); err != nil {
			return err
		}
		added = true
		return logReferenceFile(ctx, tx, kind, name, id, src)
	})
	if err != nil {
		return false, fmt.Errorf("store %s file %s: %w", kind, name, err)
	}
	return added, nil
}

// ReferenceFiles implements store.Store.
func (s *Store) ReferenceFiles(ctx context.Context, kind string) ([]store.ReferenceFile, error) {
	rows, err := s.query(ctx, `SELECT id, kind, name, file, source, loaded_at FROM reference_files
		WHERE id IN (SELECT max(id) FROM reference_files WHERE kind = ? GROUP BY name) ORDER BY name`, kind)
	if err != nil {
		return nil, fmt.Errorf("list %s files: %w", kind, err)
	}
	defer rows.Close()
	var out []store.ReferenceFile
	for rows.Next() {
		var f store.ReferenceFile
		var loaded string
		if err := rows.Scan(&f.Seq, &f.Kind, &f.Name, &f.File, &f.Source, &loaded); err != nil {
			return nil, err
		}
		f.LoadedAt, _ = parseTS(loaded)
		out = append(out, f)
	}
	return out, rows.Err()
}

// AgreementVersions implements store.Store.
func (s *Store) AgreementVersions(ctx context.Context, agreementID string) ([]store.VersionRecord, error) {
	rows, err := s.query(ctx, `SELECT agreement_id, version, label, effective_from, effective_to, digest, canonical, stored_at
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
	if r.Reporter != nil || len(r.Witnesses) > 0 {
		// A last guard: identities are sealed before they reach the
		// store, never written in clear.
		return "", fmt.Errorf("report %s/%s names a reporter or witnesses that were not sealed", r.Source, r.SourceID)
	}
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
	in      store.Intake
	formats map[string]int64
	now     string
	// stored holds the keys (source, source_id) of the reports being
	// imported that are already stored, or met earlier in the
	// transaction: the others are new without a look-up each.
	stored map[[2]string]*storedReport
	// history[id] says whether an incident a report may join has a
	// history (incident_events), read with the candidates.
	history map[int64]bool
	// near[k] are the incidents report k may join, read for the whole
	// group at its start (prefetch); touched are the incidents the
	// transaction created or changed since, as they now are.
	near    map[int][]candidate
	touched map[int64]touchedIncident
	// alone[d] is set once the transaction knows that every incident
	// holds a record of dataset d, so that d's records need not look for
	// one to join (a bulk import of one dataset).
	alone map[string]bool
	// reading is the id of in.Reading (0: none); reread are the reports
	// found unchanged that were stored with another reading.
	reading int64
	reread  []any
}

// readingID returns the id of a reading's fingerprint, storing it if new.
func readingID(ctx context.Context, w *txw, fingerprint string) (int64, error) {
	if fingerprint == "" {
		return 0, nil
	}
	var id int64
	err := w.scan(ctx, `SELECT id FROM readings WHERE fingerprint = ?`, []any{fingerprint}, &id)
	if errors.Is(err, sql.ErrNoRows) {
		err = w.scan(ctx, `INSERT INTO readings (fingerprint) VALUES (?) RETURNING id`, []any{fingerprint}, &id)
	}
	if err != nil {
		return 0, fmt.Errorf("reading: %w", err)
	}
	return id, nil
}

// unchanged notes that a stored report was found unchanged, to record the
// reading it was found so with when that is not the one stored.
func (im *importer) unchanged(id, reading int64) {
	if reading != im.reading && im.reading != 0 {
		im.reread = append(im.reread, id)
	}
}

// formatID returns the id of an original format, storing it if new.
func (im *importer) formatID(ctx context.Context, format string) (int64, error) {
	if format == "" {
		return 0, nil
	}
	if id := im.formats[format]; id != 0 {
		return id, nil
	}
	var id int64
	err := im.w.scan(ctx, `SELECT id FROM original_formats WHERE format = ?`, []any{format}, &id)
	if errors.Is(err, sql.ErrNoRows) {
		err = im.w.scan(ctx, `INSERT INTO original_formats (format) VALUES (?) RETURNING id`, []any{format}, &id)
	}
	if err != nil {
		return 0, fmt.Errorf("original format: %w", err)
	}
	im.formats[format] = id
	return id, nil
}

// ImportReports implements store.Store.
func (s *Store) ImportReports(ctx context.Context, reports []incident.Report, in store.Intake) ([]store.Imported, error) {
	out := make([]store.Imported, len(reports))
	err := s.tx(ctx, func(w *txw) error {
		im := &importer{w: w, in: in, formats: map[string]int64{}, now: ts(time.Now()), alone: map[string]bool{}, history: map[int64]bool{}, touched: map[int64]touchedIncident{}}
		var err error
		if im.reading, err = readingID(ctx, w, in.Reading); err != nil {
			return err
		}
		if im.stored, err = storedKeys(ctx, w, reports); err != nil {
			return err
		}
		if err := im.formatsOf(ctx, reports); err != nil {
			return err
		}
		if err := im.prefetch(ctx, reports); err != nil {
			return err
		}
		// What is stored, the formats and the search, in one round trip
		// when the dialect pipelines them.
		if err := w.send(ctx); err != nil {
			return err
		}
		for i := range reports {
			r := &reports[i]
			res, err := im.importOne(ctx, i, r)
			if err != nil {
				return fmt.Errorf("report %s/%s: %w", r.Source, r.SourceID, err)
			}
			out[i] = res
		}
		if err := w.flush(ctx, bufAll); err != nil {
			return err
		}
		for ids := im.reread; len(ids) > 0; {
			n := min(len(ids), 500)
			if _, err := w.exec(ctx, `UPDATE reports SET reading_id = ? WHERE id IN `+values(1, n), append([]any{im.reading}, ids[:n]...)...); err != nil {
				return fmt.Errorf("reports read again: %w", err)
			}
			ids = ids[n:]
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import reports: %w", err)
	}
	// New reports learn their ids when they are written, which a
	// pipeline may do only as the transaction commits.
	for i := range out {
		out[i].ReportID = reports[i].ID
	}
	return out, nil
}

// storedReport is what an import needs first of a stored report: enough to
// tell that it is unchanged without reading it.
type storedReport struct {
	id, incident, reading int64
	digest                string
	pl                    placement
}

// storedKeys finds which of reports are already stored, many at a time.
// With a pipeline the queries are sent with the group's search
// (prefetch), which does not need their answer.
func storedKeys(ctx context.Context, w *txw, reports []incident.Report) (map[[2]string]*storedReport, error) {
	bySource := map[string][]any{}
	for _, r := range reports {
		bySource[r.Source] = append(bySource[r.Source], r.SourceID)
	}
	out := make(map[[2]string]*storedReport, len(reports))
	for src, ids := range bySource {
		for len(ids) > 0 {
			n := min(len(ids), 500)
			q := `SELECT source_id, id, incident_id, original_digest, placed_in, placed_why, reading_id FROM reports WHERE source = ? AND source_id IN ` + values(1, n)
			err := w.later(ctx, q, func(rows Rows) error {
				for rows.Next() {
					var id string
					var sr storedReport
					if err := rows.Scan(&id, &sr.id, &sr.incident, &sr.digest, &sr.pl.in, &sr.pl.why, &sr.reading); err != nil {
						return err
					}
					out[[2]string{src, id}] = &sr
				}
				return rows.Err()
			}, append([]any{src}, ids[:n]...)...)
			if err != nil {
				return nil, fmt.Errorf("stored reports: %w", err)
			}
			ids = ids[n:]
		}
	}
	return out, nil
}

// formatsOf looks up the ids of the reports' original formats with the
// statements queued for the next round trip, when the dialect pipelines
// them; formatID then finds them known. Without a pipeline each is looked
// up when first needed.
func (im *importer) formatsOf(ctx context.Context, reports []incident.Report) error {
	if im.w.conn == nil {
		return nil
	}
	for _, r := range reports {
		f := r.OriginalFormat
		if _, ok := im.formats[f]; ok || f == "" {
			continue
		}
		im.formats[f] = 0 // queued once
		err := im.w.later(ctx, `SELECT id FROM original_formats WHERE format = ?`, func(rows Rows) error {
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				im.formats[f] = id
			}
			return rows.Err()
		}, f)
		if err != nil {
			return fmt.Errorf("original format: %w", err)
		}
	}
	return nil
}

func (im *importer) importOne(ctx context.Context, k int, r *incident.Report) (store.Imported, error) {
	doc, err := reportDoc(*r)
	if err != nil {
		return store.Imported{}, err
	}
	formatID, err := im.formatID(ctx, r.OriginalFormat)
	if err != nil {
		return store.Imported{}, err
	}
	owner := r.Owner
	if owner == "" {
		owner = store.OwnerImport
	}
	var (
		id, incidentID, oldFormat int64
		oldDigest                 string
		oldOriginal               string
		oldDoc                    []byte // as stored: a revision keeps it so
		revision                  int
		oldOwner, logKey          string
		pl                        placement
	)
	key := [2]string{r.Source, r.SourceID}
	if sr := im.stored[key]; sr != nil && sr.digest != "" &&
		sr.digest == ledger.ReportDigest(ledger.RawReport{Original: r.Original, Format: r.OriginalFormat, Doc: doc, PlacedIn: sr.pl.in, PlacedWhy: sr.pl.why}) {
		// The daily sync's common case: nothing to read or write.
		r.ID, r.IncidentID = sr.id, sr.incident
		im.unchanged(sr.id, sr.reading)
		return store.Imported{ReportID: sr.id, IncidentID: sr.incident, Outcome: store.Unchanged}, nil
	}
	if _, ok := im.stored[key]; ok {
		err = im.w.scan(ctx, `SELECT id, incident_id, original_digest, original, doc, revision, format_id, owner, log_key, placed_in, placed_why FROM reports WHERE source = ? AND source_id = ?`,
			[]any{r.Source, r.SourceID}, &id, &incidentID, &oldDigest, &oldOriginal, &oldDoc, &revision, &oldFormat, &oldOwner, &logKey, &pl.in, &pl.why)
	} else {
		// A later record with the same id finds this one.
		im.stored[key] = nil
		err = sql.ErrNoRows
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var joined string
		var into incident.Incident
		if im.in.Cluster != nil {
			if incidentID, into, joined, err = im.join(ctx, k, r); err != nil {
				return store.Imported{}, err
			}
		}
		if incidentID == 0 {
			in := incident.FromReport(*r)
			if incidentID, err = im.putIncident(ctx, 0, in); err != nil {
				return store.Imported{}, err
			}
			im.touch(incidentID, in)
			// An incident of another source: records of any dataset may
			// now have one to join.
			if r.Kind != incident.FromDataset || !im.alone[r.Source] {
				clear(im.alone)
			}
		}
		pl = placement{in: incidentID, why: joined}
		dg := ledger.ReportDigest(ledger.RawReport{Original: r.Original, Format: r.OriginalFormat, Doc: doc, PlacedIn: pl.in, PlacedWhy: pl.why})
		logKey = newLogKey()
		im.w.addReport([]any{r.Source, r.SourceID, incidentID, r.Original, dg, im.w.s.docs.value(doc), im.now, formatID, joined, r.Party, owner, logKey, pl.in, pl.why, r.Description, im.reading},
			func(id int64) { r.ID = id })
		r.IncidentID = incidentID
		if err := appendLog(ctx, im.w, ledger.Entry{Kind: ledger.Report, Key: logKey, Rev: 1, Digest: dg}); err != nil {
			return store.Imported{}, err
		}
		if joined != "" {
			into.Absorb(*r)
			if _, err := im.putIncident(ctx, incidentID, into); err != nil {
				return store.Imported{}, err
			}
			im.touch(incidentID, into)
			// Only an incident with a history has a grade to revise.
			if im.history[incidentID] {
				if err := regrade(ctx, im.w, incidentID, im.in.Grade); err != nil {
					return store.Imported{}, err
				}
			}
		}
		// ReportID is set when the report is written (ImportReports).
		return store.Imported{IncidentID: incidentID, Outcome: store.Created, Joined: joined}, nil
	case err != nil:
		return store.Imported{}, err
	}
	r.ID, r.IncidentID = id, incidentID
	dg := ledger.ReportDigest(ledger.RawReport{Original: r.Original, Format: r.OriginalFormat, Doc: doc, PlacedIn: pl.in, PlacedWhy: pl.why})
	if oldDigest == dg {
		if sr := im.stored[key]; sr != nil {
			im.unchanged(id, sr.reading)
		}
		return store.Imported{ReportID: id, IncidentID: incidentID, Outcome: store.Unchanged}, nil
	}
	if owner != oldOwner && (!strings.HasPrefix(owner, store.OwnerAdmin) || strings.HasPrefix(oldOwner, store.OwnerNode)) {
		return store.Imported{}, store.ErrNotOwner
	}
	if _, err := im.w.exec(ctx, `INSERT INTO report_revisions (report_id, revision, original, doc, replaced_at, format_id) VALUES (?, ?, ?, ?, ?, ?)`,
		id, revision, oldOriginal, oldDoc, im.now, oldFormat); err != nil {
		return store.Imported{}, err
	}
	if _, err := im.w.exec(ctx, `UPDATE reports SET original = ?, original_digest = ?, doc = ?, description = ?, revision = ?, imported_at = ?, format_id = ?, party = ?, reading_id = ? WHERE id = ?`,
		r.Original, dg, im.w.s.docs.value(doc), r.Description, revision+1, im.now, formatID, r.Party, im.reading, id); err != nil {
		return store.Imported{}, err
	}
	if err := appendLog(ctx, im.w, ledger.Entry{Kind: ledger.Report, Key: logKey, Rev: revision + 1, Digest: dg, Prev: oldDigest}); err != nil {
		return store.Imported{}, err
	}
	if err := im.recombine(ctx, incidentID); err != nil {
		return store.Imported{}, err
	}
	if err := regrade(ctx, im.w, incidentID, im.in.Grade); err != nil {
		return store.Imported{}, err
	}
	return store.Imported{ReportID: id, IncidentID: incidentID, Outcome: store.Updated}, nil
}

// newLogKey names a new report in the public log: the time it is logged
// and a random part, so that the log reveals nothing of the report's
// source, id or submitter. The time leads so that keys arrive in order:
// random keys scattered every insert across the log's key index and made
// a bulk import a quarter slower.
func newLogKey() string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixNano()))
	if _, err := rand.Read(b[8:]); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return "r" + hex.EncodeToString(b[:])
}

// recombine makes an incident's facts again from its reports, and rules
// it.
func (im *importer) recombine(ctx context.Context, id int64) error {
	// The incident changes under the candidates read ahead: read them
	// anew.
	im.near = nil
	return recombine(ctx, im.w, id, im.in, im.now)
}

func recombine(ctx context.Context, w *txw, id int64, rule store.Intake, now string) error {
	rows, err := w.query(ctx, `SELECT id, doc FROM reports WHERE incident_id = ? ORDER BY id`, id)
	if err != nil {
		return err
	}
	var reps []incident.Report
	for rows.Next() {
		var rid int64
		var doc string
		if err := rows.Scan(&rid, w.s.docs.intoText(&doc)); err != nil {
			rows.Close()
			return err
		}
		var r incident.Report
		if err := unmarshal(doc, &r); err != nil {
			rows.Close()
			return fmt.Errorf("report %d: %w", rid, err)
		}
		r.ID = rid
		reps = append(reps, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(reps) == 0 {
		return nil
	}
	var state string
	if err := w.scan(ctx, `SELECT state FROM incidents WHERE id = ?`, []any{id}, &state); err != nil {
		return fmt.Errorf("incident %d: %w", id, err)
	}
	in := incident.Combine(reps)
	in.State = incident.State(state)
	_, err = putIncident(ctx, w, id, in, rule, now)
	return err
}

// putIncident stores an incident (new when id is 0) and its rulings.
func (im *importer) putIncident(ctx context.Context, id int64, in incident.Incident) (int64, error) {
	return putIncident(ctx, im.w, id, in, im.in, im.now)
}

func putIncident(ctx context.Context, w *txw, id int64, in incident.Incident, rule store.Intake, now string) (int64, error) {
	row, err := expectedIncidentRow(in, "", "")
	if err != nil {
		return 0, err
	}
	// The document as stored, packed once here: its rulings are made
	// from it (inputsOf).
	doc := w.s.docs.value(row.Doc)
	if id == 0 && w.s.d.OneWriter {
		if w.lastIncident == 0 {
			// Flushed first (scan), so that the largest id is the largest.
			if err := w.scan(ctx, `SELECT coalesce(max(id), 0) FROM incidents`, nil, &w.lastIncident); err != nil {
				return 0, err
			}
		}
		w.lastIncident++
		id = w.lastIncident
		w.setIncident(id, row, doc, now)
		w.batch().fresh[id] = true
	} else if id == 0 {
		if err := w.scan(ctx, `INSERT INTO incidents (occurred_start, occurred_end, admin1, admin2, admin3, area, act, state, doc, updated_at, cell, datasets, title, title_protected, words)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, []any{row.Start, row.End, row.Admin1, row.Admin2, row.Admin3, row.Area,
			row.Act, row.State, doc, now, row.Cell, row.Datasets, row.Title, row.TitleProtected, row.Words}, &id); err != nil {
			return 0, err
		}
		w.batch().fresh[id] = true
	} else {
		w.setIncident(id, row, doc, now)
	}
	if rule.Rule == nil {
		return id, nil
	}
	in.ID = id
	for _, r := range rule.Rule(in) {
		var inputs []byte
		if key := rule.Keys[r.Agreement]; key != nil {
			inputs = inputsOf(key, row.State, doc)
		}
		if err := saveRuling(ctx, w, id, r, inputs, now); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// inputsOf is what a ruling made with key from an incident whose state
// column is state and whose document is stored as doc (codec.value) is
// made from: their SHA-256, key first. The state is in the document too,
// but truce rule counts a current ruling by the column (a column edited
// alone makes the incident be ruled again, and counted by its document as
// before). The stored bytes are hashed as they are (packed on SQLite),
// which costs no unpacking when truce rule checks them; a change of how
// documents are packed would only make every incident be ruled once
// again.
func inputsOf(key []byte, state string, doc any) []byte {
	h := sha256.New()
	h.Write(key)
	io.WriteString(h, state)
	h.Write([]byte{0})
	switch d := doc.(type) {
	case string:
		io.WriteString(h, d)
	case []byte:
		h.Write(d)
	}
	return h.Sum(nil)
}

// SaveRulings implements store.Store: it writes only the rulings that
// differ from the stored ones (rulings.go).
func (s *Store) SaveRulings(ctx context.Context, rulings []store.IncidentRuling) (int, error) {
	changed, err := s.changedRulings(ctx, rulings)
	if err != nil {
		return 0, fmt.Errorf("save rulings: %w", err)
	}
	if len(changed) == 0 {
		return 0, nil
	}
	written := 0
	for _, c := range changed {
		if !c.inputsOnly {
			written++
		}
	}
	err = s.tx(ctx, func(w *txw) error {
		now := ts(time.Now())
		for _, c := range changed {
			if c.inputsOnly {
				if _, err := w.exec(ctx, `UPDATE rulings SET inputs = ? WHERE incident_id = ? AND agreement_id = ?`, nonNil(c.Inputs), c.IncidentID, c.Ruling.Agreement); err != nil {
					return fmt.Errorf("incident %d: %w", c.IncidentID, err)
				}
				continue
			}
			if err := saveRulingDoc(ctx, w, c.IncidentID, c.Ruling, c.doc, c.Inputs, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("save rulings: %w", err)
	}
	return written, nil
}

func saveRuling(ctx context.Context, w *txw, incidentID int64, r ruling.Ruling, inputs []byte, now string) error {
	doc, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return saveRulingDoc(ctx, w, incidentID, r, doc, inputs, now)
}

// nonNil is b, or an empty slice for nil: the inputs column is NOT NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// saveRulingDoc stores r, whose document is doc, its parties and the
// accused parties' notifications (buffered: see batch.go), made from
// inputs (nil: unknown).
func saveRulingDoc(ctx context.Context, w *txw, incidentID int64, r ruling.Ruling, doc, inputs []byte, now string) error {
	var parties, notified []any
	for _, p := range r.Parties {
		parties = append(parties, incidentID, r.Agreement, p)
		// The accused party's liaisons are told once, and may reply.
		if r.Verdict == ruling.Violation {
			msg := fmt.Sprintf("Incident %d is ruled a violation of %s (%s) by %s. You may reply: deny, accept or explain, with evidence.",
				incidentID, r.Agreement, strings.Join(r.Clauses, ", "), p)
			notified = append(notified, p, incidentID, r.Agreement, msg, now)
		}
	}
	w.setRuling(rulingKey{incidentID, r.Agreement}, pendingRuling{version: r.Version, verdict: string(r.Verdict), outcome: r.Outcome(), doc: string(doc), t: now, inputs: nonNil(inputs),
		parties: listColumn(r.Parties), clauses: listColumn(r.Clauses), guarantors: listColumn(r.Guarantors)}, parties, notified)
	return nil
}

// listColumn is a list as the rulings columns parties, clauses and
// guarantors hold it: a JSON array, [] when empty.
func listColumn(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l) // strings always marshal
	return string(b)
}

// where builds the WHERE clause of a listing or a count read as l says
// (listing, counting): l's own conditions first, then f's, on the columns
// l names (the incident's own, or the copies of the table read from),
// with what b read of the store for f.
func (s *Store) where(f store.Filter, l listed, b bounds) (string, []any) {
	since := b.since
	start, verdict := l.start, l.verdict
	conds, args := slices.Clone(l.conds), slices.Clone(l.args)
	// An incident merged into another has no reports of its own left.
	conds = append(conds, cmp.Or(l.merged, "i.merged_into")+" = 0")
	if !f.From.IsZero() {
		conds = append(conds, cmp.Or(l.end, "i.occurred_end")+" > ?")
		args = append(args, ts(f.From))
		if since != "" {
			conds = append(conds, start+" >= ?")
			args = append(args, since)
		}
	}
	if !f.To.IsZero() {
		conds = append(conds, start+" < ?")
		args = append(args, ts(f.To))
	}
	if b.only != nil {
		conds = append(conds, l.id+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(b.only)), ", ")+")", start+" < ?")
		for _, id := range b.only {
			args = append(args, id)
		}
		args = append(args, b.before)
	}
	// SQLite tests the conditions in this order, each on the entries of
	// the index read while it can, looking the incident up for the first
	// that needs its row: the verdict, the state and the public's states,
	// which the indexes hold (migrations 0029, 0031), before the place.
	if f.Verdict != "" {
		conds = append(conds, verdict+" = ?")
		args = append(args, string(f.Verdict))
	}
	if f.State != "" {
		conds = append(conds, cmp.Or(l.state, "i.state")+" = ?")
		args = append(args, string(f.State))
	}
	// A party's own listing (its liaison reading the incidents it is
	// accused in) needs no condition either: each row accuses it.
	if v := f.Visible; v != nil && !l.own && (v.Party == "" || v.Party != f.Party) {
		// What a viewer who does not see everything may see: published
		// incidents, and for a party, those it is accused in or filed
		// (party_incidents, migration 0035).
		id := cmp.Or(l.id, "i.id")
		state := cmp.Or(l.state, "i.state")
		if l.inOrder && l.state == "" && s.d.Name == "sqlite" {
			// Off incidents_state (see inOrder): tested on the entries of
			// the index read in order, which holds the state (0031).
			state = "+i.state"
		}
		c := state + " IN " + publishedList()
		if v.Party != "" {
			// A page, or a count (capped at store.CountCap), tests the
			// incidents it passes one by one, and stops at its limit;
			// PostgreSQL, expecting the whole range, read every row of
			// the party's and hashed them for each page (0.3 s at a
			// million): see byLookup.
			c += " OR EXISTS (SELECT 1 FROM party_incidents vp WHERE vp.incident_id = " + id + " AND vp.party = ?" + s.byLookup() + ")"
			args = append(args, v.Party)
		}
		conds = append(conds, "("+c+")")
	}
	if f.Admin != "" {
		c := "(i.admin3 LIKE ? OR (i.admin3 = '' AND i.area LIKE ?))"
		switch {
		case l.place != "":
			c = strings.ReplaceAll(c, "i.", l.place+".")
		case l.inOrder && s.d.Name == "sqlite":
			// SQLite's unary + keeps a column's term off its indexes;
			// it is tested on incidents_start's entries, which hold the
			// place (TestInOrderTermsOnTheIndex).
			c = "(+i.admin3 LIKE ? OR (+i.admin3 = '' AND +i.area LIKE ?))"
		}
		conds = append(conds, c)
		args = append(args, f.Admin+"%", f.Admin+"%")
	}
	if f.Text != "" {
		// Only what the viewer may read is searched (see search).
		c, a := s.search(f.Text, f.Visible == nil && !b.publicText, b.text, l.page)
		conds = append(conds, c)
		args = append(args, a...)
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// byLookup ends a subquery that PostgreSQL should run as a look-up for
// each row that asks it, where its planner, expecting every row to ask,
// would read the subquery's table whole and hash it: OFFSET 0 keeps a
// subquery from being hashed or pulled up into a join. SQLite runs such
// a subquery so already.
func (s *Store) byLookup() string {
	if s.d.Name == "postgres" {
		return " OFFSET 0"
	}
	return ""
}

// publishedList is incident.PublishedStates as an SQL list, written as
// the published rows' indexes' conditions are (migration 0031), which
// the planners match to the listings' (TestPublishedIndexes).
func publishedList() string {
	var b strings.Builder
	for i, st := range incident.PublishedStates() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("'" + string(st) + "'")
	}
	return "(" + b.String() + ")"
}

// listed is where a listing of incidents reads from (FROM and its
// joins), its first conditions and their arguments, and the columns of
// its order and of the ruling's verdict.
type listed struct {
	// from is the list's; countFrom the count's, which may read the
	// incidents it joins by id from incidents_cover (coverIncidents).
	from, countFrom    string
	conds              []string
	args               []any
	start, id, verdict string
	// end, merged and state are the columns of the incident's end,
	// merged_into and state: its own, or the copies of the table read
	// from, which its index holds (migrations 0016, 0026, 0029 and 0031).
	end, merged, state string
	// inOrder keeps SQLite off the Admin indexes (see inOrder).
	inOrder bool
	// page: the listing stops at a limit (see search).
	page bool
	// place is the table whose copies of the incident's place the Admin
	// condition tests (party_incidents' own: migration 0035), when not
	// the incident's.
	place string
	// own: the listing is of a party's own incidents that are not
	// published, or of another party's rows of them (bounds.own): all
	// that party's liaison may see of them, with no other visibility
	// condition.
	own bool
}

// listing is where a listing for f reads from. A party or a verdict
// selects rows of ruling_parties or rulings, whose indexes (migration
// 0016) end with the incident's start and id: read from there, in that
// order, a page is one range of the index and stops at the limit. A
// party's rows hold their ruling's verdict, so that a party's violations
// are found without reading their rulings.
func (s *Store) listing(f store.Filter, b bounds) listed {
	join := s.inTurn()
	switch {
	case b.own != "" && f.Party != "":
		// Another party's rows of incidents that are the viewer's own
		// too (party_pairs, migration 0036), each party's row looked up
		// for its verdict.
		rows := " FROM party_pairs pp" + join + " ruling_parties p ON p.incident_id = pp.incident_id AND p.agreement_id = pp.agreement_id AND p.party = pp.party"
		from := rows + join + " incidents i%s ON i.id = pp.incident_id"
		l := listed{from: fmt.Sprintf(from, "") + " LEFT JOIN rulings r ON r.incident_id = i.id AND r.agreement_id = ?", countFrom: fmt.Sprintf(from, s.coverIncidents()),
			conds: []string{"pp.agreement_id = ?", "pp.party = ?", "pp.viewer = ?", "pp.state NOT IN " + publishedList()}, args: []any{f.Agreement, f.Agreement, f.Party, b.own}, own: true,
			start: "pp.occurred_start", id: "pp.incident_id", verdict: "p.verdict", end: "pp.occurred_end", merged: "pp.merged_into", state: "pp.state"}
		if b.keys && f.Admin == "" && f.Text == "" {
			l.from, l.args = rows, l.args[1:]
		}
		return l
	case b.own != "":
		from := " FROM party_incidents pi" + join + " incidents i%s ON i.id = pi.incident_id"
		l := listed{from: fmt.Sprintf(from, "") + " LEFT JOIN rulings r ON r.incident_id = i.id AND r.agreement_id = ?", countFrom: fmt.Sprintf(from, s.coverIncidents()),
			conds: []string{"pi.party = ?", "pi.state NOT IN " + publishedList()}, args: []any{f.Agreement, b.own}, own: true,
			start: "pi.occurred_start", id: "pi.incident_id", verdict: "r.verdict", end: "pi.occurred_end", merged: "pi.merged_into", state: "pi.state", place: "pi"}
		if b.keys && f.Text == "" {
			// Nothing asked of the incident: the party's index alone.
			l.from, l.args = " FROM party_incidents pi", []any{b.own}
		}
		return l
	case f.Party != "":
		from := " FROM ruling_parties p JOIN incidents i%s ON i.id = p.incident_id LEFT JOIN rulings r ON r.incident_id = i.id AND r.agreement_id = ?"
		return listed{from: fmt.Sprintf(from, ""), countFrom: fmt.Sprintf(from, s.coverIncidents()),
			conds: []string{"p.agreement_id = ?", "p.party = ?"}, args: []any{f.Agreement, f.Agreement, f.Party}, start: "p.occurred_start", id: "p.incident_id", verdict: "p.verdict", end: "p.occurred_end", merged: "p.merged_into", state: "p.state"}
	case f.Verdict != "":
		from := " FROM rulings r JOIN incidents i%s ON i.id = r.incident_id"
		return listed{from: fmt.Sprintf(from, ""), countFrom: fmt.Sprintf(from, s.coverIncidents()),
			conds: []string{"r.agreement_id = ?"}, args: []any{f.Agreement}, start: "r.occurred_start", id: "r.incident_id", verdict: "r.verdict", end: "r.occurred_end", merged: "r.merged_into", state: "r.state"}
	}
	from := " FROM incidents i LEFT JOIN rulings r ON r.incident_id = i.id AND r.agreement_id = ?"
	l := listed{from: from, countFrom: from, args: []any{f.Agreement}, start: "i.occurred_start", id: "i.id", verdict: "r.verdict"}
	if b.keys {
		// The keys alone, the rulings read with the page (summariesOf):
		// SQLite looked up each incident's, 50-60 ms for the public's
		// part of a liaison's search at a million, which tests every
		// published incident (7 ms without).
		l.from, l.args = " FROM incidents i", nil
	}
	return l
}

// inTurn is the join that keeps the order of the tables as written:
// SQLite's CROSS JOIN, so that a party's rows are read first, in order;
// PostgreSQL has no such join with ON, and plans its own.
func (s *Store) inTurn() string {
	if s.d.Name == "sqlite" {
		return " CROSS JOIN"
	}
	return " JOIN"
}

// counting is where the count for f reads from. When f asks nothing of
// the incident but what the table read from copies (its start and end,
// whether it was merged, its state, a party's verdict), the count reads
// that table's index alone: a verdict's first store.CountCap+1 incidents
// are as many entries of rulings_verdict, not as many incidents looked up
// as well.
func (s *Store) counting(f store.Filter, b bounds) listed {
	l := s.listing(f, b)
	if l.own {
		// The party's index alone (with another party's rows, their
		// verdict), unless f asks of the incident what it does not copy.
		l.args = []any{b.own}
		if f.Party != "" {
			l.args = []any{f.Agreement, f.Party, b.own}
		}
		switch {
		case f.Text != "" || f.Admin != "" && f.Party != "":
			l.from = l.countFrom
		case f.Party == "":
			l.from = " FROM party_incidents pi"
		case f.Verdict == "":
			l.from = " FROM party_pairs pp"
		default:
			l.from = " FROM party_pairs pp" + s.inTurn() + " ruling_parties p ON p.incident_id = pp.incident_id AND p.agreement_id = pp.agreement_id AND p.party = pp.party"
		}
		return l
	}
	if f.Party == "" && f.Verdict == "" {
		// The listing's ruling, joined on its key, neither adds nor
		// drops an incident; PostgreSQL removes such a join but still
		// reads each incident's id from its row, which kept a period's
		// count (incidents_time includes merged_into) from reading the
		// index alone: 10,001 rows of a month at a million 25-180 ms,
		// against 7 ms.
		l.from, l.args = " FROM incidents i", nil
		if f.Admin == "" && f.State == "" && f.Text == "" && f.Visible == nil && f.From.IsZero() && f.To.IsZero() {
			// Nothing asked but whether merged: incidents_cover in order.
			l.from += s.coverIncidents()
		}
		return l
	}
	switch {
	case f.Admin != "" || f.Text != "":
		l.from = l.countFrom
	case f.Party != "":
		l.from, l.args = " FROM ruling_parties p", []any{f.Agreement, f.Party}
	default:
		l.from = " FROM rulings r"
	}
	return l
}

// coverIncidents is what follows "incidents i" in a query that joins
// incidents by id for the columns incidents_cover holds: on SQLite, which
// without statistics (the store keeps none) judges a lookup by rowid
// cheaper than the wider index, an INDEXED BY, so that a count or a
// summary reads the index (some 70 bytes an incident) instead of every
// incident's row (about a kilobyte: the document is inline). PostgreSQL's
// planner weighs the two itself.
func (s *Store) coverIncidents() string {
	if s.d.Name == "sqlite" {
		return " INDEXED BY incidents_cover"
	}
	return ""
}

// incidentsSQL is what Incidents runs: the query counting the incidents
// matching and its arguments, the query listing them (ordered, and paged
// when the filter has a Limit) and its arguments, in "?" placeholders
// (see rebind).
type incidentsSQL struct {
	count     string
	countArgs []any
	list      string
	args      []any
}

// incidentsQuery is what Incidents runs for f, with what b read for it.
// TestFilterIndexes explains these very queries.
func (s *Store) incidentsQuery(f store.Filter, b bounds) incidentsSQL {
	return s.incidentsQueryAs(f, b, false)
}

// incidentsQueryAs is incidentsQuery, the listing read in its order
// whatever the Admin condition (see inOrder) when inOrder is set.
func (s *Store) incidentsQueryAs(f store.Filter, b bounds, inOrder bool) incidentsSQL {
	return s.incidentsQueryOf(f, b, listColumns, inOrder)
}

// listColumns are what the listing reads of each incident: its document,
// its ruling's, its reports' ids and its grade.
const listColumns = "i.id, i.doc, r.doc, (SELECT string_agg(CAST(id AS TEXT), ',') FROM reports WHERE incident_id = i.id), i.grade"

// incidentsQueryOf is incidentsQueryAs listing the columns cols.
func (s *Store) incidentsQueryOf(f store.Filter, b bounds, cols string, inOrder bool) incidentsSQL {
	l := s.listing(f, b)
	l.inOrder, l.page = inOrder, f.Limit > 0
	if b.keys {
		cols = l.id + ", " + l.start
	}
	from := l.from
	w, args := s.where(f, l, b)
	order := " ORDER BY " + l.start + ", " + l.id
	if f.Newest {
		order = " ORDER BY " + l.start + " DESC, " + l.id + " DESC"
	}
	list := "SELECT " + cols + from + w + order
	if f.Limit > 0 {
		list += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, f.Offset)
	}
	c := s.counting(f, b)
	cw, cargs := s.where(f, c, b)
	return incidentsSQL{count: fmt.Sprintf("SELECT count(*) FROM (SELECT 1%s%s%s LIMIT %d) AS c", c.from, cw, countOrder(f, c), store.CountCap+1), countArgs: cargs, list: list, args: args}
}

// countOrder is the order in which the count of a period reads its
// matches, latest start first, so that a count that reaches
// store.CountCap stops among the period's own incidents: its range of
// starts begins before From (sinceFor), a year before it while an
// incident a year long runs at From, and read from that end, a month's
// count first skipped a year of incidents that had ended before the month
// (62 ms against 3 ms in sqlite3 at a million). Only where the index read
// gives that order: a place or a text is found by indexes of its own,
// whose matches would all be read and sorted.
func countOrder(f store.Filter, c listed) string {
	if f.From.IsZero() || f.Admin != "" || f.Text != "" {
		return ""
	}
	return " ORDER BY " + c.start + " DESC"
}

// inOrder says whether SQLite should read a page of f in the listing's
// order, testing the Admin condition on each entry of incidents_start,
// which holds the place (migration 0034), rather than find every match by
// the Admin indexes and sort them: when more than store.CountCap match
// (total), a page is found in order within about
// (Offset+Limit)×(incidents/matches) entries, where the indexes read every
// match (a governorate is a fifth of the incidents: 180,000 at a million).
// SQLite keeps no statistics of prefixes to choose by; PostgreSQL does,
// and there the planner chooses.
//
// Likewise the public's listings, of every incident or of a place, past
// publicInOrder matches: incidents_state gives every published incident,
// one range a state, each looked up (for its place too) and then sorted,
// where the listing's index, which holds the state (migration 0031), finds
// a page testing its entries first, and looks up only the published
// incidents it passes. A verdict's or a party's listing reads its own
// index, which holds the state too (migrations 0029, 0031).
func (s *Store) inOrder(f store.Filter, total int) bool {
	if s.d.Name != "sqlite" || f.Limit == 0 {
		return false
	}
	public := f.Visible != nil && f.State == "" && f.Verdict == "" && f.Party == ""
	return public && total > publicInOrder || f.Admin != "" && total > store.CountCap
}

// publicInOrder: at a million incidents, a page of the public's in order
// reads about 50×1,000,000/matches index entries (a tenth of a
// microsecond each), incidents_state every published incident, a look-up
// each (some 3 µs) and a sort: the two cost about the same, a few
// milliseconds, at a thousand published.
const publicInOrder = 1000

// shortSpan and maxLong: an incident that ends after a period's From but
// starts more than shortSpan before it is long, and when at most maxLong
// such incidents are stored, sinceFor finds them all by incidents_long
// (migration 0028: the incidents longer than six days, a day less than
// shortSpan against the rounding of the span's arithmetic, by end). A
// week holds 16,353 of the 16,566 events of the shared UCDP file; eight
// run a year.
const (
	shortSpan = 7 * 24 * time.Hour
	maxLong   = 1000
)

// sinceFor is where a period from From on begins in starts: the lower
// bound of the start of any incident that ends after from (bounds.since),
// with the incidents apart when that is a few long ones (bounds.cut and
// bounds.long); nothing when from is zero or no incident has a span. With
// it a period is a range of starts: a page of it in time order reads that
// range and stops at the limit, where "ends after from" alone read every
// incident ending after it and sorted them.
//
// The bound is from less the longest span of any incident (the last entry
// of incidents_span), a second earlier for rounding, when that span is
// short. Otherwise one incident a year long would stretch every period's
// range by a year, read in each listing, count and export: the long
// incidents that end after from and start before from less shortSpan are
// read by incidents_long, and the bound is the earliest of their starts,
// or from less shortSpan when there are none.
//
// What it found is kept while the data is unchanged (totals.go): a page of
// a period asks it twice otherwise, before its count and its rows.
func (s *Store) sinceFor(ctx context.Context, from time.Time) (bounds, error) {
	if from.IsZero() {
		return bounds{}, nil
	}
	version, key := s.version(ctx, "since", []any{ts(from)})
	if key != "" {
		if b, ok := s.periods.get(version, key); ok {
			return b, nil
		}
	}
	b, err := s.periodBounds(ctx, from)
	if err == nil && key != "" {
		s.periods.put(version, key, b)
	}
	return b, err
}

// periodBounds reads what sinceFor returns.
func (s *Store) periodBounds(ctx context.Context, from time.Time) (bounds, error) {
	// An incident's span in days, written as each engine's incidents_span
	// and incidents_long index it, for the planners to use them.
	spanDays := `julianday(occurred_end) - julianday(occurred_start)`
	if s.d.Name == "postgres" {
		spanDays = `incident_span_days(occurred_start, occurred_end)`
	}
	var days sql.NullFloat64
	if err := s.queryRow(ctx, `SELECT max(`+spanDays+`) FROM incidents`).Scan(&days); err != nil {
		return bounds{}, fmt.Errorf("longest incident: %w", err)
	}
	if !days.Valid {
		return bounds{}, nil
	}
	span := time.Duration(days.Float64*24*float64(time.Hour)) + time.Second
	b := bounds{since: ts(from.Add(-span))}
	if span <= shortSpan {
		return b, nil
	}
	// The condition as incidents_long's own.
	cut := ts(from.Add(-shortSpan))
	rows, err := s.query(ctx, `SELECT id, occurred_start FROM incidents WHERE `+spanDays+` > 6 AND occurred_end > ? AND occurred_start < ? LIMIT ?`, ts(from), cut, maxLong+1)
	if err != nil {
		return bounds{}, fmt.Errorf("long incidents: %w", err)
	}
	defer rows.Close()
	long, first := []int64{}, cut
	for rows.Next() {
		var id int64
		var start string
		if err := rows.Scan(&id, &start); err != nil {
			return bounds{}, fmt.Errorf("long incidents: %w", err)
		}
		long, first = append(long, id), min(first, start)
	}
	if err := rows.Err(); err != nil {
		return bounds{}, fmt.Errorf("long incidents: %w", err)
	}
	if len(long) > maxLong {
		return b, nil
	}
	return bounds{since: first, cut: cut, long: long}, nil
}

// Incidents implements store.Store.
func (s *Store) Incidents(ctx context.Context, f store.Filter) ([]store.IncidentSummary, int, error) {
	if (f.Party != "" || f.Verdict != "") && f.Agreement == "" {
		return nil, 0, fmt.Errorf("list incidents: filtering by party or verdict needs an agreement")
	}
	var list []store.IncidentSummary
	var total int
	err := s.searchGuard(ctx, f, func(ctx context.Context, b bounds) error {
		var err error
		list, total, err = s.incidents(ctx, f, b)
		return err
	})
	if err != nil && errors.Is(err, store.ErrTooBroad) {
		return nil, 0, fmt.Errorf("list incidents matching %q: %w", f.Text, err)
	}
	return list, total, err
}

// searchGuard reads what f's conditions need of the store (boundsOf) and
// runs fn, which reads what f selects: alone among text searches
// (searchSlots) and for at most the search budget when f searches text
// without the trigram indexes (bounds.text), failing with
// store.ErrTooBroad when the budget ran out. A search SQLite's indexes
// answer tests at most maxIndexed incidents, and runs as any other
// filter; PostgreSQL's choice rests on an estimate, so its searches keep
// both.
func (s *Store) searchGuard(ctx context.Context, f store.Filter, fn func(context.Context, bounds) error) error {
	b, err := s.boundsOf(ctx, f)
	if err != nil {
		return err
	}
	if f.Text == "" || b.text != "" && s.d.Name == "sqlite" {
		return fn(ctx, b)
	}
	parent := ctx
	select {
	case s.searching <- struct{}{}:
		b.unslot = sync.OnceFunc(func() { <-s.searching })
		defer b.unslot()
	case <-ctx.Done():
		return ctx.Err()
	}
	ctx, cancel := context.WithTimeout(ctx, s.budget)
	defer cancel()
	err = fn(ctx, b)
	if err != nil && ctx.Err() != nil && parent.Err() == nil {
		return store.ErrTooBroad
	}
	return err
}

func (s *Store) incidents(ctx context.Context, f store.Filter, b bounds) ([]store.IncidentSummary, int, error) {
	if v := f.Visible; v != nil && v.Party == "" && f.State != "" && !f.State.Published() {
		// The public asks for a state it is never shown: nothing, which
		// PostgreSQL found by reading every incident in that state.
		return nil, 0, nil
	}
	if merges(f, b) {
		return s.liaisonIncidents(ctx, f, b)
	}
	if len(b.long) > 0 && f.Limit > 0 {
		list, total, ok, err := s.incidentsApart(ctx, f, b)
		if err != nil || ok {
			return list, total, err
		}
	}
	qs := s.incidentsQuery(f, b)
	var total int
	var err error
	if !f.NoCount {
		if total, err = s.countMatches(ctx, f, b, qs); err != nil {
			return nil, 0, fmt.Errorf("count incidents: %w", err)
		}
	}
	if !f.NoCount && past(f.Offset, total) {
		return nil, total, nil
	}
	if b.unslot != nil && total > store.CountCap && f.Offset+f.Limit <= maxUnslotted {
		// The count was the search's unbounded part (or was kept): more
		// than store.CountCap match, so that a first page is found
		// within a few thousand incidents read in order, and need not
		// wait for the slot's other searches nor keep them waiting. At
		// a million, eight readers of one town's first page waited 118
		// ms for a page read in 19.
		b.unslot()
	}
	if s.inOrder(f, total) {
		qs = s.incidentsQueryAs(f, b, true)
	}
	list, err := s.listRows(ctx, qs.list, qs.args, b.keys)
	return list, total, err
}

// liaisonIncidents is a page of what a party's liaison sees of f: the
// published incidents merged with the party's own that are not (those it
// is accused in or filed: party_incidents; of another party's listing,
// that party's rows of them: party_pairs), the keys of each part's first
// Offset+Limit read in order from its own index, then the page's
// incidents by id. Tested as one condition ("published, or the party's")
// on every incident passed, a page of everything tested some 400
// incidents at a million (one in eight seen) and its count 80,000.
func (s *Store) liaisonIncidents(ctx context.Context, f store.Filter, b bounds) ([]store.IncidentSummary, int, error) {
	pub, own, ob := liaisonParts(f, b)
	// Each part counts: the slot is kept until both have read.
	ob.unslot = nil
	pb := b
	pb.keys, pb.unslot = true, nil
	a, na, err := s.incidents(ctx, pub, pb) // nothing read for a state the public is not shown
	if err != nil {
		return nil, 0, err
	}
	var o []store.IncidentSummary
	var no int
	if !f.State.Published() { // else the party's own part holds none
		if o, no, err = s.incidents(ctx, own, ob); err != nil {
			return nil, 0, err
		}
	}
	// Their order: the listings' (start, then id).
	before := func(x, y *store.IncidentSummary) bool {
		xs, ys := ts(x.Occurred.Start), ts(y.Occurred.Start)
		if xs != ys {
			return xs < ys != f.Newest
		}
		return x.ID < y.ID != f.Newest
	}
	merged := make([]store.IncidentSummary, 0, len(a)+len(o))
	for len(a) > 0 || len(o) > 0 {
		if len(o) == 0 || len(a) > 0 && before(&a[0], &o[0]) {
			merged, a = append(merged, a[0]), a[1:]
		} else {
			merged, o = append(merged, o[0]), o[1:]
		}
	}
	total := min(na+no, store.CountCap+1)
	if f.Offset >= len(merged) {
		return nil, total, nil
	}
	page, err := s.summariesOf(ctx, merged[f.Offset:min(len(merged), f.Offset+f.Limit)], f.Agreement)
	return page, total, err
}

// countMatches is how many incidents match f, up to store.CountCap+1
// (qs.count). A text search that the trigram indexes do not answer (more
// than maxIndexed incidents may hold the text) tests each incident its
// count passes: at a million, counting the 10,001 incidents that name
// Duma (one in twenty) tested some 220,000 incidents, each reading its
// reports' descriptions for staff, 1.0-1.9 s on either engine; the 6,118
// of them ruled violations tested every violation, 2-3 s; and GOV's
// liaison's count of its own unpublished incidents naming Duma every
// one of them (112,000), 1.1-1.7 s. So these are counted from the
// indexes instead:
//
//   - staff's search with no other condition (the search box's): the
//     incidents whose public words hold the text, which match staff's
//     search too, are counted first (floorCount), and when they reach
//     store.CountCap+1 that is the count: 30 ms on SQLite, 0.2 s on
//     PostgreSQL;
//   - otherwise, while the indexes give at most maxCounted incidents,
//     each of those is tested (indexedCount; on PostgreSQL for a
//     liaison's search without a period or a place), where the count
//     reads by its other conditions every incident they keep: staff's
//     count of a town's violations 3 s -> 0.6 s on SQLite, GOV's
//     liaison's of its own incidents naming Duma 1.4 -> 0.4 s on SQLite
//     and 2.1 -> 0.75 s on PostgreSQL.
//
// The public's count reads the published incidents alone, which it
// tests for the public's words (as it does a liaison's published part):
// left to qs.count.
func (s *Store) countMatches(ctx context.Context, f store.Filter, b bounds, qs incidentsSQL) (int, error) {
	public := f.Visible != nil && f.Visible.Party == ""
	if f.Text == "" || b.text != "" || public || !s.textIndexes || s.noTextIndex {
		return s.count(ctx, qs.count, qs.countArgs)
	}
	// Another condition leaves too few of the text's incidents to reach
	// the cap in the common cases, where trying cost PostgreSQL as much
	// again as the count.
	other := !f.From.IsZero() || !f.To.IsZero() || f.Admin != "" || f.Verdict != "" || f.Party != "" || f.State != ""
	if f.Visible == nil && !other {
		if q, args, ok := s.floorCount(f, b); ok {
			n, err := s.count(ctx, q, args)
			if err != nil || n > store.CountCap {
				return n, err
			}
		}
	}
	q, args, ok, err := s.indexedCount(ctx, f, b)
	if err != nil {
		return 0, err
	}
	if !ok {
		q, args = qs.count, qs.countArgs
	}
	return s.count(ctx, q, args)
}

// maxCounted bounds the incidents the text indexes may give a search
// for indexedCount to test each: at a million, the 90,000 that
// the indexes give for a town named in one incident in twenty are tested
// in 0.3-0.6 s on SQLite; past it, a word common enough is counted
// sooner by the other conditions' own indexes.
const maxCounted = 150_000

// maxTested is how many incidents meeting a staff search's other
// conditions PostgreSQL's count tests for the text, each, rather than
// gather the text's incidents from the indexes (indexedCount): at a
// million each test took 10-25 µs, and gathering a town's 0.6-0.7 s.
const maxTested = 30_000

// indexedCount is a count of the incidents matching f, up to
// store.CountCap+1, that reads the incidents the text indexes give for
// the viewer's search (textMatches) and tests each for f, looking up the
// rows its other conditions read (a ruling, a party's row) by the
// incident's id; ok is false when they give more than maxCounted. On
// PostgreSQL, a liaison's search only without a period or a place (a
// period's or a place's count, read from its own index, took 0.1-0.35 s
// where testing the town's incidents took 0.45-0.6 s); staff's only when
// its other conditions match more than maxTested incidents, and then
// without testing the text again: the reports the index gives lie each
// on a page of its own, and reading them again for each incident took
// 1.3-1.5 s at a million.
func (s *Store) indexedCount(ctx context.Context, f store.Filter, b bounds) (q string, args []any, ok bool, err error) {
	all := f.Visible == nil
	lower := strings.ToLower(f.Text)
	index := trigrams(lower)
	// exact: the incidents the indexes give are those the text conditions
	// match, so that only the other conditions are tested.
	exact := false
	if s.d.Name == "postgres" {
		// A liaison's period's or place's own index: see above.
		if !all && (!f.From.IsZero() || !f.To.IsZero() || f.Admin != "") || !hasWord(lower, 3) {
			return "", nil, false, nil
		}
		index = likeContains(lower)
		// Staff's search tests the act, the names and every title, as
		// the indexes hold them, and every report's description: with
		// no line break in the text (which could match across two of
		// the words the public index joins), the incidents the indexes
		// give are exactly the matches.
		exact = all && !strings.Contains(lower, "\n")
		if all {
			if !exact {
				return "", nil, false, nil
			}
			// Gathering the text's incidents takes 0.6-0.7 s at a
			// million (the reports the index gives lie each on a page
			// of its own): up to maxTested incidents meeting the other
			// conditions are tested for the text sooner (a state's
			// 10,152: 0.1-0.2 s).
			g := f
			g.Text = ""
			c := s.counting(g, b)
			w, args := s.where(g, c, b)
			q := fmt.Sprintf("SELECT count(*) FROM (SELECT 1%s%s%s LIMIT %d) AS c", c.from, w, countOrder(g, c), s.maxTested+1)
			if n, err := s.count(ctx, q, args); err != nil || n <= s.maxTested {
				return "", nil, false, err
			}
		}
	}
	if index == "" {
		return "", nil, false, nil
	}
	in, pre := s.textMatches(index, all)
	if s.d.Name == "postgres" {
		if n, err := s.estimate(ctx, in, pre); err != nil || n > maxCounted {
			return "", nil, false, err
		}
	} else if over, err := s.indexedOver(ctx, index, textIndexes(all), maxCounted); err != nil || over {
		return "", nil, false, err
	}
	lookup := s.byLookup()
	if exact {
		// The text's incidents then meet the other conditions' rows,
		// which the planner may hash: the reports the index gives, one
		// page each, are read once, not again for each incident (a
		// town's violations at a million 3.1-3.7 s, then 0.85 s).
		f.Text, lookup = "", ""
	}
	c := s.counting(f, b)
	w, args := s.where(f, c, b)
	q = fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM (%s) AS t WHERE EXISTS (SELECT 1%s%s AND %s = t.id%s) LIMIT %d) AS c", in, c.from, w, c.id, lookup, store.CountCap+1)
	return q, append(pre, args...), true, nil
}

// maxUnslotted bounds the pages incidents reads without the search slot:
// with more than store.CountCap matches in at most a million incidents
// (one in a hundred), the first 200 are within some 20,000 incidents
// read in order.
const maxUnslotted = 200

// maxFloorCandidates bounds the incidents floorCount reads from the
// public words' text index: it reaches store.CountCap+1 within them when
// three in four hold the text itself (the index gives every incident
// holding each of its three-letter pieces) and are not merged; otherwise
// it gives up after some 40 ms at a million.
const maxFloorCandidates = 4 * (store.CountCap + 1) / 3

// floorCount is a count, up to store.CountCap+1, of the incidents
// matching f whose public words hold f's text: on SQLite read from the
// public words' trigram index (incident_text) in its order, each
// candidate tested for f (which may read its ruling or a party's row by
// the incident's id), so that the count stops at its limit; on
// PostgreSQL the count of f with the public's words searched, as the
// planner reads it. ok is false when there is no such index to ask.
func (s *Store) floorCount(f store.Filter, b bounds) (q string, args []any, ok bool) {
	if !s.textIndexes || s.noTextIndex {
		return "", nil, false
	}
	b.publicText = true
	c := s.counting(f, b)
	w, args := s.where(f, c, b)
	if s.d.Name == "postgres" {
		// Spelt as the public words' trigram index holds them, so that
		// the planner may find the text's incidents by it: 0.5 s -> 0.1-0.2
		// s at a million for a town.
		w += " AND " + pgPublicText + pgLike
		args = append(args, likeContains(strings.ToLower(f.Text)))
		return fmt.Sprintf("SELECT count(*) FROM (SELECT 1%s%s LIMIT %d) AS c", c.from, w, store.CountCap+1), args, true
	}
	m := trigrams(strings.ToLower(f.Text))
	if m == "" {
		return "", nil, false
	}
	q = fmt.Sprintf(`SELECT count(*) FROM (SELECT 1 FROM (SELECT rowid FROM incident_text WHERE incident_text MATCH ? LIMIT %d) AS t
		WHERE EXISTS (SELECT 1%s%s AND %s = t.rowid) LIMIT %d) AS c`, maxFloorCandidates, c.from, w, c.id, store.CountCap+1)
	return q, append([]any{m}, args...), true
}

// summariesOf reads the summaries of the incidents of keys (listRows'),
// in their order, each with its ruling under agreement.
func (s *Store) summariesOf(ctx context.Context, keys []store.IncidentSummary, agreement string) ([]store.IncidentSummary, error) {
	args := []any{agreement}
	for _, k := range keys {
		args = append(args, k.ID)
	}
	list, err := s.summaries(ctx, "SELECT "+listColumns+" FROM incidents i LEFT JOIN rulings r ON r.incident_id = i.id AND r.agreement_id = ? WHERE i.id IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(keys)), ", ")+")", args)
	if err != nil {
		return nil, err
	}
	at := make(map[int64]int, len(keys))
	for i, k := range keys {
		at[k.ID] = i
	}
	slices.SortFunc(list, func(x, y store.IncidentSummary) int { return at[x.ID] - at[y.ID] })
	return list, nil
}

// listRows runs q, a listing of listColumns, or with keys of each
// incident's id and start only (bounds.keys): then each summary holds
// those two alone.
func (s *Store) listRows(ctx context.Context, q string, args []any, keys bool) ([]store.IncidentSummary, error) {
	if !keys {
		return s.summaries(ctx, q, args)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	defer rows.Close()
	var out []store.IncidentSummary
	for rows.Next() {
		var sum store.IncidentSummary
		var start string
		if err := rows.Scan(&sum.ID, &start); err != nil {
			return nil, err
		}
		if sum.Occurred.Start, err = parseTS(start); err != nil {
			return nil, fmt.Errorf("incident %d: start %q: %w", sum.ID, start, err)
		}
		out = append(out, sum)
	}
	return out, rows.Err()
}

// merges says whether a page of f is read by liaisonIncidents: a party
// liaison's listing of incidents, or of another party's rows, within
// maxMerged. A verdict's listing alone tests each row, as does the
// party's own listing (which needs no test: see where).
func merges(f store.Filter, b bounds) bool {
	v := f.Visible
	return v != nil && v.Party != "" && b.own == "" && (f.Party == "" && f.Verdict == "" || f.Party != "" && f.Party != v.Party) && f.Limit > 0 && f.Offset+f.Limit <= maxMerged
}

// liaisonParts are the two parts liaisonIncidents reads for f: the
// public's filter, and f with the bounds of the party's own.
func liaisonParts(f store.Filter, b bounds) (pub, own store.Filter, ob bounds) {
	pub, own, ob = f, f, b
	pub.Visible = &store.Visibility{}
	pub.Limit, pub.Offset = f.Offset+f.Limit, 0
	own.Limit, own.Offset = pub.Limit, 0
	ob.own, ob.keys = f.Visible.Party, true
	return pub, own, ob
}

// maxMerged bounds the pages liaisonIncidents reads: each of its two
// parts reads Offset+Limit keys (and, for a place, incidents), where the
// single listing, testing each incident, reads the index entries it skips
// only. Deeper pages (a liaison paging past the thousandth) are read so.
const maxMerged = 1000

// past reports whether a page from offset lies past the end of a list
// counted total: then there is nothing to read. A filter few incidents
// match, as the public's while few are published, reads its index to the
// end looking for a page it cannot fill; the count, kept while nothing
// is written, already says how many there are, unless it reached
// store.CountCap, where it stopped.
func past(offset, total int) bool {
	return total <= store.CountCap && offset >= total
}

// incidentsApart reads a page of f in two parts: the long incidents of b
// (sinceFor), which start before b.cut, by their ids, and the others,
// from b.cut on: a range of starts a week longer than the period, where
// one range from the earliest long start read a year of incidents when
// one of them ran a year (in order, to drop those that had ended before
// the period; or, for an index that gives them in another order, such as
// the public's by state, to sort them). The long incidents come first
// oldest first, last newest first. ok is false when the page cannot be
// placed so (newest first, past more than store.CountCap others).
func (s *Store) incidentsApart(ctx context.Context, f store.Filter, b bounds) (page []store.IncidentSummary, total int, ok bool, err error) {
	long, rest := b, b
	long.only, long.before = b.long, b.cut
	rest.since, rest.long = b.cut, nil
	// part is one of the two; the long incidents are few, read by their
	// ids whatever the Admin condition.
	type part struct {
		b   bounds
		ids bool
	}
	first, second := part{long, true}, part{rest, false}
	if f.Newest {
		first, second = second, first
	}
	n := [2]int{}
	counted := [2]bool{true, !f.NoCount}
	for i, p := range [2]part{first, second} {
		if !counted[i] {
			continue
		}
		q := s.incidentsQueryAs(f, p.b, p.ids)
		if n[i], err = s.count(ctx, q.count, q.countArgs); err != nil {
			return nil, 0, false, fmt.Errorf("count incidents: %w", err)
		}
	}
	if f.Offset >= n[0] && n[0] > store.CountCap {
		return nil, 0, false, nil // how many to skip is not known
	}
	if !f.NoCount {
		total = min(n[0]+n[1], store.CountCap+1)
	}
	off := f.Offset
	for i, p := range [2]part{first, second} {
		fp := f
		fp.Offset, fp.Limit = off, f.Limit-len(page)
		if fp.Limit <= 0 {
			break
		}
		if counted[i] && past(fp.Offset, n[i]) {
			off -= n[i]
			continue
		}
		q := s.incidentsQueryAs(fp, p.b, p.ids || s.inOrder(fp, n[i]))
		more, err := s.listRows(ctx, q.list, q.args, p.b.keys)
		if err != nil {
			return nil, 0, false, err
		}
		page = append(page, more...)
		off = 0
	}
	return page, total, true, nil
}

// summaries runs q, a listing of listColumns, and decodes what it reads.
func (s *Store) summaries(ctx context.Context, q string, args []any) ([]store.IncidentSummary, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	defer rows.Close()
	var out []store.IncidentSummary
	for rows.Next() {
		var (
			id   int64
			idoc string
			rdoc []byte // none: no ruling
			rids sql.NullString
			sum  store.IncidentSummary
		)
		if err := rows.Scan(&id, s.docs.intoText(&idoc), s.docs.into(&rdoc), &rids, &sum.Grade); err != nil {
			return nil, err
		}
		if err := unmarshal(idoc, &sum.Incident); err != nil {
			return nil, fmt.Errorf("incident %d: %w", id, err)
		}
		sum.ID = id
		for _, s := range strings.Split(rids.String, ",") {
			if rid, err := strconv.ParseInt(s, 10, 64); err == nil {
				sum.ReportIDs = append(sum.ReportIDs, rid)
			}
		}
		if rdoc != nil {
			var r ruling.Ruling
			if err := unmarshal(rdoc, &r); err != nil {
				return nil, fmt.Errorf("incident %d ruling: %w", id, err)
			}
			sum.Ruling = &r
		}
		out = append(out, sum)
	}
	return out, rows.Err()
}

// Incident implements store.Store.
func (s *Store) Incident(ctx context.Context, id int64) (store.IncidentDetail, error) {
	var d store.IncidentDetail
	var idoc string
	err := s.queryRow(ctx, `SELECT doc, merged_into FROM incidents WHERE id = ?`, id).Scan(s.docs.intoText(&idoc), &d.MergedInto)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("incident %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("incident %d: %w", id, err)
	}
	if err := unmarshal(idoc, &d.Incident); err != nil {
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
	rrows, err := s.query(ctx, `SELECT doc FROM rulings WHERE incident_id = ? ORDER BY agreement_id`, id)
	if err != nil {
		return d, fmt.Errorf("incident %d rulings: %w", id, err)
	}
	defer rrows.Close()
	for rrows.Next() {
		var doc string
		if err := rrows.Scan(s.docs.intoText(&doc)); err != nil {
			return d, fmt.Errorf("incident %d ruling: %w", id, err)
		}
		var r ruling.Ruling
		if err := unmarshal(doc, &r); err != nil {
			return d, err
		}
		d.Rulings = append(d.Rulings, r)
	}
	return d, rrows.Err()
}

// EachIncident implements store.Store.
func (s *Store) EachIncident(ctx context.Context, from, to time.Time, fn func(incident.Incident) error) error {
	// Bounded below like a listing's period (sinceFor): a range of
	// incidents_start in the order read.
	b, err := s.sinceFor(ctx, from)
	if err != nil {
		return fmt.Errorf("scan incidents: %w", err)
	}
	w, args := s.where(store.Filter{From: from, To: to}, listed{start: "i.occurred_start"}, b)
	rows, err := s.query(ctx, "SELECT i.id, i.doc, (SELECT string_agg(CAST(r.id AS TEXT), ',') FROM reports r WHERE r.incident_id = i.id) FROM incidents i"+w+" ORDER BY i.occurred_start, i.id", args...)
	if err != nil {
		return fmt.Errorf("scan incidents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var doc string
		var reports sql.NullString
		if err := rows.Scan(&id, s.docs.intoText(&doc), &reports); err != nil {
			return err
		}
		var in incident.Incident
		if err := unmarshal(doc, &in); err != nil {
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

// EachToRule implements store.Store. It reads the incidents as
// EachIncident does, joined to their rulings under agreementID, and
// decides whether each ruling is current from the document's stored bytes
// (inputsOf), so that a current one is neither unpacked nor decoded: what
// truce rule spends on an incident whose ruling stands is reading its
// row. The report ids, which only the caller's listing needs, are read
// only with all.
func (s *Store) EachToRule(ctx context.Context, from, to time.Time, agreementID string, key []byte, all bool, fn func(store.ToRule) error) error {
	b, err := s.sinceFor(ctx, from)
	if err != nil {
		return fmt.Errorf("scan incidents to rule: %w", err)
	}
	w, args := s.where(store.Filter{From: from, To: to}, listed{start: "i.occurred_start"}, b)
	reports := "''"
	if all {
		reports = "(SELECT string_agg(CAST(rp.id AS TEXT), ',') FROM reports rp WHERE rp.incident_id = i.id)"
	}
	rows, err := s.query(ctx, `SELECT i.id, i.state, i.doc, r.inputs, r.version, r.verdict, r.outcome, r.parties, r.clauses, `+reports+`
		FROM incidents i LEFT JOIN rulings r ON r.incident_id = i.id AND r.agreement_id = ?`+w+" ORDER BY i.occurred_start, i.id",
		append([]any{agreementID}, args...)...)
	if err != nil {
		return fmt.Errorf("scan incidents to rule: %w", err)
	}
	defer rows.Close()
	// The lists of parties and clauses are few and repeated: each is
	// decoded once.
	lists := map[string][]string{}
	list := func(col sql.NullString) ([]string, error) {
		if l, ok := lists[col.String]; ok || !col.Valid {
			return l, nil
		}
		var l []string
		if err := unmarshal(col.String, &l); err != nil {
			return nil, err
		}
		lists[col.String] = l
		return l, nil
	}
	for rows.Next() {
		var t store.ToRule
		var state string
		var doc sql.RawBytes
		var inputs []byte
		var version sql.NullInt64
		var verdict, outcome, parties, clauses, reportIDs sql.NullString
		if err := rows.Scan(&t.ID, &state, &doc, &inputs, &version, &verdict, &outcome, &parties, &clauses, &reportIDs); err != nil {
			return fmt.Errorf("scan incidents to rule: %w", err)
		}
		t.State = incident.State(state)
		if key != nil {
			t.Inputs = inputsOf(key, state, []byte(doc))
			t.Current = len(inputs) > 0 && bytes.Equal(inputs, t.Inputs)
		}
		if t.Current {
			t.Stored = store.StoredRuling{Version: int(version.Int64), Verdict: ruling.Verdict(verdict.String), Outcome: outcome.String}
			if t.Stored.Parties, err = list(parties); err == nil {
				t.Stored.Clauses, err = list(clauses)
			}
			if err != nil {
				return fmt.Errorf("incident %d ruling under %s: %w", t.ID, agreementID, err)
			}
		}
		if !t.Current || all {
			text, err := s.docs.unpack(doc)
			if err != nil {
				return fmt.Errorf("incident %d: %w", t.ID, err)
			}
			if err := unmarshal(text, &t.Incident); err != nil {
				return fmt.Errorf("incident %d: %w", t.ID, err)
			}
			t.Incident.ID = t.ID
			for _, r := range strings.Split(reportIDs.String, ",") {
				if rid, err := strconv.ParseInt(r, 10, 64); err == nil {
					t.Incident.ReportIDs = append(t.Incident.ReportIDs, rid)
				}
			}
		}
		if err := fn(t); err != nil {
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
	rows, err := s.query(ctx, `SELECT r.id, r.incident_id, r.doc, r.original, coalesce(f.format, '')
		FROM reports r LEFT JOIN original_formats f ON f.id = r.format_id `+where+` ORDER BY r.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r incident.Report
		var id, incidentID int64
		var doc, original, format string
		if err := rows.Scan(&id, &incidentID, s.docs.intoText(&doc), &original, &format); err != nil {
			return err
		}
		if err := unmarshal(doc, &r); err != nil {
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

// search is the condition under which an incident matches a text search,
// and its arguments. The text matches literally (likeContains), ignoring
// ASCII case, and only in what the viewer may read, or a search would be
// an oracle that spells out hidden words a guess at a time: everyone
// matches an incident's public facts (its place's name, its actors'
// names, its act) and its title unless that is a protected report's words
// (Incident.TitleProtected, as the application redacts it); staff (all)
// also match every title and the description of each of its reports.
// Original records are never searched.
//
// On PostgreSQL a page's test of the reports is a look-up by the
// incident's id (page): the planner, expecting to test every incident,
// first read every report holding the text and hashed them (0.4 s for a
// town named in one report in twenty at a million), where the page
// stops after some thousand incidents. A count that tests them all
// keeps the hash.
func (s *Store) search(text string, all bool, index string, page bool) (string, []any) {
	const like = " LIKE ? ESCAPE '\\'"
	conds := []string{"lower(i.act)" + like}
	// The names are one a line: words spanning two lines would match
	// across two names.
	if !strings.Contains(text, "\n") {
		conds = append(conds, "lower(i.words)"+like)
	}
	if all {
		tail := ""
		if page {
			tail = s.byLookup()
		}
		conds = append(conds,
			"lower(i.title)"+like,
			"EXISTS (SELECT 1 FROM reports rp WHERE rp.incident_id = i.id AND lower(rp.description)"+like+tail+")")
	} else {
		conds = append(conds, "(NOT i.title_protected AND lower(i.title)"+like+")")
	}
	pattern := likeContains(strings.ToLower(text))
	args := make([]any, len(conds))
	for i := range args {
		args[i] = pattern
	}
	cond := "(" + strings.Join(conds, " OR ") + ")"
	if index != "" {
		// The trigram indexes give the incidents whose words may hold
		// the text, which the conditions above then test (see textIndex).
		in, pre := s.textMatches(index, all)
		cond = "i.id IN (" + in + ") AND " + cond
		args = append(pre, args...)
	}
	return cond, args
}

// The expressions PostgreSQL's trigram indexes hold (its migration 0024),
// which a query must spell as they are for the planner to use them.
const (
	pgPublicText = `lower(act || E'\n' || words || E'\n' || CASE WHEN title_protected THEN '' ELSE title END)`
	pgLike       = ` LIKE ? ESCAPE '\'`
)

// textMatches is the query of the incidents whose words the trigram
// indexes say may hold the text, and its arguments, for index, what
// textIndex gave: the public's words, and for staff (all) protected
// titles and the incidents of the reports whose descriptions do. On
// SQLite index is an FTS5 query (trigrams) and the incidents hold every
// piece of the text; on PostgreSQL it is the search's LIKE pattern, and
// the incidents hold the text itself somewhere in those words.
func (s *Store) textMatches(index string, all bool) (string, []any) {
	if s.d.Name == "postgres" {
		if !all {
			return "SELECT id FROM incidents WHERE " + pgPublicText + pgLike, []any{index}
		}
		return "SELECT id FROM incidents WHERE " + pgPublicText + pgLike + `
			UNION SELECT id FROM incidents WHERE title_protected AND lower(title)` + pgLike + `
			UNION SELECT incident_id FROM reports WHERE lower(description)` + pgLike, []any{index, index, index}
	}
	if !all {
		return "SELECT rowid AS id FROM incident_text WHERE incident_text MATCH ?", []any{index}
	}
	return `SELECT rowid AS id FROM incident_text WHERE incident_text MATCH ?
		UNION SELECT rowid FROM protected_text WHERE protected_text MATCH ?
		UNION SELECT incident_id FROM reports WHERE id IN (SELECT rowid FROM report_text WHERE report_text MATCH ?)`, []any{index, index, index}
}

// maxIndexed is how many incidents the trigram indexes may give a text
// search for it to ask them: past it, the text is common enough that
// reading incidents in the listing's order finds a page and the count's
// store.CountCap+1 matches sooner than gathering every incident holding
// it (at a million, 4 s for a word in every description, against 0.02 s
// without; docs/benchmarks.md, "Issue 17, seventh round").
const maxIndexed = 20_000

// textIndex is what a search of f's text asks the trigram indexes with
// (textMatches), so that a rare text is found among a million incidents
// in milliseconds where testing each took ten seconds: on SQLite an FTS5
// query (trigrams, migration 0024), on PostgreSQL the search's LIKE
// pattern (pg_trgm, its migration 0024). It is "" when f searches no
// text, the database has no such index, the text has no three-character
// piece the index can take, or the indexes give more than maxIndexed
// incidents (on PostgreSQL: are estimated to). Whatever the search's
// conditions match, the indexes give (on SQLite they fold case as lower
// does, and more), so the search matches exactly what it matches
// without them (TestTextIndexChangesNothing).
func (s *Store) textIndex(ctx context.Context, f store.Filter) (string, error) {
	if f.Text == "" || !s.textIndexes || s.noTextIndex {
		return "", nil
	}
	lower := strings.ToLower(f.Text)
	if s.d.Name == "postgres" {
		// pg_trgm takes the trigrams of the pattern's words (runs of
		// letters and digits); with none it would read its whole index.
		if !hasWord(lower, 3) {
			return "", nil
		}
		// The planner's estimate, from the statistics ANALYZE keeps of
		// the indexed expressions: counting as SQLite does reads the
		// table's row for each candidate to test it (pg_trgm's recheck),
		// 0.3-0.7 s for a place named in one incident in twenty at a
		// million. A wrong estimate costs time, never a result, and such
		// a search keeps the budget (searchGuard).
		m := likeContains(lower)
		q, args := s.textMatches(m, f.Visible == nil)
		n, err := s.estimate(ctx, q, args)
		if err != nil || n > float64(s.maxIndexed) {
			return "", err
		}
		return m, nil
	}
	m := trigrams(lower)
	if m == "" {
		return "", nil
	}
	if over, err := s.indexedOver(ctx, m, textIndexes(f.Visible == nil), s.maxIndexed); err != nil || over {
		return "", err
	}
	return m, nil
}

// textIndexes are SQLite's trigram indexes a search asks: the public
// words', and for staff (all) the protected titles' and the reports'.
func textIndexes(all bool) []string {
	if all {
		return []string{"incident_text", "protected_text", "report_text"}
	}
	return []string{"incident_text"}
}

// indexedOver says whether SQLite's trigram indexes give more than limit
// rows in all for the FTS5 query m. Each index is counted on its own,
// which reads only the index (joining the reports to their incidents, as
// the search does, cost as much as the search for a common word), up to
// limit+1, and kept with the totals (count) for the next pages.
func (s *Store) indexedOver(ctx context.Context, m string, indexes []string, limit int) (bool, error) {
	n := 0
	for _, index := range indexes {
		q := fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %[1]s WHERE %[1]s MATCH ? LIMIT %d) AS c", index, limit+1)
		k, err := s.count(ctx, q, []any{m})
		if err != nil {
			return false, fmt.Errorf("text index: %w", err)
		}
		if n += k; n > limit {
			return true, nil
		}
	}
	return false, nil
}

// estimate is the number of rows PostgreSQL's planner expects q to give.
func (s *Store) estimate(ctx context.Context, q string, args []any) (float64, error) {
	var doc []byte
	if err := s.queryRow(ctx, "EXPLAIN (FORMAT JSON) "+q, args...).Scan(&doc); err != nil {
		return 0, fmt.Errorf("estimate: %w", err)
	}
	var plan []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := unmarshal(doc, &plan); err != nil || len(plan) != 1 {
		return 0, fmt.Errorf("estimate: the plan %.100q: %v", doc, err)
	}
	return plan[0].Plan.Rows, nil
}

// hasWord reports whether text has n letters or digits in a row.
func hasWord(text string, n int) bool {
	run := 0
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// bounds is what a filter's conditions need read from the store first
// (boundsOf).
type bounds struct {
	// since is the lower bound of the start the period's From implies
	// (sinceFor); when cut is set, the incidents ending after From that
	// start before cut are all in long, and those from cut on may be read
	// apart from them (incidentsApart).
	since, cut string
	long       []int64
	// only and before, when set, keep to the incidents of only that
	// start before before: the long part of a period read apart.
	only   []int64
	before string
	// text is what the trigram indexes are asked for the text
	// (textIndex).
	text string
	// own, when set, lists the incidents this party is accused in or
	// filed that are not published (of a party's listing, that party's
	// rows of them): one of the two parts of its liaison's listing
	// (liaisonIncidents).
	own string
	// keys: the listing reads each incident's id and start only
	// (listRows), the order liaisonIncidents merges by.
	keys bool
	// publicText: a text is searched in the public's words only, as
	// staff's count's first try does (countMatches).
	publicText bool
	// unslot, when set, gives back the search slot searchGuard holds,
	// once what is left to read is known to be bounded (incidents).
	unslot func()
}

func (s *Store) boundsOf(ctx context.Context, f store.Filter) (bounds, error) {
	b, err := s.sinceFor(ctx, f.From)
	if err != nil {
		return bounds{}, err
	}
	b.text, err = s.textIndex(ctx, f)
	return b, err
}

// maxTrigrams bounds the pieces a text search asks the trigram indexes
// for: a few already leave few incidents to test.
const maxTrigrams = 16

// trigrams is an FTS5 query for the rows holding every three-character
// piece of text (up to maxTrigrams of them, spread over it, the first and
// the last among them), each quoted so that it is taken as it is; ""
// when text is shorter than three characters.
func trigrams(text string) string {
	r := []rune(text)
	n := len(r) - 2 // pieces
	if n < 1 {
		return ""
	}
	k := min(n, maxTrigrams)
	seen := map[string]bool{}
	var q []string
	for j := range k {
		i := 0
		if k > 1 {
			i = j * (n - 1) / (k - 1)
		}
		t := string(r[i : i+3])
		if !seen[t] {
			seen[t] = true
			q = append(q, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
		}
	}
	return strings.Join(q, " AND ")
}

// likeContains is the LIKE pattern (with ESCAPE '\') matching text as it
// is anywhere in a value: its wildcards and the escape are taken
// literally.
func likeContains(text string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(text) + "%"
}

// Originals returns the stored original of each of source's reports among
// ids, 500 ids a query.
func (s *Store) Originals(ctx context.Context, source string, ids []string) (map[string]store.Original, error) {
	out := make(map[string]store.Original, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := []any{source}
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		rows, err := s.query(ctx, `SELECT r.source_id, r.original, coalesce(f.format, ''), coalesce(g.fingerprint, '') FROM reports r
			LEFT JOIN original_formats f ON f.id = r.format_id LEFT JOIN readings g ON g.id = r.reading_id
			WHERE r.source = ? AND r.source_id IN `+values(1, n), args...)
		if err != nil {
			return nil, fmt.Errorf("stored originals: %w", err)
		}
		for rows.Next() {
			var id string
			var o store.Original
			if err := rows.Scan(&id, &o.Record, &o.Format, &o.Reading); err != nil {
				rows.Close()
				return nil, fmt.Errorf("stored originals: %w", err)
			}
			out[id] = o
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("stored originals: %w", err)
		}
		ids = ids[n:]
	}
	return out, nil
}
