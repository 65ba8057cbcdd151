package server_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/server"
)

// tileClient reads the log's C2SP tiles over HTTP for tlog's tile reader,
// which checks every tile against the tree it is given.
type tileClient struct {
	t   *testing.T
	url string
}

func (c tileClient) Height() int { return app.TileHeight }

func (c tileClient) path(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", app.TileHeight))
	if t.L == -1 {
		p = "entries/" + strings.TrimPrefix(p, "data/")
	}
	return c.url + "/log/tile/" + p
}

func (c tileClient) get(url string) ([]byte, int) {
	res, err := http.Get(url)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return b, res.StatusCode
}

func (c tileClient) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, code := c.get(c.path(t))
		if code != 200 {
			return nil, fmt.Errorf("%s: %d %s", c.path(t), code, b)
		}
		out[i] = b
	}
	return out, nil
}

func (tileClient) SaveTiles([]tlog.Tile, [][]byte) {}

// TestTiles: the log read as C2SP tlog-tiles by tlog's own tile reader
// gives the tree the node signs, proofs check, and the entry bundles hold
// the entries /log/entries serves.
func TestTiles(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "tiles.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ImportDemoEvents(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(a, server.Options{}))
	defer srv.Close()
	size, _ := a.LogSize(ctx)
	if size < 600 {
		t.Fatalf("log of %d: want a few tiles", size)
	}
	root, err := a.TreeHash(ctx, size)
	if err != nil {
		t.Fatal(err)
	}
	c := tileClient{t, srv.URL}
	hr := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, c)
	if got, err := tlog.TreeHash(size, hr); err != nil || got != root {
		t.Fatalf("tree from tiles: %v %v", got, err)
	}
	idx := size - 100
	p, err := tlog.ProveRecord(size, idx, hr)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := a.LogEntries(ctx, 0, int(size))
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckRecord(p, size, root, idx, tlog.RecordHash([]byte(entries[idx].Data))); err != nil {
		t.Fatalf("proof from tiles: %v", err)
	}
	// Entry bundles: every full one and the last partial one.
	for n := int64(0); n*256 < size; n++ {
		w := min(256, size-n*256)
		tile := tlog.Tile{H: app.TileHeight, L: -1, N: n, W: int(w)}
		b, code := c.get(c.path(tile))
		if code != 200 {
			t.Fatalf("%s: %d %s", c.path(tile), code, b)
		}
		for i := n * 256; i < n*256+w; i++ {
			l := int(binary.BigEndian.Uint16(b))
			if string(b[2:2+l]) != entries[i].Data {
				t.Fatalf("bundle %d: entry %d differs", n, i)
			}
			b = b[2+l:]
		}
		if len(b) != 0 {
			t.Errorf("bundle %d: %d bytes more", n, len(b))
		}
	}
	for _, bad := range []string{"0/x001/000", "entries/009", "1/000", "0/000.p/0", "x", "9/000"} {
		if _, code := c.get(srv.URL + "/log/tile/" + bad); code != 400 {
			t.Errorf("/log/tile/%s: %d, want 400", bad, code)
		}
	}
}
