package web

import (
	"errors"
	"net/http"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/ledger"
)

// The log page shows the tamper-evident log to anyone, as the /log/...
// API serves it to programs: its entries hold digests, not records. It
// lists the signed checkpoints, a page of entries, and on request an
// entry's inclusion proof or a consistency proof between two tree sizes,
// with what to do with them, so that a reader who does not trust this
// node can check them elsewhere.

// logPageSize is how many entries one page shows.
const logPageSize = 50

type checkpointView struct {
	Origin  string
	Size    int64
	Root    string
	Signers []string
	Note    string
}

type entryView struct {
	Index  int64
	Kind   string
	Key    string
	Rev    int
	Digest string
	// Signed is set when a signed checkpoint covers the entry, so that
	// its inclusion can be proved.
	Signed bool
	Data   string
}

type proofView struct {
	Index, Size, Old int64
	Entry            string
	LeafHash, Root   string
	Hashes           []string
}

func (u *UI) logPage(q *req) error {
	ctx := q.ctx
	size, err := u.app.LogSize(ctx)
	if err != nil {
		return err
	}
	notes, err := u.app.Checkpoints(ctx)
	if err != nil {
		return err
	}
	var cps []checkpointView
	var signed int64 // the latest checkpoint's size
	for i := len(notes) - 1; i >= 0; i-- {
		c, signers, err := ledger.Unverified(notes[i])
		if err != nil {
			return err
		}
		if i == len(notes)-1 {
			signed = c.Size
		}
		cps = append(cps, checkpointView{Origin: c.Origin, Size: c.Size, Root: ledger.EncodeHash(c.Root), Signers: signers, Note: string(notes[i])})
	}
	v := q.r.URL.Query()
	start := max(size-logPageSize, 0)
	if s := v.Get("start"); s != "" {
		if start, err = strconv.ParseInt(s, 10, 64); err != nil || start < 0 {
			return fail(http.StatusBadRequest, "log.bad_number", "start", s)
		}
	}
	list, err := u.app.LogEntries(ctx, start, logPageSize)
	if err != nil {
		return err
	}
	entries := make([]entryView, 0, len(list))
	for _, le := range list {
		e, err := ledger.ParseEntry(le.Index, []byte(le.Data))
		if err != nil {
			return err
		}
		entries = append(entries, entryView{Index: le.Index, Kind: e.Kind, Key: e.Key, Rev: e.Rev, Digest: e.Digest, Signed: le.Index < signed, Data: le.Data})
	}
	data := map[string]any{"Count": int(size), "Checkpoints": cps, "Entries": entries, "Start": start, "PageSize": int64(logPageSize)}
	if start > 0 {
		data["Prev"] = max(start-logPageSize, 0)
	}
	if next := start + int64(len(entries)); next < size {
		data["Next"] = next
	}
	if s := v.Get("proof"); s != "" {
		index, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fail(http.StatusBadRequest, "log.bad_number", "proof", s)
		}
		p, err := u.inclusion(q, index, signed)
		if err != nil {
			return err
		}
		data["Inclusion"] = p
	}
	if s := v.Get("old"); s != "" {
		old, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fail(http.StatusBadRequest, "log.bad_number", "old", s)
		}
		tp, err := u.app.ConsistencyProof(ctx, old, signed)
		if err != nil {
			return badLog(err)
		}
		data["Consistency"] = proofView{Old: old, Size: signed, Hashes: ledger.EncodeHashes(tp)}
	}
	return u.render(q, "log", "nav.log", data)
}

// inclusion proves entry index in the latest signed tree, of size signed.
func (u *UI) inclusion(q *req, index, signed int64) (*proofView, error) {
	if signed == 0 {
		return nil, fail(http.StatusNotFound, "log.no_checkpoint")
	}
	p, root, err := u.app.InclusionProof(q.ctx, index, signed)
	if err != nil {
		return nil, badLog(err)
	}
	list, err := u.app.LogEntries(q.ctx, index, 1)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	leaf := tlog.RecordHash([]byte(list[0].Data))
	return &proofView{Index: index, Size: signed, Entry: list[0].Data, LeafHash: ledger.EncodeHash(leaf), Root: ledger.EncodeHash(root), Hashes: ledger.EncodeHashes(p)}, nil
}

// badLog shows a proof asked outside the log as the reader's mistake.
func badLog(err error) error {
	if errors.Is(err, app.ErrLogRange) {
		return fail(http.StatusBadRequest, "log.out_of_range", err.Error())
	}
	return err
}
