package bulletin

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/ledger"
)

// Read finds a bulletin's data in a file as written: HTML, Markdown, PDF
// (an attached file) or its JSON.
func Read(file []byte) (*Bulletin, error) {
	var raw []byte
	switch {
	case bytes.HasPrefix(file, []byte("%PDF-")):
		var err error
		if raw, err = pdfAttachment(file, attachmentName); err != nil {
			return nil, err
		}
	case bytes.Contains(file, []byte(`<script type="application/json" id="truce-bulletin">`)):
		_, rest, _ := bytes.Cut(file, []byte(`<script type="application/json" id="truce-bulletin">`))
		raw, _, _ = bytes.Cut(rest, []byte("</script>"))
	case bytes.Contains(file, []byte("<!-- truce-bulletin\n")):
		_, rest, _ := bytes.Cut(file, []byte("<!-- truce-bulletin\n"))
		raw, _, _ = bytes.Cut(rest, []byte("\n-->"))
	case bytes.HasPrefix(bytes.TrimSpace(file), []byte("{")):
		raw = file
	default:
		return nil, errors.New("no bulletin data in the file: it is not a bulletin truce wrote (HTML, Markdown, PDF or JSON)")
	}
	var b Bulletin
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("the bulletin's data: %w", err)
	}
	if b.Format != Format {
		return nil, fmt.Errorf("the bulletin's format is %q; this truce reads %q", b.Format, Format)
	}
	b.D = &Data{}
	if err := json.Unmarshal(b.Data, b.D); err != nil {
		return nil, fmt.Errorf("the bulletin's figures: %w", err)
	}
	return &b, nil
}

// Difference is one thing a bulletin says that the database, computed
// again, does not.
type Difference struct {
	// Figure names what differs: a figure's id ("party/GOV"), "incident
	// 42", "notable", "log", "data".
	Figure string
	What   string
}

func (d Difference) String() string { return d.Figure + ": " + d.What }

// VerifyError is Verify's answer when anything differs.
type VerifyError struct{ Differences []Difference }

func (e *VerifyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the bulletin does not hold: %d difference(s)", len(e.Differences))
	for _, d := range e.Differences {
		b.WriteString("\n  " + d.String())
	}
	return b.String()
}

// Verify computes the bulletin again from the database at the size of the
// log it states (the incidents logged by then, their states from the
// events logged by then, their facts and stored rulings) for the edition
// it is, and returns a *VerifyError naming each figure that differs. It
// first checks that the data is the data the hash states, and that the
// log still has the tree the bulletin names (and, with known keys, that
// its checkpoint is signed by one of them).
func Verify(ctx context.Context, a *app.App, b *Bulletin, known note.Verifiers) error {
	var diffs []Difference
	diff := func(fig, format string, args ...any) {
		diffs = append(diffs, Difference{fig, fmt.Sprintf(format, args...)})
	}
	if h := hashOf(b.Data); h != b.DataHash {
		diff("data", "the data's SHA-256 is %s, the bulletin states %s: the file was altered", h, b.DataHash)
	}
	root, err := base64.StdEncoding.DecodeString(b.Log.Root)
	if err != nil || len(root) != 32 {
		return fmt.Errorf("the bulletin's log root %q is not a base64 SHA-256", b.Log.Root)
	}
	var at app.LogAt
	at.Size = b.Log.Size
	copy(at.Root[:], root)
	got, err := a.TreeHash(ctx, b.Log.Size)
	if err != nil {
		return fmt.Errorf("the log of this database cannot give the tree the bulletin was computed from: %w", err)
	}
	if got != at.Root {
		diff("log", "the tree of %d entries has root %s here, the bulletin %s: the log was rewritten, or this is another node's database",
			b.Log.Size, base64.StdEncoding.EncodeToString(got[:]), b.Log.Root)
	}
	if b.Log.Checkpoint != "" {
		cp, _, err := ledger.Unverified([]byte(b.Log.Checkpoint))
		switch {
		case err != nil:
			diff("log", "the checkpoint: %v", err)
		case cp.Size != b.Log.Size || cp.Root != at.Root:
			diff("log", "the checkpoint is of %d entries, root %s; the bulletin states %d, %s", cp.Size, base64.StdEncoding.EncodeToString(cp.Root[:]), b.Log.Size, b.Log.Root)
		}
		if known != nil {
			if _, _, err := ledger.Open([]byte(b.Log.Checkpoint), known); err != nil {
				diff("log", "the checkpoint's signature: %v", err)
			}
		}
		at.Checkpoint = []byte(b.Log.Checkpoint)
	}
	viewer, err := b.Edition.Viewer()
	if err != nil {
		return err
	}
	again, err := Compute(ctx, a, Request{Agreement: b.Agreement, Period: b.Period, Date: b.Date, Viewer: viewer}, at)
	if err != nil {
		return fmt.Errorf("computing the bulletin again: %w", err)
	}
	for _, c := range []struct{ what, was, now string }{
		{"from", b.From, again.From}, {"to", b.To, again.To}, {"timezone", b.TimeZone, again.TimeZone},
	} {
		if c.was != c.now {
			diff("period", "%s is %s in the bulletin, %s now", c.what, c.was, c.now)
		}
	}
	diffs = append(diffs, compare(b.D, again)...)
	if len(diffs) == 0 && again.DataHash != b.DataHash {
		diffs = append(diffs, Difference{"data", fmt.Sprintf("the data computed again hashes to %s, the bulletin's to %s", again.DataHash, b.DataHash)})
	}
	if len(diffs) > 0 {
		return &VerifyError{Differences: diffs}
	}
	return nil
}

