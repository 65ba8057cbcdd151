package app

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
)

// executableDigest is the SHA-256 of the running executable, which both
// a ruling's key (rulingKeys) and an import's reading fingerprint
// (reading) start from: the engine, the readers, the gazetteer and the
// boundaries are compiled in, so a build that may rule or read a record
// differently has another digest, while a rebuild of the same source does
// not (Go builds reproducibly). It is a property of the process that never
// changes while it runs, computed once on first use (hashing some 50 MB
// takes tens of milliseconds, which a command that rules nothing must not
// pay). On Linux the image is read through /proc/self/exe, which stays
// the running file even when an upgrade has replaced the one at its path
// meanwhile.
var executableDigest = sync.OnceValues(func() ([]byte, error) {
	var f *os.File
	var err error
	if runtime.GOOS == "linux" {
		f, err = os.Open("/proc/self/exe")
	}
	if f == nil {
		var name string
		if name, err = os.Executable(); err == nil {
			f, err = os.Open(name)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("hash the executable: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("hash the executable: %w", err)
	}
	return h.Sum(nil), nil
})
