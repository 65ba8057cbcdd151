package app

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/truce-monitor/truce/internal/agreement"
)

// A ruling's key is what it depends on beside the incident's facts:
// the engine's code, the agreement, and the reference data the engine
// consults (the actor registry and the control layers). The store keeps
// with each ruling the digest of its key and of the incident's document
// as stored (store.Intake.Keys, migration 0020), so that truce rule need
// not rule again an incident whose ruling was made from what holds now:
// it counts that ruling from its row. Whatever could change a ruling
// must therefore change its key; what goes in it errs on the side of
// ruling again:
//
//   - the engine is the running executable, hashed whole: any other build,
//     even one whose engine did not change, rules every incident again
//     once (and records the new key beside each ruling), but no change of
//     code can leave a ruling that the code of now would not make;
//   - the agreement is its stored source file, as loaded (its versions,
//     zones and time zone; how it loads is the code's, hashed above);
//   - the actor registry is its files, the shipped one and the stored
//     ones; the control layers, every one loaded with its version and
//     digest. The geography the engine reads through them ships in the
//     executable.

// rulingKeyVersion names how keys are made: a change of the recipe
// changes every key.
const rulingKeyVersion = "truce ruling key 1\n"

// rulingKeys holds the key of each loaded agreement's rulings.
type rulingKeys struct {
	once sync.Once
	// base is the key of the engine and the reference data, nil when the
	// executable could not be read (then no ruling has a key).
	base []byte
	mu   sync.Mutex
	// sums are the stored sources' SHA-256, by agreement as loaded
	// (reloadAgreements): a key is that of the very agreement ruled with.
	sums map[*agreement.Agreement][32]byte
	keys map[*agreement.Agreement][]byte
}

// setSources records the SHA-256 of the source of each agreement loaded,
// forgetting those loaded before.
func (k *rulingKeys) setSources(sums map[*agreement.Agreement][32]byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.sums, k.keys = sums, map[*agreement.Agreement][]byte{}
}

// rulingKey is the key of rulings made by a.Engine under ag, or nil when
// there is none (ag is not an agreement loaded from the store, or the
// executable could not be hashed): such rulings are stored as made from
// nothing known, and ruled again by the next truce rule.
func (a *App) rulingKey(ag *agreement.Agreement) []byte {
	k := &a.keys
	k.once.Do(func() {
		exe, err := executableDigest()
		if err != nil {
			a.Log.Warn("rulings are stored without what they were made from: truce rule will rule every incident again", "err", err)
			return
		}
		h := sha256.New()
		io.WriteString(h, rulingKeyVersion)
		h.Write(exe)
		field := func(b []byte) {
			h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
			h.Write(b)
		}
		for _, f := range a.ref.actorFiles {
			field([]byte(f.Name))
			field(f.Source)
		}
		for _, l := range append(a.ref.shipped[:len(a.ref.shipped):len(a.ref.shipped)], a.ref.stored...) {
			field(fmt.Appendf(nil, "%s %d %s", l.ID, l.Version, l.Digest))
		}
		k.base = h.Sum(nil)
	})
	if k.base == nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.keys[ag]; ok {
		return key
	}
	sum, ok := k.sums[ag]
	if !ok {
		return nil
	}
	h := sha256.New()
	h.Write(k.base)
	h.Write(sum[:])
	key := h.Sum(nil)
	k.keys[ag] = key
	return key
}
