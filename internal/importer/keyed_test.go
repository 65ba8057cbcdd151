package importer_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/incident"
)

// KeyedRows looks each run of records up before converting it: a record
// stored with the same original and format comes back unchanged and is
// not converted; a changed one, a new one, a malformed one and a record
// given twice are read as before.
func TestKeyedRows(t *testing.T) {
	const file = "id,text\n1,same\n2,changed\n3,new\n4,\"unclosed\n"
	stored := map[string]string{"1": "1,same", "2": "2,before", "5": "5,gone"}
	var asked []string
	lookup := func(source string, keys []importer.StoredKey) ([]bool, error) {
		if source != "src" {
			t.Errorf("source %q", source)
		}
		same := make([]bool, len(keys))
		for i, k := range keys {
			asked = append(asked, k.ID)
			same[i] = stored[k.ID] == k.Original && k.Format == "fmt"
		}
		return same, nil
	}
	var converted []string
	rows := func(text string, stored importer.Stored) []importer.Row {
		c, err := importer.NewCSV(strings.NewReader(text), "f.csv")
		if err != nil {
			t.Fatal(err)
		}
		src := importer.KeyedRows(c, nil, "src", "id", "fmt", stored, func(r *importer.Record) (*incident.Report, *importer.RowError) {
			converted = append(converted, r.Get("id"))
			return &incident.Report{SourceID: r.Get("id")}, nil
		})
		var out []importer.Row
		for {
			row, ok, err := src.Next()
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				return out
			}
			out = append(out, row)
		}
	}

	got := rows(file, lookup)
	if len(got) != 4 || !got[0].Unchanged || got[0].Report != nil || got[0].At.Row != 2 {
		t.Fatalf("the unchanged record: %+v", got)
	}
	for i, row := range got[1:3] {
		if row.Unchanged || row.Report == nil {
			t.Errorf("row %d: %+v", i+3, row)
		}
	}
	if got[3].Err == nil {
		t.Errorf("the malformed record: %+v", got[3])
	}
	if !slices.Equal(converted, []string{"2", "3"}) || !slices.Equal(asked, []string{"1", "2", "3"}) {
		t.Errorf("converted %v, looked up %v", converted, asked)
	}

	// Without a look-up, every record is read.
	converted = nil
	rows(file, nil)
	if !slices.Equal(converted, []string{"1", "2", "3"}) {
		t.Errorf("without a look-up: converted %v", converted)
	}

	// A record given twice: both are read (the store keeps the last).
	converted = nil
	rows("id,text\n1,same\n1,same\n", lookup)
	if !slices.Equal(converted, []string{"1", "1"}) {
		t.Errorf("a record given twice: converted %v", converted)
	}

	// A failed look-up fails the import, naming the file.
	c, _ := importer.NewCSV(strings.NewReader(file), "f.csv")
	src := importer.KeyedRows(c, nil, "src", "id", "fmt", func(string, []importer.StoredKey) ([]bool, error) {
		return nil, errors.New("database gone")
	}, nil)
	if _, _, err := src.Next(); err == nil || !strings.Contains(err.Error(), "f.csv") || !strings.Contains(err.Error(), "database gone") {
		t.Errorf("failed look-up: %v", err)
	}
}
