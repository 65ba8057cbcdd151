// Package gazetteer finds Syrian places by name, in Latin or Arabic
// script and in the many transliterations sources use. It never guesses:
// a name that fits several places returns them all, and the caller must
// say which (or reject the record).
package gazetteer

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/paulmach/orb/planar"
	"go.yaml.in/yaml/v3"

	"github.com/truce-monitor/truce/internal/boundary"
)

// Kind is what sort of place an entry is.
type Kind string

const (
	PopulatedPlace Kind = "populated_place"
	Neighbourhood  Kind = "neighbourhood"
	Governorate    Kind = "governorate"
	District       Kind = "district"
	SubDistrict    Kind = "sub_district"
	Region         Kind = "region"
)

// Place is one gazetteer entry.
type Place struct {
	Name   string `json:"name"`
	NameAR string `json:"name_ar,omitempty"`
	Kind   Kind   `json:"kind"`
	// Lat and Lon are the place's point: a town's centre, a unit's
	// centroid. For units and regions the point is only a label position.
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
	// PCode is the place's own P-code (units, neighbourhoods).
	PCode string `json:"pcode,omitempty"`
	// Admin1..3 are the units containing the place, as far as known.
	Admin1 string `json:"admin1,omitempty"`
	Admin2 string `json:"admin2,omitempty"`
	Admin3 string `json:"admin3,omitempty"`
	// Areas are the sub-districts a region covers.
	Areas      []string `json:"areas,omitempty"`
	Population int      `json:"population,omitempty"`
	GeoNameID  int      `json:"geonameid,omitempty"`
}

// Label names a place with where it is, to tell candidates apart.
func (p Place) Label() string {
	s := p.Name
	if p.PCode != "" {
		s += " (" + string(p.Kind) + " " + p.PCode + ")"
	} else if p.Admin3 != "" {
		s += " (" + string(p.Kind) + " in " + p.Admin3 + ")"
	} else {
		s += " (" + string(p.Kind) + ")"
	}
	return s
}

// ErrNotFound is returned for a name the gazetteer does not know.
var ErrNotFound = errors.New("not in the gazetteer")

// AmbiguousError is returned for a name that fits several places.
type AmbiguousError struct {
	Name       string
	Candidates []Place
}

func (e *AmbiguousError) Error() string {
	labels := make([]string, len(e.Candidates))
	for i, c := range e.Candidates {
		labels[i] = c.Label()
	}
	return fmt.Sprintf("%q is ambiguous: it may be %s; give coordinates or the governorate", e.Name, strings.Join(labels, ", "))
}

// Gazetteer is a loaded gazetteer. It is not changed after Load, so one
// value serves all goroutines.
type Gazetteer struct {
	places []Place
	// tiers index places by ever looser keys of their names: Fold,
	// Spelling and Sound. A lookup stops at the first tier that finds
	// anything.
	tiers  [4]map[string][]int
	bounds *boundary.Set
	// key identifies the sources the gazetteer was built from (sourceKey).
	key [sha256.Size]byte
}

// sourceFiles are the gazetteer's files in dir, in the order Load reads
// them. A function rather than a table, so the package keeps no mutable
// globals of its own.
func sourceFiles() [3]string {
	return [3]string{"geonames-sy.tsv.gz", "neighbourhoods.tsv.gz", "regions.yaml"}
}

// Load reads the gazetteer files in dir and the units of bounds.
//
// Building the index folds every name of every place in every tier and
// places every town in its sub-district, which takes tens of milliseconds
// and the boundaries' spatial index; so when dir also holds CompiledName,
// written by Compile from these very files and boundaries (go generate
// ./internal/bundled), Load reads the index from it instead. The compiled
// form records a SHA-256 of the files and of the boundaries' Digest: when
// they differ (or it is missing or unreadable) Load builds the index as
// before, so the result never depends on which way was taken.
func Load(fsys fs.FS, dir string, bounds *boundary.Set) (*Gazetteer, error) {
	if key, err := sourceKey(fsys, dir, bounds); err == nil {
		if g, err := loadCompiled(fsys, dir, key, bounds); err == nil {
			return g, nil
		}
	}
	return build(fsys, dir, bounds)
}