// compare names every figure, incident and listed case that differs
// between a bulletin's data and the same computed again.
func compare(was *Data, now *Bulletin) []Difference {
	var out []Difference
	diff := func(fig, format string, args ...any) {
		out = append(out, Difference{fig, fmt.Sprintf(format, args...)})
	}
	d := now.D
	since := func(ids []int64) string {
		var notes []string
		for _, id := range ids {
			if l := now.later[id]; len(l) > 0 {
				notes = append(notes, fmt.Sprintf("incident %d has records logged since the checkpoint (log index %d)", id, slices.Min(l)))
			}
		}
		if len(notes) == 0 {
			return " — nothing of these incidents was logged since: the database was altered, or the rules changed (truce verify -deep tells which)"
		}
		return " — " + strings.Join(notes, "; ")
	}
	// Figures, by id.
	byID := func(fs []Figure) map[string]Figure {
		m := map[string]Figure{}
		for _, f := range fs {
			m[f.ID] = f
		}
		return m
	}
	w, n := byID(was.Figures), byID(d.Figures)
	ids := slices.Sorted(maps.Keys(w))
	for id := range n {
		if _, ok := w[id]; !ok {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		// A figure one side lacks counts nothing there.
		a, b := w[id], n[id]
		if a.Incidents == nil {
			a.Incidents = []int64{}
		}
		if b.Incidents == nil {
			b.Incidents = []int64{}
		}
		if a.N != b.N || !slices.Equal(a.Incidents, b.Incidents) {
			changed := symDiff(a.Incidents, b.Incidents)
			diff(id, "the bulletin counts %d (%s), the database now %d (%s)%s", a.N, list(a.Incidents), b.N, list(b.Incidents), since(changed))
		} else if a.Verified != b.Verified || a.UnderReview != b.UnderReview {
			diff(id, "the bulletin has %d verified and %d under review, the database now %d and %d%s", a.Verified, a.UnderReview, b.Verified, b.UnderReview, since(a.Incidents))
		}
		pa, pb := a.Prev, b.Prev
		if pa == nil {
			pa = &Prev{Incidents: []int64{}}
		}
		if pb == nil {
			pb = &Prev{Incidents: []int64{}}
		}
		if pa.N != pb.N || !slices.Equal(pa.Incidents, pb.Incidents) {
			diff(id, "in the previous period the bulletin counts %d (%s), the database now %d (%s)%s", pa.N, list(pa.Incidents), pb.N, list(pb.Incidents), since(symDiff(pa.Incidents, pb.Incidents)))
		}
	}
	// The incidents behind the figures, by digest.
	facts := func(fs []Fact) map[int64]Fact {
		m := map[int64]Fact{}
		for _, f := range fs {
			m[f.ID] = f
		}
		return m
	}
	fw, fn := facts(was.Incidents), facts(d.Incidents)
	for _, id := range slices.Sorted(maps.Keys(fw)) {
		a := fw[id]
		name := "incident " + strconv.FormatInt(id, 10)
		b, ok := fn[id]
		if !ok {
			diff(name, "behind the bulletin's figures, but not in them now%s", since([]int64{id}))
			continue
		}
		if a.Start != "" && a.digest() != a.Digest {
			diff(name, "its facts in the bulletin do not match their own digest: the file was altered")
		}
		if a.Digest != b.Digest || a.Where != b.Where {
			diff(name, "digest %s in the bulletin, %s now: %s%s", short(a.Digest), short(b.Digest), fieldDiff(a, b), since([]int64{id}))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(fn)) {
		if _, ok := fw[id]; !ok {
			diff("incident "+strconv.FormatInt(id, 10), "behind a figure now, not in the bulletin%s", since([]int64{id}))
		}
	}
	for _, c := range []struct {
		name     string
		was, now any
	}{
		{"notable", was.Notable, d.Notable}, {"disputed", was.Disputed, d.Disputed}, {"open_replies", was.OpenReplies, d.OpenReplies},
		{"versions", was.Versions, d.Versions}, {"zones", was.Zones, d.Zones}, {"days", was.Days, d.Days}, {"parties", was.Parties, d.Parties},
		{"sieges", was.Sieges, d.Sieges}, {"aid", was.Aid, d.Aid},
	} {
		x, _ := json.Marshal(c.was)
		y, _ := json.Marshal(c.now)
		if !bytes.Equal(x, y) {
			diff(c.name, "the bulletin lists %s, the database now %s", x, y)
		}
	}
	return out
}

// fieldDiff names the facts that differ between two versions of an
// incident.
func fieldDiff(a, b Fact) string {
	if a.Start == "" {
		return "the bulletin keeps only the digest of the previous period's incidents"
	}
	var x, y map[string]any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	json.Unmarshal(ja, &x)
	json.Unmarshal(jb, &y)
	var parts []string
	keys := slices.Sorted(maps.Keys(x))
	for k := range y {
		if _, ok := x[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		if k == "sha256" {
			continue
		}
		va, _ := json.Marshal(x[k])
		vb, _ := json.Marshal(y[k])
		if !bytes.Equal(va, vb) {
			parts = append(parts, fmt.Sprintf("%s %s → %s", k, va, vb))
		}
	}
	if len(parts) == 0 {
		return "the same facts"
	}
	return strings.Join(parts, ", ")
}

func list(ids []int64) string {
	if len(ids) == 0 {
		return "none"
	}
	var s []string
	for _, id := range ids {
		s = append(s, strconv.FormatInt(id, 10))
	}
	if len(s) > 12 {
		s = append(s[:12], "…")
	}
	return "incidents " + strings.Join(s, ", ")
}

func symDiff(a, b []int64) []int64 {
	var out []int64
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, x)
		}
	}
	return out
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
