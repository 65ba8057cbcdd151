//go:build !sqlite_cgo && !sqlite_wasm

package sqlite

import (
	"net/url"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// driverName is modernc.org/sqlite, the pure-Go default: building truce
// needs only Go.
const driverName = "sqlite"

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

func txlock(immediate bool) string {
	if immediate {
		return "immediate"
	}
	return "deferred"
}
