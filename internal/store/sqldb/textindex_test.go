package sqldb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/storetest"
	"github.com/truce-monitor/truce/internal/workflow"
)

// TestTextIndexChangesNothing: a text search asks the trigram indexes
// (migration 0024, on each engine) which incidents to test, and finds
// exactly what it finds testing every incident, for the staff and the
// public, in the users' five languages and with the characters a LIKE
// pattern, pg_trgm or an FTS5 query treats specially, after a report
// was revised and another moved by a merge.
func TestTextIndexChangesNothing(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		s, _ := openSQLitePools(t)
		textIndexChangesNothing(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		textIndexChangesNothing(t, openPostgres(t))
	})
}

func textIndexChangesNothing(t *testing.T, s *Store) {
	if !s.textIndexes {
		t.Fatal("the store has no trigram indexes")
	}
	ctx := context.Background()
	texts := []string{
		"Shelling of the market in Douma; 4 killed",
		"قصف مدفعي على سوق دوما وسقوط قتلى",
		"Обстрел рынка в Думе, погибли 4 человека",
		"İdlib'de pazar yerine top atışı: 4 ölü",
		"گلوله باران بازار دوما، چهار کشته",
		`A "quoted" 50% discount_code with a back\slash`,
		"Airstrike near Ma'arat al-Nu'man\nsecond line",
		"DEIR EZ-ZOR: clashes between SDF and ISIS",
	}
	names := []string{"Duma", "دوما", "Дума", "İdlib", "Maarrat al-Numan", "Deir ez-Zor", "Raqqa", "Манбидж"}
	var reports []incident.Report
	for i := range 40 {
		r := storetest.Report(fmt.Sprint("t", i), incident.Day(2017, time.Month(1+i%12), 1+i%28, time.UTC), "SY070000")
		r.Description = texts[i%len(texts)] + fmt.Sprint(" #", i)
		r.Place.Name = names[i%len(names)]
		r.Place.Lat += float64(i) // each its own incident
		if i%3 == 0 {
			r.Kind = incident.FromMonitor // a protected title
		}
		reports = append(reports, r)
	}
	// A monitor's long words: its incident's title, protected, ends
	// with "..." where the words go on, so that only the title holds
	// the text around the cut.
	long := storetest.Report("long", incident.Day(2018, 1, 1, time.UTC), "SY070000")
	long.Kind, long.Place.Lat = incident.FromMonitor, 1
	long.Description = strings.Repeat("Witness account of the checkpoint at Kafr Batna. ", 5)
	reports = append(reports, long)
	res, err := s.ImportReports(ctx, reports, store.Intake{})
	if err != nil {
		t.Fatal(err)
	}
	// A revised description, and a report moved into another incident.
	revised := reports[1]
	revised.Description = "Revised: the ЗАВОД was hit twice"
	if _, err := s.ImportReports(ctx, []incident.Report{revised}, store.Intake{}); err != nil {
		t.Fatal(err)
	}
	merge := workflow.Event{Seq: 1, Action: workflow.Merge, By: "rev", Role: workflow.Reviewer, At: time.Now().UTC(), State: incident.Reported}
	if _, err := s.MoveReports(ctx, store.Move{From: res[2].IncidentID, To: res[3].IncidentID, Reports: []int64{res[2].ReportID},
		By: merge, FromStatus: store.Status{State: incident.Reported}}, nil); err != nil {
		t.Fatal(err)
	}

	queries := []string{"douma", "DOUMA", "Dou", "سوق", "дум", "ДУМЕ", "İdlib", "idlib", "i̇dlib", "pazar", "گلوله",
		`"quoted"`, `"`, "50%", "%", "_code", `back\slash`, "ma'arat", "line\nsecond", "завод", "revised: the", "zor", "ez-zor",
		"nothing like this", "qqa", "ab", "a", "#1", " #2", "shelling of the market in douma; 4 killed #8", "kafr batna", "Witness ac...", "ac...", "a..."}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 60 {
		r := []rune(texts[rng.IntN(len(texts))])
		i := rng.IntN(len(r) - 3)
		q := string(r[i : i+3+rng.IntN(min(10, len(r)-i-3)+1)])
		if rng.IntN(2) == 0 {
			q = strings.ToUpper(q)
		}
		queries = append(queries, q)
	}
	found, indexed := 0, 0
	for _, q := range queries {
		for _, vis := range []*store.Visibility{nil, {}} {
			f := store.Filter{Text: q, Visible: vis}
			s.noTextIndex = false
			if m, err := s.textIndex(ctx, f); err != nil {
				t.Fatal(err)
			} else if m != "" {
				indexed++
			}
			with := ids(t, s, f)
			s.noTextIndex = true
			without := ids(t, s, f)
			if !slices.Equal(with, without) {
				t.Errorf("search %q (public %v): with the index %v, without %v", q, vis != nil, with, without)
			}
			found += len(without)
		}
	}
	s.noTextIndex = false
	if found < len(queries) || indexed < len(queries) {
		t.Fatalf("the searches found %d incidents in all, %d of %d asked the indexes: the test shows little", found, indexed, 2*len(queries))
	}
}

func ids(t *testing.T, s *Store, f store.Filter) []int64 {
	t.Helper()
	list, total, err := s.Incidents(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, in := range list {
		out = append(out, in.ID)
	}
	slices.Sort(out)
	if total != len(out) {
		t.Fatalf("search %q: total %d, listed %d", f.Text, total, len(out))
	}
	return out
}

// TestPostgresTextIndexesRebuilt: a database migrated where pg_trgm could
// not be had has no trigram indexes; the next start builds them once the
// extension can be had (here: dropped, as if never made, and the
// extension made again in a schema off the search path, where an
// operator may have put it).
func TestPostgresTextIndexesRebuilt(t *testing.T) {
	s := openPostgres(t)
	ctx := context.Background()
	if _, err := s.w.ExecContext(ctx, `DROP INDEX incidents_text, incidents_protected_text, reports_text;
		DROP EXTENSION pg_trgm; CREATE SCHEMA "Trigram ops"; CREATE EXTENSION pg_trgm SCHEMA "Trigram ops"`); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.pgTextIndexes(ctx); err != nil || !ok {
		t.Fatalf("after a start: indexes %v, %v", ok, err)
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM pg_indexes WHERE indexname IN ('incidents_text', 'incidents_protected_text', 'reports_text')`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d of the 3 indexes, %v", n, err)
	}
}
