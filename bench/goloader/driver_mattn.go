//go:build sqlite_cgo

package main

import _ "github.com/mattn/go-sqlite3"

const driverName, driverLabel = "sqlite3", "mattn/go-sqlite3"

func dsn(path string) string {
	return "file:" + path + "?_busy_timeout=10000&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate"
}
