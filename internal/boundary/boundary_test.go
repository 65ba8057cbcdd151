package boundary_test

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/truce-monitor/truce/internal/boundary"
)

// Syria's bounding box (admin1 layer), slightly enlarged so random points
// also exercise the grid's edges.
const (
	minLon, maxLon = 35.55, 42.45
	minLat, maxLat = 32.25, 37.40
)

func loadShipped(tb testing.TB) *boundary.Set {
	tb.Helper()
	s, err := boundary.Load(os.DirFS("../bundled"), "data/boundaries")
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return s
}

// Expected values were computed independently with a Python even-odd ray
// cast over every feature of the shipped GeoJSON (admin1, 2 and 3 layers).
// Village coordinates are those UCDP GED gives for exact-location events.
func TestLocatePlaces(t *testing.T) {
	s := loadShipped(t)
	tests := []struct {
		name     string
		lat, lon float64
		want     boundary.Admin
		ok       bool
	}{
		{"Duma", 33.57175, 36.4027, boundary.Admin{"SY03", "SY0302", "SY030200"}, true},
		{"Harasta", 33.5581, 36.3650, boundary.Admin{"SY03", "SY0302", "SY030201"}, true},
		{"Damascus, Umayyad Mosque", 33.5116, 36.3066, boundary.Admin{"SY01", "SY0100", "SY010000"}, true},
		{"Aleppo citadel", 36.1990, 37.1626, boundary.Admin{"SY02", "SY0200", "SY020000"}, true},
		{"Atareb", 36.1381, 36.8303, boundary.Admin{"SY02", "SY0200", "SY020001"}, true},
		{"Al-Bab", 36.3706, 37.5157, boundary.Admin{"SY02", "SY0202", "SY020200"}, true},
		{"Manbij", 36.5281, 37.9549, boundary.Admin{"SY02", "SY0205", "SY020500"}, true},
		{"Kobani / Ain al-Arab", 36.8906, 38.3536, boundary.Admin{"SY02", "SY0206", "SY020600"}, true},
		{"Idlib city", 35.9306, 36.6339, boundary.Admin{"SY07", "SY0700", "SY070000"}, true},
		{"Jisr al-Shughur", 35.8122, 36.3197, boundary.Admin{"SY07", "SY0704", "SY070400"}, true},
		{"Daraa", 32.6189, 36.1021, boundary.Admin{"SY12", "SY1200", "SY120000"}, true},
		{"Raqqa", 35.9528, 39.0079, boundary.Admin{"SY11", "SY1101", "SY110100"}, true},
		{"Homs", 34.7308, 36.7094, boundary.Admin{"SY04", "SY0401", "SY040100"}, true},
		{"Ar-Rastan", 34.9269, 36.7328, boundary.Admin{"SY04", "SY0404", "SY040400"}, true},
		{"Talbiseh", 34.8411, 36.7303, boundary.Admin{"SY04", "SY0404", "SY040401"}, true},
		{"Palmyra", 34.5503, 38.2691, boundary.Admin{"SY04", "SY0405", "SY040500"}, true},
		{"Hama", 35.1318, 36.7578, boundary.Admin{"SY05", "SY0501", "SY050100"}, true},
		{"Kafr Zeita", 35.3747, 36.6003, boundary.Admin{"SY05", "SY0505", "SY050501"}, true},
		{"Latakia", 35.5317, 35.7901, boundary.Admin{"SY06", "SY0600", "SY060000"}, true},
		{"Tartus", 34.8870, 35.8950, boundary.Admin{"SY10", "SY1000", "SY100000"}, true},
		{"Deir ez-Zor", 35.3359, 40.1408, boundary.Admin{"SY09", "SY0901", "SY090100"}, true},
		{"Abu Kamal", 34.4500, 40.9186, boundary.Admin{"SY09", "SY0902", "SY090200"}, true},
		{"Al-Hasakah", 36.5024, 40.7477, boundary.Admin{"SY08", "SY0800", "SY080000"}, true},
		{"Qamishli", 37.0522, 41.2317, boundary.Admin{"SY08", "SY0802", "SY080200"}, true},
		{"As-Suwayda", 32.7090, 36.5695, boundary.Admin{"SY13", "SY1300", "SY130000"}, true},
		{"Old Quneitra", 33.1256, 35.8236, boundary.Admin{"SY14", "SY1400", "SY140000"}, true},
		{"Madinat al-Baath", 33.17204, 35.87311, boundary.Admin{"SY14", "SY1400", "SY140001"}, true},
		{"Rafid", 32.955343, 35.900492, boundary.Admin{"SY14", "SY1400", "SY140002"}, true},
		{"Busra al-Sham", 32.52013, 36.48256, boundary.Admin{"SY12", "SY1200", "SY120001"}, true},
		{"Nasib", 32.55175, 36.18586, boundary.Admin{"SY12", "SY1200", "SY120000"}, true},
		{"Jasim", 32.99115, 36.060232, boundary.Admin{"SY12", "SY1203", "SY120301"}, true},
		{"Kafr Laha (Houla)", 34.883056, 36.5, boundary.Admin{"SY04", "SY0401", "SY040101"}, true},
		{"Morek", 35.375278, 36.687222, boundary.Admin{"SY05", "SY0501", "SY050101"}, true},
		{"Qalaat al-Madiq", 35.41465, 36.39085, boundary.Admin{"SY05", "SY0502", "SY050204"}, true},
		{"Kafr Nabudah", 35.43175, 36.49354, boundary.Admin{"SY05", "SY0502", "SY050204"}, true},
		{"Kabanah (Kabani)", 35.71743, 36.23272, boundary.Admin{"SY06", "SY0603", "SY060303"}, true},
		{"Darat Izzah", 36.28247, 36.85216, boundary.Admin{"SY02", "SY0200", "SY020004"}, true},
		{"Hreitan", 36.287, 37.0833, boundary.Admin{"SY02", "SY0200", "SY020003"}, true},
		{"Zarbah", 36.068192, 36.978284, boundary.Admin{"SY02", "SY0200", "SY020005"}, true},
		{"Khan Arnabah", 33.1820, 35.8880, boundary.Admin{"SY14", "SY1400", "SY140001"}, true},
		{"Gaziantep, Turkey", 37.0662, 37.3833, boundary.Admin{}, false},
		{"Kilis, Turkey", 36.7184, 37.1212, boundary.Admin{}, false},
		{"Mediterranean off Baniyas", 35.0, 35.3, boundary.Admin{}, false},
		{"Mediterranean off Latakia", 35.6, 35.6, boundary.Admin{}, false},
		{"Beirut, Lebanon", 33.8938, 35.5018, boundary.Admin{}, false},
		{"Hermel, Lebanon", 34.39, 36.39, boundary.Admin{}, false},
		{"Amman, Jordan", 31.95, 35.93, boundary.Admin{}, false},
		{"Jordanian desert inside bbox", 33.0, 38.9, boundary.Admin{}, false},
		{"Al-Qaim, Iraq", 34.37, 41.1, boundary.Admin{}, false},
		{"Mosul, Iraq", 36.34, 43.13, boundary.Admin{}, false},
		{"null island", 0, 0, boundary.Admin{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.Locate(tt.lat, tt.lon)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Locate(%v, %v) = %+v, %v; want %+v, %v", tt.lat, tt.lon, got, ok, tt.want, tt.ok)
			}
		})
	}
}

