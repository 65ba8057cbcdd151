//go:build !sqlite_cgo && !sqlite_wasm

package main

import _ "modernc.org/sqlite"

const driverName, driverLabel = "sqlite", "modernc.org/sqlite"

func dsn(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
}
