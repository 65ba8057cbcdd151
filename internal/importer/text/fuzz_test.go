package text_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/importer/text"
)

// FuzzText: no file, read as any kind of article file, makes the reader
// panic or store a report the store cannot take; the text of any HTML is
// UTF-8.
func FuzzText(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			for k := range 4 {
				f.Add(data, uint8(k))
			}
		}
	}
	f.Add([]byte("---\ndate: 2017-01-01\n---\n"), uint8(1))
	f.Add([]byte("<html><meta name=date content=2017-01-01><body></body></html>"), uint8(0))
	f.Add([]byte("{\"published\":\"2017-01-01\",\"body\":\"\\u0000\"}\n"), uint8(3))
	kinds := []string{text.HTML, text.Markdown, text.Plain, text.JSONL}
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		kind := kinds[int(k)%len(kinds)]
		rd, err := text.NewReaderKind(bytes.NewReader(data), "f", kind, text.Config{})
		if err != nil {
			t.Fatal(err)
		}
		importertest.Run(t, "f", rd)
		if s := text.HTMLToText(string(data)); !utf8.ValidString(s) && utf8.Valid(data) {
			t.Fatalf("HTMLToText of UTF-8 gave invalid UTF-8: %q", s)
		}
	})
}
