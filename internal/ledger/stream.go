package ledger

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/bits"
	"strconv"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// verifyStream makes every check Verify makes in one pass over each of
// the three things a store holds, read at once, each in the order that
// needs no memory growing with the log:
//
//   - the stored hashes, in index order: the tree is rebuilt from the
//     stored leaf hashes as a frontier of at most 64 hashes (one per
//     level), each stored interior hash is compared with the one the
//     leaves make, and the root is taken at each checkpoint's size;
//   - the entries, in the order of the record each names, then of index
//     (EachLogEntryByRecord): a record's revisions come together, so its
//     chain (revision numbers 1, 2, … and each one's prev) is checked
//     holding only the previous entry, and the order itself (checked
//     against what each entry says) proves that no record has entries
//     elsewhere;
//   - the records as stored, their digests recomputed.
//
// What ties them is two pairs of 256-bit sums of a keyed hash of each
// item, the key drawn afresh for each run (so no one who edits the store
// can make two different sets sum alike): of (index, leaf hash) over the
// stored leaves and over the entries (the stored leaves are exactly the
// hashes of the entries at their indexes, each index once: the tree is
// the entries' tree); and of (record, revision, digest) over the entries
// and over the records (the store holds exactly the logged revisions,
// each with its logged digest).
//
// ok is false when anything is wrong: the caller then runs verifyExact
// to name each problem at its index. res is nil then.
func verifyStream(ctx context.Context, src Source, known note.Verifiers) (res *Result, ok bool, err error) {
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return nil, false, err
	}
	size, err := src.LogSize(ctx)
	if err != nil {
		return nil, false, err
	}
	res = &Result{Size: size}

	// Checkpoints are few: read and open them first, so that each root
	// is checked when the tree reaches its size.
	cps, err := src.Checkpoints(ctx)
	if err != nil {
		return nil, false, err
	}
	want := map[int64][]tlog.Hash{}
	for _, msg := range cps {
		res.Checkpoints++
		c, _, err := Open(msg, known)
		if err != nil || c.Size > size || c.Size < 1 {
			return nil, false, nil
		}
		want[c.Size] = append(want[c.Size], c.Root)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		errs  []error
		hs    hashScan
		es    entryScan
		parts = 1
	)
	// run runs scan beside the others; the first to fail stops them all
	// (theirs are then only that they were stopped).
	run := func(scan func() error) {
		wg.Go(func() {
			if err := scan(); err != nil {
				mu.Lock()
				if len(errs) == 0 || !errors.Is(err, context.Canceled) {
					errs = append(errs, err)
				}
				mu.Unlock()
				cancel()
			}
		})
	}
	// A store that can read its records in parts reads them in two, at
	// once: they are most of the bytes, and both halves of the work
	// (reading, hashing) then share the machine's cores with the others.
	ps, partitioned := src.(partSource)
	if partitioned {
		parts = 2
	}
	recs := make([]recordScan, parts)
	for part := range parts {
		run(func() error { return recs[part].scan(ctx, src, ps, part, parts, &key) })
	}
	run(func() error { return es.scan(ctx, src, &key) })
	run(func() error { return hs.scan(ctx, src, &key, size, want) })
	wg.Wait()
	for _, err := range errs {
		if errors.Is(err, errWrong) {
			return nil, false, nil
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, false, err
	}

	var rs recordScan
	for _, r := range recs {
		rs.n += r.n
		add(&rs.sum, sumBytes(&r.sum))
	}
	if es.n != size || hs.n != size || es.leaves != hs.leaves || int64(rs.n) != es.n || rs.sum != es.revs {
		return nil, false, nil
	}
	res.Records = rs.n
	res.Root = hs.root
	return res, true, nil
}

// errWrong stops a scan of the streaming check that found something
// wrong: what is left to do is the exact check's.
var errWrong = errors.New("the store differs from its log")

// hashScan is the streaming check's pass over the stored hashes.
type hashScan struct {
	n      int64     // leaves
	leaves [4]uint64 // sum of leafHash(index, stored leaf hash)
	root   tlog.Hash // of the n leaves
}

