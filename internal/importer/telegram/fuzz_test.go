package telegram_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/importer/telegram"
)

// FuzzTelegram: no export makes the reader panic or store a report the
// store cannot take; a whole-file error says what is wrong.
func FuzzTelegram(f *testing.F) {
	if data, err := os.ReadFile("testdata/export/result.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"name":"g","type":"private_group","messages":[{"id":1,"type":"message","date":"2017-01-01T00:00:00","text":["a",{"type":"link","text":"http://x"}],"from":null}]}`))
	f.Add([]byte(`{"name":"c","type":"public_channel","messages":[{"id":"x","type":"message","text":1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := telegram.NewReader(bytes.NewReader(data), "result.json", telegram.Config{Config: importer.Config{}, Folder: "testdata/export"})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		importertest.Run(t, "result.json", rd)
	})
}