// build reads the gazetteer files, never their compiled form.
func build(fsys fs.FS, dir string, bounds *boundary.Set) (*Gazetteer, error) {
	g := &Gazetteer{bounds: bounds}
	// A missing file is reported below, as it is met.
	g.key, _ = sourceKey(fsys, dir, bounds)
	for i := range g.tiers {
		g.tiers[i] = map[string][]int{}
	}
	if err := g.loadUnits(); err != nil {
		return nil, err
	}
	loaders := [...]func(io.Reader, string) error{g.loadGeoNames, g.loadNeighbourhoods, g.loadRegions}
	for i, name := range sourceFiles() {
		if err := readFile(fsys, path.Join(dir, name), loaders[i]); err != nil {
			return nil, err
		}
	}
	return g, nil
}

func readFile(fsys fs.FS, name string, load func(io.Reader, string) error) error {
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("gazetteer: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("gazetteer %s: %w", name, err)
		}
		defer gz.Close()
		r = gz
	}
	return load(r, path.Base(name))
}

// add indexes a place under each of its names.
func (g *Gazetteer) add(p Place, names ...string) {
	i := len(g.places)
	g.places = append(g.places, p)
	var seen [4]map[string]bool
	for t := range seen {
		seen[t] = map[string]bool{}
	}
	for _, n := range names {
		for _, key := range keys(n) {
			if key == "" {
				continue
			}
			for t, k := range tierKeys(key) {
				if !seen[t][k] {
					seen[t][k] = true
					g.tiers[t][k] = append(g.tiers[t][k], i)
				}
			}
		}
	}
}

// tierKeys are the keys of a folded name in each tier.
func tierKeys(folded string) [4]string {
	return [4]string{folded, Vowels(folded), Spelling(folded), Sound(folded)}
}

// keys are the folded forms a name is indexed under: the name itself,
// and without "markaz"/"مركز" ("centre"), which OCHA prefixes to the
// sub-district around a district's seat.
func keys(name string) []string {
	k := Fold(name)
	for _, prefix := range []string{"markaz ", "مركز "} {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			return []string{k, rest}
		}
	}
	return []string{k}
}

func (g *Gazetteer) loadUnits() error {
	kinds := [4]Kind{1: Governorate, 2: District, 3: SubDistrict}
	for level := 1; level <= 3; level++ {
		for _, u := range g.bounds.Units(level) {
			p := Place{Name: strings.TrimSpace(u.Name), NameAR: strings.TrimSpace(u.NameAR), Kind: kinds[level], PCode: u.PCode}
			p.Admin1, p.Admin2, p.Admin3 = ancestors(u.PCode)
			if geom := g.bounds.Geometry(u.PCode); geom != nil {
				c, _ := planar.CentroidArea(geom)
				p.Lon, p.Lat = c[0], c[1]
			}
			g.add(p, u.Name, u.NameAR)
		}
	}
	return nil
}

// ancestors splits a P-code into the codes of the units containing it
// (itself included): SY030200 → SY03, SY0302, SY030200.
func ancestors(pcode string) (a1, a2, a3 string) {
	if len(pcode) >= 4 {
		a1 = pcode[:4]
	}
	if len(pcode) >= 6 {
		a2 = pcode[:6]
	}
	if len(pcode) >= 8 {
		a3 = pcode[:8]
	}
	return
}

// tsv reads a tab-separated file with a header, calling fn with each row
// as a map and its line number.
func tsv(r io.Reader, file string, fn func(row map[string]string, line int) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	var header []string
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = fields
			continue
		}
		if len(fields) != len(header) {
			return fmt.Errorf("gazetteer %s line %d: %d fields, the header has %d", file, line, len(fields), len(header))
		}
		row := make(map[string]string, len(header))
		for i, h := range header {
			row[h] = fields[i]
		}
		if err := fn(row, line); err != nil {
			return fmt.Errorf("gazetteer %s line %d: %w", file, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("gazetteer %s: %w", file, err)
	}
	return nil
}

func parseLatLon(row map[string]string) (lat, lon float64, err error) {
	if lat, err = strconv.ParseFloat(row["latitude"], 64); err != nil {
		return 0, 0, fmt.Errorf("latitude: %w", err)
	}
	if lon, err = strconv.ParseFloat(row["longitude"], 64); err != nil {
		return 0, 0, fmt.Errorf("longitude: %w", err)
	}
	return lat, lon, nil
}

