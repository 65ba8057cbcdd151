package app

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/truce-monitor/truce/internal/federation"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Pulling a peer (docs/federation.md): its checkpoint, its entries a page
// at a time, each page proven a prefix of what it signed, its records each
// checked against its entry, then gossip of the checkpoints it holds.

// PullResult is what one pull of a peer did.
type PullResult struct {
	Peer string `json:"peer"`
	// From and To are the peer's verified size before and after.
	From int64 `json:"from"`
	To   int64 `json:"to"`
	// Records are the records stored; Imported the reports made or
	// revised here from them (a copy already held is not counted).
	Records  int `json:"records"`
	Imported int `json:"imported"`
	// Problem is set when the pull found the peer untrustworthy (it is
	// flagged).
	Problem *federation.Problem `json:"problem,omitempty"`
}

// Puller pulls peers for this node.
type Puller struct {
	App *App
	// Signer is this node's log key: the peers' checkpoints it verifies
	// are cosigned with it, and its name is this node's (nil: neither).
	Signer note.Signer
	// Client is the HTTP client (nil: a default with a timeout).
	Client *http.Client
	// PageSize bounds the entries held in memory at once (default 1024,
	// four tiles).
	PageSize int
}

func (pl *Puller) self() string {
	if pl.Signer == nil {
		return ""
	}
	return pl.Signer.Name()
}

// Pull pulls one peer: its latest signed checkpoint, then its entries
// from the last verified index, a page at a time, each page proven a
// prefix of the checkpoint before it is stored with the records served
// for it (each checked against its entry). A contradiction flags the peer
// (and is PullResult.Problem, not an error); a network fault is an
// error, and the next pull resumes where the last verified page ended.
func (pl *Puller) Pull(ctx context.Context, name string) (PullResult, error) {
	a := pl.App
	res := PullResult{Peer: name}
	p, err := a.store.Peer(ctx, name)
	if err != nil {
		return res, err
	}
	res.From, res.To = p.Size, p.Size
	if p.Flag != "" {
		return res, fmt.Errorf("pull %s: %w", name, ErrFlagged)
	}
	perr := pl.pull(ctx, p, &res)
	var prob *federation.Problem
	if errors.As(perr, &prob) {
		res.Problem = prob
		if err := a.store.FlagPeer(ctx, name, prob.Error(), prob.Index, prob.A, prob.B); err != nil {
			return res, err
		}
		a.Log.Error("peer flagged", "peer", name, "problem", prob.Error())
		perr = nil
	}
	msg := ""
	if perr != nil {
		msg = perr.Error()
	}
	if err := a.store.SetPeerPulled(ctx, name, msg, time.Now()); err != nil {
		return res, errors.Join(perr, err)
	}
	if perr != nil {
		return res, fmt.Errorf("pull %s: %w", name, perr)
	}
	return res, nil
}

func (pl *Puller) client(p store.Peer) *federation.Client {
	token, err := pl.App.peerToken(p)
	if err != nil {
		// Asked without the token, the peer answers with its log only and
		// the pull says so; the reason is logged here.
		pl.App.Log.Error("peer token", "peer", p.Name, "err", err)
	}
	return &federation.Client{URL: p.URL, Token: token, HTTP: pl.Client}
}

