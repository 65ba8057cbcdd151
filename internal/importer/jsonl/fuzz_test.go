package jsonl_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/importer/jsonl"
)

// seeds are the package's sample reports, one a line, and the lines its
// tests reject.
func seeds(f *testing.F) [][]byte {
	var out [][]byte
	var all bytes.Buffer
	for _, r := range sample() {
		b, err := json.Marshal(r)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
		all.Write(append(b, '\n'))
	}
	out = append(out, all.Bytes(), []byte(`{"source": "x", `), []byte("\xff\xfe"),
		[]byte(`{"source":"s","source_id":"1","occurred":{"start":"2017-01-02T00:00:00Z","end":"2017-01-03T00:00:00Z"},"act":"shelling","casualties":{"best":-1}}`))
	return out
}

// FuzzJSONL: no file makes the reader panic or store a report the store
// cannot take.
func FuzzJSONL(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	ref := importertest.Load(f)
	cfg := jsonl.Config{Actors: ref.Actors, Boundaries: ref.Boundaries}
	f.Fuzz(func(t *testing.T, data []byte) {
		importertest.Run(t, "f.jsonl", jsonl.NewReader(bytes.NewReader(data), "f.jsonl", cfg))
	})
}

// FuzzReportDecoder: the decoder of POST /api/reports (app.Submit calls
// jsonl.Parse on the body) never panics; a refusal says why; an accepted
// report is one the store can take, and written back as JSON it is
// accepted again, the same.
func FuzzReportDecoder(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	ref := importertest.Load(f)
	cfg := jsonl.Config{Actors: ref.Actors, Boundaries: ref.Boundaries}
	f.Fuzz(func(t *testing.T, body []byte) {
		rep, fe := jsonl.Parse(body, cfg)
		if fe != nil {
			if fe.Reason == "" || strings.TrimSpace(fe.Error()) == "" {
				t.Fatalf("refusal without a reason: %#v", fe)
			}
			return
		}
		if rep == nil {
			t.Fatal("no report and no error (no period was set)")
		}
		importertest.CheckReport(t, rep)
		again, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		rep2, fe := jsonl.Parse(again, cfg)
		if fe != nil {
			t.Fatalf("accepted report written back is refused: %v\n%s", fe, again)
		}
		if b, _ := json.Marshal(rep2); !bytes.Equal(b, again) {
			t.Fatalf("accepted report changes when read again:\n%s\n%s", again, b)
		}
	})
}