// locate finds the units around a town's point. A coastal town's point
// can fall just offshore of the OCHA polygons (Tartus does), so points
// up to about 2 km around it are tried too.
func (g *Gazetteer) locate(p *Place) {
	for _, d := range []float64{0, 0.005, 0.01, 0.02} {
		for _, o := range [][2]float64{{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}} {
			if a, ok := g.bounds.Locate(p.Lat+o[0]*d, p.Lon+o[1]*d); ok && a.Admin3 != "" {
				p.Admin1, p.Admin2, p.Admin3 = a.Admin1, a.Admin2, a.Admin3
				return
			}
			if d == 0 {
				break
			}
		}
	}
}

func (g *Gazetteer) loadGeoNames(r io.Reader, file string) error {
	return tsv(r, file, func(row map[string]string, _ int) error {
		lat, lon, err := parseLatLon(row)
		if err != nil {
			return err
		}
		id, err := strconv.Atoi(row["geonameid"])
		if err != nil {
			return fmt.Errorf("geonameid: %w", err)
		}
		pop, _ := strconv.Atoi(row["population"])
		p := Place{Name: row["asciiname"], Kind: PopulatedPlace, Lat: lat, Lon: lon, GeoNameID: id, Population: pop}
		names := []string{row["name"], row["asciiname"]}
		for _, alt := range strings.Split(row["alternatenames"], ",") {
			alt = strings.TrimSpace(alt)
			if alt == "" {
				continue
			}
			if p.NameAR == "" && isArabic(alt) {
				p.NameAR = alt
			}
			names = append(names, alt)
		}
		g.locate(&p)
		g.add(p, names...)
		return nil
	})
}

func isArabic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Arabic, r) {
			return true
		}
	}
	return false
}

// loadNeighbourhoods adds the neighbourhoods, and the named quarters
// that group them (Jobar, Salhiyeh), placed at their neighbourhoods'
// mean point.
func (g *Gazetteer) loadNeighbourhoods(r io.Reader, file string) error {
	type quarter struct {
		p Place
		n float64
	}
	quarters := map[string]*quarter{}
	var order []string
	err := tsv(r, file, func(row map[string]string, _ int) error {
		lat, lon, err := parseLatLon(row)
		if err != nil {
			return err
		}
		p := Place{Name: row["name_en"], NameAR: row["name_ar"], Kind: Neighbourhood, Lat: lat, Lon: lon, PCode: row["pcode"]}
		p.Admin1, p.Admin2, p.Admin3 = ancestors(row["adm3_pcode"])
		g.add(p, row["name_en"], row["name_ar"])
		area := row["area_en"]
		if area == "" || area == "<Null>" {
			return nil
		}
		key := row["adm3_pcode"] + "/" + area
		q, ok := quarters[key]
		if !ok {
			q = &quarter{p: Place{Name: area, NameAR: row["area_ar"], Kind: Neighbourhood, Admin1: p.Admin1, Admin2: p.Admin2, Admin3: p.Admin3}}
			quarters[key] = q
			order = append(order, key)
		}
		q.p.Lat, q.p.Lon, q.n = q.p.Lat+lat, q.p.Lon+lon, q.n+1
		return nil
	})
	if err != nil {
		return err
	}
	for _, key := range order {
		q := quarters[key]
		q.p.Lat, q.p.Lon = q.p.Lat/q.n, q.p.Lon/q.n
		// A quarter named like one of its own neighbourhoods is that
		// neighbourhood's name twice; the neighbourhood is enough.
		dup := false
		for _, c := range g.Lookup(q.p.Name) {
			if c.Kind == Neighbourhood && c.Admin3 == q.p.Admin3 {
				dup = true
			}
		}
		if !dup {
			g.add(q.p, q.p.Name, q.p.NameAR)
		}
	}
	return nil
}

