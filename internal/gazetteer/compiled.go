package gazetteer

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/truce-monitor/truce/internal/boundary"
)

// CompiledName is the file, next to the gazetteer's own files, that holds
// the built index: the places and their keys in every tier, so that Load
// needs neither to fold every name nor to locate every town. It is
// generated (go generate ./internal/bundled) and committed.
const CompiledName = "gazetteer.compiled"

// The compiled form is compiledMagic, then a gob-encoded compiledForm.
const (
	compiledMagic   = "truce gazetteer\n"
	compiledVersion = 1
)

type compiledForm struct {
	Version int
	Key     [sha256.Size]byte
	Places  []Place
	// Tiers hold each tier's map as a list sorted by key, so that the
	// same gazetteer always gives the same bytes.
	Tiers [4][]compiledKey
}

type compiledKey struct {
	Key    string
	Places []int
}

// sourceKey is the SHA-256 over the gazetteer's files, as stored, and the
// Digest of the boundaries it is built on: what the index depends on.
func sourceKey(fsys fs.FS, dir string, bounds *boundary.Set) ([sha256.Size]byte, error) {
	h := sha256.New()
	h.Write([]byte(compiledMagic))
	d := bounds.Digest()
	h.Write(d[:])
	for _, name := range sourceFiles() {
		raw, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return [sha256.Size]byte{}, err
		}
		h.Write([]byte(name))
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(raw))))
		h.Write(raw)
	}
	return [sha256.Size]byte(h.Sum(nil)), nil
}

// Compile reads the gazetteer files in dir (never their compiled form) and
// builds the index on bounds, as Load does, and returns the compiled form
// Load reads when it is stored in dir as CompiledName.
func Compile(fsys fs.FS, dir string, bounds *boundary.Set) ([]byte, error) {
	g, err := build(fsys, dir, bounds)
	if err != nil {
		return nil, err
	}
	c := compiledForm{Version: compiledVersion, Key: g.key, Places: g.places}
	for t, m := range g.tiers {
		for k, idx := range m {
			c.Tiers[t] = append(c.Tiers[t], compiledKey{k, idx})
		}
		slices.SortFunc(c.Tiers[t], func(a, b compiledKey) int { return strings.Compare(a.Key, b.Key) })
	}
	var buf bytes.Buffer
	buf.WriteString(compiledMagic)
	if err := gob.NewEncoder(&buf).Encode(&c); err != nil {
		return nil, fmt.Errorf("gazetteer: compile: %w", err)
	}
	return buf.Bytes(), nil
}

// loadCompiled reads the compiled form in dir if it was made from sources
// with the given key.
func loadCompiled(fsys fs.FS, dir string, key [sha256.Size]byte, bounds *boundary.Set) (*Gazetteer, error) {
	b, err := fs.ReadFile(fsys, path.Join(dir, CompiledName))
	if err != nil {
		return nil, err
	}
	return decodeCompiled(b, key, bounds)
}

func decodeCompiled(b []byte, key [sha256.Size]byte, bounds *boundary.Set) (*Gazetteer, error) {
	rest, ok := bytes.CutPrefix(b, []byte(compiledMagic))
	if !ok {
		return nil, errors.New("gazetteer: not a compiled form")
	}
	var c compiledForm
	dec := gob.NewDecoder(bytes.NewReader(rest))
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("gazetteer: compiled form: %w", err)
	}
	if c.Version != compiledVersion || c.Key != key {
		return nil, errors.New("gazetteer: compiled form of another version or other sources")
	}
	g := &Gazetteer{places: c.Places, bounds: bounds, key: key}
	for t, keys := range c.Tiers {
		g.tiers[t] = make(map[string][]int, len(keys))
		for _, k := range keys {
			for _, i := range k.Places {
				if i < 0 || i >= len(g.places) {
					return nil, errors.New("gazetteer: compiled form is corrupt")
				}
			}
			g.tiers[t][k.Key] = k.Places
		}
	}
	return g, nil
}
