package extract

import (
	"encoding/csv"
	"os"
	"testing"
)

// benchTexts are the article bodies of FA-KES when the shared data is
// here, else the sample kept in testdata.
func benchTexts(tb testing.TB) ([]string, string) {
	tb.Helper()
	for _, name := range []string{sharedFAKES, "testdata/fakes-sample.csv"} {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close()
		cr := csvReader(f)
		col, err := header(cr, "article_content")
		if err != nil {
			tb.Fatal(err)
		}
		var out []string
		for {
			rec, err := cr.Read()
			if err != nil {
				break
			}
			if s := field(rec, col, "article_content"); s != "" {
				out = append(out, s)
			}
		}
		return out, name
	}
	tb.Skip("no FA-KES file")
	return nil, ""
}

var _ = csv.ErrQuote

// BenchmarkExtractUncached is BenchmarkExtract with the gazetteer's
// answers looked up anew every time: the cost of the first text naming a
// place.
func BenchmarkExtractUncached(b *testing.B) {
	testExtractor(b)
	x, err := New(shared.places, shared.actors)
	if err != nil {
		b.Fatal(err)
	}
	x.cache.off = true
	benchExtract(b, x)
}

// BenchmarkExtract reads FA-KES article bodies (about 1.9 KB each) in
// English; articles/s is per core (go test -bench Extract -cpu 1).
func BenchmarkExtract(b *testing.B) {
	benchExtract(b, testExtractor(b))
}

func benchExtract(b *testing.B, x *Extractor) {
	texts, _ := benchTexts(b)
	var bytes int64
	for _, t := range texts {
		bytes += int64(len(t))
	}
	b.SetBytes(bytes / int64(len(texts)))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		x.Extract(Text{Body: texts[i%len(texts)], Language: "en"})
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}
