package mail_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/truce-monitor/truce/internal/evidence"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/importer/mail"
)

// FuzzMail: no message or mailbox makes the reader panic or store a
// report the store cannot take, and no attachment handed on is empty or
// larger than evidence takes.
func FuzzMail(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("Date: Mon, 09 Jan 2017 10:00:00 +0200\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Transfer-Encoding: base64\nContent-Type: image/png\n\n iVBO Rw0K\n--x--\n"))
	f.Add([]byte("From x\nFrom y\n>From z\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := mail.NewReader(bytes.NewReader(data), "f.mbox", mail.Config{})
		if err != nil {
			t.Fatal(err)
		}
		importertest.Run(t, "f.mbox", filesChecked{t, rd})
	})
}

// filesChecked fails the test on a file no evidence store would take for
// its size.
type filesChecked struct {
	t  *testing.T
	rd *mail.Reader
}

func (f filesChecked) Next() (importer.Row, bool, error) {
	row, ok, err := f.rd.Next()
	for _, file := range row.Files {
		if len(file.Data) == 0 || len(file.Data) > evidence.MaxSize || file.Name == "" {
			f.t.Errorf("file %q of %d bytes handed on", file.Name, len(file.Data))
		}
	}
	return row, ok, err
}
