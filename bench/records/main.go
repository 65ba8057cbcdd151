// Command records writes to standard output the bytes truce verify hashes
// in a database: each report revision's original record and document (as
// the document reads, unpacked: SQLite stores it packed), and each log
// entry. bench/verify.sh hashes its output with openssl as the baseline of
// truce verify; the sqlite3 shell cannot unpack a document.
//
// Usage: go run ./bench/records -db truce.db > bytes
package main

import (
	"bufio"
	"database/sql"
	"flag"
	"log"
	"os"

	_ "modernc.org/sqlite"

	"github.com/truce-monitor/truce/internal/store/sqldb"
)

func main() {
	db := flag.String("db", "", "SQLite database file")
	flag.Parse()
	if *db == "" {
		log.Fatal("usage: records -db FILE")
	}
	d, err := sql.Open("sqlite", "file:"+*db+"?mode=ro")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	u, err := sqldb.NewUnpacker()
	if err != nil {
		log.Fatal(err)
	}
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	for _, q := range []string{
		`SELECT original, doc FROM reports`,
		`SELECT original, doc FROM report_revisions`,
		`SELECT data, '' FROM log_entries`,
	} {
		rows, err := d.Query(q)
		if err != nil {
			log.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var a, b []byte
			if err := rows.Scan(&a, &b); err != nil {
				log.Fatal(err)
			}
			doc, err := u.Unpack(b)
			if err != nil {
				log.Fatal(err)
			}
			out.Write(a)
			out.Write(doc)
			out.WriteByte('\n')
		}
		if err := rows.Err(); err != nil {
			log.Fatal(err)
		}
		rows.Close()
	}
	if err := out.Flush(); err != nil {
		log.Fatal(err)
	}
}
