package extract

import (
	"sync"
	"sync/atomic"

	"github.com/truce-monitor/truce/internal/gazetteer"
)

// cache keeps the gazetteer's answers for names already looked up: texts
// name the same places again and again, and a lookup folds the name
// several ways. The gazetteer does not change, so an answer never goes
// stale; the cache stops growing at maxCached names.
type cache struct {
	m sync.Map
	n atomic.Int64
	// off turns the cache off (to measure reading without it).
	off bool
}

const maxCached = 200000

func (c *cache) get(key string) (any, bool) {
	if c.off {
		return nil, false
	}
	return c.m.Load(key)
}

func (c *cache) put(key string, v any) {
	if c.off || c.n.Load() >= maxCached {
		return
	}
	if _, loaded := c.m.LoadOrStore(key, v); !loaded {
		c.n.Add(1)
	}
}

type resolved struct {
	p   gazetteer.Place
	err error
}

// resolve is gazetteer.Resolve, remembered.
func (x *Extractor) resolve(name, within string) (gazetteer.Place, error) {
	key := "R\x00" + within + "\x00" + name
	if v, ok := x.cache.get(key); ok {
		r := v.(resolved)
		return r.p, r.err
	}
	p, err := x.places.Resolve(name, within)
	x.cache.put(key, resolved{p, err})
	return p, err
}

// tier is the tier at which gazetteer.LookupTier finds a name, remembered.
func (x *Extractor) tier(name string) gazetteer.Tier {
	key := "T\x00" + name
	if v, ok := x.cache.get(key); ok {
		return v.(gazetteer.Tier)
	}
	_, t := x.places.LookupTier(name)
	x.cache.put(key, t)
	return t
}

type unitAnswer struct {
	p  gazetteer.Place
	ok bool
}

// lookupUnit is lookupUnitUncached, remembered.
func (x *Extractor) lookupUnit(name string, kind gazetteer.Kind) (gazetteer.Place, bool) {
	key := "U\x00" + string(kind) + "\x00" + name
	if v, ok := x.cache.get(key); ok {
		a := v.(unitAnswer)
		return a.p, a.ok
	}
	p, ok := x.lookupUnitUncached(name, kind)
	x.cache.put(key, unitAnswer{p, ok})
	return p, ok
}