type bruteUnit struct {
	pcode string
	geom  orb.Geometry
	bound orb.Bound
}

func bruteLayer(s *boundary.Set, level int) []bruteUnit {
	var out []bruteUnit
	for _, u := range s.Units(level) {
		g := s.Geometry(u.PCode)
		out = append(out, bruteUnit{u.PCode, g, g.Bound()})
	}
	return out
}

func bruteFind(layer []bruteUnit, p orb.Point) string {
	for _, u := range layer {
		if !u.bound.Contains(p) {
			continue
		}
		var in bool
		switch g := u.geom.(type) {
		case orb.Polygon:
			in = planar.PolygonContains(g, p)
		case orb.MultiPolygon:
			in = planar.MultiPolygonContains(g, p)
		}
		if in {
			return u.pcode
		}
	}
	return ""
}

// The grid must give the same answer as testing every polygon, in P-code
// order, with orb's own (independent) point-in-polygon code.
func TestLocateMatchesBruteForce(t *testing.T) {
	s := loadShipped(t)
	layers := [4][]bruteUnit{nil, bruteLayer(s, 1), bruteLayer(s, 2), bruteLayer(s, 3)}
	rng := rand.New(rand.NewPCG(2017, 506))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	var inside, gaps int
	for i := 0; i < n; i++ {
		lat := minLat + rng.Float64()*(maxLat-minLat)
		lon := minLon + rng.Float64()*(maxLon-minLon)
		p := orb.Point{lon, lat}

		var want boundary.Admin
		wantOK := false
		if a3 := bruteFind(layers[3], p); a3 != "" {
			u, _ := s.Unit(a3)
			d, _ := s.Unit(u.Parent)
			want, wantOK = boundary.Admin{Admin1: d.Parent, Admin2: u.Parent, Admin3: a3}, true
		} else if a2 := bruteFind(layers[2], p); a2 != "" {
			u, _ := s.Unit(a2)
			want, wantOK = boundary.Admin{Admin1: u.Parent, Admin2: a2}, true
			gaps++
		} else if a1 := bruteFind(layers[1], p); a1 != "" {
			want, wantOK = boundary.Admin{Admin1: a1}, true
			gaps++
		}
		if wantOK {
			inside++
		}
		got, ok := s.Locate(lat, lon)
		if ok && !wantOK {
			// The sea front is forgiven (CoastToleranceKM): the point must
			// lie that close to the unit it was given.
			if km := planar.DistanceFrom(s.Geometry(got.Admin3), p) * 111; km <= boundary.CoastToleranceKM {
				continue
			}
		}
		if got != want || ok != wantOK {
			t.Errorf("point %d (%.7f, %.7f): Locate = %+v, %v; brute force = %+v, %v", i, lat, lon, got, ok, want, wantOK)
		}
	}
	t.Logf("%d points: %d inside Syria, %d in gaps of the admin3 layer", n, inside, gaps)
	if inside < n/3 {
		t.Errorf("only %d of %d random points inside Syria; bbox or data wrong?", inside, n)
	}
}

