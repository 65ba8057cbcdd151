package feed_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/feed"
	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/importer/text"
)

// FuzzFeed: no document makes the parser panic; a refusal says what is
// wrong; every item of an accepted feed, dated as the poller dates it,
// is an article the import takes or rejects with its reason, never one
// the store cannot take.
func FuzzFeed(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel/><item rdf:about="http://x.example/1"><title>t</title></item></rdf:RDF>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := feed.Parse(data, "https://feed.example.org/rss")
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("a refusal without a reason")
			}
			return
		}
		if len(p.Items) == 0 {
			t.Fatal("a feed accepted without items")
		}
		for i := range p.Items {
			if p.Items[i].Published.IsZero() {
				p.Items[i].Published, p.Items[i].DateFlag = time.Now(), text.FirstSeenDay
			}
		}
		importertest.Run(t, "feed", text.Articles("feed", p.Items, text.Config{}))
	})
}
