// Package witness follows another node's log: it checks each new
// checkpoint for consistency with the last one it accepted, cosigns what
// it accepts, and raises an alert on any inconsistency or on two
// different checkpoints for the same size (a fork: the node showing
// different histories to different parties).
//
// Only what the followed node signed can raise an alert. Anyone may show
// the witness a checkpoint (Consider, and the POST of Handler), so a note
// that is not a checkpoint signed by the node's key says nothing about the
// node: it is refused (ErrUnsigned) and the witness goes on.
package witness

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
)

// Alert is a reason to distrust the followed node: something it signed
// contradicts something else it signed.
type Alert struct {
	Kind   string `json:"kind"` // fork, inconsistent
	Detail string `json:"detail"`
}

func (a *Alert) Error() string { return "ALERT " + a.Kind + ": " + a.Detail }

// ErrUnsigned is a message that is not a checkpoint signed by the followed
// node's key: refused, and no evidence against the node, since anyone can
// send one.
var ErrUnsigned = errors.New("not a checkpoint signed by the followed node")

// Witness follows one node.
type Witness struct {
	Node   string         // the node's base URL
	Known  note.Verifiers // the node's public key
	Signer note.Signer    // this witness's key
	State  string         // file holding the last accepted checkpoint
	Client *http.Client

	// mu keeps one check at a time on the state file: the follow loop
	// and checkpoints posted by others would otherwise each load, change
	// and save it, and one would lose the roots the other recorded.
	mu sync.Mutex
}

// state is what the witness remembers: the latest accepted checkpoint
// and the root of every size it has seen, to catch forks.
type state struct {
	Latest string           `json:"latest"` // signed note, as received
	Roots  map[int64]string `json:"roots"`  // size → base64 root
	Cosig  string           `json:"cosigned"`
}

func (w *Witness) load() (*state, error) {
	st := &state{Roots: map[int64]string{}}
	b, err := os.ReadFile(w.State)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("witness state %s: %w", w.State, err)
	}
	return st, nil
}

func (w *Witness) save(st *state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := w.State + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Clean(w.State))
}

// Check fetches the node's latest checkpoint, checks it, and returns it
// cosigned. An *Alert means the node must not be trusted.
func (w *Witness) Check(ctx context.Context) ([]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	st, err := w.load()
	if err != nil {
		return nil, err
	}
	msg, err := w.get(ctx, "/log/checkpoint")
	if err != nil {
		return nil, err
	}
	return w.accept(ctx, st, msg)
}

// Consider checks a checkpoint shown to the witness by anyone (another
// party may forward what the node showed it): a fork is caught even if
// the node shows the witness itself only one history. A message that is
// not a checkpoint signed by the node fails with ErrUnsigned, never an
// *Alert.
func (w *Witness) Consider(ctx context.Context, msg []byte) ([]byte, error) {
	// Checked before waiting for the state, which a check of the node
	// may hold for as long as the node takes to answer.
	if _, _, err := ledger.Open(msg, w.Known); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsigned, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	st, err := w.load()
	if err != nil {
		return nil, err
	}
	return w.accept(ctx, st, msg)
}

func (w *Witness) accept(ctx context.Context, st *state, msg []byte) ([]byte, error) {
	c, _, err := ledger.Open(msg, w.Known)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsigned, err)
	}
	root := base64.StdEncoding.EncodeToString(c.Root[:])
	if seen, ok := st.Roots[c.Size]; ok && seen != root {
		return nil, &Alert{"fork", fmt.Sprintf("two checkpoints of size %d with different roots (%s, %s): the node shows different histories", c.Size, seen, root)}
	}
	if st.Latest != "" {
		last, _, err := ledger.Open([]byte(st.Latest), w.Known)
		if err != nil {
			return nil, fmt.Errorf("witness state: %w", err)
		}
		switch {
		case c.Size < last.Size:
			// An older checkpoint is fine if it is a prefix of what was
			// accepted; the node must prove it.
			if err := w.checkConsistent(ctx, c, last); err != nil {
				return nil, err
			}
		case c.Size > last.Size:
			if err := w.checkConsistent(ctx, last, c); err != nil {
				return nil, err
			}
		}
	}
	st.Roots[c.Size] = root
	co, err := ledger.Cosign(msg, w.Known, w.Signer)
	if err != nil {
		return nil, err
	}
	if latest, _, _ := ledger.Open([]byte(st.Latest), w.Known); st.Latest == "" || c.Size >= latest.Size {
		st.Latest, st.Cosig = string(msg), string(co)
	}
	return co, w.save(st)
}

