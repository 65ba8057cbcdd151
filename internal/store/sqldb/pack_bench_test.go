package sqldb

import (
	"database/sql"
	"os"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// BenchmarkPack packs the documents of a database made by truce (incidents,
// reports, rulings; TRUCE_BENCH_DOCS_DB, its documents plain or packed) as
// the store does (S2 with the dictionary) and, for the choice docs.go
// explains, with zstd at its fastest level and the same dictionary. It
// reports the bytes a document averages before and after.
//
//	TRUCE_BENCH_DOCS_DB=ucdp.db go test -run XXX -bench Pack ./internal/store/sqldb
func BenchmarkPack(b *testing.B) {
	path := os.Getenv("TRUCE_BENCH_DOCS_DB")
	if path == "" {
		b.Skip("TRUCE_BENCH_DOCS_DB names no database")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	c, err := newCodec(true)
	if err != nil {
		b.Fatal(err)
	}
	z, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderDictRaw(packedV1, dictV1),
		zstd.WithEncoderCRC(false), zstd.WithZeroFrames(true))
	if err != nil {
		b.Fatal(err)
	}
	for _, table := range []string{"incidents", "reports", "rulings"} {
		var docs []string
		rows, err := db.Query(`SELECT doc FROM ` + table + ` LIMIT 5000`)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var stored []byte
			if err := rows.Scan(&stored); err != nil {
				b.Fatal(err)
			}
			doc, err := c.unpack(stored)
			if err != nil {
				b.Fatal(err)
			}
			docs = append(docs, string(doc))
		}
		rows.Close()
		plain := 0
		for _, d := range docs {
			plain += len(d)
		}
		for _, m := range []struct {
			name string
			pack func(string) int
		}{
			{"s2", func(d string) int { return len(c.value(d).([]byte)) }},
			{"zstd", func(d string) int { return 1 + len(z.EncodeAll([]byte(d), nil)) }},
		} {
			b.Run(table+"/"+m.name, func(b *testing.B) {
				packed := 0
				for i := 0; b.Loop(); i++ {
					packed += m.pack(docs[i%len(docs)])
				}
				b.ReportMetric(float64(plain)/float64(len(docs)), "plain-B/doc")
				b.ReportMetric(float64(packed)/float64(b.N), "packed-B/doc")
			})
		}
	}
}
