package control_test

import (
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/control"
	"github.com/truce-monitor/truce/internal/gazetteer"
	"github.com/truce-monitor/truce/internal/incident"
)

var shippedOnce struct {
	sync.Once
	bounds *boundary.Set
	layers []*control.Layer
	err    error
}

// shipped loads the shipped layers against the shipped actors,
// boundaries and gazetteer, once for all tests.
func shipped(t *testing.T) (*boundary.Set, []*control.Layer) {
	t.Helper()
	s := &shippedOnce
	s.Do(func() {
		f, err := bundled.FS.Open(bundled.Actors)
		if err != nil {
			s.err = err
			return
		}
		defer f.Close()
		reg, err := actor.Load(f, bundled.Actors)
		if err != nil {
			s.err = err
			return
		}
		if s.bounds, s.err = boundary.Load(bundled.FS, bundled.Boundaries); s.err != nil {
			return
		}
		places, err := gazetteer.Load(bundled.FS, bundled.Gazetteer, s.bounds)
		if err != nil {
			s.err = err
			return
		}
		s.layers, s.err = control.LoadDir(bundled.FS, bundled.Control, control.Checker{
			KnownActor:   func(id string) bool { _, ok := reg.Get(id); return ok },
			KnownPCode:   func(pc string) bool { _, ok := s.bounds.Unit(pc); return ok },
			ResolvePlace: places.Resolve,
		})
	})
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.bounds, s.layers
}

// The shipped layer validates against the shipped registry, boundaries and
// gazetteer, and every row cites an article file listed in SOURCE.md.
func TestShippedLayerValidates(t *testing.T) {
	_, layers := shipped(t)
	if len(layers) == 0 {
		t.Fatal("no shipped layer")
	}
	listing, err := fs.ReadFile(bundled.FS, bundled.Control+"/SOURCE.md")
	if err != nil {
		t.Fatal(err)
	}
	cite := regexp.MustCompile(`^([a-z0-9_.-]+\.md)#\S`)
	for _, l := range layers {
		if len(l.Rows) < 40 {
			t.Errorf("%s: %d rows, want at least 40", l.File, len(l.Rows))
		}
		for _, r := range l.Rows {
			m := cite.FindStringSubmatch(r.Source)
			switch {
			case m == nil:
				t.Errorf("%s:%d: source %q is not file.md#Section", l.File, r.Line, r.Source)
			case !strings.Contains(string(listing), "`"+m[1]+"`"):
				t.Errorf("%s:%d: source file %s is not listed in SOURCE.md", l.File, r.Line, m[1])
			}
		}
	}
}

// Spot checks of the shipped layer against what its sources say.
func TestShippedLayerAt(t *testing.T) {
	bounds, layers := shipped(t)
	s, err := control.NewSet(bounds, layers...)
	if err != nil {
		t.Fatal(err)
	}
	near := func(lat, lon float64) incident.Place {
		p := incident.Place{Lat: lat, Lon: lon, HasPoint: true, Precision: incident.PlaceNear}
		if a, ok := bounds.Locate(lat, lon); ok {
			p.Admin1, p.Admin2, p.Admin3 = a.Admin1, a.Admin2, a.Admin3
		}
		return p
	}
	var (
		hanano = near(36.22702, 37.20264)
		douma  = near(33.57175, 36.40270)
		tadmur = near(34.56240, 38.28402)
		albab  = near(36.37051, 37.51570)
		idlib  = near(35.93062, 36.63393)
	)
	tests := []struct {
		name     string
		place    incident.Place
		from, to string
		want     []string // holders per holding; "" for a holding the layer says nothing of
		partial  bool
	}{
		{"east Aleppo before the offensive", hanano, "2016-10-01", "2016-10-01", []string{"jabhat-fateh-al-sham+syrian-insurgents"}, false},
		// The days of the battle are left to no row of the neighbourhood,
		// so the sub-district's partial rows speak: no holder is decided.
		{"Hanano over its capture", hanano, "2016-11-18", "2016-11-30", []string{"jabhat-fateh-al-sham+syrian-insurgents", "government-of-syria+jabhat-fateh-al-sham+syrian-insurgents+ypg", "government-of-syria"}, true},
		{"Douma in the de-escalation zone", douma, "2017-06-01", "2017-06-01", []string{"syrian-insurgents"}, false},
		{"Douma after April 2018", douma, "2018-05-01", "2018-05-01", []string{"government-of-syria"}, false},
		{"Palmyra under ISIL", tadmur, "2017-01-15", "2017-01-15", []string{"islamic-state"}, false},
		{"al-Bab after its capture", albab, "2017-06-01", "2017-06-01", []string{"free-syrian-army+government-of-turkey"}, false},
		{"Idlib city 2016", idlib, "2016-06-01", "2016-06-01", []string{"ahrar-al-sham+jabhat-fateh-al-sham"}, false},
		// Between Jan 2017 and Sep 2018 the sources do not name the
		// city's holder; the district around it is partial (the
		// government towns of al-Fu'ah and Kafriya) so nothing is decided.
		{"Idlib city 2017", idlib, "2017-06-01", "2017-06-01", []string{"hayat-tahrir-al-sham+syrian-insurgents"}, true},
		{"Idleb governorate area", area("SY07"), "2016-06-01", "2016-06-01", []string{"ahrar-al-sham+government-of-syria+jabhat-fateh-al-sham+syrian-insurgents"}, true},
		{"Dar'a governorate after the offensive", area("SY12"), "2018-09-01", "2018-09-01", []string{"government-of-syria"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := s.At(tt.place, days(tt.from, tt.to))
			if len(cs) != 1 || cs[0].Claimant != "wikipedia" {
				t.Fatalf("claims = %+v", cs)
			}
			var got []string
			partial := false
			for _, h := range cs[0].Holdings {
				got = append(got, strings.Join(h.Actors, "+"))
				partial = partial || h.Partial
				for _, r := range h.Rows {
					if r.Source == "" {
						t.Errorf("row at line %d without source", r.Line)
					}
				}
			}
			if !slices.Equal(got, tt.want) || partial != tt.partial {
				t.Errorf("got %q partial %v, want %q partial %v\n%s", got, partial, tt.want, tt.partial, cs[0])
			}
		})
	}
}

// The docs describe the shipped layer by its rows; keep the count there
// honest.
func TestShippedRowCountDocumented(t *testing.T) {
	_, layers := shipped(t)
	doc, err := os.ReadFile("../../docs/control.md")
	if err != nil {
		t.Skip("docs/control.md not found:", err)
	}
	n := len(layers[0].Rows)
	if !strings.Contains(string(doc), strconv.Itoa(n)+" rows") {
		t.Errorf("docs/control.md does not say the shipped layer has %d rows", n)
	}
}
