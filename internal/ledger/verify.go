package ledger

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
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
	// independent, and each is half reading, half hashing. Digests are
	// held as bytes and records by one string key, to keep a log of
	// millions of entries in memory.
	type recDigest struct {
		key    string // kind NUL key
		rev    int
		digest [32]byte
		bad    bool
	}
	var (
		recs   []recDigest
		recErr error
		wg     sync.WaitGroup
	)
	wg.Go(func() {
		recErr = src.RecordDigests(ctx, func(kind, key string, rev int, digest string) error {
			r := recDigest{key: kind + "\x00" + key, rev: rev}
			r.bad = decodeDigest(&r.digest, digest) != nil
			recs = append(recs, r)
			return nil
		})
	})
	defer wg.Wait()

	// The tree as the entries make it, and each record's revisions.
	type revision struct {
		index  int64
		digest [32]byte
		seen   bool
	}
	records := map[string][]revision{}
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
		var d, prevD [32]byte
		if decodeDigest(&d, e.Digest) != nil || (e.Prev != "" && decodeDigest(&prevD, e.Prev) != nil) {
			problem(i, rec, "digest is not a hex SHA-256")
			return nil
		}
		k := e.Kind + "\x00" + e.Key
		revs := records[k]
		switch {
		case len(revs) == 0 && e.Rev != 1:
			problem(i, rec, "revision %d without revision 1 before it", e.Rev)
		case len(revs) > 0 && e.Rev != len(revs)+1:
			problem(i, rec, "revision %d follows revision %d (entry %d)", e.Rev, len(revs), revs[len(revs)-1].index)
		case len(revs) > 0 && prevD != revs[len(revs)-1].digest:
			problem(i, rec, "revision %d names a previous digest that is not revision %d's (entry %d)", e.Rev, len(revs), revs[len(revs)-1].index)
		}
		records[k] = append(revs, revision{index: i, digest: d})
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
		rec := strings.Replace(r.key, "\x00", " ", 1)
		revs := records[r.key]
		switch {
		case r.rev < 1 || r.rev > len(revs):
			problem(-1, rec, "revision %d is stored but not in the log", r.rev)
		case r.bad || revs[r.rev-1].digest != r.digest:
			revs[r.rev-1].seen = true
			l := revs[r.rev-1]
			problem(l.index, rec, "revision %d differs from what was logged (sha256 %.12x…, logged %.12x…): the record was altered", r.rev, r.digest[:], l.digest[:])
		default:
			revs[r.rev-1].seen = true
		}
	}
	recs = nil
	for k, revs := range records {
		for i, l := range revs {
			if !l.seen {
				problem(l.index, strings.Replace(k, "\x00", " ", 1), "revision %d is in the log but missing from the store: the record was removed", i+1)
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

func decodeDigest(dst *[32]byte, s string) error {
	if len(s) != 64 {
		return fmt.Errorf("digest %q is not 64 hex digits", s)
	}
	_, err := hex.Decode(dst[:], []byte(s))
	return err
}
