//go:build sqlite_wasm && !sqlite_cgo

package sqlite

import (
	"net/url"
	"strings"

	"github.com/ncruces/go-sqlite3"
	// Registers the "sqlite3" driver. Since v0.3x the SQLite build is
	// compiled into the module (Wasm translated to Go), so the embed
	// package is no longer needed (importing it prints a warning).
	_ "github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/ext/fts5"
)

// FTS5 is an extension of this build, registered on every connection: the
// text search's trigram indexes need it (migration 0024).
func init() { sqlite3.AutoExtension(fts5.Register) }

// driverName is github.com/ncruces/go-sqlite3 (-tags sqlite_wasm): pure
// Go, SQLite compiled to WebAssembly and from there to Go.
const driverName = "sqlite3"

// reportSumFunc: this driver has no truce_report_sum (see reportsum.go),
// so SQLite returns the hashed bytes instead.
const reportSumFunc = ""

// dsn: ncruces takes _pragma=name(value) like modernc, applied in order on
// every new connection (busy_timeout first, as its docs ask). Unlike
// modernc it defaults to BEGIN IMMEDIATE on connections that are not
// query_only, so _txlock is always given. Its VFS, written in Go, creates
// the -wal file with the process's umask (0644), where SQLite's own unix
// VFS gives it the database file's mode: modeof (an SQLite URI parameter
// that this VFS honours) keeps the WAL readable by the owner only, as
// createPrivate made the database (issue 12). The -shm file, which holds
// the WAL's index and no records, still follows the umask.
func dsn(path string, immediate bool, pragmas ...string) string {
	q := url.Values{}
	for _, p := range append([]string{"busy_timeout(10000)"}, pragmas...) {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", txlock(immediate))
	if !strings.HasPrefix(path, ":memory:") && !strings.HasPrefix(path, "file:") {
		q.Set("modeof", path)
	}
	return "file:" + path + "?" + q.Encode()
}
