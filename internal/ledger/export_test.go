package ledger

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// StreamedRoot builds the tree of entries "entry 0" … "entry n-1" as the
// streaming check does, and checks its stored hashes against tlog's.
func StreamedRoot(n int64) tlog.Hash {
	var t streamTree
	var h Hashes
	for i := int64(0); i < n; i++ {
		data := fmt.Appendf(nil, "entry %d", i)
		if err := h.Append(i, data); err != nil {
			panic(err)
		}
		t.append(data, func(x int64, got tlog.Hash) {
			if h[x] != got {
				panic(fmt.Sprintf("stored hash %d differs", x))
			}
		})
	}
	return t.root()
}

// VerifyStream is the streaming check alone.
var VerifyStream = verifyStream

// VerifyExact is the check that holds everything in memory.
var VerifyExact = verifyExact
