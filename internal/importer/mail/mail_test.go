package mail_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/importer/mail"
	"github.com/truce-monitor/truce/internal/importer/text"
	"github.com/truce-monitor/truce/internal/incident"
)

var damascus = time.FixedZone("EET", 2*3600)

type row struct {
	rep   *incident.Report
	files []importer.File
}

func read(t *testing.T, file string, cfg mail.Config) ([]row, []*importer.RowError) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := mail.NewReader(bytes.NewReader(data), file, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var rows []row
	var errs []*importer.RowError
	for {
		r, ok, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return rows, errs
		}
		if r.Err != nil {
			errs = append(errs, r.Err)
		} else if r.Report != nil {
			importertest.CheckReport(t, r.Report)
			rows = append(rows, row{r.Report, r.Files})
		}
	}
}

func cfg() mail.Config { return mail.Config{Config: importer.Config{Location: damascus}} }

func TestAttachment(t *testing.T) {
	rows, errs := read(t, "attachment.eml", cfg())
	if len(rows) != 1 || len(errs) != 0 {
		t.Fatalf("%d reports, errors %v", len(rows), errs)
	}
	r, files := rows[0].rep, rows[0].files
	if r.Source != "mail" || r.SourceID != "20170103101500.4242@mail.example.org" || r.Kind != incident.FromPublic || r.Act != act.Unknown {
		t.Errorf("source %q id %q kind %s act %s", r.Source, r.SourceID, r.Kind, r.Act)
	}
	if r.Reporter == nil || r.Reporter.Name != "Abu Khaled" || r.Reporter.Contact != "witness.duma@example.org" {
		t.Errorf("reporter %+v", r.Reporter)
	}
	if !r.ReportedAt.Equal(time.Date(2017, 1, 3, 8, 15, 0, 0, time.UTC)) || !r.Occurred.Start.Equal(incident.Day(2017, 1, 3, damascus).Start) {
		t.Errorf("reported %v occurred %v", r.ReportedAt, r.Occurred)
	}
	if len(r.Flags) == 0 || r.Flags[0] != mail.SentDay || !text.DateStandIn(r.Flags[0]) {
		t.Errorf("flags %q", r.Flags)
	}
	want := "Shelling on the market in Douma\n\nThis morning at 9 o'clock four shells fell on the market in Douma. Two people were killed.\n" +
		"The photo is attached. Write to me at [sender] if you need more.\n\n— [sender]"
	if r.Description != want {
		t.Errorf("description:\n%q\nwant\n%q", r.Description, want)
	}
	data, _ := os.ReadFile("testdata/attachment.eml")
	if r.Original != string(data) || r.OriginalFormat != mail.Format {
		t.Errorf("original not the message verbatim (format %q)", r.OriginalFormat)
	}
	png, _ := os.ReadFile("testdata/photo.png")
	if len(files) != 2 || files[0].Name != "market.png" || !bytes.Equal(files[0].Data, png) || files[1].Name != "names.txt" || string(files[1].Data) != "names of the wounded: see the list\n" {
		t.Errorf("files %+v", files)
	}
}

// An Arabic message in windows-1256, 8-bit: its subject (an encoded word)
// and its body are read in their charset; the message, not UTF-8, is kept
// as base64, byte for byte.
func TestArabicWindows1256(t *testing.T) {
	rows, errs := read(t, "arabic-1256.eml", cfg())
	if len(rows) != 1 || len(errs) != 0 {
		t.Fatalf("%d reports, errors %v", len(rows), errs)
	}
	r := rows[0].rep
	if r.Description != "قصف على دوما\n\nسقطت قذائف على حي الشيفونية في دوما صباح اليوم.\nقتل طفلان." {
		t.Errorf("description %q", r.Description)
	}
	if r.Reporter == nil || r.Reporter.Name != "أحمد" || r.Reporter.Contact != "ahmad@example.net" || r.Language != "ar" {
		t.Errorf("reporter %+v language %q", r.Reporter, r.Language)
	}
	data, _ := os.ReadFile("testdata/arabic-1256.eml")
	got, err := base64.StdEncoding.DecodeString(r.Original)
	if err != nil || !bytes.Equal(got, data) || r.OriginalFormat != mail.Format+"; truce-encoding=base64" {
		t.Errorf("original not kept byte for byte: %v %q", err, r.OriginalFormat)
	}
	if len(rows[0].files) != 0 {
		t.Errorf("files %v", rows[0].files)
	}
}