func (g *Gazetteer) loadRegions(r io.Reader, file string) error {
	var doc struct {
		Regions []struct {
			Name   string   `yaml:"name"`
			NameAR string   `yaml:"name_ar"`
			Names  []string `yaml:"names"`
			Areas  []string `yaml:"areas"`
		} `yaml:"regions"`
	}
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("gazetteer %s: %w", file, err)
	}
	for _, reg := range doc.Regions {
		p := Place{Name: reg.Name, NameAR: reg.NameAR, Kind: Region, Areas: reg.Areas}
		var n float64
		for _, pc := range reg.Areas {
			if _, ok := g.bounds.Unit(pc); !ok || len(pc) != 8 {
				return fmt.Errorf("gazetteer %s: region %s: %q is not a sub-district P-code", file, reg.Name, pc)
			}
			c, _ := planar.CentroidArea(g.bounds.Geometry(pc))
			p.Lon, p.Lat, n = p.Lon+c[0], p.Lat+c[1], n+1
		}
		if n > 0 {
			p.Lon, p.Lat = p.Lon/n, p.Lat/n
		}
		p.Admin1, p.Admin2, p.Admin3 = ancestors(commonPrefix(reg.Areas))
		g.add(p, append([]string{reg.Name, reg.NameAR}, reg.Names...)...)
	}
	return nil
}

// commonPrefix is the P-code of the smallest unit containing all of
// pcodes (P-codes nest by prefix).
func commonPrefix(pcodes []string) string {
	if len(pcodes) == 0 {
		return ""
	}
	c := pcodes[0]
	for _, p := range pcodes[1:] {
		n := 0
		for n < len(c) && n < len(p) && c[n] == p[n] {
			n++
		}
		c = c[:n]
	}
	for _, l := range []int{8, 6, 4} {
		if len(c) >= l {
			return c[:l]
		}
	}
	return ""
}

// Lookup returns every place the name may mean: those whose folded name
// matches, or, when none does, those spelled alike, or else those that
// sound alike. An empty result
// means not found; more than one means the name is ambiguous.
func (g *Gazetteer) Lookup(name string) []Place {
	out, _ := g.LookupTier(name)
	return out
}

// Tier is how loosely a name matched: the index of the key that found it.
type Tier int

const (
	// Folded: the name is one of the place's names, up to case,
	// diacritics, the article and Arabic letter variants.
	Folded Tier = iota
	// VowelTier: the names differ only in how vowels are written and in
	// doubled letters (Jobar/Jowbar, Maarat/Ma'arrat).
	VowelTier
	// SpellingTier: the names are spelled alike once letters that stand
	// for different Arabic letters are merged too (sh/s, kh/k, q/k):
	// Mushayrifah meets Musayrifah, another village.
	SpellingTier
	// SoundTier: the names only sound alike (Dayr az Zawr/Deir ez-Zor).
	SoundTier
)

// minSpellingLetters is the length a name needs for a match at the
// vowel tier to be taken: shorter names meet unrelated places too
// easily ("Bala", "Tal").
const minSpellingLetters = 5

// LookupTier is Lookup, also telling at which tier the places matched.
func (g *Gazetteer) LookupTier(name string) ([]Place, Tier) {
	key := Fold(name)
	if key == "" {
		return nil, Folded
	}
	for t, k := range tierKeys(key) {
		if idx := g.tiers[t][k]; len(idx) > 0 {
			out := make([]Place, len(idx))
			for i, j := range idx {
				out[i] = g.places[j]
			}
			return out, Tier(t)
		}
	}
	return nil, Folded
}

// weak tells whether a match at tier t for the folded key is too loose to
// be taken as the answer: a match found only by sound or spelling, or by
// vowels for a short name. Such a match is offered as candidates, never picked.
func weak(t Tier, key string) bool {
	switch t {
	case SoundTier:
		return true
	case SpellingTier:
		return true
	case VowelTier:
		n := 0
		for _, r := range key {
			if unicode.IsLetter(r) {
				n++
			}
		}
		return n < minSpellingLetters
	}
	return false
}

