package gazetteer

import (
	"bytes"
	"io/fs"
	"os"
	"reflect"
	"testing"
	"testing/fstest"

	"github.com/truce-monitor/truce/internal/boundary"
)

const (
	shippedDir       = "data/gazetteer"
	shippedBoundsDir = "data/boundaries"
)

func shippedFS() fs.FS { return os.DirFS("../bundled") }

func shippedBounds(t *testing.T) *boundary.Set {
	t.Helper()
	b, err := boundary.Load(shippedFS(), shippedBoundsDir)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCompiledFresh fails when the committed compiled form is not what
// Compile makes of the committed files (or with the current code): run
// go generate ./internal/bundled.
func TestCompiledFresh(t *testing.T) {
	want, err := Compile(shippedFS(), shippedDir, shippedBounds(t))
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

// TestCompiledSame: the gazetteer read from the compiled form is the one
// built from the files, place for place and key for key.
func TestCompiledSame(t *testing.T) {
	fsys, bounds := shippedFS(), shippedBounds(t)
	built, err := build(fsys, shippedDir, bounds)
	if err != nil {
		t.Fatal(err)
	}
	key, err := sourceKey(fsys, shippedDir, bounds)
	if err != nil {
		t.Fatal(err)
	}
	if key != built.key {
		t.Fatal("sourceKey differs from the key build records")
	}
	read, err := loadCompiled(fsys, shippedDir, key, bounds)
	if err != nil {
		t.Fatalf("the shipped compiled form is not used: %v", err)
	}
	if !reflect.DeepEqual(read.places, built.places) {
		t.Error("places differ")
	}
	if !reflect.DeepEqual(read.tiers, built.tiers) {
		t.Error("tiers differ")
	}
	if read.bounds != bounds {
		t.Error("bounds not kept")
	}
	g, err := Load(fsys, shippedDir, bounds)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g.places, built.places) || !reflect.DeepEqual(g.tiers, built.tiers) {
		t.Error("Load differs from build")
	}
}

// TestCompiledOtherSources: the compiled form is not used with other
// files, nor with other boundaries.
func TestCompiledOtherSources(t *testing.T) {
	fsys := shippedFS()
	bounds := shippedBounds(t)
	mfs := fstest.MapFS{}
	files := sourceFiles()
	for _, name := range append(files[:], CompiledName) {
		b, err := fs.ReadFile(fsys, shippedDir+"/"+name)
		if err != nil {
			t.Fatal(err)
		}
		mfs["g/"+name] = &fstest.MapFile{Data: b}
	}
	// A changed file.
	regions := mfs["g/regions.yaml"].Data
	mfs["g/regions.yaml"] = &fstest.MapFile{Data: append(bytes.Clone(regions), "\n# changed\n"...)}
	key, err := sourceKey(mfs, "g", bounds)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loadCompiled(mfs, "g", key, bounds); err == nil {
		t.Error("compiled form used for a changed file")
	}

	// The same files, other boundaries (a Set not loaded from the shipped
	// GeoJSON has another Digest).
	mfs["g/regions.yaml"] = &fstest.MapFile{Data: regions}
	key, err = sourceKey(mfs, "g", bounds)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loadCompiled(mfs, "g", key, bounds); err != nil {
		t.Errorf("compiled form not used for the same files and boundaries: %v", err)
	}
	otherKey, err := sourceKey(mfs, "g", &boundary.Set{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loadCompiled(mfs, "g", otherKey, &boundary.Set{}); err == nil {
		t.Error("compiled form used for other boundaries")
	}
}

// A damaged compiled form gives an error, never a panic.
func TestCompiledDamaged(t *testing.T) {
	fsys, bounds := shippedFS(), shippedBounds(t)
	b, err := fs.ReadFile(fsys, shippedDir+"/"+CompiledName)
	if err != nil {
		t.Fatal(err)
	}
	key, err := sourceKey(fsys, shippedDir, bounds)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 5, len(compiledMagic), len(compiledMagic) + 50, len(b) / 2, len(b) - 1} {
		if _, err := decodeCompiled(b[:n], key, bounds); err == nil {
			t.Errorf("truncated to %d bytes: no error", n)
		}
	}
	if _, err := decodeCompiled(b, [32]byte{}, bounds); err == nil {
		t.Error("other key: no error")
	}
}
