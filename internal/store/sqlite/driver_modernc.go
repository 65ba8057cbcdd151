//go:build !sqlite_cgo && !sqlite_wasm

package sqlite

import (
	"database/sql/driver"
	"net/url"

	"github.com/truce-monitor/truce/internal/store/sqldb"
	"modernc.org/sqlite" // registers the "sqlite" driver
)

// driverName is modernc.org/sqlite, the pure-Go default: building truce
// needs only Go.
const driverName = "sqlite"

// reportSumFunc names the SQL function reportSum, which this driver can
// call on SQLite's own buffers without copying them into Go first.
const reportSumFunc = "truce_report_sum"

func init() {
	u, err := sqldb.NewUnpacker()
	if err != nil {
		panic(err)
	}
	rs := &reportSummer{u: u}
	sqlite.MustRegisterFunction(reportSumFunc, &sqlite.FunctionImpl{
		NArgs:         5,
		Deterministic: true,
		VolatileArgs:  true, // hashed during the call, never kept
		Scalar: func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			return rs.sum(args)
		},
	})
}

// dsn: modernc takes each pragma as _pragma=name(value), applied in order
// on every new connection, busy_timeout first.
func dsn(path string, immediate bool, pragmas ...string) string {
	q := url.Values{}
	for _, p := range append([]string{"busy_timeout(10000)"}, pragmas...) {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", txlock(immediate))
	return "file:" + path + "?" + q.Encode()
}