// A mailbox of three messages, the second malformed: the other two are
// read, the second is rejected with its number and line, and a ">From "
// line is read back as "From ".
func TestMbox(t *testing.T) {
	c := cfg()
	c.Kind = incident.FromMonitor
	rows, errs := read(t, "three.mbox", c)
	if len(rows) != 2 || len(errs) != 1 {
		t.Fatalf("%d reports, errors %v", len(rows), errs)
	}
	if e := errs[0]; e.Row != 2 || e.Line != 12 || !strings.Contains(e.Reason, "not an e-mail message") || e.Original != "" {
		t.Errorf("rejection %+v", e)
	}
	if !strings.HasPrefix(errs[0].Error(), "three.mbox row 2 (line 12): ") {
		t.Errorf("message %q", errs[0].Error())
	}
	a, b := rows[0].rep, rows[1].rep
	if a.SourceID != "m1@example.org" || a.Kind != incident.FromMonitor || !strings.Contains(a.Description, "\nFrom the hills, mortar fire was seen.") {
		t.Errorf("first: %q %s %q", a.SourceID, a.Kind, a.Description)
	}
	if strings.HasSuffix(a.Original, "\n\n") || !strings.HasPrefix(a.Original, "Message-ID: <m1@example.org>\n") {
		t.Errorf("first original %q", a.Original)
	}
	if b.SourceID != "m3@example.org" || b.Description != "Aid convoy stopped\n\nThe convoy to Madaya was stopped at the checkpoint.\n\n>From what we saw, no trucks passed." {
		t.Errorf("third: %q %q", b.SourceID, b.Description)
	}
	if b.Reporter == nil || b.Reporter.Name != "monitor2@example.org" || b.Reporter.Contact != "monitor2@example.org" {
		t.Errorf("third reporter %+v", b.Reporter)
	}
}

func TestKinds(t *testing.T) {
	for _, tt := range []struct {
		kind  incident.SourceKind
		party string
		ok    bool
	}{{"", "", true}, {"monitor", "", true}, {"party", "GOV", true}, {"party", "", false}, {"public", "GOV", false}, {"news", "", false}} {
		_, err := mail.NewReader(strings.NewReader(""), "m.eml", mail.Config{Kind: tt.kind, Party: tt.party})
		if (err == nil) != tt.ok {
			t.Errorf("kind %q party %q: %v", tt.kind, tt.party, err)
		}
	}
	c := cfg()
	c.Kind, c.Party = incident.FromParty, "GOV"
	rows, _ := read(t, "attachment.eml", c)
	if r := rows[0].rep; r.Kind != incident.FromParty || r.Party != "GOV" {
		t.Errorf("kind %s party %q", r.Kind, r.Party)
	}
}

func TestRejections(t *testing.T) {
	for _, tt := range []struct{ msg, column, reason string }{
		{"From: a@b.c\nSubject: x\n\nbody", "Date", "missing"},
		{"From: a@b.c\nDate: yesterday\n\nbody", "Date", "not a date"},
		{"Date: Mon, 09 Jan 2017 10:00:00 +0200\nContent-Type: multipart/mixed\n\nbody", "", "no boundary"},
		{"Date: Mon, 09 Jan 2099 10:00:00 +0200\n\nbody", "occurred.start", "future"},
	} {
		sum := importertest.Run(t, "m.eml", must(mail.NewReader(strings.NewReader(tt.msg), "m.eml", mail.Config{})))
		if sum.Rejected != 1 || sum.Errors[0].Column != tt.column || !strings.Contains(sum.Errors[0].Reason, tt.reason) {
			t.Errorf("%q: %+v", tt.msg, sum.Errors)
		}
	}
	// A message without a Message-ID is known by its hash; one without a
	// sender has no reporter.
	rd := must(mail.NewReader(strings.NewReader("Date: Mon, 09 Jan 2017 10:00:00 +0200\n\nwords\n"), "m.eml", mail.Config{}))
	r, _, _ := rd.Next()
	if r.Report == nil || !strings.HasPrefix(r.Report.SourceID, "sha256:") || r.Report.Reporter != nil || r.Report.Description != "words" {
		t.Errorf("%+v %+v", r.Report, r.Err)
	}
	// An empty file is a fault of the file.
	if _, _, err := must(mail.NewReader(strings.NewReader(" \n"), "m.eml", mail.Config{})).Next(); err == nil {
		t.Error("empty file: no error")
	}
}

func must(r *mail.Reader, err error) *mail.Reader {
	if err != nil {
		panic(err)
	}
	return r
}