func (pl *Puller) pull(ctx context.Context, p store.Peer, res *PullResult) error {
	a := pl.App
	v, err := note.NewVerifier(p.PubKey)
	if err != nil {
		return fmt.Errorf("peer key: %w", err)
	}
	known := note.VerifierList(v)
	cl := pl.client(p)
	msg, err := cl.Checkpoint(ctx)
	if err != nil {
		return err
	}
	c, _, err := ledger.Open(msg, known)
	if err != nil {
		// Anyone between the nodes could send this: no evidence
		// against the peer.
		return fmt.Errorf("checkpoint not signed by %s: %w", p.Name, err)
	}
	if c.Origin != p.Name {
		return fmt.Errorf("checkpoint of %q, not of %s", c.Origin, p.Name)
	}
	if err := a.store.PutPeerCheckpoint(ctx, peerCheckpoint(c, string(msg), "")); err != nil {
		return err
	}
	held := a.store.PeerHashes(ctx, p.Name)
	// What the peer signed now against the tree already verified.
	if c.Size <= p.Size {
		root, err := tlog.TreeHash(c.Size, held)
		if err != nil {
			return err
		}
		if root != c.Root {
			kind := federation.Inconsistent
			if last, _, err := ledger.Unverified([]byte(p.Checkpoint)); err == nil && last.Size == c.Size {
				kind = federation.Fork
			}
			return &federation.Problem{Kind: kind, Detail: fmt.Sprintf("%s signed a tree of size %d whose root is not that of the tree verified here", p.Name, c.Size),
				Index: pl.firstDifference(ctx, p, c.Size), A: p.Checkpoint, B: string(msg)}
		}
	}
	cosigned := pl.cosign(msg, known)
	size := p.Size
	pageSize := int64(cmp.Or(pl.PageSize, maxServed))
	for size < c.Size {
		entries, err := cl.Tiles(ctx, size, c.Size, c.Size, int(pageSize))
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return fmt.Errorf("no entries from %d, below the checkpoint's size %d", size, c.Size)
		}
		if int64(len(entries)) > c.Size-size {
			entries = entries[:c.Size-size]
		}
		if int64(len(entries)) > pageSize {
			entries = entries[:pageSize]
		}
		b, err := pl.verifyPage(ctx, cl, p, c, msg, held, size, entries)
		if err != nil {
			return err
		}
		b.Checkpoint = cosigned
		if err := a.store.SavePeerBatch(ctx, b); err != nil {
			return err
		}
		size += int64(len(entries))
		res.To = size
		res.Records += len(b.Records)
		// Taken in page by page, so that a pull cut short has made
		// reports of what it verified.
		n, err := pl.importPending(ctx, p.Name)
		res.Imported += n
		if err != nil {
			return err
		}
	}
	if c.Size >= p.Size {
		// A smaller checkpoint, consistent with the copy, is kept out:
		// the one kept is the copy's tree or beyond.
		if err := a.store.SetPeerCheckpoint(ctx, p.Name, cosigned); err != nil {
			return err
		}
	}
	if pl.Signer != nil {
		if err := a.store.PutPeerCheckpoint(ctx, peerCheckpoint(c, cosigned, pl.self())); err != nil {
			return err
		}
	}
	// What an earlier pull stored but did not take in (it stopped
	// between the two).
	n, err := pl.importPending(ctx, p.Name)
	res.Imported += n
	if err != nil {
		return err
	}
	return pl.gossip(ctx, cl, p.Name)
}

// verifyPage checks entries [start, start+len) against the signed
// checkpoint c, then the records served for them against the entries.
func (pl *Puller) verifyPage(ctx context.Context, cl *federation.Client, p store.Peer, c ledger.Checkpoint, msg []byte, held tlog.HashReader, start int64, data [][]byte) (store.PeerBatch, error) {
	b := store.PeerBatch{Peer: p.Name, Start: start, Entries: data}
	ov := &federation.Overlay{Base: held, First: tlog.StoredHashCount(start)}
	parsed := make([]ledger.Entry, len(data))
	for i, d := range data {
		idx := start + int64(i)
		e, err := ledger.ParseEntry(idx, d)
		if err != nil {
			return b, &federation.Problem{Kind: federation.Entries, Detail: err.Error(), Index: idx}
		}
		parsed[i] = e
		if err := ov.Append(idx, d); err != nil {
			return b, err
		}
	}
	end := start + int64(len(data))
	root, err := tlog.TreeHash(end, ov)
	if err != nil {
		return b, err
	}
	var bad error
	if end == c.Size {
		if root != c.Root {
			bad = fmt.Errorf("the entries served give root %s, the checkpoint %s", ledger.EncodeHash(root), ledger.EncodeHash(c.Root))
		}
	} else {
		proof, err := cl.Consistency(ctx, end, c.Size)
		if err != nil {
			return b, err
		}
		bad = tlog.CheckTree(proof, c.Size, c.Root, end, root)
	}
	if bad != nil {
		return b, pl.explain(ctx, cl, p, c, msg, start, data, bad)
	}
	b.Hashes = ov.Added
	recs, err := cl.Records(ctx, start, end)
	var se *federation.StatusError
	if errors.As(err, &se) && (se.Code == 401 || se.Code == 403) {
		recs, err = nil, nil // no grant: the log only
	}
	if err != nil {
		return b, err
	}
	for _, r := range recs {
		if r.Index < start || r.Index >= end {
			continue
		}
		e := parsed[r.Index-start]
		if err := federation.Check(e, r); err != nil {
			return b, &federation.Problem{Kind: federation.Mismatch, Detail: fmt.Sprintf("%s served a record that does not match its log: %v", p.Name, err), Index: r.Index}
		}
		if r.Node != "" {
			continue // a copy the peer took from another: taken from its origin
		}
		if r.Evidence != nil {
			if err := pl.takeEvidence(ctx, cl, p.Name, r); err != nil {
				return b, err
			}
		}
		content, err := json.Marshal(r)
		if err != nil {
			return b, err
		}
		pr := store.PeerRecord{Index: r.Index, Kind: r.Kind, Key: e.Key, Content: content}
		for _, ref := range r.Reports {
			src, id := ref.Local(p.Name, pl.self())
			pr.Reports = append(pr.Reports, [2]string{src, id})
		}
		b.Records = append(b.Records, pr)
	}
	return b, nil
}

