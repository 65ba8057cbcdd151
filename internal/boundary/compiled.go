package boundary

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"

	"github.com/paulmach/orb"
)

// CompiledName is the file, next to the GeoJSON files, that holds their
// compiled form: what Load needs from them, without the cost of decoding
// JSON. It is generated (go generate ./internal/bundled) and committed.
const CompiledName = "syr_admin.compiled"

// The compiled form, all integers as varints (encoding/binary):
//
//	magic, version
//	SHA-256 of the GeoJSON files (sourceDigest)
//	per level 1..3: number of units, number of points, then per unit
//	  (sorted by P-code): P-code, name, Arabic name, parent (each a
//	  length and UTF-8 bytes); 'P' for a Polygon or 'M' and a count for a
//	  MultiPolygon; per polygon its number of rings, per ring its number
//	  of points and the points.
//
// A point is stored as its longitude and latitude in millionths of a
// degree, each as the difference from the previous point of the ring
// (zigzag-encoded). The shipped GeoJSON has 6 decimals, and float64(n)/1e6
// is the float64 nearest to n millionths, which is what decoding the
// decimal gives: the decoded coordinates are bit-for-bit those of the
// GeoJSON. Compile refuses a coordinate for which that does not hold.
const (
	compiledMagic   = "truce boundaries\n"
	compiledVersion = 1
	microdegrees    = 1e6
)

// Compile reads the GeoJSON files in dir (never their compiled form), as
// Load does, and returns the compiled form Load reads when it is stored in
// dir as CompiledName.
func Compile(fsys fs.FS, dir string) ([]byte, error) {
	s, err := loadGeoJSON(fsys, dir)
	if err != nil {
		return nil, err
	}
	return s.appendCompiled(nil)
}

func (s *Set) appendCompiled(b []byte) ([]byte, error) {
	b = append(b, compiledMagic...)
	b = binary.AppendUvarint(b, compiledVersion)
	b = append(b, s.digest[:]...)
	for level := 1; level <= 3; level++ {
		units := s.byLevel[level]
		npoints := 0
		for _, u := range units {
			for _, p := range polygons(s.geoms[u.PCode]) {
				for _, r := range p {
					npoints += len(r)
				}
			}
		}
		b = binary.AppendUvarint(b, uint64(len(units)))
		b = binary.AppendUvarint(b, uint64(npoints))
		for _, u := range units {
			for _, str := range []string{u.PCode, u.Name, u.NameAR, u.Parent} {
				b = binary.AppendUvarint(b, uint64(len(str)))
				b = append(b, str...)
			}
			polys := polygons(s.geoms[u.PCode])
			switch s.geoms[u.PCode].(type) {
			case orb.Polygon:
				b = append(b, 'P')
			case orb.MultiPolygon:
				b = append(b, 'M')
				b = binary.AppendUvarint(b, uint64(len(polys)))
			}
			for _, p := range polys {
				b = binary.AppendUvarint(b, uint64(len(p)))
				for _, r := range p {
					b = binary.AppendUvarint(b, uint64(len(r)))
					var prev [2]int64
					for _, pt := range r {
						for k := range 2 {
							n, ok := toMicro(pt[k])
							if !ok {
								return nil, fmt.Errorf("boundary %s: coordinate %v is not a whole number of millionths of a degree; the compiled form cannot hold it exactly", u.PCode, pt[k])
							}
							b = binary.AppendVarint(b, n-prev[k])
							prev[k] = n
						}
					}
				}
			}
		}
	}
	return b, nil
}

// toMicro gives v in millionths of a degree, if fromMicro gives v back
// bit for bit.
func toMicro(v float64) (int64, bool) {
	f := math.Round(v * microdegrees)
	if math.IsNaN(f) || math.Abs(f) > 1<<52 {
		return 0, false
	}
	n := int64(f)
	return n, math.Float64bits(fromMicro(n)) == math.Float64bits(v)
}

func fromMicro(n int64) float64 { return float64(n) / microdegrees }

