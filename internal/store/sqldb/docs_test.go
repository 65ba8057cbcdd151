package sqldb

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/storetest"
)

// On SQLite a report's and a ruling's documents are stored packed, much
// smaller than their JSON, and read back the same; a document stored
// before packing (plain JSON) reads as it did; one that will not unpack is
// an error naming it, not a wrong answer.
func TestPackedDocs(t *testing.T) {
	s, w := openSQLitePools(t)
	ctx := context.Background()
	r := storetest.Report("p1", incident.Day(2017, 3, 1, time.UTC), "SY070000")
	r.Description = "Shelling reported near the market; three killed, according to local sources."
	res, err := s.ImportReports(ctx, []incident.Report{r}, store.Intake{})
	if err != nil {
		t.Fatal(err)
	}
	id := res[0].IncidentID
	before, err := s.Incident(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveRulings(ctx, []store.IncidentRuling{{IncidentID: id, Ruling: syntheticRuling(before.Incident)}}); err != nil {
		t.Fatal(err)
	}
	want, err := s.Incident(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"reports", "rulings"} {
		var stored []byte
		if err := w.QueryRow(`SELECT doc FROM ` + table).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		var doc any = want.Reports[0]
		if table == "rulings" {
			doc = want.Rulings[0]
		}
		plain, _ := json.Marshal(doc)
		if len(stored) == 0 || stored[0] != packedV1 || len(stored) > len(plain)*2/3 {
			t.Errorf("%s: stored %d bytes starting %q for %d of JSON: not packed", table, len(stored), stored[:min(len(stored), 1)], len(plain))
		}
	}

	// As stored before packing: the JSON itself.
	for _, table := range []string{"reports", "rulings"} {
		var stored []byte
		if err := w.QueryRow(`SELECT doc FROM ` + table).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		plain, err := s.docs.unpack(stored)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Exec(`UPDATE `+table+` SET doc = ?`, string(plain)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Incident(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read from plain JSON:\n got %+v\nwant %+v", got, want)
	}

	if _, err := w.Exec(`UPDATE rulings SET doc = ?`, []byte{packedV1, 0x28, 0xb5, 0x2f}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Incident(ctx, id); err == nil || !strings.Contains(err.Error(), "packed document") || !strings.Contains(err.Error(), fmt.Sprintf("incident %d ruling", id)) {
		t.Errorf("a ruling that will not unpack: %v", err)
	}
}

// A crafted packed document that claims to unpack to more than maxDoc is
// refused before anything is allocated for it: a few bytes in a database
// must not make a read ask for gigabytes (the length is read first).
func TestPackedBomb(t *testing.T) {
	c, err := newCodec(false)
	if err != nil {
		t.Fatal(err)
	}
	// An S2 block starts with its decoded length as a uvarint.
	b := binary.AppendUvarint([]byte{packedV1}, 1<<31)
	b = append(b, 0x00)
	if _, err := c.unpack(b); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("a document claiming 2 GiB: %v", err)
	}
}

// The staff's search finds a report by its description, which is now a
// column of its own (the document is packed).
func TestDescriptionColumn(t *testing.T) {
	s, w := openSQLitePools(t)
	ctx := context.Background()
	r := storetest.Report("d1", incident.Day(2017, 3, 1, time.UTC), "SY070000")
	r.Description = "Observers counted nine shells"
	if _, err := s.ImportReports(ctx, []incident.Report{r}, store.Intake{}); err != nil {
		t.Fatal(err)
	}
	var d string
	if err := w.QueryRow(`SELECT description FROM reports`).Scan(&d); err != nil || d != r.Description {
		t.Fatalf("description %q, %v", d, err)
	}
	// A new reading of the record replaces it.
	r.Description = "Observers counted eleven shells"
	r.Original += " (corrected)"
	if _, err := s.ImportReports(ctx, []incident.Report{r}, store.Intake{}); err != nil {
		t.Fatal(err)
	}
	list, _, err := s.Incidents(ctx, store.Filter{Text: "eleven shells"})
	if err != nil || len(list) != 1 {
		t.Errorf("search after the update: %d, %v", len(list), err)
	}
}

func FuzzUnpack(f *testing.F) {
	c, err := newCodec(true)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"source":"acled","description":"Shelling near the market"}`))
	f.Add([]byte{packedV1, 0x28, 0xb5, 0x2f, 0xfd})
	f.Fuzz(func(t *testing.T, b []byte) {
		// Packed and unpacked, any document is itself.
		if len(b) > 0 && b[0] != packedV1 {
			p := c.value(string(b)).([]byte)
			got, err := c.unpack(p)
			if err != nil || !bytes.Equal(got, b) {
				t.Fatalf("round trip: %q, %v", got, err)
			}
		}
		// Anything stored unpacks or fails: it never panics.
		c.unpack(b)
		c.unpack(append([]byte{packedV1}, b...))
	})
}

// One codec serves every connection of a store at once: documents packed
// and unpacked from many goroutines come back themselves (run under
// -race by .ci/run).
func TestCodecConcurrent(t *testing.T) {
	c, err := newCodec(true)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				doc := fmt.Sprintf(`{"source":"acled","source_id":"SYR%d","description":"Shelling near the market, %d killed"}`, g*1000+i, i)
				got, err := c.unpack(c.value(doc).([]byte))
				if err != nil || string(got) != doc {
					t.Errorf("%q: %q, %v", doc, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestUnpackInto: unpacking into one buffer over and over (as a
// verification does, for every report) gives each document whole, when
// the buffer is too small for it, when it is larger than it, and when
// the document is not packed (then it is the stored bytes themselves);
// and a document that will not unpack is an error, as with unpack.
func TestUnpackInto(t *testing.T) {
	c, err := newCodec(true)
	if err != nil {
		t.Fatal(err)
	}
	var buf []byte
	for _, n := range []int{10, 5000, 100, 20000, 0, 64, 20001} {
		doc := fmt.Sprintf(`{"n":%d,"text":%q}`, n, strings.Repeat("words of a report ", n/18+1)[:n])
		stored := c.value(doc).([]byte)
		if n == 0 {
			stored = []byte(doc) // as stored before documents were packed
		}
		got, err := c.unpackInto(buf, stored)
		if err != nil {
			t.Fatalf("%d: %v", n, err)
		}
		if string(got) != doc {
			t.Fatalf("%d: unpacked %d bytes, not the document of %d", n, len(got), len(doc))
		}
		if n == 0 {
			if &got[0] != &stored[0] {
				t.Errorf("a plain document: a copy, not the stored bytes")
			}
			continue
		}
		buf = got[:0]
	}
	bad := c.value(`{"n":1,"text":"cut short"}`).([]byte)
	if _, err := c.unpackInto(buf, bad[:len(bad)-3]); err == nil {
		t.Error("a document cut short unpacked")
	}
}
