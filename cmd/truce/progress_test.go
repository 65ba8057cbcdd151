package main

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 14: the progress figure was the bytes a buffered reader had taken
// from the file, and read 100% with rows still to store. It now says what
// was read and what was stored, apart.
func TestImportProgressReadVersusStored(t *testing.T) {
	name := filepath.Join(t.TempDir(), "small.jsonl")
	var b strings.Builder
	for i := range 20 {
		fmt.Fprintf(&b, `{"row":%d}`+"\n", i)
	}
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	counter := &countingReader{r: f}
	p := newProgress(name, st.Size(), counter, slog.New(slog.DiscardHandler))
	var calls []status
	progressCallback := func(rows int) { // as the importer calls it after a stored batch
		p.update(rows)
		calls = append(calls, p.status(time.Now()))
	}
	br := bufio.NewReader(counter) // reads ahead: the whole small file at once
	for range 3 {
		if _, err := br.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}
	progressCallback(3)
	s := calls[0]
	if s.readFrac != 1 || s.stored != 3 {
		t.Fatalf("status %+v, want the file read and 3 rows stored", s)
	}
	line := s.line()
	for _, want := range []string{"read 100%", "stored 3 rows", "storing the last rows"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "ETA") {
		t.Errorf("progress line %q gives a reading ETA for a file already read", line)
	}
	// Half the file read: the line says read 50%, not done.
	p2 := newProgress(name, st.Size()*2, counter, slog.New(slog.DiscardHandler))
	p2.update(3)
	if l := p2.status(time.Now()).line(); !strings.Contains(l, "read  50%") || !strings.Contains(l, "stored 3 rows") {
		t.Errorf("half read: %q", l)
	}
}