// takeEvidence fetches an evidence file the peer logged, checks its bytes
// against its digest and stores it here (logged here, with a receipt in
// its chain of custody naming the peer), once.
func (pl *Puller) takeEvidence(ctx context.Context, cl *federation.Client, peer string, r federation.Record) error {
	if _, err := pl.App.store.EvidenceInfo(ctx, r.Evidence.SHA256); err == nil {
		return nil
	}
	data, err := cl.Evidence(ctx, r.Evidence.SHA256, r.Index)
	if err != nil {
		return err
	}
	// Stored as any file received: its type and what it says about
	// itself read here, as verification reads them again.
	_, _, err = pl.App.AddEvidence(ctx, data, store.OwnerNode+peer, "federation", "")
	return err
}

// explain finds why a page did not verify: either the log was rewritten
// under the tree verified here (the checkpoint does not extend it), or
// the entries served are not the signed log's; it names the first bad
// index either way.
func (pl *Puller) explain(ctx context.Context, cl *federation.Client, p store.Peer, c ledger.Checkpoint, msg []byte, start int64, data [][]byte, bad error) error {
	if p.Size > 0 {
		old, err := tlog.TreeHash(p.Size, pl.App.store.PeerHashes(ctx, p.Name))
		if err != nil {
			return err
		}
		proof, err := cl.Consistency(ctx, p.Size, c.Size)
		var se *federation.StatusError
		if err != nil && (!errors.As(err, &se) || se.Code >= 500) {
			// No answer is no evidence: asked again at the next pull.
			return fmt.Errorf("the page from %d did not verify (%v), and no consistency proof came: %w", start, bad, err)
		}
		if err != nil || tlog.CheckTree(proof, c.Size, c.Root, p.Size, old) != nil {
			// No proof the new tree extends the old: the log was
			// rewritten.
			return &federation.Problem{Kind: federation.Inconsistent,
				Detail: fmt.Sprintf("%s signed a tree of size %d that does not extend the tree of size %d verified here: its log was rewritten", p.Name, c.Size, p.Size),
				Index:  pl.firstDifference(ctx, p, p.Size), A: p.Checkpoint, B: string(msg)}
		}
	}
	// The tree is consistent, the entries are not: find the first that
	// is not in the signed tree.
	for i, d := range data {
		idx := start + int64(i)
		proof, err := cl.Inclusion(ctx, idx, c.Size)
		if err != nil {
			return err
		}
		if tlog.CheckRecord(proof, c.Size, c.Root, idx, tlog.RecordHash(d)) != nil {
			return &federation.Problem{Kind: federation.Entries, Detail: fmt.Sprintf("%s served entries that are not those of its signed tree of size %d: %v", p.Name, c.Size, bad), Index: idx, B: string(msg)}
		}
	}
	return &federation.Problem{Kind: federation.Entries, Detail: fmt.Sprintf("%s served entries that are not those of its signed tree of size %d: %v", p.Name, c.Size, bad), Index: -1, B: string(msg)}
}

