package app

import (
	"context"
	"encoding/binary"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// The log as C2SP tlog-tiles (https://c2sp.org/tlog-tiles), under the
// prefix /log/: the checkpoint, hash tiles and entry bundles, for any tile
// client to read and check against a checkpoint. Tiles hold what the log
// holds (hashes of digests), so they are public like it.

// TileHeight is the height of every tile (C2SP: 8, 256 hashes a tile).
const TileHeight = 8

// ParseTile reads a tile path after "tile/": "L/N[.p/W]" for hashes,
// "entries/N[.p/W]" for an entry bundle (Tile.L is -1), N in the
// x-prefixed groups of three digits.
func ParseTile(path string) (tlog.Tile, error) {
	level, rest, ok := cutSlash(path)
	if !ok {
		return tlog.Tile{}, fmt.Errorf("tile %q: want L/N or entries/N: %w", path, ErrLogRange)
	}
	if level == "entries" {
		level = "data"
	}
	t, err := tlog.ParseTilePath(fmt.Sprintf("tile/%d/%s/%s", TileHeight, level, rest))
	if err != nil {
		return t, fmt.Errorf("tile %q: %v: %w", path, err, ErrLogRange)
	}
	return t, nil
}

func cutSlash(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return s[:i], s[i+1:], i > 0 && i < len(s)-1
		}
	}
	return "", "", false
}

// TileData returns a tile's bytes: a hash tile's hashes, or an entry
// bundle (each entry's length as two big-endian bytes, then the entry).
// A tile the log has not reached is ErrLogRange.
func (a *App) TileData(ctx context.Context, t tlog.Tile) ([]byte, error) {
	n, err := a.store.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	if t.L == -1 {
		start := t.N << TileHeight
		if start+int64(t.W) > n {
			return nil, fmt.Errorf("entries %d-%d: the log has %d: %w", start, start+int64(t.W), n, ErrLogRange)
		}
		entries, err := a.LogEntries(ctx, start, t.W)
		if err != nil {
			return nil, err
		}
		var out []byte
		for _, e := range entries {
			if len(e.Data) > 0xffff {
				return nil, fmt.Errorf("entry %d: longer than a bundle holds", e.Index)
			}
			out = binary.BigEndian.AppendUint16(out, uint16(len(e.Data)))
			out = append(out, e.Data...)
		}
		if len(entries) != t.W {
			return nil, fmt.Errorf("entries %d-%d: %d read: %w", start, start+int64(t.W), len(entries), ErrLogRange)
		}
		return out, nil
	}
	// The tile's last hash must be one the tree of size n holds: its
	// level's record count is n >> (L*H).
	if (t.N<<TileHeight)+int64(t.W) > n>>(uint(t.L)*TileHeight) {
		return nil, fmt.Errorf("tile %s: beyond the log of %d: %w", t.Path(), n, ErrLogRange)
	}
	return tlog.ReadTileData(t, a.store)
}