// LookupKind is Lookup among the places of one kind only: the units a name
// may mean when a record says its place column names governorates
// ("Idlib" is then the governorate, which OCHA spells Idleb, not the
// town).
func (g *Gazetteer) LookupKind(name string, kind Kind) []Place {
	key := Fold(name)
	if key == "" {
		return nil
	}
	for t, k := range tierKeys(key) {
		var out []Place
		for _, j := range g.tiers[t][k] {
			if g.places[j].Kind == kind {
				out = append(out, g.places[j])
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// Resolve returns the one place name means. within, if given, is the
// governorate a record names (as a name or P-code), and rules out
// candidates elsewhere. When a town shares its name with the units around
// it (Duma the town, Duma the sub-district and the district), the town is
// meant: a record that names a place names where it happened. Any other
// choice is left to the caller, as an *AmbiguousError listing candidates.
//
// Resolve never picks on a weak match (see weak): a name found only by
// how it sounds, or a short name found only by its spelling, may well be
// another place ("Saqba" sounds like Shahba), so its places come back as
// candidates of an *AmbiguousError even when there is one.
func (g *Gazetteer) Resolve(name, within string) (Place, error) {
	cands, tier := g.LookupTier(name)
	if tier == Folded && len(cands) > 0 {
		// An exact name whose spelling also fits other places is theirs
		// too: "Qabasin" is one GeoNames town's alternate name, but
		// Kabbasin near al-Bab is spelled alike; "Yarmouk" names a quarter
		// of Dar'a and, spelled Yarmuk, one of Raqqa.
		cands = g.widen(cands, Spelling(Fold(name)))
	}
	if len(cands) == 0 {
		return Place{}, fmt.Errorf("%q: %w", name, ErrNotFound)
	}
	if within != "" {
		if gov := g.governorate(within); gov != "" {
			var in []Place
			for _, c := range cands {
				if c.Admin1 == gov {
					in = append(in, c)
				}
			}
			if len(in) == 0 {
				return Place{}, fmt.Errorf("%q: %w in %s", name, ErrNotFound, within)
			}
			cands = in
		}
	}
	// A neighbourhood's name is local to its city: it is meant only when
	// no town or unit bears the name (Quneitra the town, not Quneitra the
	// quarter of Dar'a).
	if major := withoutNeighbourhoods(cands); len(major) > 0 {
		cands = major
	}
	if !weak(tier, Fold(name)) {
		if len(cands) == 1 {
			return cands[0], nil
		}
		if p, ok := townAmongUnits(cands); ok {
			return p, nil
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Label() < cands[j].Label() })
	return Place{}, &AmbiguousError{Name: name, Candidates: cands}
}

// widen adds to an exact match the other places spelled alike.
func (g *Gazetteer) widen(cands []Place, spelling string) []Place {
	out := cands
	for _, j := range g.tiers[SpellingTier][spelling] {
		p := g.places[j]
		dup := false
		for _, c := range out {
			if c.Kind == p.Kind && c.Name == p.Name && c.PCode == p.PCode && c.GeoNameID == p.GeoNameID && c.Lat == p.Lat && c.Lon == p.Lon {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

// governorate finds the governorate s names, by P-code or name.
func (g *Gazetteer) governorate(s string) string {
	if u, ok := g.bounds.Unit(strings.ToUpper(strings.TrimSpace(s))); ok && u.Level == 1 {
		return u.PCode
	}
	var found string
	for _, p := range g.Lookup(s) {
		if p.Kind == Governorate {
			if found != "" && found != p.PCode {
				return ""
			}
			found = p.PCode
		}
	}
	return found
}

func withoutNeighbourhoods(cands []Place) []Place {
	var out []Place
	for _, c := range cands {
		if c.Kind != Neighbourhood {
			out = append(out, c)
		}
	}
	return out
}

// townAmongUnits picks the one populated place among candidates when every other candidate is a unit containing it.
func townAmongUnits(cands []Place) (Place, bool) {
	var town *Place
	for i := range cands {
		if cands[i].Kind == PopulatedPlace {
			if town != nil {
				return Place{}, false
			}
			town = &cands[i]
		}
	}
	if town == nil {
		return Place{}, false
	}
	for _, c := range cands {
		if c.Kind == PopulatedPlace {
			continue
		}
		if c.PCode == "" || !strings.HasPrefix(town.Admin3, c.PCode) {
			return Place{}, false
		}
	}
	return *town, true
}

// Places returns every entry, for listing and export.
func (g *Gazetteer) Places() []Place { return append([]Place(nil), g.places...) }