// scan reads the stored hashes in index order: each record's leaf, then
// the interior hashes it completes (tlog.StoredHashes' order). It rebuilds
// the tree from the leaves, compares every stored interior hash and the
// root of every checkpoint's size (want) with it, and sums the leaves.
func (s *hashScan) scan(ctx context.Context, src Source, key *[32]byte, size int64, want map[int64][]tlog.Hash) error {
	var (
		tree     streamTree
		expect   [64]tlog.Hash // the interior hashes the latest leaf completes
		ne, pos  int
		next     int64
		nodeSeen = func(_ int64, h tlog.Hash) { expect[ne] = h; ne++ }
	)
	err := src.EachStoredHash(ctx, func(i int64, h tlog.Hash) error {
		if i != next {
			return errWrong
		}
		next++
		if pos < ne {
			if expect[pos] != h {
				return errWrong
			}
			pos++
			return nil
		}
		if tree.n == size {
			return errWrong // hashes beyond the tree
		}
		add(&s.leaves, leafHash(key, tree.n, &h))
		ne, pos = 0, 0
		tree.appendLeaf(h, nodeSeen)
		for _, w := range want[tree.n] {
			if w != tree.root() {
				return errWrong
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if pos < ne || tree.n != size || next != tlog.StoredHashCount(size) {
		return errWrong
	}
	s.n = tree.n
	if size > 0 {
		s.root = tree.root()
	}
	return nil
}

// entryScan is the streaming check's pass over the entries.
type entryScan struct {
	n      int64
	leaves [4]uint64 // sum of leafHash(index, hash of the entry's data)
	revs   [4]uint64 // sum of revisionHash over the entries
}

// scan reads the entries record by record (EachLogEntryByRecord), checks
// each is canonical, that they come in that order (so that a record's
// revisions are all together), and each record's chain; and sums their
// leaf hashes and revisions.
func (s *entryScan) scan(ctx context.Context, src Source, key *[32]byte) error {
	var (
		leaf, rh []byte    // buffers
		last     lastEntry // the entry before, of the same record or not
	)
	return src.EachLogEntryByRecord(ctx, func(i int64, data []byte) error {
		leaf = append(append(leaf[:0], 0), data...)
		lh := tlog.Hash(sha256.Sum256(leaf))
		add(&s.leaves, leafHash(key, i, &lh))
		s.n++

		var e plainEntry
		if !e.parse(data) {
			pe, err := ParseEntry(i, data)
			if err != nil {
				return errWrong
			}
			e = plainEntry{kind: []byte(pe.Kind), key: []byte(pe.Key), rev: pe.Rev, digest: []byte(pe.Digest), prev: []byte(pe.Prev)}
		}
		var d, prevD [32]byte
		if len(e.digest) != 64 || len(e.prev) != 0 && len(e.prev) != 64 {
			return errWrong
		}
		if _, err := hex.Decode(d[:], e.digest); err != nil {
			return errWrong
		}
		if len(e.prev) != 0 {
			if _, err := hex.Decode(prevD[:], e.prev); err != nil {
				return errWrong
			}
		}
		if !last.precedes(i, &e, &prevD) {
			return errWrong
		}
		last.set(i, &e, &d)
		var h [32]byte
		h, rh = revisionHash(rh, key, e.kind, e.key, e.rev, &d)
		add(&s.revs, h)
		return nil
	})
}

// lastEntry is what the entries' scan keeps of the entry before.
type lastEntry struct {
	any       bool
	index     int64
	kind, key []byte
	rev       int
	digest    [32]byte
}

// precedes reports whether entry e at index i may follow: the next
// revision of the same record, at a later index, naming this one's
// digest as its prev; or revision 1 of a record after this one (kind,
// then key, bytewise).
func (l *lastEntry) precedes(i int64, e *plainEntry, prev *[32]byte) bool {
	order := 1
	if l.any {
		if order = bytes.Compare(e.kind, l.kind); order == 0 {
			order = bytes.Compare(e.key, l.key)
		}
	}
	switch {
	case order > 0:
		return e.rev == 1
	case order == 0:
		return i > l.index && e.rev == l.rev+1 && *prev == l.digest
	}
	return false
}

func (l *lastEntry) set(i int64, e *plainEntry, d *[32]byte) {
	l.any, l.index, l.rev, l.digest = true, i, e.rev, *d
	l.kind = append(l.kind[:0], e.kind...)
	l.key = append(l.key[:0], e.key...)
}

// recordScan is the streaming check's pass over (part of) the records.
type recordScan struct {
	sum [4]uint64 // of revisionHash over the records
	n   int
}

func (s *recordScan) scan(ctx context.Context, src Source, ps partSource, part, parts int, key *[32]byte) error {
	var buf []byte
	fn := func(kind, k string, rev int, digest [32]byte) error {
		var h [32]byte
		h, buf = revisionHash(buf, key, kind, k, rev, &digest)
		add(&s.sum, h)
		s.n++
		return nil
	}
	if ps != nil && parts > 1 {
		return ps.RecordDigestsPart(ctx, part, parts, fn)
	}
	return src.RecordDigests(ctx, fn)
}

// partSource is a Source that can give its record digests in parts, each
// read on its own (see sqldb.Store.RecordDigestsPart).
type partSource interface {
	RecordDigestsPart(ctx context.Context, part, parts int, fn func(kind, key string, rev int, digest [32]byte) error) error
}

func sumBytes(s *[4]uint64) [32]byte {
	var b [32]byte
	for k := range 4 {
		binary.LittleEndian.PutUint64(b[8*k:], s[k])
	}
	return b
}

// streamTree is a tree built from its records in order, holding only its
// frontier: the hash of the latest complete subtree at each level (those
// of the levels whose bit is set in n make the tree of size n).
type streamTree struct {
	n        int64
	frontier [64]tlog.Hash
	leaf     []byte
	node     [1 + 2*sha256.Size]byte
}

// append adds record n with data, giving check each stored hash it makes
// (tlog.StoredHashes' hashes, in their index order).
func (t *streamTree) append(data []byte, check func(index int64, h tlog.Hash)) {
	t.leaf = append(append(t.leaf[:0], 0), data...)
	h := tlog.Hash(sha256.Sum256(t.leaf))
	check(tlog.StoredHashCount(t.n), h)
	t.appendLeaf(h, check)
}

// appendLeaf adds record n by its leaf hash, giving node each interior
// stored hash it completes, in index order.
func (t *streamTree) appendLeaf(h tlog.Hash, node func(index int64, h tlog.Hash)) {
	si := tlog.StoredHashCount(t.n)
	level := 0
	for n := t.n; n&1 == 1; n >>= 1 {
		h = t.nodeHash(&t.frontier[level], &h)
		level++
		si++
		node(si, h)
	}
	t.frontier[level] = h
	t.n++
}

func (t *streamTree) nodeHash(left, right *tlog.Hash) tlog.Hash {
	t.node[0] = 1
	copy(t.node[1:], left[:])
	copy(t.node[1+sha256.Size:], right[:])
	return sha256.Sum256(t.node[:])
}

// root is the root hash of the tree of the t.n records appended (t.n > 0).
func (t *streamTree) root() tlog.Hash {
	level := bits.TrailingZeros64(uint64(t.n))
	h := t.frontier[level]
	for level++; level < 64; level++ {
		if t.n>>level&1 == 1 {
			h = t.nodeHash(&t.frontier[level], &h)
		}
	}
	return h
}

// revisionHash is the keyed hash of one revision of a record, what the
// entries' and the records' sums add up: of the run's key, the revision,
// its digest, and the record's kind (its length first) and key. buf is
// reused for the input; the names are bytes as read, or strings.
func revisionHash[S string | []byte](buf []byte, key *[32]byte, kind, k S, rev int, digest *[32]byte) ([32]byte, []byte) {
	buf = append(buf[:0], key[:]...)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(int64(rev)))
	buf = append(buf, digest[:]...)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(kind)))
	buf = append(append(buf, kind...), k...)
	return sha256.Sum256(buf), buf
}

// leafHash is the keyed hash of a leaf of the tree at index i, what the
// entries' and the stored hashes' sums add up. (Its input is shorter than
// any revisionHash's; the two are never added together anyway.)
func leafHash(key *[32]byte, i int64, h *tlog.Hash) [32]byte {
	var b [32 + 8 + 32]byte
	copy(b[:32], key[:])
	binary.LittleEndian.PutUint64(b[32:40], uint64(i))
	copy(b[40:], h[:])
	return sha256.Sum256(b[:])
}

// add adds h to sum, modulo 2^256.
func add(sum *[4]uint64, h [32]byte) {
	var carry uint64
	for k := range 4 {
		sum[k], carry = bits.Add64(sum[k], binary.LittleEndian.Uint64(h[8*k:]), carry)
	}
}

// plainEntry is an entry read in place from its canonical encoding.
type plainEntry struct {
	kind, key, digest, prev []byte
	rev                     int
}

// parse reads data if it is the canonical encoding of an entry whose
// strings are plain (what Entry.Data writes directly), without copying;
// anything else is left to ParseEntry.
func (e *plainEntry) parse(data []byte) bool {
	s := data
	str := func(prefix string) ([]byte, bool) {
		if !bytes.HasPrefix(s, []byte(prefix)) {
			return nil, false
		}
		s = s[len(prefix):]
		i := bytes.IndexByte(s, '"')
		if i < 0 {
			return nil, false
		}
		v := s[:i]
		s = s[i:]
		for _, c := range v {
			if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return nil, false
			}
		}
		return v, true
	}
	var ok bool
	if e.kind, ok = str(`{"kind":"`); !ok {
		return false
	}
	if e.key, ok = str(`","key":"`); !ok {
		return false
	}
	if !bytes.HasPrefix(s, []byte(`","rev":`)) {
		return false
	}
	s = s[len(`","rev":`):]
	i := bytes.IndexByte(s, ',')
	if i < 0 || i > 10 {
		return false
	}
	// Canonical: the digits strconv writes, and nothing else.
	rev, neg := 0, false
	digits := s[:i]
	if len(digits) > 0 && digits[0] == '-' {
		neg, digits = true, digits[1:]
	}
	if len(digits) == 0 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
		rev = rev*10 + int(c-'0')
	}
	if neg {
		rev = -rev
	}
	var num [24]byte
	if !bytes.Equal(strconv.AppendInt(num[:0], int64(rev), 10), s[:i]) {
		return false
	}
	e.rev = rev
	s = s[i:]
	if e.digest, ok = str(`,"sha256":"`); !ok {
		return false
	}
	e.prev = nil
	if bytes.HasPrefix(s, []byte(`","prev":"`)) {
		if e.prev, ok = str(`","prev":"`); !ok || len(e.prev) == 0 {
			return false
		}
	}
	return string(s) == `"}`
}
