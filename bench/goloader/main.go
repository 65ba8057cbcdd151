// Command goloader is the second baseline of the import benchmark
// (bench/import-drivers.sh): the least a Go program does to get a CSV into
// SQLite. It reads the file with encoding/csv and inserts every row into a
// bare table of TEXT columns named after the header (what the sqlite3
// shell's .import creates), 2,000 rows a transaction, with truce's pragmas
// (WAL, synchronous FULL). No validation, no index.
//
// The driver is chosen by the same build tags as truce's store: none for
// modernc.org/sqlite, -tags sqlite_cgo for mattn/go-sqlite3, -tags
// sqlite_wasm for ncruces/go-sqlite3.
//
// Usage: go run ./bench/goloader -db bare.db [-table events] file.csv
package main

import (
	"database/sql"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
)

const batch = 2000

func main() {
	db := flag.String("db", "", "database file")
	table := flag.String("table", "events", "table to create")
	flag.Parse()
	if *db == "" || flag.NArg() != 1 {
		log.Fatal("usage: goloader -db file [-table name] file.csv")
	}
	f, err := os.Open(flag.Arg(0))
	check(err)
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	header, err := r.Read()
	check(err)
	cols := make([]string, len(header))
	for i, h := range header {
		cols[i] = `"` + strings.ReplaceAll(h, `"`, `""`) + `" TEXT`
	}
	d, err := sql.Open(driverName, dsn(*db))
	check(err)
	defer d.Close()
	d.SetMaxOpenConns(1)
	_, err = d.Exec(fmt.Sprintf(`CREATE TABLE %q (%s)`, *table, strings.Join(cols, ", ")))
	check(err)
	insert := fmt.Sprintf(`INSERT INTO %q VALUES (?%s)`, *table, strings.Repeat(", ?", len(header)-1))
	args := make([]any, len(header))
	var tx *sql.Tx
	var stmt *sql.Stmt
	n := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		check(err)
		if tx == nil {
			tx, err = d.Begin()
			check(err)
			stmt, err = tx.Prepare(insert)
			check(err)
		}
		for i := range args {
			args[i] = rec[i]
		}
		_, err = stmt.Exec(args...)
		check(err)
		if n++; n%batch == 0 {
			check(tx.Commit())
			tx = nil
		}
	}
	if tx != nil {
		check(tx.Commit())
	}
	fmt.Printf("goloader (%s): %d rows into %s\n", driverLabel, n, *table)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
