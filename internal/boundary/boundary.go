// Package boundary maps coordinates to Syria's administrative units
// (governorate, district, sub-district) identified by OCHA P-codes.
//
// Agreements, incidents and rulings refer to territory by P-code rather than
// by name, because names come in many transliterations ("Idleb", "Idlib",
// "Edlib") while P-codes are stable and hierarchical: SY07 ⊃ SY0703 ⊃
// SY070300. That lets an area such as a de-escalation zone be a plain list of
// P-codes at mixed levels, tested with Within, and lets events be assigned to
// sub-districts once with Locate.
//
// The boundaries come from the OCHA Common Operational Dataset (COD-AB) and
// are shipped with the binary; see internal/bundled/data/boundaries/SOURCE.md.
package boundary

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"math"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// Unit is one administrative unit. Names are kept in English and Arabic
// because sources (UCDP, news reports, local councils) use either.
type Unit struct {
	PCode  string // e.g. "SY070300"
	Name   string // English name as spelled by OCHA
	NameAR string // Arabic name
	Parent string // P-code of the enclosing unit; "" for a governorate
	Level  int    // 1 governorate, 2 district, 3 sub-district
}

// Admin is the chain of units containing a point. Admin3 may be empty when
// the point falls in a sliver the sub-district layer does not cover but the
// district or governorate layer does (the OCHA layers were digitised
// separately and do not nest exactly).
type Admin struct {
	Admin1, Admin2, Admin3 string
}

// Set holds the units and their geometries with a spatial index. Its
// units and geometries are never modified after Load; the spatial index of
// a layer is built on the first Locate that needs it, once (sync.Once), so
// a single Set can serve all goroutines without locking by the caller, and
// a command that never locates a point never pays for the index.
type Set struct {
	units map[string]Unit
	geoms map[string]orb.Geometry
	// byLevel[l] is sorted by P-code; grids and admins use the same order
	// so that polygon indices found by a grid translate directly.
	byLevel [4][]Unit
	admins  [4][]Admin
	indexes [4]layerIndex
	// digest identifies the GeoJSON files the Set was loaded from.
	digest [sha256.Size]byte
}

// layerIndex is the spatial index of a layer, built on first use.
type layerIndex struct {
	once sync.Once
	grid *grid
	// bounds are the units' bounding boxes, in byLevel order.
	bounds []orb.Bound
}

// index returns the spatial index of a layer, building it on first use.
func (s *Set) index(level int) *layerIndex {
	x := &s.indexes[level]
	x.once.Do(func() {
		units := s.byLevel[level]
		geoms := make([]orb.Geometry, len(units))
		x.bounds = make([]orb.Bound, len(units))
		for i, u := range units {
			geoms[i] = s.geoms[u.PCode]
			x.bounds[i] = geoms[i].Bound()
		}
		x.grid = buildGrid(geoms, cellSize)
	})
	return x
}

// Prepare builds every layer's spatial index now rather than on the first
// Locate (about a quarter of a second): a server calls it as it starts, so
// that its first submission does not wait for it.
func (s *Set) Prepare() {
	for level := 1; level <= 3; level++ {
		s.index(level)
	}
}

// cellSize is the grid spacing in degrees. About 0.05° (~5 km) keeps most
// cells either wholly inside one sub-district or crossed by only a handful
// of boundary edges, which is what makes Locate cheap; the grid itself stays
// small (~14,000 cells per layer).
const cellSize = 0.05

// fileName is a function rather than a table so the package keeps no
// mutable globals.
func fileName(level int) string {
	return fmt.Sprintf("syr_admin%d.geojson.gz", level)
}

// Load reads syr_admin1..3.geojson.gz from dir in fsys and builds the
// index. It takes an fs.FS so the application can use the embedded copy
// while tests and tools can point at a directory or an in-memory map.
// Errors name the file and, for bad features, the feature's index.
//
// Decoding the GeoJSON takes most of half a second, which every command
// would pay at start-up; so when dir also holds CompiledName, written from
// these very files by Compile (go generate ./internal/bundled), Load reads
// that instead, in a few milliseconds. The compiled form records a SHA-256
// of the GeoJSON files it was made from: when they differ (or the compiled
// form is missing or unreadable) Load decodes the GeoJSON as before, so the
// result never depends on which of the two was read.
func Load(fsys fs.FS, dir string) (*Set, error) {
	if digest, err := sourceDigest(fsys, dir); err == nil {
		if s, err := loadCompiled(fsys, dir, digest); err == nil {
			return s, nil
		}
	}
	return loadGeoJSON(fsys, dir)
}

// sourceDigest is the SHA-256 over the three GeoJSON files as stored
// (compressed), each preceded by its name and length.
func sourceDigest(fsys fs.FS, dir string) ([sha256.Size]byte, error) {
	h := sha256.New()
	for level := 1; level <= 3; level++ {
		raw, err := fs.ReadFile(fsys, path.Join(dir, fileName(level)))
		if err != nil {
			return [sha256.Size]byte{}, err
		}
		digestFile(h, fileName(level), raw)
	}
	return [sha256.Size]byte(h.Sum(nil)), nil
}

