// Package postgres is the server store: PostgreSQL through pgx, for a
// Joint Group whose monitors outgrow one SQLite file. It runs the same
// queries and passes the same tests as the SQLite store.
package postgres

import (
	"bufio"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/truce-monitor/truce/internal/store/sqldb"
)

// Store is the store on a PostgreSQL database.
type Store struct {
	*sqldb.Store
}

// retry reports whether a transaction failed only because a concurrent
// one got there first: a serialization failure, a deadlock, or a unique
// key (a report's source id) inserted meanwhile. Run again, it sees the
// other's work.
func retry(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "40001", "40P01", "23505":
		return true
	}
	return false
}

// Open connects to the database at url (postgres://user:pass@host/db) and
// brings its schema up to date. PostgreSQL's default synchronous_commit
// makes a commit durable before it returns.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	// The driver keeps statements prepared; PostgreSQL would then plan a
	// prepared statement once for any value ("generic plan") after a few
	// runs, and for "source = $1" on a table of one source that plan reads
	// the whole table (5 ms instead of 0.05 for the reports an import looks
	// for). Planned for its values each time, every statement uses its
	// index; planning them costs microseconds.
	if _, ok := cfg.RuntimeParams["plan_cache_mode"]; !ok {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres %s@%s/%s: %w", cfg.User, cfg.Host, cfg.Database, err)
	}
	s, err := sqldb.New(ctx, db, db, sqldb.Dialect{Name: "postgres", Numbered: true, Retry: retry, Server: true, Pipeline: pipeline,
		DataVersion: func(ctx context.Context) string { return dataVersion(ctx, db) }})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres %s/%s: %w", cfg.Host, cfg.Database, err)
	}
	return &Store{Store: s}, nil
}

// dataVersion answers sqldb.Dialect.DataVersion with the server's current
// snapshot (the transactions in progress and the next to start): once a
// transaction has committed, no later snapshot shows it in progress, so
// the value differs from every one read before. (The WAL's position will
// not do: it moves when the commit is written, before the commit is seen,
// and a count between the two would be kept as current.) Writes to other
// databases of the server change it too, which costs a count, never a
// stale one; "" when it cannot be read.
func dataVersion(ctx context.Context, db *sql.DB) string {
	var v string
	if err := db.QueryRowContext(ctx, `SELECT CAST(pg_current_snapshot() AS text)`).Scan(&v); err != nil {
		return ""
	}
	return v
}

// pipeline sends stmts on conn, which holds a transaction, in one round
// trip (a pgx batch: the statements not yet prepared on the connection
// are described first, in one more), and hands each its rows. The first
// statement to fail is named in the error; the server runs none after it.
func pipeline(ctx context.Context, conn *sql.Conn, stmts []sqldb.Piped) error {
	return conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		b := &pgx.Batch{}
		for _, st := range stmts {
			b.Queue(st.Query, st.Args...)
		}
		br := c.SendBatch(ctx, b)
		for _, st := range stmts {
			if err := pipedResult(br, st); err != nil {
				br.Close()
				return fmt.Errorf("%s: %w", statementHead(st.Query), err)
			}
		}
		return br.Close()
	})
}

func pipedResult(br pgx.BatchResults, st sqldb.Piped) error {
	if st.Read == nil {
		tag, err := br.Exec()
		if err == nil && st.Commit && tag.String() != "COMMIT" {
			return fmt.Errorf("the transaction was rolled back (%s)", tag)
		}
		return err
	}
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := st.Read(rows); err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

// statementHead is the start of a statement, to name it in an error.
func statementHead(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 60 {
		q = q[:60] + "…"
	}
	return q
}

// raw runs fn on one pgx connection of the pool.
func (s *Store) raw(ctx context.Context, fn func(*pgx.Conn) error) error {
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error { return fn(dc.(*stdlib.Conn).Conn()) })
}

// Backup writes a consistent dump of every table to w, gzipped: all
// tables are read in one repeatable-read transaction, so the dump is one
// moment of the database while writers go on.
func (s *Store) Backup(ctx context.Context, w io.Writer) error {
	gz := gzip.NewWriter(w)
	err := s.raw(ctx, func(c *pgx.Conn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		for _, t := range sqldb.Tables() {
			fmt.Fprintf(gz, "-- table %s\n", t)
			if _, err := c.PgConn().CopyTo(ctx, gz, "COPY "+t+" TO STDOUT"); err != nil {
				return fmt.Errorf("table %s: %w", t, err)
			}
			fmt.Fprint(gz, "\\.\n")
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return gz.Close()
}

// Restore loads a dump made by Backup into this database, which must
// hold no records unless force is set (then they are replaced).
func (s *Store) Restore(ctx context.Context, r io.Reader, force bool) error {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("restore: not a truce PostgreSQL backup: %w", err)
	}
	br := bufio.NewReader(gz)
	err = s.raw(ctx, func(c *pgx.Conn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		var n int
		if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM reports) + (SELECT count(*) FROM agreement_versions)`).Scan(&n); err != nil {
			return err
		}
		if n > 0 && !force {
			return fmt.Errorf("the database holds %d records (give -force to replace them)", n)
		}
		tables := sqldb.Tables()
		if _, err := tx.Exec(ctx, "TRUNCATE "+strings.Join(append(sqldb.Tables(), sqldb.Derived()...), ", ")); err != nil {
			return err
		}
		for i, want := range tables {
			head, err := br.ReadString('\n')
			if errors.Is(err, io.EOF) && head == "" && addedSince(tables[i:]) {
				break // a backup made before these tables existed: they are empty
			}
			if err != nil || head != "-- table "+want+"\n" {
				return fmt.Errorf("expected table %s, found %q", want, strings.TrimSpace(head))
			}
			pr, pw := io.Pipe()
			go func() { pw.CloseWithError(copySection(br, pw)) }()
			if _, err := c.PgConn().CopyFrom(ctx, pr, "COPY "+want+" FROM STDIN"); err != nil {
				pr.CloseWithError(err)
				return fmt.Errorf("table %s: %w", want, err)
			}
		}
		// Identity columns go on from the restored ids.
		for _, t := range []string{"agreement_sources", "incidents", "reports", "original_formats", "readings", "notifications"} {
			if _, err := tx.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), coalesce((SELECT max(id) FROM %s), 0) + 1, false)`, t, t)); err != nil {
				return fmt.Errorf("table %s: %w", t, err)
			}
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// addedSince reports whether every table named was added after the
// backup format began (so that an older backup, which ends before them,
// still restores, while one cut short elsewhere does not).
func addedSince(tables []string) bool {
	for _, t := range tables {
		if t != "feeds" && !strings.HasPrefix(t, "delivery_") && t != "humanitarian_records" && t != "peers" && !strings.HasPrefix(t, "peer_") {
			return false
		}
	}
	return true
}

// copySection copies one table's COPY text up to its "\." line.
func copySection(br *bufio.Reader, w io.Writer) error {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("backup ends inside a table: %w", err)
		}
		if line == "\\.\n" {
			return nil
		}
		if _, err := io.WriteString(w, line); err != nil {
			return err
		}
	}
}