func TestUnits(t *testing.T) {
	s := loadShipped(t)
	for level, want := range map[int]int{1: 14, 2: 62, 3: 272} {
		units := s.Units(level)
		if len(units) != want {
			t.Errorf("Units(%d): %d units, want %d", level, len(units), want)
		}
		for i, u := range units {
			if i > 0 && units[i-1].PCode >= u.PCode {
				t.Errorf("Units(%d) not sorted at %s", level, u.PCode)
			}
			if u.Level != level || u.Name == "" || u.NameAR == "" {
				t.Errorf("Units(%d): bad unit %+v", level, u)
			}
			if level == 1 && u.Parent != "" {
				t.Errorf("governorate %s has parent %q", u.PCode, u.Parent)
			}
			if level > 1 {
				p, ok := s.Unit(u.Parent)
				if !ok || p.Level != level-1 || !boundary.Within(u.PCode, u.Parent) {
					t.Errorf("%s: bad parent %q", u.PCode, u.Parent)
				}
			}
			if s.Geometry(u.PCode) == nil {
				t.Errorf("%s: no geometry", u.PCode)
			}
		}
	}
	if s.Units(0) != nil || s.Units(4) != nil {
		t.Error("Units outside 1..3 should be nil")
	}
	// Units returns a copy.
	s.Units(1)[0].Name = "changed"
	if s.Units(1)[0].Name == "changed" {
		t.Error("Units exposes internal slice")
	}
}

