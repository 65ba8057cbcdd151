package app

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/evidence"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/sealed"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// dataKeyPath is where the key sealing identities lives: $TRUCE_DATA_KEY,
// else beside a SQLite file. A PostgreSQL node must name one, so that the
// key is never in the database it protects.
func (a *App) dataKeyPath() string {
	if p := a.cfg.DataKey; p != "" {
		return p
	}
	if p := os.Getenv("TRUCE_DATA_KEY"); p != "" {
		return p
	}
	if !IsPostgres(a.cfg.DB) {
		return a.cfg.DB + ".key"
	}
	return ""
}

// box opens (making it on first use) the data key.
func (a *App) box() (*sealed.Box, error) {
	a.boxOnce.Do(func() {
		p := a.dataKeyPath()
		if p == "" {
			a.boxErr = fmt.Errorf("no data key: set TRUCE_DATA_KEY to a key file kept apart from the database")
			return
		}
		a.sealBox, a.boxErr = sealed.LoadOrCreate(p)
	})
	return a.sealBox, a.boxErr
}

type identities struct {
	Reporter  *incident.Person  `json:"reporter,omitempty"`
	Witnesses []incident.Person `json:"witnesses,omitempty"`
}

// seal moves a report's reporter and witnesses into its sealed field.
func (a *App) seal(r *incident.Report) error {
	if r.Reporter == nil && len(r.Witnesses) == 0 {
		return nil
	}
	b, err := a.box()
	if err != nil {
		return fmt.Errorf("report %s/%s names people to protect, but %w", r.Source, r.SourceID, err)
	}
	plain, _ := json.Marshal(identities{r.Reporter, r.Witnesses})
	key := r.Source + "/" + r.SourceID
	r.Sealed, r.Reporter, r.Witnesses = b.Seal(key+" identities", plain), nil, nil
	// The original record names them too: it is kept whole, sealed.
	if r.Original != "" {
		r.Original, r.OriginalFormat = b.Seal(key+" original", []byte(r.Original)), r.OriginalFormat+"; sealed"
	}
	return nil
}

// SeesIdentities reports whether a user may read reporters' and
// witnesses' identities: the Joint Group's staff, not monitors, parties
// or the public.
func SeesIdentities(u *workflow.User) bool {
	return u != nil && (u.Role == workflow.Admin || u.Role == workflow.Reviewer || u.Role == workflow.GuarantorMember)
}

// unseal opens the identities of a case's reports for u, and removes the
// sealed text for everyone.
func (a *App) unseal(u *workflow.User, reports []incident.Report) {
	for i := range reports {
		r := &reports[i]
		s := r.Sealed
		r.Sealed = ""
		if s == "" || !SeesIdentities(u) {
			continue
		}
		b, err := a.box()
		if err != nil {
			a.Log.Error("open identities", "report", r.ID, "err", err)
			continue
		}
		plain, err := b.Open(r.Source+"/"+r.SourceID+" identities", s)
		var id identities
		if err == nil {
			err = json.Unmarshal(plain, &id)
		}
		if err != nil {
			a.Log.Error("open identities", "report", r.ID, "err", err)
			continue
		}
		r.Reporter, r.Witnesses = id.Reporter, id.Witnesses
	}
}

// sealing seals the reports of a bulk source as they are read, and brings
// the evidence files they refer to from the import's evidence folder.
type sealing struct {
	importer.Source
	a        *App
	ctx      context.Context
	evidence string         // folder of files by SHA-256, or ""
	count    *EvidenceCount // may be nil
}