func digestFile(h hash.Hash, name string, raw []byte) {
	h.Write([]byte(name))
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(raw))))
	h.Write(raw)
}

// loadGeoJSON reads the GeoJSON files, never the compiled form.
func loadGeoJSON(fsys fs.FS, dir string) (*Set, error) {
	s := &Set{
		units: make(map[string]Unit, 400),
		geoms: make(map[string]orb.Geometry, 400),
	}
	h := sha256.New()
	for level := 1; level <= 3; level++ {
		name := path.Join(dir, fileName(level))
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("boundary %s: %w", name, err)
		}
		digestFile(h, fileName(level), raw)
		fc, err := readCollection(raw)
		if err != nil {
			return nil, fmt.Errorf("boundary %s: %w", name, err)
		}
		if len(fc.Features) == 0 {
			return nil, fmt.Errorf("boundary %s: no features", name)
		}
		for i, f := range fc.Features {
			u, g, err := s.parseFeature(f, level)
			if err != nil {
				return nil, fmt.Errorf("boundary %s feature %d: %w", name, i, err)
			}
			s.units[u.PCode] = u
			s.geoms[u.PCode] = g
			s.byLevel[level] = append(s.byLevel[level], u)
		}
		units := s.byLevel[level]
		sort.Slice(units, func(i, j int) bool { return units[i].PCode < units[j].PCode })
		s.setAdmins(level)
	}
	s.digest = [sha256.Size]byte(h.Sum(nil))
	return s, nil
}

// setAdmins fills the admin chains of a layer, once its units and those of
// the levels above are in place.
func (s *Set) setAdmins(level int) {
	units := s.byLevel[level]
	admins := make([]Admin, len(units))
	for i, u := range units {
		admins[i] = s.adminOf(u)
	}
	s.admins[level] = admins
}

// Digest identifies the GeoJSON files the Set was loaded from (a SHA-256
// over them, whether they or their compiled form were read): Sets with the
// same Digest hold the same units and geometries and give the same answers.
// The gazetteer keys its own compiled form on it.
func (s *Set) Digest() [sha256.Size]byte { return s.digest }

func readCollection(raw []byte) (*geojson.FeatureCollection, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	if err := zr.Close(); err != nil {
		return nil, err
	}
	return geojson.UnmarshalFeatureCollection(data)
}

// parseFeature validates one feature against the levels already loaded, so
// that every Parent in a Set refers to a unit that exists.
func (s *Set) parseFeature(f *geojson.Feature, level int) (Unit, orb.Geometry, error) {
	if f == nil {
		return Unit{}, nil, errors.New("null feature")
	}
	str := func(key string) string {
		v, _ := f.Properties[key].(string)
		return strings.TrimSpace(v)
	}
	u := Unit{PCode: str("PCODE"), Name: str("NAME_EN"), NameAR: str("NAME_AR"), Level: level}
	if u.PCode == "" {
		return Unit{}, nil, errors.New("missing PCODE")
	}
	if len(u.PCode) != pcodeLen(level) {
		return Unit{}, nil, fmt.Errorf("P-code %q: want %d characters for level %d", u.PCode, pcodeLen(level), level)
	}
	if _, dup := s.units[u.PCode]; dup {
		return Unit{}, nil, fmt.Errorf("duplicate P-code %s", u.PCode)
	}
	if u.Name == "" {
		return Unit{}, nil, fmt.Errorf("%s: missing NAME_EN", u.PCode)
	}
	if level > 1 {
		// The ADMn_PCODE fields are authoritative when present; the
		// prefix is the fallback because OCHA P-codes nest by prefix.
		u.Parent = str(fmt.Sprintf("ADM%d_PCODE", level-1))
		if u.Parent == "" {
			u.Parent = u.PCode[:pcodeLen(level-1)]
		}
		p, ok := s.units[u.Parent]
		if !ok || p.Level != level-1 {
			return Unit{}, nil, fmt.Errorf("%s: parent %s is not a loaded level-%d unit", u.PCode, u.Parent, level-1)
		}
		if !strings.HasPrefix(u.PCode, u.Parent) {
			return Unit{}, nil, fmt.Errorf("%s: parent %s is not a P-code prefix", u.PCode, u.Parent)
		}
		if level == 3 {
			if a1 := str("ADM1_PCODE"); a1 != "" && a1 != p.Parent {
				return Unit{}, nil, fmt.Errorf("%s: ADM1_PCODE %s disagrees with district %s in %s", u.PCode, a1, p.PCode, p.Parent)
			}
		}
	}
	g, err := checkGeometry(f.Geometry)
	if err != nil {
		return Unit{}, nil, fmt.Errorf("%s: %w", u.PCode, err)
	}
	return u, g, nil
}

func checkGeometry(g orb.Geometry) (orb.Geometry, error) {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	case nil:
		return nil, errors.New("no geometry")
	default:
		return nil, fmt.Errorf("geometry type %s, want Polygon or MultiPolygon", g.GeoJSONType())
	}
	if len(polys) == 0 {
		return nil, errors.New("empty geometry")
	}
	for i, p := range polys {
		if len(p) == 0 {
			return nil, fmt.Errorf("polygon %d has no rings", i)
		}
		for j, r := range p {
			if len(r) < 4 {
				return nil, fmt.Errorf("polygon %d ring %d has %d points, want at least 4", i, j, len(r))
			}
		}
	}
	return g, nil
}