// firstDifference is the first index below limit at which the peer's log
// now differs from the copy verified here (-1 when none is found, or the
// peer cannot be asked).
func (pl *Puller) firstDifference(ctx context.Context, p store.Peer, limit int64) int64 {
	cl := pl.client(p)
	first := int64(-1)
	var page [][]byte
	var pageStart int64
	errFound := errors.New("found")
	err := pl.App.store.EachPeerEntry(ctx, p.Name, 0, func(i int64, data []byte) error {
		if i >= limit {
			return errFound
		}
		if i >= pageStart+int64(len(page)) {
			var err error
			if page, err = cl.Entries(ctx, i); err != nil || len(page) == 0 {
				return errFound
			}
			pageStart = i
		}
		if string(page[i-pageStart]) != string(data) {
			first = i
			return errFound
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFound) {
		return -1
	}
	return first
}

// cosign endorses a verified checkpoint with this node's key, when it has
// one.
func (pl *Puller) cosign(msg []byte, known note.Verifiers) string {
	if pl.Signer == nil {
		return string(msg)
	}
	co, err := ledger.Cosign(msg, known, pl.Signer)
	if err != nil {
		return string(msg)
	}
	return string(co)
}

func peerCheckpoint(c ledger.Checkpoint, msg, via string) store.PeerCheckpoint {
	return store.PeerCheckpoint{Node: c.Origin, Size: c.Size, Root: base64.StdEncoding.EncodeToString(c.Root[:]), Via: via, Note: msg}
}

// gossip reads the checkpoints the peer holds of other nodes and checks
// each against this node's copy of that node's log: two checkpoints that
// cannot both be true flag that node (a fork), with both.
func (pl *Puller) gossip(ctx context.Context, cl *federation.Client, via string) error {
	held, err := cl.Checkpoints(ctx)
	if err != nil {
		return err
	}
	for _, g := range held {
		if g.Node == via || g.Node == pl.self() {
			continue
		}
		if err := pl.Consider(ctx, g.Node, []byte(g.Note), via); err != nil {
			return err
		}
	}
	return nil
}

// Consider checks a checkpoint of node shown to this node by via against
// this node's copy of node's log, flagging node on a contradiction. A
// note that is not a checkpoint node signed says nothing and is ignored,
// as is a node this node does not follow.
func (pl *Puller) Consider(ctx context.Context, node string, msg []byte, via string) error {
	a := pl.App
	p, err := a.store.Peer(ctx, node)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || p.Flag != "" {
		return err
	}
	v, err := note.NewVerifier(p.PubKey)
	if err != nil {
		return nil
	}
	c, _, err := ledger.Open(msg, note.VerifierList(v))
	if err != nil || c.Origin != node {
		return nil
	}
	if err := a.store.PutPeerCheckpoint(ctx, peerCheckpoint(c, string(msg), via)); err != nil {
		return err
	}
	var prob *federation.Problem
	held := a.store.PeerHashes(ctx, node)
	if c.Size <= p.Size {
		root, err := tlog.TreeHash(c.Size, held)
		if err != nil {
			return err
		}
		if root != c.Root {
			prob = &federation.Problem{Kind: federation.Fork, Detail: fmt.Sprintf("%s signed two trees that cannot both be true: the one verified here, and one of size %d shown to %s", node, c.Size, via), Index: -1, A: p.Checkpoint, B: string(msg)}
		}
	} else if p.Size > 0 {
		old, err := tlog.TreeHash(p.Size, held)
		if err != nil {
			return err
		}
		proof, err := pl.client(p).Consistency(ctx, p.Size, c.Size)
		if err != nil {
			return nil // asked again at the next pull
		}
		if tlog.CheckTree(proof, c.Size, c.Root, p.Size, old) != nil {
			prob = &federation.Problem{Kind: federation.Fork, Detail: fmt.Sprintf("%s showed %s a tree of size %d that does not extend the tree of size %d verified here", node, via, c.Size, p.Size), Index: -1, A: p.Checkpoint, B: string(msg)}
		}
	}
	if prob == nil {
		return nil
	}
	a.Log.Error("peer flagged", "peer", node, "via", via, "problem", prob.Error())
	return a.store.FlagPeer(ctx, node, prob.Error(), prob.Index, prob.A, prob.B)
}

// importBatch bounds the reports imported in one transaction.
const importBatch = 500

// importPending makes local reports of a peer's verified reports not yet
// imported: they join local incidents through the same clustering, under
// the peer's name (source ids in its namespace, owner node:NAME), and
// are logged here as any report is.
func (pl *Puller) importPending(ctx context.Context, peer string) (int, error) {
	a := pl.App
	total := 0
	for {
		recs, err := a.store.PendingPeerReports(ctx, peer, importBatch)
		if err != nil || len(recs) == 0 {
			return total, err
		}
		local := make(map[int64]int64, len(recs))
		var reports []incident.Report
		var idx []int64
		for _, pr := range recs {
			rep, err := peerReport(peer, pr)
			if err != nil {
				// Verified against the peer's log, yet not a report
				// this node can take in: kept as the peer's record,
				// left out of the local incidents, and not tried again.
				a.Log.Error("peer report not taken in", "peer", peer, "index", pr.Index, "err", err)
				local[pr.Index] = notTaken
				continue
			}
			reports = append(reports, rep)
			idx = append(idx, pr.Index)
		}
		n, err := pl.importReports(ctx, peer, reports, idx, local)
		total += n
		if err != nil {
			return total, err
		}
		if err := a.store.SetPeerLocal(ctx, peer, local); err != nil {
			return total, err
		}
	}
}

// notTaken marks a peer's report record that could not be made a local
// report (see importPending).
const notTaken = -1

// peerReport is the local report made of a peer's report record: the
// peer's reading, under the peer's name.
func peerReport(peer string, pr store.PeerRecord) (incident.Report, error) {
	var r federation.Record
	var rep incident.Report
	if err := json.Unmarshal(pr.Content, &r); err != nil || r.Report == nil {
		return rep, fmt.Errorf("record %d: not a report (%v)", pr.Index, err)
	}
	if err := json.Unmarshal([]byte(r.Report.Doc), &rep); err != nil {
		return rep, fmt.Errorf("report at %d: %w", pr.Index, err)
	}
	if rep.Reporter != nil || len(rep.Witnesses) > 0 {
		// Identities travel sealed or not at all: a peer's record
		// naming them in clear is not repeated here.
		return rep, fmt.Errorf("report at %d names its reporter or witnesses in clear", pr.Index)
	}
	rep.ID, rep.IncidentID = 0, 0
	rep.Node = peer
	rep.SourceID = federation.LocalID(peer, rep.SourceID)
	rep.Owner = store.OwnerNode + peer
	rep.Original, rep.OriginalFormat = r.Report.Original, r.Report.Format
	return rep, nil
}

// importReports takes in a batch of a peer's reports in one transaction,
// or, when the batch fails, one at a time, so that one report the store
// refuses does not hold back the others (it is marked notTaken). It
// records in local the report made of each, and returns how many were
// made or revised.
func (pl *Puller) importReports(ctx context.Context, peer string, reports []incident.Report, idx []int64, local map[int64]int64) (int, error) {
	a := pl.App
	if len(reports) == 0 {
		return 0, nil
	}
	count := func(done []store.Imported, idx []int64) int {
		n := 0
		for i, d := range done {
			local[idx[i]] = d.ReportID
			if d.Outcome != store.Unchanged {
				n++
			}
		}
		return n
	}
	done, err := a.store.ImportReports(ctx, reports, a.Intake())
	if err == nil {
		return count(done, idx), nil
	}
	if ctx.Err() != nil || len(reports) == 1 {
		if ctx.Err() == nil && (errors.Is(err, store.ErrNotOwner) || errors.Is(err, ErrInvalidReport)) {
			a.Log.Error("peer report not taken in", "peer", peer, "index", idx[0], "err", err)
			local[idx[0]] = notTaken
			return 0, nil
		}
		return 0, fmt.Errorf("import %s's reports: %w", peer, err)
	}
	// One at a time: a report that fails alone while others succeed is
	// refused for itself, not for the store's state.
	n := 0
	for i := range reports {
		done, err := a.store.ImportReports(ctx, reports[i:i+1], a.Intake())
		if err != nil {
			if ctx.Err() != nil {
				return n, err
			}
			a.Log.Error("peer report not taken in", "peer", peer, "index", idx[i], "err", err)
			local[idx[i]] = notTaken
			continue
		}
		n += count(done, idx[i:i+1])
	}
	return n, nil
}

// PullAll pulls every peer not flagged, once; a failure of one does not
// stop the others.
func (pl *Puller) PullAll(ctx context.Context) ([]PullResult, error) {
	ps, err := pl.App.store.Peers(ctx)
	if err != nil {
		return nil, err
	}
	var out []PullResult
	var errs []error
	for _, p := range ps {
		if p.Flag != "" {
			continue
		}
		r, err := pl.Pull(ctx, p.Name)
		out = append(out, r)
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// Run pulls every peer every interval until ctx ends; a peer whose pull
// fails is tried again after a delay that doubles with each failure (up
// to an hour).
func (pl *Puller) Run(ctx context.Context, interval time.Duration) {
	type wait struct {
		until time.Time
		delay time.Duration
	}
	backoff := map[string]*wait{}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		ps, err := pl.App.store.Peers(ctx)
		if err != nil {
			pl.App.Log.Error("peers", "err", err)
		}
		for _, p := range ps {
			w := backoff[p.Name]
			if p.Flag != "" || (w != nil && time.Now().Before(w.until)) {
				continue
			}
			res, err := pl.Pull(ctx, p.Name)
			if err != nil {
				if w == nil {
					w = &wait{delay: interval}
					backoff[p.Name] = w
				}
				w.delay = min(2*w.delay, time.Hour)
				w.until = time.Now().Add(w.delay)
				pl.App.Log.Warn("pull peer", "peer", p.Name, "err", err, "retry_in", w.delay)
				continue
			}
			delete(backoff, p.Name)
			if res.To > res.From {
				pl.App.Log.Info("pulled peer", "peer", p.Name, "from", res.From, "to", res.To, "records", res.Records, "imported", res.Imported)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
