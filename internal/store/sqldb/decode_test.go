package sqldb

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
)

// decodeAs decodes doc into a new T with encoding/json and with
// unmarshal, and fails unless both give the same value or both fail.
func decodeAs[T any](t *testing.T, name string, doc []byte) {
	t.Helper()
	var want, got T
	werr := json.Unmarshal(doc, &want)
	gerr := unmarshal(doc, &got)
	if (werr == nil) != (gerr == nil) {
		t.Errorf("%s as %T: encoding/json: %v; unmarshal: %v", name, want, werr, gerr)
		return
	}
	if werr == nil && !reflect.DeepEqual(want, got) {
		t.Errorf("%s as %T: unmarshal gave\n%+v\nencoding/json\n%+v", name, want, got, want)
	}
}

// Stored documents decode as encoding/json decoded them: every document
// of the dictionary (real rulings, incidents and reports of the ACLED
// fixture and the shared UCDP file, as truce stored them), each as each
// of the three kinds, and the cases where the v2 decoder's own defaults
// differ from encoding/json's.
func TestDecodeAsV1(t *testing.T) {
	dec := json.NewDecoder(bytes.NewReader(dictV1))
	n := 0
	for {
		var doc json.RawMessage
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("dictionary document %d: %v", n, err)
		}
		n++
		decodeAs[incident.Incident](t, "dictionary document", doc)
		decodeAs[incident.Report](t, "dictionary document", doc)
		decodeAs[ruling.Ruling](t, "dictionary document", doc)
	}
	if n < 50 {
		t.Fatalf("%d documents in the dictionary, want its ~60", n)
	}
	for name, doc := range map[string]string{
		"names in another case":    `{"TITLE":"a","Act":"airstrike","occurred":{"Precision":"day"}}`,
		"a name twice":             `{"title":"a","title":"b"}`,
		"invalid UTF-8":            "{\"title\":\"\xff\xfe\"}",
		"null for a value":         `{"title":null,"casualties":null,"actors":null}`,
		"an unknown name":          `{"title":"a","added_later":[1,2,{"x":null}]}`,
		"a number where text goes": `{"title":5}`,
		"not an object":            `[]`,
		"truncated":                `{"title":"a"`,
		"escapes":                  `{"title":"\u0627\u0644\u0633\u0644\u0627\u0645 \"quoted\" \\ \ud83d\ude00"}`,
		"a number as text":         `{"version":"3"}`,
		"large number":             `{"version":1e400}`,
	} {
		decodeAs[incident.Incident](t, name, []byte(doc))
		decodeAs[ruling.Ruling](t, name, []byte(doc))
	}
}

// BenchmarkDecodeDocs decodes the dictionary's incidents and rulings (a
// page of incidents decodes one of each per row) with encoding/json and
// with unmarshal.
func BenchmarkDecodeDocs(b *testing.B) {
	var incidents, rulings [][]byte
	dec := json.NewDecoder(bytes.NewReader(dictV1))
	for {
		var doc json.RawMessage
		if err := dec.Decode(&doc); err != nil {
			break
		}
		switch {
		case bytes.HasPrefix(doc, []byte(`{"verdict":`)):
			rulings = append(rulings, doc)
		case bytes.HasPrefix(doc, []byte(`{"id":0,"title":`)):
			incidents = append(incidents, doc)
		}
	}
	if len(incidents) == 0 || len(rulings) == 0 {
		b.Fatalf("%d incidents and %d rulings in the dictionary", len(incidents), len(rulings))
	}
	for _, c := range []struct {
		name   string
		decode func([]byte, any) error
	}{
		{"encoding-json", json.Unmarshal},
		{"unmarshal", unmarshal[[]byte]},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				var in incident.Incident
				var r ruling.Ruling
				if err := c.decode(incidents[i%len(incidents)], &in); err != nil {
					b.Fatal(err)
				}
				if err := c.decode(rulings[i%len(rulings)], &r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
