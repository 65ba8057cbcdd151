//go:build sqlite_wasm && !sqlite_cgo

package main

import _ "github.com/ncruces/go-sqlite3/driver"

const driverName, driverLabel = "sqlite3", "ncruces/go-sqlite3"

func dsn(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
}
