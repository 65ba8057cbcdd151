package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store/sqldb"
)

// ruleAgreement is a test agreement over the demo's UCDP events: version 1
// prohibits the acts of war everywhere; version 2, when given, from
// 1 February 2017, prohibits only sieges, so that the rulings of the
// incidents from then change.
func ruleAgreement(withV2 bool) string {
	src := `id: test-ceasefire
title: Test ceasefire
timezone: Asia/Damascus
versions:
  - version: 1
    label: First
    effective_from: 2016-12-30T00:00:00+02:00
    parties:
      - {id: GOV, name: Government, actors: [government-of-syria, syrian-or-russian-forces, pro-government-militia]}
      - {id: OPP, name: Opposition, actors: [syrian-insurgents, free-syrian-army, ahrar-al-sham, jaysh-al-islam]}
    guarantors:
      - {id: RU, name: Russia, answers_for: [GOV]}
    clauses:
      - {id: C1, title: No hostilities, reference: art. 1, prohibits: [airstrike, shelling, ground_assault, armed_clash], protects: [parties, civilians]}
`
	if withV2 {
		src += `  - version: 2
    label: Second
    effective_from: 2017-02-01
    parties:
      - {id: GOV, name: Government, actors: [government-of-syria, syrian-or-russian-forces, pro-government-militia]}
      - {id: OPP, name: Opposition, actors: [syrian-insurgents, free-syrian-army, ahrar-al-sham, jaysh-al-islam]}
    guarantors:
      - {id: RU, name: Russia, answers_for: [GOV]}
    clauses:
      - {id: C2, title: No sieges, reference: art. 2, prohibits: [siege], protects: [parties, civilians]}
`
	}
	return src
}

// logged keeps what an App logs, to read how many incidents truce rule
// ruled again.
type logged struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logged) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// ruledAgain is the ruled_again count of the last "incidents ruled" line.
func (l *logged) ruledAgain(t *testing.T) int {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	m := regexp.MustCompile(`msg="incidents ruled".* ruled_again=(\d+)`).FindAllStringSubmatch(l.buf.String(), -1)
	if m == nil {
		t.Fatal("no incidents ruled logged")
	}
	n, _ := strconv.Atoi(m[len(m)-1][1])
	return n
}