func TestUnit(t *testing.T) {
	s := loadShipped(t)
	tests := []struct {
		pcode string
		want  boundary.Unit
		ok    bool
	}{
		{"SY07", boundary.Unit{PCode: "SY07", Name: "Idleb", NameAR: "إدلب", Level: 1}, true},
		{"SY0302", boundary.Unit{PCode: "SY0302", Name: "Duma", NameAR: "دوما", Parent: "SY03", Level: 2}, true},
		{"SY040401", boundary.Unit{PCode: "SY040401", Name: "Talbiseh", NameAR: "تلبيسة", Parent: "SY0404", Level: 3}, true},
		{"SY99", boundary.Unit{}, false},
		{"", boundary.Unit{}, false},
	}
	for _, tt := range tests {
		got, ok := s.Unit(tt.pcode)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Unit(%q) = %+v, %v; want %+v, %v", tt.pcode, got, ok, tt.want, tt.ok)
		}
	}
}

func TestGeometryIsACopy(t *testing.T) {
	s := loadShipped(t)
	g := s.Geometry("SY030200").(orb.Polygon)
	g[0][0] = orb.Point{0, 0}
	if s.Geometry("SY030200").(orb.Polygon)[0][0] == (orb.Point{0, 0}) {
		t.Error("Geometry exposes internal data")
	}
	if a, ok := s.Locate(33.57175, 36.4027); !ok || a.Admin3 != "SY030200" {
		t.Errorf("after mutating a returned geometry, Locate(Duma) = %+v, %v", a, ok)
	}
	if s.Geometry("SY99") != nil {
		t.Error("Geometry of unknown P-code should be nil")
	}
}

func TestWithin(t *testing.T) {
	tests := []struct {
		pcode, ancestor string
		want            bool
	}{
		{"SY070300", "SY07", true},
		{"SY070300", "SY0703", true},
		{"SY0703", "SY07", true},
		{"SY07", "SY07", true},
		{"SY070300", "SY070300", true},
		{"SY070300", "SY", true},
		{"SY07", "SY0703", false},
		{"SY070300", "SY0704", false},
		{"SY080000", "SY07", false},
		{"SY070300", "SY0", false},
		{"SY070300", "SY07030", false},
		{"SY070300", "", false},
		{"", "SY07", false},
	}
	for _, tt := range tests {
		if got := boundary.Within(tt.pcode, tt.ancestor); got != tt.want {
			t.Errorf("Within(%q, %q) = %v, want %v", tt.pcode, tt.ancestor, got, tt.want)
		}
	}
}

func gz(tb testing.TB, s string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write([]byte(s)); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

const square = `{"type":"Polygon","coordinates":[[[36,33],[37,33],[37,34],[36,34],[36,33]]]}`

func feature(props, geom string) string {
	return `{"type":"Feature","properties":` + props + `,"geometry":` + geom + `}`
}

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

func miniFS(tb testing.TB, a1, a2, a3 string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range map[string]string{"syr_admin1": a1, "syr_admin2": a2, "syr_admin3": a3} {
		if body != "" {
			fsys["b/"+name+".geojson.gz"] = &fstest.MapFile{Data: gz(tb, body)}
		}
	}
	return fsys
}

func TestLoadSynthetic(t *testing.T) {
	a1 := collection(feature(`{"PCODE":"SY01","NAME_EN":"One","NAME_AR":"واحد"}`, square))
	a2 := collection(feature(`{"PCODE":"SY0100","NAME_EN":"One","NAME_AR":"واحد","ADM1_PCODE":"SY01"}`, square))
	a3 := collection(
		feature(`{"PCODE":"SY010000","NAME_EN":"West","ADM2_PCODE":"SY0100"}`,
			`{"type":"Polygon","coordinates":[[[36,33],[36.5,33],[36.5,34],[36,34],[36,33]]]}`),
		feature(`{"PCODE":"SY010001","NAME_EN":"East with hole"}`, // parent from prefix
			`{"type":"Polygon","coordinates":[[[36.5,33],[37,33],[37,34],[36.5,34],[36.5,33]],[[36.6,33.4],[36.8,33.4],[36.8,33.6],[36.6,33.6],[36.6,33.4]]]}`),
	)
	s, err := boundary.Load(miniFS(t, a1, a2, a3), "b")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lat, lon float64
		want     boundary.Admin
		ok       bool
	}{
		{33.5, 36.25, boundary.Admin{"SY01", "SY0100", "SY010000"}, true},
		{33.2, 36.9, boundary.Admin{"SY01", "SY0100", "SY010001"}, true},
		{33.5, 36.7, boundary.Admin{"SY01", "SY0100", ""}, true}, // hole in admin3 only
		{32.9, 36.25, boundary.Admin{}, false},
		{33.5, 37.01, boundary.Admin{}, false},
	}
	for _, tt := range tests {
		got, ok := s.Locate(tt.lat, tt.lon)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Locate(%v, %v) = %+v, %v; want %+v, %v", tt.lat, tt.lon, got, ok, tt.want, tt.ok)
		}
	}
	if u, _ := s.Unit("SY010001"); u.Parent != "SY0100" {
		t.Errorf("parent from prefix: got %q", u.Parent)
	}
}

