package ledger

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is the tree at one size: what a node signs and witnesses
// cosign.
type Checkpoint struct {
	// Origin names the log; it is the first line of the checkpoint and,
	// by convention, the name of the node's key.
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Text is the checkpoint body in the C2SP tlog-checkpoint layout.
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// ParseCheckpoint reads a checkpoint body.
func ParseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return Checkpoint{}, fmt.Errorf("checkpoint: want origin, size and root hash lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return Checkpoint{}, fmt.Errorf("checkpoint: size %q is not a count", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("checkpoint: root hash %q is not a base64 SHA-256", lines[2])
	}
	c := Checkpoint{Origin: lines[0], Size: size}
	copy(c.Root[:], root)
	return c, nil
}

// Sign signs a checkpoint as a note.
func Sign(c Checkpoint, signer note.Signer) ([]byte, error) {
	return note.Sign(&note.Note{Text: c.Text()}, signer)
}

// Open checks a signed checkpoint against the verifiers known to the
// caller and returns it with the note (whose Sigs say who signed).
func Open(msg []byte, known note.Verifiers) (Checkpoint, *note.Note, error) {
	n, err := note.Open(msg, known)
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("checkpoint: %w", err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	return c, n, nil
}

// GenerateKey makes a new Ed25519 signing key named name, returning the
// private key (to keep secret) and the public verifier key (to publish),
// both in the note format.
func GenerateKey(name string) (skey, vkey string, err error) {
	return note.GenerateKey(rand.Reader, name)
}

// Cosign adds signer's signature to a signed note that already verifies
// against known: how a witness endorses a checkpoint it has checked.
func Cosign(msg []byte, known note.Verifiers, signer note.Signer) ([]byte, error) {
	n, err := note.Open(msg, known)
	if err != nil {
		return nil, err
	}
	out, err := note.Sign(n, signer)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(out), nil
}

// Unverified reads the checkpoint a signed note holds, and the names on
// its signature lines, without checking any signature: for showing a
// checkpoint, or finding its size, never for trusting it (Open).
func Unverified(msg []byte) (Checkpoint, []string, error) {
	text, sigs, _ := strings.Cut(string(msg), "\n\n")
	c, err := ParseCheckpoint(text + "\n")
	if err != nil {
		return c, nil, err
	}
	var signers []string
	for _, line := range strings.Split(sigs, "\n") {
		// A signature line is "— NAME BASE64" (an em dash, as in note).
		if rest, ok := strings.CutPrefix(line, "\u2014 "); ok {
			if name, _, ok := strings.Cut(rest, " "); ok {
				signers = append(signers, name)
			}
		}
	}
	return c, signers, nil
}