// polygons lists the polygons of a Polygon or MultiPolygon.
func polygons(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// loadCompiled reads the compiled form in dir if it was made from GeoJSON
// files with the given digest.
func loadCompiled(fsys fs.FS, dir string, digest [sha256.Size]byte) (*Set, error) {
	b, err := fs.ReadFile(fsys, path.Join(dir, CompiledName))
	if err != nil {
		return nil, err
	}
	return decodeCompiled(b, digest)
}

var errCorrupt = errors.New("boundary: compiled form is corrupt")

// compiledReader reads the compiled form. Every count is checked against
// the bytes left, so that a damaged file gives an error, never a panic or
// a huge allocation.
type compiledReader struct {
	b   []byte
	err error
}

func (r *compiledReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *compiledReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a count of items taking at least min bytes each.
func (r *compiledReader) count(min int) int {
	v := r.uvarint()
	if r.err == nil && v > uint64(len(r.b)/min) {
		r.err = errCorrupt
		return 0
	}
	return int(v)
}

func (r *compiledReader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.err = errCorrupt
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *compiledReader) string() string { return string(r.bytes(r.count(1))) }

func (r *compiledReader) byte() byte {
	if v := r.bytes(1); v != nil {
		return v[0]
	}
	return 0
}

func decodeCompiled(b []byte, digest [sha256.Size]byte) (*Set, error) {
	r := &compiledReader{b: b}
	if string(r.bytes(len(compiledMagic))) != compiledMagic || r.uvarint() != compiledVersion {
		return nil, errors.New("boundary: not a compiled form of this version")
	}
	if !bytes.Equal(r.bytes(sha256.Size), digest[:]) {
		return nil, errors.New("boundary: compiled form made from other GeoJSON files")
	}
	s := &Set{
		units:  make(map[string]Unit, 400),
		geoms:  make(map[string]orb.Geometry, 400),
		digest: digest,
	}
	for level := 1; level <= 3; level++ {
		// A unit takes at least 6 bytes, a point 2.
		nunits := r.count(6)
		points := make([]orb.Point, r.count(2))
		units := make([]Unit, 0, nunits)
		for range nunits {
			u := Unit{PCode: r.string(), Name: r.string(), NameAR: r.string(), Parent: r.string(), Level: level}
			var g orb.Geometry
			switch r.byte() {
			case 'P':
				var p orb.Polygon
				p, points = r.polygon(points)
				g = p
			case 'M':
				mp := make(orb.MultiPolygon, r.count(1))
				for i := range mp {
					mp[i], points = r.polygon(points)
				}
				g = mp
			default:
				r.err = errCorrupt
			}
			if r.err != nil {
				return nil, r.err
			}
			if _, dup := s.units[u.PCode]; dup || len(u.PCode) != pcodeLen(level) {
				return nil, errCorrupt
			}
			if level > 1 {
				if p, ok := s.units[u.Parent]; !ok || p.Level != level-1 {
					return nil, errCorrupt
				}
			}
			if n := len(units); n > 0 && units[n-1].PCode >= u.PCode {
				return nil, errCorrupt
			}
			s.units[u.PCode] = u
			s.geoms[u.PCode] = g
			units = append(units, u)
		}
		if r.err != nil || len(units) == 0 || len(points) != 0 {
			return nil, errCorrupt
		}
		s.byLevel[level] = units
		s.setAdmins(level)
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errCorrupt
	}
	return s, nil
}

// polygon reads one polygon, taking its points from the front of points
// (one allocation per layer rather than one per ring), and returns the
// points left.
func (r *compiledReader) polygon(points []orb.Point) (orb.Polygon, []orb.Point) {
	p := make(orb.Polygon, r.count(1))
	for i := range p {
		n := r.count(2)
		if r.err != nil || n > len(points) {
			r.err = errCorrupt
			return nil, points
		}
		ring := points[:n:n]
		points = points[n:]
		var x, y int64
		for j := range ring {
			x += r.varint()
			y += r.varint()
			ring[j] = orb.Point{fromMicro(x), fromMicro(y)}
		}
		p[i] = orb.Ring(ring)
	}
	return p, points
}