func TestLoadErrors(t *testing.T) {
	good1 := collection(feature(`{"PCODE":"SY01","NAME_EN":"One"}`, square))
	good2 := collection(feature(`{"PCODE":"SY0100","NAME_EN":"One","ADM1_PCODE":"SY01"}`, square))
	good3 := collection(feature(`{"PCODE":"SY010000","NAME_EN":"One","ADM2_PCODE":"SY0100"}`, square))
	tests := []struct {
		name       string
		a1, a2, a3 string
		want       string // substring of the error
	}{
		{"missing file", good1, good2, "", "b/syr_admin3.geojson.gz"},
		{"not gzip", "", "", "", "syr_admin1.geojson.gz"},
		{"bad json", "{", good2, good3, "boundary b/syr_admin1.geojson.gz"},
		{"no pcode", collection(feature(`{"PCODE":"SY01","NAME_EN":"One"}`, square), feature(`{"NAME_EN":"Two"}`, square)), good2, good3,
			"boundary b/syr_admin1.geojson.gz feature 1: missing PCODE"},
		{"duplicate", collection(feature(`{"PCODE":"SY01","NAME_EN":"One"}`, square), feature(`{"PCODE":"SY01","NAME_EN":"Two"}`, square)), good2, good3,
			"feature 1: duplicate P-code SY01"},
		{"wrong length", good1, collection(feature(`{"PCODE":"SY01","NAME_EN":"One"}`, square)), good3, "syr_admin2.geojson.gz feature 0"},
		{"unknown parent", good1, good2, collection(feature(`{"PCODE":"SY020000","NAME_EN":"X","ADM2_PCODE":"SY0200"}`, square)),
			"syr_admin3.geojson.gz feature 0: SY020000: parent SY0200"},
		{"point geometry", good1, good2, collection(feature(`{"PCODE":"SY010000","NAME_EN":"X"}`, `{"type":"Point","coordinates":[36,33]}`)),
			"feature 0: SY010000: geometry type Point"},
		{"no geometry", good1, good2, collection(feature(`{"PCODE":"SY010000","NAME_EN":"X"}`, `null`)), "feature 0: SY010000: no geometry"},
		{"short ring", good1, good2, collection(feature(`{"PCODE":"SY010000","NAME_EN":"X"}`, `{"type":"Polygon","coordinates":[[[36,33],[37,33],[36,33]]]}`)),
			"ring 0 has 3 points"},
		{"empty", collection(), good2, good3, "no features"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := miniFS(t, tt.a1, tt.a2, tt.a3)
			if tt.name == "not gzip" {
				fsys = fstest.MapFS{"b/syr_admin1.geojson.gz": &fstest.MapFile{Data: []byte("plain")}}
			}
			_, err := boundary.Load(fsys, "b")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// A Set is shared by all request handlers; run with -race.
func TestLocateConcurrent(t *testing.T) {
	s := loadShipped(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 1))
			for i := 0; i < 2000; i++ {
				s.Locate(minLat+rng.Float64()*(maxLat-minLat), minLon+rng.Float64()*(maxLon-minLon))
				s.Unit("SY07")
			}
		}(uint64(g))
	}
	wg.Wait()
}

