package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// cpuProfile starts writing a CPU profile to file (none when file is
// empty) and returns what stops it: the import, rule, verify and serve commands
// take -cpuprofile, so that where their time goes can be seen on the
// operator's own data (go tool pprof FILE).
func cpuProfile(file string) (stop func(), err error) {
	if file == "" {
		return func() {}, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