// checkConsistent asks the node to prove old is a prefix of cur. Only a
// proof that fails is evidence against the node (an *Alert): one that
// cannot be fetched or read (a network fault, a node restarting) is an
// error, and the checkpoint is not cosigned until a proof comes.
func (w *Witness) checkConsistent(ctx context.Context, old, cur ledger.Checkpoint) error {
	if old.Size == 0 {
		return nil
	}
	body, err := w.get(ctx, fmt.Sprintf("/log/proof/consistency?old=%d&new=%d", old.Size, cur.Size))
	if err != nil {
		return fmt.Errorf("no consistency proof from size %d to %d yet: %w", old.Size, cur.Size, err)
	}
	var p struct{ Proof []string }
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Errorf("consistency proof from %d to %d: unreadable: %w", old.Size, cur.Size, err)
	}
	proof := make(tlog.TreeProof, len(p.Proof))
	for i, s := range p.Proof {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return fmt.Errorf("consistency proof from %d to %d: unreadable hash %q", old.Size, cur.Size, s)
		}
		copy(proof[i][:], b)
	}
	if err := tlog.CheckTree(proof, cur.Size, cur.Root, old.Size, old.Root); err != nil {
		return &Alert{"inconsistent", fmt.Sprintf("the tree of size %d is not a prefix of the tree of size %d: the log was rewritten (%v)", old.Size, cur.Size, err)}
	}
	return nil
}

func (w *Witness) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(w.Node, "/")+path, nil)
	if err != nil {
		return nil, err
	}
	client := w.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, bytes.TrimSpace(body))
	}
	return body, nil
}

// Cosigned returns the latest cosigned checkpoint, for serving.
func (w *Witness) Cosigned() ([]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	st, err := w.load()
	if err != nil {
		return nil, err
	}
	return []byte(st.Cosig), nil
}

// maxNote bounds a posted checkpoint: a signed checkpoint is a few
// hundred bytes, with a few cosignatures.
const maxNote = 64 << 10

// Handler serves the witness to others: GET /witness/checkpoint is the
// latest cosigned checkpoint; POST /witness/checkpoint shows the witness
// one seen elsewhere and answers it cosigned. A posted note that is not a
// checkpoint signed by the followed node is refused with 400 and logged,
// nothing more: the poster need not be the node. Alerts raised by a
// validly signed one go to alert (and the poster gets 409).
func (w *Witness) Handler(log *slog.Logger, alert func(*Alert)) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /witness/checkpoint", func(rw http.ResponseWriter, r *http.Request) {
		co, err := w.Cosigned()
		if err != nil || len(co) == 0 {
			http.Error(rw, "no checkpoint accepted yet", http.StatusNotFound)
			return
		}
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.Write(co)
	})
	mux.HandleFunc("POST /witness/checkpoint", func(rw http.ResponseWriter, r *http.Request) {
		msg, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxNote))
		if err != nil {
			log.Warn("witness: posted checkpoint refused", "from", r.RemoteAddr, "err", err)
			http.Error(rw, "a checkpoint is a signed note of at most 64 KiB", http.StatusRequestEntityTooLarge)
			return
		}
		co, err := w.Consider(r.Context(), msg)
		var a *Alert
		switch {
		case err == nil:
			rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
			rw.Write(co)
		case errors.Is(err, ErrUnsigned):
			log.Warn("witness: posted checkpoint refused", "from", r.RemoteAddr, "err", err)
			http.Error(rw, err.Error(), http.StatusBadRequest)
		case errors.As(err, &a):
			alert(a)
			http.Error(rw, err.Error(), http.StatusConflict)
		default:
			log.Error("witness: posted checkpoint not checked", "from", r.RemoteAddr, "err", err)
			http.Error(rw, "the checkpoint could not be checked now; try again", http.StatusServiceUnavailable)
		}
	})
	return mux
}

// Notify posts an alert to a webhook as JSON.
func Notify(ctx context.Context, url string, a *Alert) error {
	b, _ := json.Marshal(a)
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}
