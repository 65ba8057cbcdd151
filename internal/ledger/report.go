package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// RawReport is a report revision exactly as a store keeps it: what its
// digest is computed over. A bundle carries reports in this form so that
// anyone can recompute the digest the log holds.
type RawReport struct {
	Key      string `json:"key"`
	Revision int    `json:"rev"`
	Original string `json:"original"`
	Format   string `json:"format"`
	Doc      string `json:"doc"`
	// PlacedIn and PlacedWhy are where the report was first placed, and
	// why it joined that incident (empty when it opened it). They are in
	// the digest (from store migration 0008 on; 0 before), so that where
	// each report stands can be replayed from the log: its placement,
	// then the logged merges and splits that moved it.
	PlacedIn  int64  `json:"placed_in,omitempty"`
	PlacedWhy string `json:"placed_why,omitempty"`
}

// ReportSum is a report revision's digest: its original record, the
// format that reads it, truce's reading of it, and its placement. It takes
// the parts rather than a RawReport so that a store can hash the
// database driver's buffers where they lie.
func ReportSum(original, format, doc []byte, placedIn int64, placedWhy string) [32]byte {
	h := sha256.New()
	h.Write(original)
	h.Write([]byte{0})
	h.Write(format)
	h.Write([]byte{0})
	h.Write(doc)
	if placedIn != 0 {
		h.Write([]byte{0})
		h.Write(strconv.AppendInt(nil, placedIn, 10))
		h.Write([]byte{0})
		h.Write([]byte(placedWhy))
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// ReportDigest is the digest a report revision is logged under, in hex.
func ReportDigest(r RawReport) string {
	sum := ReportSum([]byte(r.Original), []byte(r.Format), []byte(r.Doc), r.PlacedIn, r.PlacedWhy)
	return hex.EncodeToString(sum[:])
}

// ReferenceFileKey is a reference file's key in the log: kind/name/id.
func ReferenceFileKey(kind, name string, id int64) string {
	return kind + "/" + name + "/" + strconv.FormatInt(id, 10)
}

// RawEvent is a step of an incident's history (a review, a reply, a
// finding, a position) exactly as a store keeps it: its digest is the
// SHA-256 of Doc.
type RawEvent struct {
	Key string `json:"key"` // incident/seq
	Doc string `json:"doc"`
}

// EventDigest is the digest an incident event is logged under, in hex.
func EventDigest(e RawEvent) string {
	sum := sha256.Sum256([]byte(e.Doc))
	return hex.EncodeToString(sum[:])
}
