package telegram_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/importer/telegram"
	"github.com/truce-monitor/truce/internal/importer/text"
	"github.com/truce-monitor/truce/internal/incident"
)

var damascus = time.FixedZone("EET", 2*3600)

type row struct {
	rep   *incident.Report
	files []importer.File
}

func readAll(t *testing.T, rd *telegram.Reader) ([]row, []*importer.RowError) {
	t.Helper()
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

func TestChannelExport(t *testing.T) {
	f, err := os.Open("testdata/export/result.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := telegram.NewReader(f, "result.json", telegram.Config{Config: importer.Config{Location: damascus}, Folder: "testdata/export"})
	if err != nil {
		t.Fatal(err)
	}
	rows, errs := readAll(t, rd)
	if len(rows) != 2 || len(errs) != 1 {
		t.Fatalf("%d reports, errors %v", len(rows), errs)
	}
	if e := errs[0]; e.Row != 6 || e.Line != 87 || e.Column != "date_unixtime" || !strings.Contains(e.Original, "broken date") {
		t.Errorf("rejection %+v", e)
	}
	notes := strings.Join(rd.Notes(), "; ")
	if notes != "2 service messages (joins, pins, title changes) skipped; 1 messages without text skipped" {
		t.Errorf("notes %q", notes)
	}
	r, files := rows[0].rep, rows[0].files
	if r.Source != "telegram:Douma Media Centre" || r.SourceID != "2" || r.Kind != incident.FromNews || r.Outlet != "Douma Media Centre" || r.Reporter != nil || r.Act != act.Unknown {
		t.Errorf("report %+v", r)
	}
	if r.Description != "Artillery shelling on the market of Douma this morning, two civilians killed. Video: here" ||
		len(r.Citations) != 1 || r.Citations[0] != "https://example.org/v/123" {
		t.Errorf("description %q citations %q", r.Description, r.Citations)
	}
	if !r.ReportedAt.Equal(time.Unix(1483431300, 0)) || !r.Occurred.Start.Equal(incident.Day(2017, 1, 3, damascus).Start) {
		t.Errorf("reported %v occurred %v", r.ReportedAt, r.Occurred)
	}
	if len(r.Flags) != 1 || r.Flags[0] != telegram.PostedDay || !text.DateStandIn(r.Flags[0]) {
		t.Errorf("flags %q", r.Flags)
	}
	if !strings.HasPrefix(r.Original, "{\n   \"id\": 2,") || !strings.HasSuffix(r.Original, "}") || r.OriginalFormat != telegram.Format {
		t.Errorf("original %q", r.Original)
	}
	photo, _ := os.ReadFile("testdata/export/photos/photo_1@03-01-2017_10-15-00.jpg")
	if len(files) != 1 || files[0].Name != "photos/photo_1@03-01-2017_10-15-00.jpg" || !bytes.Equal(files[0].Data, photo) {
		t.Errorf("files %v", files)
	}
	ar := rows[1].rep
	if ar.SourceID != "4" || ar.Description != "قصف مدفعي على أطراف دوما الشرقية" {
		t.Errorf("arabic %+v", ar)
	}
	if strings.Join(ar.Flags, "|") != telegram.PostedDay+`|forwarded from "Ghouta Now": the words are not the sender's own|file (File not included. Change data exporting settings to download.) not kept: not in the export (File not included. Change data exporting settings to download.)` {
		t.Errorf("flags %q", ar.Flags)
	}
}

// A group's messages are its members' words: public reports, their
// author the reporter (sealed by the application).
func TestGroupExport(t *testing.T) {
	src := `{"name": "Madaya residents", "type": "private_supergroup", "id": 5, "messages": [
	{"id": 10, "type": "message", "date": "2017-01-06T20:00:00", "date_unixtime": "1483725600", "from": "Umm Ali", "from_id": "user4242", "text": "No bread for a week", "photo": "../../etc/passwd"}]}`
	rd, err := telegram.NewReader(strings.NewReader(src), "result.json", telegram.Config{Folder: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	rows, errs := readAll(t, rd)
	if len(rows) != 1 || len(errs) != 0 {
		t.Fatalf("%d reports, errors %v", len(rows), errs)
	}
	r := rows[0].rep
	if r.Kind != incident.FromPublic || r.Reporter == nil || r.Reporter.Name != "Umm Ali" || r.Reporter.Contact != "telegram:user4242" || r.Outlet != "" {
		t.Errorf("report %+v reporter %+v", r, r.Reporter)
	}
	if len(rows[0].files) != 0 || !strings.Contains(strings.Join(r.Flags, "|"), "photo ../../etc/passwd not kept: it lies outside the export's folder") {
		t.Errorf("files %v flags %q", rows[0].files, r.Flags)
	}
}

func TestWholeFileErrors(t *testing.T) {
	for src, want := range map[string]string{
		``:                                      "empty",
		`[1,2]`:                                 "not a Telegram export",
		`{"about": "x", "chats": {"list": []}}`: "whole account",
		`{"name": "x", "type": "public_channel"}`: "no messages",
		`{"messages": []}`:                        "before the chat's type",
	} {
		_, err := telegram.NewReader(strings.NewReader(src), "r.json", telegram.Config{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", src, err, want)
		}
	}
	// A message that is not JSON stops the file, naming the message.
	rd, err := telegram.NewReader(strings.NewReader(`{"name": "x", "type": "public_channel", "messages": [{"id": 1, "type": "message", "text": "a", "date_unixtime": "1483725600"}, {"id": 2,`), "r.json", telegram.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if r, ok, err := rd.Next(); err != nil || !ok || r.Report == nil {
		t.Fatalf("first message: %v %v %+v", ok, err, r.Err)
	}
	if _, _, err := rd.Next(); err == nil || !strings.Contains(err.Error(), "message 2") {
		t.Errorf("broken second message: %v", err)
	}
}
