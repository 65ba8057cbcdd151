package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Source is what a verifier reads: the log as stored, the records, and
// the signed checkpoints. The store implements it.
type Source interface {
	LogSize(ctx context.Context) (int64, error)
	EachLogEntry(ctx context.Context, start int64, fn func(index int64, data []byte) error) error
	// EachLogEntryByRecord gives every entry in the order of the record
	// it names (kind, then key, bytewise), then of index. The order is
	// the store's claim, checked against what each entry says.
	EachLogEntryByRecord(ctx context.Context, fn func(index int64, data []byte) error) error
	EachStoredHash(ctx context.Context, fn func(index int64, h tlog.Hash) error) error
	RecordDigests(ctx context.Context, fn func(kind, key string, rev int, digest [32]byte) error) error
	Checkpoints(ctx context.Context) ([][]byte, error)
}

// Problem is one thing verification found wrong. Index is the first log
// entry it concerns, or -1.
type Problem struct {
	Index  int64
	Record string
	What   string
}

func (p Problem) String() string {
	s := ""
	if p.Index >= 0 {
		s = "log entry " + strconv.FormatInt(p.Index, 10) + ": "
	}
	if p.Record != "" {
		s += p.Record + ": "
	}
	return s + p.What
}

// Result is what Verify found.
type Result struct {
	Size        int64
	Root        tlog.Hash
	Records     int
	Checkpoints int
	Problems    []Problem
}

// OK reports whether nothing was wrong.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

// First is the problem at the lowest log index.
func (r *Result) First() Problem {
	best := r.Problems[0]
	for _, p := range r.Problems[1:] {
		if p.Index >= 0 && (best.Index < 0 || p.Index < best.Index) {
			best = p
		}
	}
	return best
}

// Verify rebuilds the tree from the stored entries and checks it against
// the stored hashes, every record revision against its entry, every entry
// against a record revision, each record's chain of revisions, and every
// checkpoint's signature (against known) and root.
//
// It first runs the streaming check (verifyStream), which holds nothing
// that grows with the log: a frontier of the tree, the entry before (the
// entries are read record by record) and fixed-size sums. Only when that
// finds something wrong does it run verifyExact, which holds everything
// in memory so as to name every problem at its log index.
func Verify(ctx context.Context, src Source, known note.Verifiers) (*Result, error) {
	res, ok, err := verifyStream(ctx, src, known)
	if err != nil || ok {
		return res, err
	}
	return verifyExact(ctx, src, known)
}