func benchPoints(n int) [][2]float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	pts := make([][2]float64, n)
	for i := range pts {
		pts[i] = [2]float64{minLat + rng.Float64()*(maxLat-minLat), minLon + rng.Float64()*(maxLon-minLon)}
	}
	return pts
}

// BenchmarkLocate measures point-to-admin3 assignment for random points in
// Syria's bounding box (about half of them fall outside Syria).
func BenchmarkLocate(b *testing.B) {
	s := loadShipped(b)
	pts := benchPoints(1 << 16)
	s.Locate(0, 0) // the spatial index is built on first use, not timed here
	b.ResetTimer()
	hits := 0
	for i := 0; i < b.N; i++ {
		p := pts[i&(len(pts)-1)]
		if _, ok := s.Locate(p[0], p[1]); ok {
			hits++
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
	_ = hits
}

// BenchmarkLocateInside uses only points inside Syria, the common case for
// conflict events.
func BenchmarkLocateInside(b *testing.B) {
	s := loadShipped(b)
	var pts [][2]float64
	for _, p := range benchPoints(1 << 17) {
		if _, ok := s.Locate(p[0], p[1]); ok && len(pts) < 1<<16 {
			pts = append(pts, p)
		}
	}
	pts = pts[:1<<15]
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pts[i&(len(pts)-1)]
		s.Locate(p[0], p[1])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// TestLocateCoast: a point on Tartus's sea front, a few hundred metres
// outside OCHA's coastline, is in Tartus; one far out at sea is outside
// (issue 14 item 5: `places -at` said "outside the boundaries" for the
// town that `places Tartus` put inside).
func TestLocateCoast(t *testing.T) {
	s := loadShipped(t)
	if a, ok := s.Locate(34.889, 35.886); !ok || a.Admin3 != "SY100000" {
		t.Errorf("Tartus sea front: %+v %v, want SY100000", a, ok)
	}
	if a, ok := s.Locate(34.889, 35.5); ok {
		t.Errorf("35 km at sea: %+v, want outside", a)
	}
}

// BenchmarkLoad measures loading the shipped boundaries, which every CLI
// command that opens a database pays at start-up (docs/benchmarks.md, "CLI
// start"): "compiled" as Load does, from the compiled form; "geojson" with
// the compiled form hidden, decoding the GeoJSON as before it existed.
// Neither builds the spatial index, which the first Locate does:
// "first-locate" is Load and one Locate.
func BenchmarkLoad(b *testing.B) {
	shipped := os.DirFS("../bundled")
	for _, bm := range []struct {
		name   string
		fsys   fs.FS
		locate bool
	}{
		{"compiled", shipped, false},
		{"geojson", hideFS{shipped, "data/boundaries/" + boundary.CompiledName}, false},
		{"first-locate", shipped, true},
	} {
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				s, err := boundary.Load(bm.fsys, "data/boundaries")
				if err != nil {
					b.Fatal(err)
				}
				if bm.locate {
					s.Locate(33.57175, 36.4027)
				}
			}
		})
	}
}

// hideFS is fsys without the file hidden.
type hideFS struct {
	fsys   fs.FS
	hidden string
}

func (h hideFS) Open(name string) (fs.File, error) {
	if name == h.hidden {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return h.fsys.Open(name)
}

// TestPrepare: the indexes built ahead (a server starting) answer as those
// built on first use, also while Locate runs beside Prepare.
func TestPrepare(t *testing.T) {
	lazy, ahead := loadShipped(t), loadShipped(t)
	done := make(chan struct{})
	go func() { ahead.Prepare(); close(done) }()
	rng := rand.New(rand.NewPCG(7, 17))
	for range 2000 {
		lat, lon := minLat+rng.Float64()*(maxLat-minLat), minLon+rng.Float64()*(maxLon-minLon)
		want, wok := lazy.Locate(lat, lon)
		got, gok := ahead.Locate(lat, lon)
		if got != want || gok != wok {
			t.Fatalf("Locate(%v, %v) = %v, %v after Prepare; %v, %v built on first use", lat, lon, got, gok, want, wok)
		}
	}
	<-done
}
