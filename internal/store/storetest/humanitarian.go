package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// testHumanitarian: records are revisions, the latest is the record, an
// identical document adds nothing, and every revision is in the log.
func testHumanitarian(t *testing.T, s store.Store) {
	ctx := context.Background()
	put := func(kind, id, doc string, wantRev int, wantChanged bool) {
		t.Helper()
		rev, changed, err := s.PutHumanitarian(ctx, kind, id, []byte(doc))
		if err != nil || rev != wantRev || changed != wantChanged {
			t.Fatalf("put %s/%s %s: rev %d changed %v err %v, want rev %d changed %v", kind, id, doc, rev, changed, err, wantRev, wantChanged)
		}
	}
	put("siege", "eastern-ghouta", `{"v":1}`, 1, true)
	put("siege", "eastern-ghouta", `{"v":1}`, 1, false)
	put("siege", "eastern-ghouta", `{"v":2}`, 2, true)
	put("siege", "madaya", `{"v":1}`, 1, true)
	put("case", "c-1", `{"sealed":"v1:xyz"}`, 1, true)

	all, err := s.HumanitarianRecords(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range all {
		got = append(got, fmt.Sprintf("%s/%s@%d %s", r.Kind, r.ID, r.Rev, r.Doc))
		if r.StoredAt.IsZero() {
			t.Errorf("%s/%s: no time stored", r.Kind, r.ID)
		}
	}
	want := []string{`case/c-1@1 {"sealed":"v1:xyz"}`, `siege/eastern-ghouta@2 {"v":2}`, `siege/madaya@1 {"v":1}`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("records = %q, want %q", got, want)
	}
	if sieges, err := s.HumanitarianRecords(ctx, "siege"); err != nil || len(sieges) != 2 {
		t.Errorf("sieges = %d, %v; want 2", len(sieges), err)
	}
	h, err := s.HumanitarianHistory(ctx, "siege", "eastern-ghouta")
	if err != nil || len(h) != 2 || string(h[0].Doc) != `{"v":1}` || h[1].Rev != 2 {
		t.Errorf("history = %+v, %v", h, err)
	}
	if _, err := s.HumanitarianHistory(ctx, "siege", "nowhere"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("history of nothing: err = %v, want ErrNotFound", err)
	}
	if _, _, err := s.PutHumanitarian(ctx, "a/b", "x", []byte("{}")); err == nil {
		t.Error("a kind with a slash was stored: the log key would be ambiguous")
	}
	type digester interface {
		RecordDigests(ctx context.Context, fn func(kind, key string, rev int, digest [32]byte) error) error
	}
	d, ok := s.(digester)
	if !ok {
		return
	}
	var logged []string
	err = d.RecordDigests(ctx, func(kind, key string, rev int, _ [32]byte) error {
		if kind == ledger.Humanitarian {
			logged = append(logged, fmt.Sprintf("%s@%d", key, rev))
		}
		return nil
	})
	if err != nil || len(logged) != 4 {
		t.Errorf("humanitarian revisions among the records: %q (%v), want 4", logged, err)
	}
}
