package app

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sync"
)

// reading fingerprints how an import of format reads its records
// (store.Intake.Reading): the build of truce, the actor registry's files,
// the time zone and the options that change what a record becomes. A
// record stored with the same original and format is skipped by a daily
// sync only when it was read with this fingerprint: after an upgrade, a
// new actors file or another zone every record is read once again, and
// what it now says is stored. Only the dataset formats skip records
// (acled, ucdp); the others get "" (nothing to compare), as does an
// import when the executable cannot be read (every record is read).
func (a *App) reading(format string, opt ImportOptions) string {
	if format != "acled" && format != "ucdp" {
		return ""
	}
	build := executableDigest()
	if build == "" {
		return ""
	}
	loc := opt.Location
	if loc == nil {
		var err error
		if loc, err = a.Location(); err != nil {
			return ""
		}
	}
	h := sha256.New()
	fmt.Fprintf(h, "truce reading 1\nbuild %s\nformat %s\nzone %s\nno-read %t\nper-source %t\n", build, format, loc, opt.NoRead, opt.PerSource)
	for _, f := range a.ref.actorFiles {
		fmt.Fprintf(h, "actors %q %x\n", f.Name, sha256.Sum256(f.Source))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// executableDigest is the SHA-256 of the running executable, or "" if it
// cannot be read. The readers, the gazetteer and the boundaries are
// compiled in, so a build that may read a record differently has another
// digest; a rebuild of the same source does not (Go builds reproducibly).
// It is a constant of the process, computed once.
var executableDigest = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
})
