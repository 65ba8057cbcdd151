package gazetteer

import (
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/truce-monitor/truce/internal/boundary"
)

func TestZZProbe(t *testing.T) {
	fsys := os.DirFS("../bundled")
	b, err := boundary.Load(fsys, "data/boundaries")
	if err != nil {
		t.Fatal(err)
	}
	g, err := Load(fsys, "data/gazetteer", b)
	if err != nil {
		t.Fatal(err)
	}
	for tier := 0; tier < 3; tier++ {
		var ks []string
		for k, idx := range g.tiers[tier] {
			n := 0
			for _, i := range idx {
				if g.places[i].Kind == PopulatedPlace {
					n++
				}
			}
			if n > 1 {
				ks = append(ks, k)
			}
		}
		sort.Strings(ks)
		for _, k := range ks {
			s := fmt.Sprintf("tier%d %q:", tier, k)
			for _, i := range g.tiers[tier][k] {
				p := g.places[i]
				s += fmt.Sprintf(" [%s %s %d %s pop%d]", p.Name, p.Kind, p.GeoNameID, p.Admin3+p.PCode, p.Population)
			}
			fmt.Println(s)
		}
	}
}
