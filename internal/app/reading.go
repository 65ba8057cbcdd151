package app

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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
	build, err := executableDigest()
	if err != nil {
		return ""
	}
	loc := opt.Location
	if loc == nil {
		if loc, err = a.Location(); err != nil {
			return ""
		}
	}
	h := sha256.New()
	fmt.Fprintf(h, "truce reading 1\nbuild %x\nformat %s\nzone %s\nno-read %t\nper-source %t\n", build, format, loc, opt.NoRead, opt.PerSource)
	for _, f := range a.ref.actorFiles {
		fmt.Fprintf(h, "actors %q %x\n", f.Name, sha256.Sum256(f.Source))
	}
	return hex.EncodeToString(h.Sum(nil))
}