func (s sealing) Next() (importer.Row, bool, error) {
	row, ok, err := s.Source.Next()
	if row.Report != nil {
		if serr := s.a.seal(row.Report); serr != nil {
			return row, ok, serr
		}
		if eerr := s.bringEvidence(row.Report); eerr != nil {
			return row, ok, eerr
		}
		// The files the record carries (an e-mail's attachments, a
		// channel post's photos) are stored as evidence, received by the
		// import through the channel the report's source names, and the
		// report refers to them; a file evidence does not take (its type,
		// its size) is named in the report's flags, and the report kept.
		// A report the import will refuse keeps no file.
		if len(row.Files) > 0 && importer.Check(row.Report, time.Now()) == nil {
			via, _, _ := strings.Cut(row.Report.Source, ":")
			for _, f := range row.Files {
				sha, _, ferr := s.a.AddEvidence(s.ctx, f.Data, "import", via, f.Name)
				switch {
				case errors.Is(ferr, ErrEvidence):
					why := strings.TrimPrefix(ferr.Error(), ErrEvidence.Error()+": ")
					row.Report.Flags = append(row.Report.Flags, fmt.Sprintf("attachment %s not kept: %s", f.Name, why))
				case ferr != nil:
					return row, ok, fmt.Errorf("evidence %s: %w", f.Name, ferr)
				case !slices.Contains(row.Report.Evidence, sha):
					row.Report.Evidence = append(row.Report.Evidence, sha)
				}
			}
		}
	}
	row.Files = nil
	return row, ok, err
}

// Notes passes on what the wrapped source noted about its file (unknown
// columns, a missing id column), which embedding the interface would hide.
func (s sealing) Notes() []string { return importer.NotesOf(s.Source) }

// bringEvidence makes sure the node holds each file a report refers to:
// from the evidence folder when it is there, checked against its digest;
// a file found nowhere is named in the report's flags and counted, so
// that the report is kept and the gap is said.
func (s sealing) bringEvidence(r *incident.Report) error {
	for _, sha := range r.Evidence {
		_, err := s.a.store.EvidenceInfo(s.ctx, sha)
		if err == nil {
			continue
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var data []byte
		if s.evidence != "" && validSHA(sha) {
			data, err = os.ReadFile(filepath.Join(s.evidence, sha))
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("evidence %s: %w", sha, err)
			}
		}
		if data == nil {
			r.Flags = append(r.Flags, "evidence not held: "+sha)
			if s.count != nil {
				s.count.Missing = append(s.count.Missing, sha)
			}
			continue
		}
		got, _, err := s.a.AddEvidence(s.ctx, data, "import", "import", filepath.Base(s.evidence)+"/"+sha)
		if err != nil {
			return fmt.Errorf("evidence %s: %w", sha, err)
		}
		if got != sha {
			return fmt.Errorf("evidence %s: the file in %s has SHA-256 %s: not the file the report refers to", sha, s.evidence, got)
		}
		if s.count != nil {
			s.count.Brought++
		}
	}
	return nil
}

// validSHA reports whether s is a hex SHA-256, safe as a file name.
func validSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// ErrEvidence is a refused evidence file; the message says why.
var ErrEvidence = errors.New("evidence refused")

// AddEvidence checks a file by its content (type, size), reads its
// capture metadata and stores it once by its SHA-256, recording who sent
// it, how and under what name in its chain of custody.
func (a *App) AddEvidence(ctx context.Context, data []byte, by, via, name string) (string, evidence.Meta, error) {
	m := evidence.Inspect(data)
	switch {
	case len(data) == 0:
		return "", m, fmt.Errorf("%w: %s is empty", ErrEvidence, name)
	case len(data) > evidence.MaxSize:
		return "", m, fmt.Errorf("%w: %s is larger than %d MiB", ErrEvidence, name, evidence.MaxSize>>20)
	case !evidence.Accepted(m.MediaType):
		return "", m, fmt.Errorf("%w: %s is %s, which is not taken as evidence (photos, videos, PDF or audio)", ErrEvidence, name, m.MediaType)
	}
	sha, err := a.store.PutEvidence(ctx, data, store.Receipt{MediaType: m.MediaType, By: by, Via: via, FileName: name, Meta: m})
	return sha, m, err
}
