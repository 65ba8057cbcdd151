package ledger

import (
	"context"
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
	EachStoredHash(ctx context.Context, fn func(index int64, h tlog.Hash) error) error
	RecordDigests(ctx context.Context, fn func(kind, key string, rev int, digest string) error) error
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
func Verify(ctx context.Context, src Source, known note.Verifiers) (*Result, error) {
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
	// independent, and each is half reading, half hashing.
	type revKey struct {
		kind, key string
		rev       int
	}
	type recDigest struct {
		k      revKey
		digest string
	}
	var (
		recs   []recDigest
		recErr error
		wg     sync.WaitGroup
	)
	wg.Go(func() {
		recErr = src.RecordDigests(ctx, func(kind, key string, rev int, digest string) error {
			recs = append(recs, recDigest{revKey{kind, key, rev}, digest})
			return nil
		})
	})
	defer wg.Wait()

	// The tree as the entries make it, and the entries by record.
	type logged struct {
		index  int64
		digest string
		seen   bool
	}
	byRecord := map[revKey]*logged{}
	lastRev := map[revKey]Entry{} // rev 0: the latest revision
	var tree Hashes
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
		latest := revKey{e.Kind, e.Key, 0}
		prev, had := lastRev[latest]
		switch {
		case !had && e.Rev != 1:
			problem(i, rec, "revision %d without revision 1 before it", e.Rev)
		case had && e.Rev != prev.Rev+1:
			problem(i, rec, "revision %d follows revision %d (entry %d)", e.Rev, prev.Rev, prev.Index)
		case had && e.Prev != prev.Digest:
			problem(i, rec, "revision %d names a previous digest that is not revision %d's (entry %d)", e.Rev, prev.Rev, prev.Index)
		}
		lastRev[latest] = e
		byRecord[revKey{e.Kind, e.Key, e.Rev}] = &logged{index: i, digest: e.Digest}
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

	// Every record revision must be logged, with its digest.
	wg.Wait()
	if recErr != nil {
		return nil, recErr
	}
	for _, r := range recs {
		res.Records++
		rec := r.k.kind + " " + r.k.key
		l, ok := byRecord[r.k]
		switch {
		case !ok:
			problem(-1, rec, "revision %d is stored but not in the log", r.k.rev)
		case l.digest != r.digest:
			l.seen = true
			problem(l.index, rec, "revision %d differs from what was logged (sha256 %.12s…, logged %.12s…): the record was altered", r.k.rev, r.digest, l.digest)
		default:
			l.seen = true
		}
	}
	for k, l := range byRecord {
		if !l.seen {
			problem(l.index, k.kind+" "+k.key, "revision %d is in the log but missing from the store: the record was removed", k.rev)
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