// TestRuleCurrentNotRuledAgain: after an import, truce rule rules no
// incident again (each ruling was made from the facts and key of now)
// and its table is the one ruling everything again gives; a ruling
// altered by hand is left to -again (and verify -deep); a ruling made
// from nothing known is ruled again and only its inputs are written; a
// new version of the agreement rules every incident again and writes the
// rulings that changed; a stored actors file, once truce opens with it,
// rules every incident again and writes none.
func TestRuleCurrentNotRuledAgain(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "r.db")
	var logs logged
	open := func() *app.App {
		a, err := app.Open(ctx, app.Config{DB: db, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	if _, _, err := a.LoadAgreement(ctx, "test.yaml", []byte(ruleAgreement(false))); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ImportDemoEvents(ctx); err != nil {
		t.Fatal(err)
	}
	const ag = "test-ceasefire"
	loc, _ := time.LoadLocation("Asia/Damascus")
	from, to := time.Date(2016, 12, 30, 0, 0, 0, 0, loc), time.Date(2017, 3, 1, 0, 0, 0, 0, loc)

	// rule runs truce rule's table (no listing) and checks it against
	// ruling everything again, listing each incident, which writes
	// nothing after it.
	rule := func(a *app.App, wantWritten, wantAgain int) *ruling.Tally {
		t.Helper()
		tally, written, err := a.RuleEach(ctx, ag, from, to, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		again := logs.ruledAgain(t)
		// wantWritten < 0: some.
		if (wantWritten >= 0 && written != wantWritten) || (wantWritten < 0 && written == 0) || (wantAgain >= 0 && again != wantAgain) {
			t.Errorf("rule: %d written, %d ruled again; want %d, %d", written, again, wantWritten, wantAgain)
		}
		full, written, err := a.RuleEachAgain(ctx, ag, from, to, nil, func(app.Ruled) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if written != 0 {
			t.Errorf("ruling everything again after rule writes %d rulings", written)
		}
		if !reflect.DeepEqual(tally, full) {
			t.Errorf("the table from the stored rulings differs from ruling every incident again:\n%+v\n%+v", tally, full)
		}
		if logs.ruledAgain(t) != full.Total {
			t.Errorf("-again ruled %d again of %d", logs.ruledAgain(t), full.Total)
		}
		return tally
	}
	first := rule(a, 0, 0)
	if first.Total < 1000 || first.ByVerdict[ruling.Violation] == 0 {
		t.Fatalf("the demo events under the test agreement: %+v", first)
	}

	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var altered, unknown int64
	if err := raw.QueryRow(`SELECT incident_id FROM rulings WHERE verdict = 'violation' ORDER BY incident_id LIMIT 1`).Scan(&altered); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow(`SELECT incident_id FROM rulings WHERE incident_id > ? ORDER BY incident_id LIMIT 1`, altered).Scan(&unknown); err != nil {
		t.Fatal(err)
	}
	// Altered by hand: its inputs no longer count (migration 0020's
	// triggers), truce rule rules it again and puts it back, as it did
	// before inputs were kept.
	alter := func() {
		t.Helper()
		if _, err := sqldb.EditDoc(ctx, raw, "rulings", "incident_id = ?", []any{altered}, func(doc string) string {
			return strings.Replace(doc, `"explanation":"`, `"explanation":"Altered. `, 1)
		}); err != nil {
			t.Fatal(err)
		}
	}
	alter()
	if tally := rule(a, 1, 1); !reflect.DeepEqual(tally, first) {
		t.Errorf("after an altered ruling put back: %+v", tally)
	}
	for _, edit := range []string{
		`UPDATE rulings SET verdict = 'not_violation' WHERE incident_id = ?`,
		`UPDATE rulings SET parties = '[]' WHERE incident_id = ?`,
		`DELETE FROM ruling_parties WHERE incident_id = ?`,
		`UPDATE ruling_parties SET party = 'XXX' WHERE incident_id = ?`,
		`DELETE FROM notifications WHERE incident_id = ?`,
		`UPDATE incidents SET state = 'dismissed' WHERE id = ?`,
	} {
		if _, err := raw.Exec(edit, altered); err != nil {
			t.Fatalf("%s: %v", edit, err)
		}
		want := 1
		if strings.Contains(edit, "incidents") {
			// The state column alone: ruled again, counted by the
			// document's state, nothing to write.
			want = 0
		}
		t.Log(edit)
		if tally := rule(a, want, 1); !reflect.DeepEqual(tally, first) {
			t.Errorf("after %s: the table differs:\n%+v\n%+v", edit, tally, first)
		}
		if strings.Contains(edit, "incidents") {
			if _, err := raw.Exec(`UPDATE incidents SET state = 'reported' WHERE id = ?`, altered); err != nil {
				t.Fatal(err)
			}
			rule(a, 0, 1)
		}
	}
	// Altered, with its inputs put back as they were: that, only -again
	// (and verify -deep) sees.
	var inputs []byte
	if err := raw.QueryRow(`SELECT inputs FROM rulings WHERE incident_id = ?`, altered).Scan(&inputs); err != nil || len(inputs) != 32 {
		t.Fatalf("inputs %x, %v", inputs, err)
	}
	alter()
	if _, err := raw.Exec(`UPDATE rulings SET inputs = ? WHERE incident_id = ?`, inputs, altered); err != nil {
		t.Fatal(err)
	}
	tally, written, err := a.RuleEach(ctx, ag, from, to, nil, nil)
	if err != nil || written != 0 || logs.ruledAgain(t) != 0 || !reflect.DeepEqual(tally, first) {
		t.Errorf("after an altered ruling with its inputs: %d written, %d ruled again, %v", written, logs.ruledAgain(t), err)
	}
	if _, written, err := a.RuleEachAgain(ctx, ag, from, to, nil, nil); err != nil || written != 1 {
		t.Errorf("-again after an altered ruling: %d written (%v), want 1", written, err)
	}
	rule(a, 0, -1) // -again wrote the ruling with the inputs of now (a ruling without parties: cleared by the trigger)
	rule(a, 0, 0)
	// Made from nothing known (stored before migration 0020): ruled again,
	// its inputs written, not the ruling.
	var before string
	if err := raw.QueryRow(`SELECT ruled_at FROM rulings WHERE incident_id = ?`, unknown).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE rulings SET inputs = x'' WHERE incident_id = ?`, unknown); err != nil {
		t.Fatal(err)
	}
	rule(a, 0, 1)
	var after string
	if err := raw.QueryRow(`SELECT ruled_at, inputs FROM rulings WHERE incident_id = ?`, unknown).Scan(&after, &inputs); err != nil {
		t.Fatal(err)
	}
	if after != before || len(inputs) != 32 {
		t.Errorf("ruling made from nothing known, ruled again: ruled_at %s (was %s), %d bytes of inputs", after, before, len(inputs))
	}
	rule(a, 0, 0)

	// A new version: every incident ruled again, those from 1 February
	// written.
	if _, added, err := a.LoadAgreement(ctx, "test.yaml", []byte(ruleAgreement(true))); err != nil || len(added) != 1 {
		t.Fatalf("load version 2: %v %v", added, err)
	}
	var changed int
	if err := raw.QueryRow(`SELECT count(*) FROM rulings WHERE agreement_id = ? AND verdict = 'violation' AND occurred_start >= '2017-02-01'`, ag).Scan(&changed); err != nil {
		t.Fatal(err)
	}
	if changed == 0 {
		t.Fatal("no violation from 1 February: version 2 changes nothing to test")
	}
	second := rule(a, -1, first.Total)
	if second.ByVerdict[ruling.Violation] >= first.ByVerdict[ruling.Violation] || second.Versions[2] == nil {
		t.Errorf("version 2 changed no violation: %v, then %v", first.ByVerdict, second.ByVerdict)
	}
	rule(a, 0, 0)
	a.Close()

	// Another actors file: the key changes once truce opens with it.
	a = open()
	src := []byte("actors:\n  - id: test-brigade\n    name: Test Brigade\n    kind: armed_group\n")
	if _, err := actor.Load(bytes.NewReader(src), "extra.yaml"); err != nil {
		t.Skipf("the actors file of the test does not load alone: %v", err)
	}
	if _, _, err := a.LoadActorsFile(ctx, "extra.yaml", src); err != nil {
		t.Fatal(err)
	}
	rule(a, 0, 0) // the registry truce rules with is made when it opens
	a.Close()
	a = open()
	defer a.Close()
	rule(a, 0, first.Total)
	rule(a, 0, 0)
}