// verifyExact is Verify holding the whole tree, every revision and every
// record digest in memory, to name each problem it finds.
func verifyExact(ctx context.Context, src Source, known note.Verifiers) (*Result, error) {
	res := &Result{}
	size, err := src.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	res.Size = size
	problem := func(i int64, rec, format string, args ...any) {
		res.Problems = append(res.Problems, Problem{Index: i, Record: rec, What: fmt.Sprintf(format, args...)})
	}

	// The records are read while the entries are: the two scans are
	// independent, and each is half reading, half hashing. Records are
	// known by a 128-bit hash of their name and revisions kept in one flat
	// slice, so that the garbage collector has no pointers to chase
	// through millions of them; names are read again only to report a
	// problem.
	type recDigest struct {
		id     recID
		rev    int32
		digest [32]byte
	}
	var (
		recs   = make([]recDigest, 0, size)
		recErr error
		wg     sync.WaitGroup
	)
	wg.Go(func() {
		recErr = src.RecordDigests(ctx, func(kind, key string, rev int, digest [32]byte) error {
			recs = append(recs, recDigest{id: recordID(kind, key), rev: int32(rev), digest: digest})
			return nil
		})
	})
	defer wg.Wait()

	// The tree as the entries make it, and each record's revisions: the
	// revisions of a record are chained through next, in log order.
	type revision struct {
		index  int64
		digest [32]byte
		next   int32 // the next revision's position in revs, or -1
		seen   bool
	}
	type chain struct{ first, last, n int32 }
	records := make(map[recID]chain, size)
	revs := make([]revision, 0, size)
	tree := make(Hashes, 0, tlog.StoredHashCount(size))
	var appended, next int64
	err = src.EachLogEntry(ctx, 0, func(i int64, data []byte) error {
		if i != next {
			problem(next, "", "entries %d to %d are missing from the log", next, i-1)
		}
		if err := tree.Append(appended, data); err != nil {
			return err
		}
		appended++
		next = i + 1
		e, err := ParseEntry(i, data)
		if err != nil {
			problem(i, "", "%v", err)
			return nil
		}
		rec := e.Kind + " " + e.Key
		var d, prevD [32]byte
		if decodeDigest(&d, e.Digest) != nil || (e.Prev != "" && decodeDigest(&prevD, e.Prev) != nil) {
			problem(i, rec, "digest is not a hex SHA-256")
			return nil
		}
		id := recordID(e.Kind, e.Key)
		c, known := records[id]
		switch {
		case !known && e.Rev != 1:
			problem(i, rec, "revision %d without revision 1 before it", e.Rev)
		case known && e.Rev != int(c.n)+1:
			problem(i, rec, "revision %d follows revision %d (entry %d)", e.Rev, c.n, revs[c.last].index)
		case known && prevD != revs[c.last].digest:
			problem(i, rec, "revision %d names a previous digest that is not revision %d's (entry %d)", e.Rev, c.n, revs[c.last].index)
		}
		pos := int32(len(revs))
		revs = append(revs, revision{index: i, digest: d, next: -1})
		if known {
			revs[c.last].next = pos
			c.last = pos
			c.n++
		} else {
			c = chain{first: pos, last: pos, n: 1}
		}
		records[id] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	if next != size {
		problem(next, "", "the log holds %d entries but its size is %d", next, size)
	}
	n := appended

	// The stored hashes must be the rebuilt ones.
	stored := int64(0)
	badHash := int64(-1)
	err = src.EachStoredHash(ctx, func(i int64, h tlog.Hash) error {
		stored++
		if badHash < 0 && (i >= int64(len(tree)) || tree[i] != h) {
			level, k := tlog.SplitStoredHashIndex(i)
			badHash = k << level
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if badHash >= 0 {
		problem(badHash, "", "the stored tree differs from the tree of the entries from here (an entry edited, swapped or removed)")
	} else if stored != int64(len(tree)) {
		problem(n, "", "the store holds %d tree hashes; %d entries make %d", stored, n, len(tree))
	}
	if n > 0 {
		if res.Root, err = tlog.TreeHash(n, tree); err != nil {
			return nil, err
		}
	}

	// Every record revision must be logged, with its digest. A record
	// that is not in the log at all has no name to report but its hash;
	// the store can be asked for it (see RecordDigests' order).
	wg.Wait()
	if recErr != nil {
		return nil, recErr
	}
	var unlogged []recDigest
	for _, r := range recs {
		res.Records++
		c := records[r.id]
		if r.rev < 1 || r.rev > c.n {
			unlogged = append(unlogged, r)
			continue
		}
		p := c.first
		for k := int32(1); k < r.rev; k++ {
			p = revs[p].next
		}
		l := &revs[p]
		l.seen = true
		if l.digest != r.digest {
			problem(l.index, nameAt(ctx, src, l.index), "revision %d differs from what was logged (sha256 %.12x…, logged %.12x…): the record was altered", r.rev, r.digest[:], l.digest[:])
		}
	}
	recs = nil
	if len(unlogged) > 0 {
		names := map[recID]string{}
		src.RecordDigests(ctx, func(kind, key string, _ int, _ [32]byte) error {
			names[recordID(kind, key)] = kind + " " + key
			return nil
		})
		for _, r := range unlogged {
			problem(-1, names[r.id], "revision %d is stored but not in the log", r.rev)
		}
	}
	for _, c := range records {
		for p, k := c.first, 1; p >= 0; p, k = revs[p].next, k+1 {
			if !revs[p].seen {
				problem(revs[p].index, nameAt(ctx, src, revs[p].index), "revision %d is in the log but missing from the store: the record was removed", k)
			}
		}
	}

	// Checkpoints: signed by a known key, over this tree.
	cps, err := src.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	for _, msg := range cps {
		res.Checkpoints++
		c, _, err := Open(msg, known)
		if err != nil {
			problem(-1, "", "a stored checkpoint does not verify: %v", err)
			continue
		}
		if c.Size > n {
			problem(n, "", "checkpoint of size %d is beyond the log's %d entries: entries were removed", c.Size, n)
			continue
		}
		root, err := tlog.TreeHash(c.Size, tree)
		if err != nil {
			return nil, err
		}
		if root != c.Root {
			problem(c.Size-1, "", "checkpoint of size %d does not match the tree: the log was rewritten at or before this entry", c.Size)
		}
	}
	return res, nil
}

// recID names a record in memory: 128 bits of SHA-256 of its kind and key
// (a collision between two records' names is beyond reach).
type recID [16]byte

func recordID(kind, key string) recID {
	h := sha256.New()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(key))
	var id recID
	copy(id[:], h.Sum(nil))
	return id
}

// nameAt reads the record name of log entry i, for a problem's message.
func nameAt(ctx context.Context, src Source, i int64) string {
	name := ""
	errStop := fmt.Errorf("stop")
	src.EachLogEntry(ctx, i, func(_ int64, data []byte) error {
		if e, err := ParseEntry(i, data); err == nil {
			name = e.Kind + " " + e.Key
		}
		return errStop
	})
	return name
}

func decodeDigest(dst *[32]byte, s string) error {
	if len(s) != 64 {
		return fmt.Errorf("digest %q is not 64 hex digits", s)
	}
	_, err := hex.Decode(dst[:], []byte(s))
	return err
}
