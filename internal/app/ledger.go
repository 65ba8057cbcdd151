package app

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
)

// LogStore is a store with the tamper-evident log (both engines).
type LogStore interface {
	ledger.Source
	tlog.HashReader
	PutCheckpoint(ctx context.Context, size int64, signed []byte) error
}

func (a *App) logStore() (LogStore, error) {
	ls, ok := a.Store.(LogStore)
	if !ok {
		return nil, fmt.Errorf("the %T store keeps no log", a.Store)
	}
	return ls, nil
}

// ReadSigner reads a node's private key file (made by "truce key
// generate").
func ReadSigner(file string) (note.Signer, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	s, err := note.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("log key %s: %w", file, err)
	}
	return s, nil
}

// ReadVerifiers reads public keys, one per line, from files.
func ReadVerifiers(files ...string) (note.Verifiers, error) {
	var vs []note.Verifier
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			v, err := note.NewVerifier(strings.TrimSpace(line))
			if err != nil {
				return nil, fmt.Errorf("public key %s: %w", f, err)
			}
			vs = append(vs, v)
		}
	}
	return note.VerifierList(vs...), nil
}

// Checkpoint signs the log as it stands now and stores the checkpoint.
func (a *App) Checkpoint(ctx context.Context, signer note.Signer) ([]byte, error) {
	ls, err := a.logStore()
	if err != nil {
		return nil, err
	}
	n, err := ls.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	root, err := tlog.TreeHash(n, ls)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	msg, err := ledger.Sign(ledger.Checkpoint{Origin: signer.Name(), Size: n, Root: root}, signer)
	if err != nil {
		return nil, err
	}
	if err := ls.PutCheckpoint(ctx, n, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

// Verify checks the whole store against its log and checkpoints.
func (a *App) Verify(ctx context.Context, known note.Verifiers) (*ledger.Result, error) {
	ls, err := a.logStore()
	if err != nil {
		return nil, err
	}
	return ledger.Verify(ctx, ls, known)
}

// SignCheckpoints signs a checkpoint now and then every interval while the
// log grows, until ctx ends: a node publishes its tree this way.
func (a *App) SignCheckpoints(ctx context.Context, signer note.Signer, interval time.Duration) {
	last := int64(-1)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		ls, err := a.logStore()
		if err != nil {
			a.Log.Error("checkpoints", "err", err)
			return
		}
		if n, err := ls.LogSize(ctx); err == nil && n != last {
			if _, err := a.Checkpoint(ctx, signer); err != nil {
				a.Log.Error("sign checkpoint", "err", err)
			} else {
				last = n
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
