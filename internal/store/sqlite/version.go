package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// dataVersion answers sqldb.Dialect.DataVersion from PRAGMA data_version
// read on a connection kept for nothing else: its value changes whenever
// another connection, of this process (the writer) or of another (an
// import run beside the server), has committed, which is what the store's
// kept totals need to know. The values of one connection are comparable
// only with each other, so the one connection is held (sql.Conn) rather
// than taken from a pool, and a replaced connection starts a new
// generation, part of the version.
type dataVersion struct {
	mu   sync.Mutex
	db   *sql.DB
	conn *sql.Conn
	gen  int
}

func newDataVersion(path string) (*dataVersion, error) {
	db, err := sql.Open(driverName, dsn(path, false, "query_only(1)"))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &dataVersion{db: db}, nil
}

// version is the data version, or "" when it cannot be read (then the
// store counts as if it had none; the connection is opened again next
// time).
func (v *dataVersion) version(ctx context.Context) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	// Not cancelled with the request: the pragma reads no page, and a
	// query interrupted half-way could leave the held connection unusable.
	ctx = context.WithoutCancel(ctx)
	if v.conn == nil {
		c, err := v.db.Conn(ctx)
		if err != nil {
			return ""
		}
		v.conn, v.gen = c, v.gen+1
	}
	var n int64
	if err := v.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&n); err != nil {
		v.conn.Close()
		v.conn = nil
		return ""
	}
	return fmt.Sprintf("%d.%d", v.gen, n)
}

func (v *dataVersion) close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.conn != nil {
		v.conn.Close()
		v.conn = nil
	}
	return v.db.Close()
}
