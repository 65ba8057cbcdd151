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

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// verifyStream makes every check Verify makes in one pass over the
// entries, the stored hashes and the records, all three read at once and
// in index order, holding:
//
//   - the tree as a frontier of at most 64 hashes (one per level, as
//     tlog.StoredHashes needs), each stored hash compared as it streams
//     past and the root taken at each checkpoint's size;
//   - for each record, the number of revisions logged and a 64-bit keyed
//     fingerprint of its latest (the chain check);
//   - two 256-bit sums, one over the records as stored and one over the
//     entries, of a keyed hash of each (kind, key, revision, digest): the
//     store holds exactly the logged revisions, each with its logged
//     digest, if and only if the sums agree (the key is drawn afresh for
//     each run, so no one can make two different sets of revisions sum
//     alike).
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
	// is checked when the entries reach its size.
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
	errStop := errors.New("stop")

	// The records, summed while the entries are read.
	type recSum struct {
		sum [4]uint64
		n   int
		err error
	}
	// A store that can read its records in parts reads them in two, at
	// once: they are most of the bytes, and both halves of the machine's
	// work (reading, hashing) then share its cores with the entries'.
	parts := 1
	ps, partitioned := src.(partSource)
	if partitioned {
		parts = 2
	}
	recDone := make(chan recSum, parts)
	for part := range parts {
		go func() {
			var r recSum
			var buf []byte
			fn := func(kind, k string, rev int, digest [32]byte) error {
				var id recID
				id, buf = recordIDBuf(buf, kind, k)
				add(&r.sum, revisionHash(&key, &id, rev, &digest))
				r.n++
				return nil
			}
			if partitioned {
				r.err = ps.RecordDigestsPart(ctx, part, parts, fn)
			} else {
				r.err = src.RecordDigests(ctx, fn)
			}
			recDone <- r
		}()
	}

	// The stored hashes, in batches, in index order.
	type stored struct {
		i int64
		h tlog.Hash
	}
	const batch = 4096
	hashes := make(chan []stored, 4)
	free := make(chan []stored, 6)
	for range 6 {
		free <- make([]stored, 0, batch)
	}
	var hashErr error
	go func() {
		defer close(hashes)
		b := <-free
		hashErr = src.EachStoredHash(ctx, func(i int64, h tlog.Hash) error {
			b = append(b, stored{i, h})
			if len(b) == batch {
				select {
				case hashes <- b:
				case <-ctx.Done():
					return ctx.Err()
				}
				b = (<-free)[:0]
			}
			return nil
		})
		if len(b) > 0 {
			hashes <- b
		}
	}()
	var (
		cur     []stored // the batch being compared
		pos     int
		nStored int64
		badTree bool
	)
	// next returns the next stored hash, false at the end.
	next := func() (stored, bool) {
		if pos == len(cur) {
			if cur != nil {
				free <- cur[:0]
			}
			b, more := <-hashes
			if !more {
				cur = nil
				return stored{}, false
			}
			cur, pos = b, 0
		}
		pos++
		return cur[pos-1], true
	}
	var peeked *stored
	var peekBuf stored
	peek := func() *stored {
		if peeked == nil {
			if s, more := next(); more {
				peekBuf = s
				peeked = &peekBuf
			}
		}
		return peeked
	}
	// check compares the rebuilt hash at stored index i with the store's.
	check := func(i int64, h tlog.Hash) {
		for {
			s := peek()
			if s == nil || s.i > i {
				return // the store lacks hash i: the counts will differ
			}
			peeked = nil
			nStored++
			if s.i < i || s.h != h {
				badTree = true
			}
			if s.i == i {
				return
			}
		}
	}

	var (
		tree    streamTree
		idBuf   []byte
		entries [4]uint64
		chains  = make(map[recID]chainState)
		wrong   bool
	)
	err = src.EachLogEntry(ctx, 0, func(i int64, data []byte) error {
		if i != tree.n {
			wrong = true
			return errStop
		}
		tree.append(data, check)
		if roots, ok := want[tree.n]; ok {
			r := tree.root()
			for _, w := range roots {
				if w != r {
					wrong = true
					return errStop
				}
			}
		}
		if badTree {
			wrong = true
			return errStop
		}

		// The entry: canonical, its digest hex, its place in its
		// record's chain.
		var e plainEntry
		if !e.parse(data) {
			pe, err := ParseEntry(i, data)
			if err != nil {
				wrong = true
				return errStop
			}
			e = plainEntry{kind: []byte(pe.Kind), key: []byte(pe.Key), rev: pe.Rev, digest: []byte(pe.Digest), prev: []byte(pe.Prev)}
		}
		var d, prevD [32]byte
		if len(e.digest) != 64 || len(e.prev) != 0 && len(e.prev) != 64 {
			wrong = true
			return errStop
		}
		if _, err := hex.Decode(d[:], e.digest); err != nil {
			wrong = true
			return errStop
		}
		if len(e.prev) != 0 {
			if _, err := hex.Decode(prevD[:], e.prev); err != nil {
				wrong = true
				return errStop
			}
		}
		var id recID
		id, idBuf = recordIDBytes(idBuf, e.kind, e.key)
		rh := revisionHash(&key, &id, e.rev, &d)
		add(&entries, rh)
		c, seen := chains[id]
		switch {
		case !seen && e.rev != 1,
			seen && e.rev != int(c.n)+1,
			seen && fingerprint(revisionHash(&key, &id, int(c.n), &prevD)) != c.fp:
			wrong = true
			return errStop
		}
		chains[id] = chainState{n: c.n + 1, fp: fingerprint(rh)}
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	if wrong || err != nil {
		cancel() // the other scans: their answers are not needed
	}
	var rs recSum
	for range parts {
		r := <-recDone
		rs.n += r.n
		rs.err = errors.Join(rs.err, r.err)
		add(&rs.sum, sumBytes(&r.sum))
	}
	for b := range hashes { // let the hash reader finish
		free <- b
	}
	if err != nil {
		return nil, false, err
	}
	if wrong {
		return nil, false, nil
	}
	if rs.err != nil {
		return nil, false, rs.err
	}
	if hashErr != nil {
		return nil, false, hashErr
	}
	// Stored hashes beyond the tree.
	for s := peek(); s != nil; s = peek() {
		peeked = nil
		nStored++
		badTree = true
	}
	if tree.n != size || badTree || nStored != tlog.StoredHashCount(tree.n) ||
		rs.n != int(tree.n) || rs.sum != entries {
		return nil, false, nil
	}
	res.Records = rs.n
	if tree.n > 0 {
		res.Root = tree.root()
	}
	return res, true, nil
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

// chainState is what the streaming check keeps of a record: how many
// revisions the log holds so far, and a fingerprint of the latest
// (revision number and digest, under the run's key).
type chainState struct {
	n  int32
	fp uint64
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
	// The leaf, then each complete subtree it closes.
	t.leaf = append(append(t.leaf[:0], 0), data...)
	h := tlog.Hash(sha256.Sum256(t.leaf))
	si := tlog.StoredHashCount(t.n)
	check(si, h)
	level := 0
	for n := t.n; n&1 == 1; n >>= 1 {
		h = t.nodeHash(&t.frontier[level], &h)
		level++
		si++
		check(si, h)
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

// revisionHash is the keyed hash of one revision of a record: what the
// sums add up and the chain fingerprints are cut from.
func revisionHash(key *[32]byte, id *recID, rev int, digest *[32]byte) [32]byte {
	var b [32 + 16 + 8 + 32]byte
	copy(b[:32], key[:])
	copy(b[32:48], id[:])
	binary.LittleEndian.PutUint64(b[48:56], uint64(int64(rev)))
	copy(b[56:], digest[:])
	return sha256.Sum256(b[:])
}

func fingerprint(h [32]byte) uint64 { return binary.LittleEndian.Uint64(h[:8]) }

// add adds h to sum, modulo 2^256.
func add(sum *[4]uint64, h [32]byte) {
	var carry uint64
	for k := range 4 {
		sum[k], carry = bits.Add64(sum[k], binary.LittleEndian.Uint64(h[8*k:]), carry)
	}
}

// recordIDBuf is recordID, building its input in buf.
func recordIDBuf(buf []byte, kind, key string) (recID, []byte) {
	buf = append(append(append(buf[:0], kind...), 0), key...)
	sum := sha256.Sum256(buf)
	return recID(sum[:16]), buf
}

func recordIDBytes(buf []byte, kind, key []byte) (recID, []byte) {
	buf = append(append(append(buf[:0], kind...), 0), key...)
	sum := sha256.Sum256(buf)
	return recID(sum[:16]), buf
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
