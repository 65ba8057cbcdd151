package boundary

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
	"testing/fstest"
)

const shippedDir = "data/boundaries"

func shippedFS() fs.FS { return os.DirFS("../bundled") }

// TestCompiledFresh fails when the committed compiled form is not what
// Compile makes of the committed GeoJSON (or of the current code): run
// go generate ./internal/bundled.
func TestCompiledFresh(t *testing.T) {
	want, err := Compile(shippedFS(), shippedDir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := fs.ReadFile(shippedFS(), shippedDir+"/"+CompiledName)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s/%s is stale (%d bytes, Compile gives %d): run go generate ./internal/bundled", shippedDir, CompiledName, len(got), len(want))
	}
}

// TestCompiledSame: the Set read from the compiled form is the one decoded
// from the GeoJSON, coordinate for coordinate, and answers alike.
func TestCompiledSame(t *testing.T) {
	fsys := shippedFS()
	slow, err := loadGeoJSON(fsys, shippedDir)
	if err != nil {
		t.Fatal(err)
	}
	digest, err := sourceDigest(fsys, shippedDir)
	if err != nil {
		t.Fatal(err)
	}
	if digest != slow.Digest() {
		t.Fatal("sourceDigest differs from the digest loadGeoJSON computes")
	}
	fast, err := loadCompiled(fsys, shippedDir, digest)
	if err != nil {
		t.Fatalf("the shipped compiled form is not used: %v", err)
	}
	if !reflect.DeepEqual(fast.units, slow.units) {
		t.Error("units differ")
	}
	if !reflect.DeepEqual(fast.geoms, slow.geoms) {
		t.Error("geometries differ")
	}
	if !reflect.DeepEqual(fast.byLevel, slow.byLevel) {
		t.Error("byLevel differs")
	}
	if !reflect.DeepEqual(fast.admins, slow.admins) {
		t.Error("admins differ")
	}
	if fast.Digest() != slow.Digest() {
		t.Error("digests differ")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		lat, lon := 32.2+rng.Float64()*5.3, 35.5+rng.Float64()*7
		a1, ok1 := fast.Locate(lat, lon)
		a2, ok2 := slow.Locate(lat, lon)
		if a1 != a2 || ok1 != ok2 {
			t.Fatalf("Locate(%v, %v): compiled %+v %v, GeoJSON %+v %v", lat, lon, a1, ok1, a2, ok2)
		}
	}
}

// TestCompiledOtherSources: a compiled form made from other GeoJSON files
// is not used.
func TestCompiledOtherSources(t *testing.T) {
	compiled, err := fs.ReadFile(shippedFS(), shippedDir+"/"+CompiledName)
	if err != nil {
		t.Fatal(err)
	}
	const square = `{"type":"Polygon","coordinates":[[[36,33],[37,33],[37,34],[36,34],[36,33]]]}`
	fc := func(props string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","properties":` + props + `,"geometry":` + square + `}]}`
	}
	fsys := fstest.MapFS{"b/" + CompiledName: {Data: compiled}}
	for level, props := range map[int]string{
		1: `{"PCODE":"SY01","NAME_EN":"One"}`,
		2: `{"PCODE":"SY0100","NAME_EN":"One"}`,
		3: `{"PCODE":"SY010000","NAME_EN":"One"}`,
	} {
		fsys["b/"+fileName(level)] = &fstest.MapFile{Data: gzipped(t, fc(props))}
	}
	s, err := Load(fsys, "b")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Units(3)); n != 1 {
		t.Errorf("Load used the compiled form of other files: %d sub-districts, want 1", n)
	}
}

// A damaged compiled form gives an error, never a panic.
func TestCompiledDamaged(t *testing.T) {
	fsys := shippedFS()
	b, err := fs.ReadFile(fsys, shippedDir+"/"+CompiledName)
	if err != nil {
		t.Fatal(err)
	}
	digest, err := sourceDigest(fsys, shippedDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 10, len(compiledMagic) + 1 + 32, len(compiledMagic) + 40, 1000, len(b) / 2, len(b) - 1} {
		if _, err := decodeCompiled(b[:n], digest); err == nil {
			t.Errorf("truncated to %d bytes: no error", n)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200; i++ {
		d := bytes.Clone(b)
		for j := 0; j < 1+rng.IntN(4); j++ {
			d[len(compiledMagic)+33+rng.IntN(len(d)-len(compiledMagic)-33)] = byte(rng.Uint32())
		}
		decodeCompiled(d, digest) // must not panic
	}
	if _, err := decodeCompiled(append(bytes.Clone(b), 0), digest); err == nil {
		t.Error("trailing byte: no error")
	}
	var other [32]byte
	if _, err := decodeCompiled(b, other); err == nil {
		t.Error("other digest: no error")
	}
}

func TestToMicro(t *testing.T) {
	for _, v := range []float64{0, 36.212369, -12.5, 33.539342, 42.000001, 1e-6} {
		if n, ok := toMicro(v); !ok || fromMicro(n) != v {
			t.Errorf("toMicro(%v) = %v, %v", v, n, ok)
		}
	}
	for _, v := range []float64{36.2123691, 1e-7, math.Nextafter(36.212369, 37)} {
		if _, ok := toMicro(v); ok {
			t.Errorf("toMicro(%v) accepted a value with more than 6 decimals", v)
		}
	}
}

func gzipped(tb testing.TB, s string) []byte {
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
