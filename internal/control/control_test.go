package control_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/control"
	"github.com/truce-monitor/truce/internal/incident"
)

var damascus, _ = time.LoadLocation("Asia/Damascus")

func layer(t *testing.T, src string) *control.Layer {
	t.Helper()
	l, err := control.Load(strings.NewReader(src), "inline.yaml", checker)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func set(t *testing.T, layers ...*control.Layer) *control.Set {
	t.Helper()
	s, err := control.NewSet(fakeGeo{}, layers...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func minimal(t *testing.T) *control.Layer {
	t.Helper()
	l, err := loadFile(t, "testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func point(lat, lon float64) incident.Place {
	return incident.Place{Lat: lat, Lon: lon, HasPoint: true, Precision: incident.PlaceExact}
}

func area(pcode string) incident.Place {
	p := incident.Place{Area: pcode}
	switch len(pcode) {
	case 8:
		p.Precision = incident.PlaceAdmin3
	case 6:
		p.Precision = incident.PlaceAdmin2
	case 4:
		p.Precision = incident.PlaceAdmin1
	}
	return p
}

func days(from, to string) incident.TimeSpan {
	a, _ := time.ParseInLocation("2006-01-02", from, damascus)
	b, _ := time.ParseInLocation("2006-01-02", to, damascus)
	return incident.Days(a, b, damascus)
}

// holding is a holding as the tests write it: "gov" (held by), "gov+opp"
// (jointly), "part gov+opp" (partial) or "-" (not known), with its days.
func summary(c control.Claim) []string {
	var out []string
	for _, h := range c.Holdings {
		s := strings.Join(h.Actors, "+")
		switch {
		case len(h.Actors) == 0:
			s = "-"
		case h.Partial:
			s = "part " + s
		}
		out = append(out, s+" "+h.From.In(damascus).Format("01-02")+".."+h.To.In(damascus).Format("01-02"))
	}
	return out
}

var (
	fua       = point(35.93, 36.65) // the town row, inside SY070000
	idlibRest = point(35.95, 36.58) // elsewhere in SY070000
)

func TestAt(t *testing.T) {
	t.Parallel()
	s := set(t, minimal(t))
	tests := []struct {
		name  string
		place incident.Place
		span  incident.TimeSpan
		want  []string
	}{
		// A town held by one side inside a sub-district held by the
		// other: the town's row speaks for its points.
		{"town inside unit", fua, days("2016-06-10", "2016-06-10"), []string{"gov 06-10..06-11"}},
		{"rest of unit", idlibRest, days("2016-06-10", "2016-06-10"), []string{"jihadi+opp 06-10..06-11"}},
		// A span over the handover gives both sides; on the day between
		// the town's rows, its sub-district's row speaks for it.
		{"straddle", fua, days("2017-04-10", "2017-04-19"), []string{"gov 04-10..04-15", "jihadi+opp 04-15..04-20"}},
		// A day the layer leaves uncertain is a holding of its own.
		{"straddle with gap", point(35.7, 37.0), days("2018-01-20", "2018-01-23"), []string{"opp 01-20..01-21", "- 01-21..01-22", "part gov+opp 01-22..01-24"}},
		// A point with no Admin3 is located by the set's geography.
		{"point located", incident.Place{Lat: 35.95, Lon: 36.58, HasPoint: true, Precision: incident.PlaceNear}, days("2016-06-10", "2016-06-10"), []string{"jihadi+opp 06-10..06-11"}},
		{"polygon", point(35.75, 36.65), days("2016-06-10", "2016-06-10"), []string{"isis 06-10..06-11"}},
		{"polygon over its end", point(35.75, 36.65), days("2016-06-30", "2016-07-01"), []string{"isis 06-30..07-01", "- 07-01..07-02"}},
		// A sub-district holding a town of the other side is not wholly
		// held by either.
		{"unit with enclave", area("SY070000"), days("2016-06-10", "2016-06-10"), []string{"part gov+jihadi+opp 06-10..06-11"}},
		{"unit held whole", area("SY070001"), days("2016-06-10", "2016-06-10"), []string{"opp 06-10..06-11"}},
		{"unit split by a front", area("SY070001"), days("2018-02-01", "2018-02-01"), []string{"part gov+opp 02-01..02-02"}},
		{"unit change and gap", area("SY070001"), days("2018-01-20", "2018-01-23"), []string{"opp 01-20..01-21", "- 01-21..01-22", "part gov+opp 01-22..01-24"}},
		// A district of which one sub-district has no row at all.
		{"district partly known", area("SY0700"), days("2016-06-10", "2016-06-10"), []string{"part gov+jihadi+opp 06-10..06-11"}},
		{"nothing known", area("SY030200"), days("2016-06-10", "2016-06-10"), []string{"- 06-10..06-11"}},
		{"outside the period", idlibRest, days("2019-03-01", "2019-03-01"), []string{"- 03-01..03-02"}},
		{"no place", incident.Place{Precision: incident.PlaceUnknown}, days("2016-06-10", "2016-06-10"), []string{"- 06-10..06-11"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			claims := s.At(tt.place, tt.span)
			if len(claims) != 1 {
				t.Fatalf("%d claims, want 1", len(claims))
			}
			if got := summary(claims[0]); !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// An area has one holder only when every sub-district in it, and every
// town inside them, has the same one.
func TestAtAreaAgreement(t *testing.T) {
	t.Parallel()
	const head = "id: x\nclaimant: c\nversion: 1\nlabel: l\ntimezone: Asia/Damascus\nperiod: {from: 2016-01-01}\nrows:\n"
	agree := layer(t, head+`  - {pcode: SY070000, from: 2016-01-01, actor: opp, source: s}
  - {pcode: SY070001, from: 2016-01-01, actor: opp, source: s}
  - {pcode: SY070002, from: 2016-01-01, actor: opp, source: s}
  - {place: Fua, from: 2016-01-01, actor: opp, source: s}
`)
	c := set(t, agree).At(area("SY0700"), days("2016-06-10", "2016-06-12"))[0]
	if got, ok := c.Holder(); !ok || !slices.Equal(got, []string{"opp"}) {
		t.Errorf("Holder = %v, %v; want [opp] (%q)", got, ok, summary(c))
	}
	if len(c.Holdings[0].Rows) != 4 {
		t.Errorf("rows used = %d, want 4", len(c.Holdings[0].Rows))
	}
	disagree := layer(t, head+`  - {pcode: SY070000, from: 2016-01-01, actor: opp, source: s}
  - {pcode: SY070001, from: 2016-01-01, actor: opp, source: s}
  - {pcode: SY070002, from: 2016-01-01, actor: [opp, jihadi], source: s}
`)
	c = set(t, disagree).At(area("SY0700"), days("2016-06-10", "2016-06-10"))[0]
	if _, ok := c.Holder(); ok || !c.Holdings[0].Partial {
		t.Errorf("units held differently gave a holder: %q", summary(c))
	}
	// A governorate-wide row covers every unit of it.
	wide := layer(t, head+"  - {pcode: SY07, from: 2016-01-01, actor: gov, source: s}\n")
	c = set(t, wide).At(area("SY07"), days("2016-06-10", "2016-06-10"))[0]
	if got, ok := c.Holder(); !ok || got[0] != "gov" {
		t.Errorf("governorate row: %q", summary(c))
	}
}

func TestDisputed(t *testing.T) {
	t.Parallel()
	const head = "claimant: %s\nversion: 1\nlabel: l\ntimezone: Asia/Damascus\nperiod: {from: 2016-01-01}\nrows:\n"
	gov := layer(t, "id: gov-layer\n"+strings.Replace(head, "%s", "GOV", 1)+"  - {pcode: SY070000, from: 2016-01-01, actor: gov, source: gov statement}\n")
	same := layer(t, "id: same-layer\n"+strings.Replace(head, "%s", "RU", 1)+"  - {pcode: SY070000, from: 2016-03-01, actor: [opp, jihadi], source: ru map}\n")
	s := set(t, minimal(t), gov, same)
	tests := []struct {
		name   string
		place  incident.Place
		layers []string
		want   bool
	}{
		{"claimants differ", idlibRest, []string{"gov-layer", "same-layer", "test-layer"}, true},
		{"claimants agree", idlibRest, []string{"same-layer", "test-layer"}, false},
		{"one says nothing", area("SY030200"), []string{"gov-layer", "test-layer"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var claims []control.Claim
			for _, c := range s.At(tt.place, days("2016-06-10", "2016-06-10")) {
				if slices.Contains(tt.layers, c.Layer) {
					claims = append(claims, c)
				}
			}
			if got := control.Disputed(claims); got != tt.want {
				t.Errorf("Disputed = %v, want %v", got, tt.want)
			}
		})
	}
	claims := s.At(idlibRest, days("2016-06-10", "2016-06-10"))
	if len(claims) != 3 || claims[0].Layer != "gov-layer" || claims[0].Claimant != "GOV" {
		t.Fatalf("claims not one per layer by id: %+v", claims)
	}
	if got := claims[0].String(); !strings.Contains(got, "held by gov") || !strings.Contains(got, "[gov statement]") {
		t.Errorf("String() = %q, want the holder and its source", got)
	}
	if got := claims[2].Sources(); !slices.Equal(got, []string{"test.md#Idlib"}) {
		t.Errorf("Sources() = %q", got)
	}
}

// A claimant corrects its account with a new version; the set consults
// only the latest.
func TestVersions(t *testing.T) {
	t.Parallel()
	const src = "id: x\nclaimant: c\nversion: %d\nlabel: l\ntimezone: Asia/Damascus\nperiod: {from: 2016-01-01}\nrows:\n  - {pcode: SY070000, from: 2016-01-01, actor: %s, source: s}\n"
	v1 := layer(t, strings.NewReplacer("%d", "1", "%s", "gov").Replace(src))
	v2 := layer(t, strings.NewReplacer("%d", "2", "%s", "opp").Replace(src))
	s := set(t, v2, v1)
	c := s.At(idlibRest, days("2016-06-10", "2016-06-10"))
	if len(c) != 1 || c[0].Version != 2 {
		t.Fatalf("claims = %+v, want version 2 only", c)
	}
	if got, _ := c[0].Holder(); got[0] != "opp" {
		t.Errorf("holder = %v", got)
	}
	if _, err := control.NewSet(fakeGeo{}, v1, v1); err == nil {
		t.Error("the same version twice was accepted")
	}
}

func TestInvalidSpan(t *testing.T) {
	t.Parallel()
	c := set(t, minimal(t)).At(fua, incident.TimeSpan{})[0]
	if c.Says() || len(c.Holdings) != 1 {
		t.Errorf("an unknown time gave %q", summary(c))
	}
}