// AdminOf is the chain of units from the governorate down to the unit
// pcode names (its own level and those above it).
func (s *Set) AdminOf(pcode string) (Admin, bool) {
	u, ok := s.units[pcode]
	if !ok {
		return Admin{}, false
	}
	return s.adminOf(u), true
}

func (s *Set) adminOf(u Unit) Admin {
	var a Admin
	for cur, ok := u, true; ok; cur, ok = s.units[cur.Parent] {
		switch cur.Level {
		case 1:
			a.Admin1 = cur.PCode
		case 2:
			a.Admin2 = cur.PCode
		case 3:
			a.Admin3 = cur.PCode
		}
	}
	return a
}

// pcodeLen is the length of a P-code at level (0 = country "SY"): OCHA
// adds two digits per level.
func pcodeLen(level int) int { return 2 + 2*level }

// Locate returns the units containing the point. Only the sub-district layer
// is normally consulted; district and governorate follow from its parents,
// which keeps the three answers consistent with each other. The district
// and governorate layers are consulted only for points in gaps of the
// sub-district layer. ok is false outside Syria.
func (s *Set) Locate(lat, lon float64) (Admin, bool) {
	for level := 3; level >= 1; level-- {
		if i := s.index(level).grid.locate(lon, lat); i >= 0 {
			return s.admins[level][i], true
		}
	}
	return s.nearest(lat, lon)
}

// CoastToleranceKM is how far into the sea a point may lie and still be
// given the nearest coastal sub-district. The OCHA outlines follow the
// coast loosely: Tartus's own port and sea-front points, geocoded by every
// source, fall a few hundred metres into the sea. Only the sea front is
// forgiven (west of 36°E, between the land borders with Lebanon and
// Turkey at about 34.65°N and 35.9°N): at a land border a point outside
// is in the neighbouring country, and a point farther out at sea is at
// sea; both are said to be outside.
const CoastToleranceKM = 2.0

// nearest is the coastal sub-district within CoastToleranceKM of a point at
// sea just off it, if any: only units whose bounds come that close are
// measured, so the common case (inside) never pays for it.
func (s *Set) nearest(lat, lon float64) (Admin, bool) {
	if lon >= 36.0 || lat <= 34.65 || lat >= 35.9 {
		return Admin{}, false
	}
	// Degrees of latitude and longitude to kilometres, near the point.
	kmLat, kmLon := 111.0, 111.0*math.Cos(lat*math.Pi/180)
	pad := orb.Point{CoastToleranceKM / kmLon, CoastToleranceKM / kmLat}
	p := orb.Point{lon, lat}
	best, bestKM := -1, math.Inf(1)
	bounds := s.index(3).bounds
	for i, u := range s.byLevel[3] {
		g := s.geoms[u.PCode]
		b := bounds[i]
		b = orb.Bound{Min: orb.Point{b.Min[0] - pad[0], b.Min[1] - pad[1]}, Max: orb.Point{b.Max[0] + pad[0], b.Max[1] + pad[1]}}
		if !b.Contains(p) {
			continue
		}
		// The distance in degrees, scaled by the larger factor: an upper
		// bound on the distance in kilometres, so a unit is never taken
		// from farther than the tolerance.
		if km := planar.DistanceFrom(g, p) * max(kmLat, kmLon); km < bestKM {
			best, bestKM = i, km
		}
	}
	if best < 0 || bestKM > CoastToleranceKM {
		return Admin{}, false
	}
	return s.admins[3][best], true
}

// Unit returns the unit with the given P-code.
func (s *Set) Unit(pcode string) (Unit, bool) {
	u, ok := s.units[pcode]
	return u, ok
}

// Units returns the units of a level sorted by P-code. The slice is a copy,
// so callers may sort or trim it without affecting the Set.
func (s *Set) Units(level int) []Unit {
	if level < 1 || level > 3 {
		return nil
	}
	return append([]Unit(nil), s.byLevel[level]...)
}

// Geometry returns the unit's Polygon or MultiPolygon, or nil for an unknown
// P-code. It returns a copy because orb geometries are mutable slices and
// the Set's index depends on the original staying unchanged.
func (s *Set) Geometry(pcode string) orb.Geometry {
	g, ok := s.geoms[pcode]
	if !ok {
		return nil
	}
	return orb.Clone(g)
}

// Within reports whether unit pcode lies inside ancestor (a unit counts as
// within itself). It needs no loaded data because OCHA P-codes nest by
// prefix; ancestor must be a whole P-code (country "SY", or 4, 6 or 8
// characters), so a partial prefix such as "SY0" matches nothing.
func Within(pcode, ancestor string) bool {
	switch len(ancestor) {
	case pcodeLen(0), pcodeLen(1), pcodeLen(2), pcodeLen(3):
	default:
		return false
	}
	return strings.HasPrefix(pcode, ancestor)
}
