package mapped_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/importer/mapped"
)

func fixture(f *testing.F, name string) []byte {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzMapped: no mapping and file make the reader panic or store a report
// the store cannot take.
func FuzzMapped(f *testing.F) {
	f.Add(fixture(f, "monitor.yaml"), fixture(f, "monitor.csv"))
	f.Add([]byte("source: s\ncolumns:\n  id: id\n  date: date\n  date_end: end\n  lat: y\n  lon: x\n  deaths: d\n  deaths_low: lo\n"),
		[]byte("id,date,end,y,x,d,lo\n1,2017-01-02,2017-01-03,33.5,36.4,\"1,200\",3\n"))
	ref := importertest.Load(f)
	cfg := mapped.Config{Actors: ref.Actors, Boundaries: ref.Boundaries, Places: ref.Places}
	f.Fuzz(func(t *testing.T, mapping, data []byte) {
		m, err := mapped.LoadMapping(bytes.NewReader(mapping), "m.yaml", ref.Actors)
		if err != nil {
			return
		}
		rd, err := mapped.NewReader(bytes.NewReader(data), "f.csv", m, cfg)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		importertest.Run(t, "f.csv", rd)
	})
}

// FuzzMapping: no mapping file makes the loader panic; a refusal says
// why, and an accepted mapping has what every mapping needs.
func FuzzMapping(f *testing.F) {
	f.Add(fixture(f, "monitor.yaml"))
	f.Add([]byte("source: s\ncolumns: {date: d, place: p}\n---\nsource: t\n"))
	f.Add([]byte("source: s\ncolumns:\n  date: d\n  place: p\n  date: e\n"))
	f.Add([]byte("a: &x {b: *x}\n"))
	ref := importertest.Load(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := mapped.LoadMapping(bytes.NewReader(src), "m.yaml", ref.Actors)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if m.Source == "" || m.Columns.Date == "" || (m.Columns.Lat == "") != (m.Columns.Lon == "") || m.Columns.Lat == "" && m.Columns.Place == "" {
			t.Fatalf("accepted an incomplete mapping: %+v", m)
		}
	})
}
