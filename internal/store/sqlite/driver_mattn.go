//go:build sqlite_cgo

package sqlite

import (
	"net/url"
	"strings"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver (cgo)
)

// driverName is github.com/mattn/go-sqlite3 (-tags sqlite_cgo): SQLite's
// C source built with cgo, so building needs a C compiler.
const driverName = "sqlite3"

// reportSumFunc: this driver has no truce_report_sum (see reportsum.go),
// so SQLite returns the hashed bytes instead.
const reportSumFunc = ""

// dsn: mattn has no _pragma parameter; it takes one parameter per pragma
// it knows (_busy_timeout, _journal_mode, _synchronous, _foreign_keys,
// _cache_size, _query_only, ...), so "name(value)" becomes _name=value.
// It sets busy_timeout before the others, and journal_mode only on the
// connections that ask for it, as the other drivers do.
func dsn(path string, immediate bool, pragmas ...string) string {
	q := url.Values{}
	for _, p := range append([]string{"busy_timeout(10000)"}, pragmas...) {
		name, value, ok := strings.Cut(strings.TrimSuffix(p, ")"), "(")
		if !ok {
			panic("sqlite: pragma not name(value): " + p)
		}
		q.Set("_"+name, value)
	}
	q.Set("_txlock", txlock(immediate))
	return "file:" + path + "?" + q.Encode()
}
