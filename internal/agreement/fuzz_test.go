package agreement_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/bundled"
)

// FuzzLoad: no file makes the loader panic; every problem names the file;
// an accepted agreement has an id and a version.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	shipped, _ := fs.Glob(bundled.FS, bundled.Agreements+"/*.yaml")
	for _, name := range shipped {
		b, err := fs.ReadFile(bundled.FS, name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("id: x\ntitle: t\n---\nid: y\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		a, err := agreement.Load(bytes.NewReader(src), "a.yaml", checker)
		if err != nil {
			ps, ok := err.(agreement.Problems)
			if !ok || len(ps) == 0 {
				t.Fatalf("error is not a list of problems: %v", err)
			}
			for _, p := range ps {
				if p.File != "a.yaml" || p.Msg == "" {
					t.Fatalf("problem without its file or message: %#v", p)
				}
			}
			return
		}
		if a.ID == "" || len(a.Versions) == 0 {
			t.Fatalf("accepted an agreement without id or versions: %+v", a)
		}
	})
}
