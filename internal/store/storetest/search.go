package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/cluster"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// testSearch: a text search matches literally, and a viewer who does not
// see everything finds an incident only by what it may read (its public
// facts, a title that is not a protected report's words), never by a
// protected report's words; staff find those too.
func testSearch(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := cluster.Defaults()
	in := store.Intake{Cluster: &p}
	// mon: opened by a monitor, whose words are its (protected) title.
	mon := Report("mon", day(2017, 1, 3), "SY070000")
	mon.Kind, mon.Description, mon.Place.Name = incident.FromMonitor, "Team 4 saw 50% of the market_hall hit", "Douma"
	mon.Original = "Team 4 original record"
	// news: a news report with a visible title, which a monitor's report
	// joins; its place and an actor carry a literal % and _.
	news := Report("news", day(2017, 1, 20), "SY030200")
	news.Kind, news.Description, news.Place.Name = incident.FromNews, "Crater near the school", "Hill 50%"
	news.Actors = append(news.Actors, incident.ActorRef{Name: "Liwa_al-Haqq", Role: incident.Target})
	joining := Report("joining", day(2017, 1, 20), "SY030200")
	joining.Kind, joining.Description = incident.FromMonitor, "Observers counted nine shells"
	// plain: nothing special.
	plain := Report("plain", day(2017, 2, 10), "SY070100")
	var ids []int64
	for _, r := range []incident.Report{mon, news, joining, plain} {
		res, err := s.ImportReports(ctx, []incident.Report{r}, in)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(ids, res[0].IncidentID) {
			ids = append(ids, res[0].IncidentID)
		}
	}
	if len(ids) != 3 {
		t.Fatalf("incidents %v: the monitor's report did not join the news", ids)
	}
	// Published, so that the public sees them all.
	for _, id := range ids {
		for i, st := range []incident.State{incident.UnderReview, incident.Verified} {
			ev := workflow.Event{Seq: i + 1, Action: workflow.Review, By: "rev", Role: workflow.Reviewer, At: time.Now().UTC(), State: st}
			if err := s.AppendEvent(ctx, id, ev, store.Status{State: st}); err != nil {
				t.Fatal(err)
			}
		}
	}
	name := map[int64]string{ids[0]: "mon", ids[1]: "news", ids[2]: "plain"}
	public, party := &store.Visibility{}, &store.Visibility{Party: "GOV"}
	tests := []struct {
		text string
		vis  *store.Visibility
		want []string
	}{
		{"team 4", public, nil},
		{"team 4", party, nil},
		{"TEAM 4 SAW", nil, []string{"mon"}},
		{"market_hall", public, nil},
		{"original record", nil, nil},
		{"nine shells", public, nil},
		{"nine shells", nil, []string{"news"}},
		{"douma", public, []string{"mon"}},
		{"crater", public, []string{"news"}},
		{"liwa_al", public, []string{"news"}},
		{"government of", public, []string{"mon", "news", "plain"}},
		{"shelling", public, []string{"mon", "news", "plain"}},
		// Wildcards are characters.
		{"%", public, []string{"news"}},
		{"_", public, []string{"news"}},
		{"%", nil, []string{"mon", "news"}},
		{"t_am", nil, nil},
		{"50%", public, []string{"news"}},
		{"h%l", public, nil},
		{`\`, public, nil},
	}
	for _, tt := range tests {
		who := "staff"
		switch {
		case tt.vis == public:
			who = "public"
		case tt.vis != nil:
			who = "party " + tt.vis.Party
		}
		t.Run(fmt.Sprintf("%s as %s", tt.text, who), func(t *testing.T) {
			list, total, err := s.Incidents(ctx, store.Filter{Text: tt.text, Visible: tt.vis})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, in := range list {
				got = append(got, name[in.ID])
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || total != len(tt.want) {
				t.Errorf("found %v (total %d), want %v", got, total, tt.want)
			}
		})
	}
}
