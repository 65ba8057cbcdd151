package main

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/server"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/web"
)

// demoNode is one node of the federated demo: a guarantor's, on its own
// SQLite file and key, serving on its own port.
type demoNode struct {
	code   string // RU, TR, IR
	ln     net.Listener
	addr   string // ln's
	app    *app.App
	signer note.Signer
	vkey   string
	puller *app.Puller
}

// demoSplit is the part of the demo events each node loads: the three
// guarantors' nodes each hold one third of the period until they pull
// the others'.
var demoSplit = []struct {
	code     string
	from, to time.Time
}{
	{"RU", time.Date(2016, 12, 29, 0, 0, 0, 0, time.UTC), time.Date(2017, 1, 20, 0, 0, 0, 0, time.UTC)},
	{"TR", time.Date(2017, 1, 20, 0, 0, 0, 0, time.UTC), time.Date(2017, 2, 9, 0, 0, 0, 0, time.UTC)},
	{"IR", time.Date(2017, 2, 9, 0, 0, 0, 0, time.UTC), time.Date(2017, 3, 2, 0, 0, 0, 0, time.UTC)},
}

// demoNodes runs truce demo -nodes 3: three nodes on localhost (RU, TR,
// IR), each loading a third of the demo events, each granting the others
// and following them; it pulls until they converge, prints what each
// holds, and serves them (until Ctrl-C, or at once with exit).
func demoNodes(ctx context.Context, n int, db, addr string, exit bool, out io.Writer, log *slog.Logger) error {
	if n != len(demoSplit) {
		return usageError(fmt.Sprintf("truce demo: -nodes %d: the federated demo has %d nodes (RU, TR, IR)", n, len(demoSplit)))
	}
	host, portS, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError(fmt.Sprintf("-addr %q: %v", addr, err))
	}
	port, err := strconv.Atoi(portS)
	if err != nil {
		return usageError(fmt.Sprintf("-addr %q: port %q is not a number", addr, portS))
	}
	base := strings.TrimSuffix(db, ".db")
	// Three servers' request lines would bury what the demo shows.
	log = server.WithLevel(log, slog.LevelWarn)
	var nodes []*demoNode
	for i, part := range demoSplit {
		code := strings.ToLower(part.code)
		file := base + "-" + code + ".db"
		signer, vkey, err := demoKey(base+"-"+code+".key", code+".truce.localhost")
		if err != nil {
			return err
		}
		a, err := app.Open(ctx, app.Config{DB: file, Logger: log.With("node", part.code)})
		if err != nil {
			return err
		}
		defer a.Close()
		if err := a.LoadBundledAgreements(ctx); err != nil {
			return fmt.Errorf("%s: %w (delete %s to run the demo afresh)", file, err, file)
		}
		sum, err := importDemoPart(ctx, a, part.from, part.to)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s (%s): %s\n", part.code, file, strings.SplitN(sum, "\n", 2)[0])
		if _, err := a.Checkpoint(ctx, signer); err != nil {
			return err
		}
		// The nodes take the ports after addr's, or ports of the system's
		// choice when addr's is 0 (the tests: a port after a free one may
		// be taken).
		at := net.JoinHostPort(host, "0")
		if port != 0 {
			at = net.JoinHostPort(host, strconv.Itoa(port+i+1))
		}
		ln, err := net.Listen("tcp", at)
		if err != nil {
			return fmt.Errorf("%s: listen on %s: %w", part.code, at, err)
		}
		defer ln.Close()
		nodes = append(nodes, &demoNode{code: part.code, ln: ln, addr: ln.Addr().String(), app: a, signer: signer, vkey: vkey,
			puller: &app.Puller{App: a, Signer: signer}})
	}
	for _, nd := range nodes {
		for _, p := range nodes {
			if p == nd {
				continue
			}
			token, err := p.app.Grant(ctx, nd.signer.Name(), nil, true, false)
			if err != nil {
				return err
			}
			if _, err := nd.app.AddPeer(ctx, "http://"+p.addr, p.vkey, token); err != nil {
				return err
			}
		}
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, len(nodes))
	for _, nd := range nodes {
		go func() { errc <- serveOn(ctx, nd.app, nd.ln, io.Discard, web.Options{}, "") }()
		fmt.Fprintf(out, "%s serves http://%s/ (its log at /log, the checkpoints it holds at /federation/checkpoints)\n", nd.code, nd.addr)
	}
	if err := waitNodes(ctx, nodes, errc); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nPulling until the three converge:")
	if err := converge(ctx, nodes, out); err != nil {
		return err
	}
	if exit {
		return nil
	}
	for _, nd := range nodes {
		go nd.app.SignCheckpoints(ctx, nd.signer, 5*time.Second)
		go nd.puller.Run(ctx, 5*time.Second)
	}
	fmt.Fprintln(out, "\nThe nodes go on pulling each other every 5 s; Ctrl-C to stop.")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return nil
	}
}

// converge signs every node's log and pulls every peer, round after
// round, until a round changes no log; it prints each round.
func converge(ctx context.Context, nodes []*demoNode, out io.Writer) error {
	sizes := func() string {
		var b strings.Builder
		for _, nd := range nodes {
			n, _ := nd.app.LogSize(ctx)
			fmt.Fprintf(&b, "%s=%d ", nd.code, n)
		}
		return b.String()
	}
	last := ""
	for round := 1; round <= 10; round++ {
		for _, nd := range nodes {
			if _, err := nd.app.Checkpoint(ctx, nd.signer); err != nil {
				return err
			}
		}
		for _, nd := range nodes {
			res, err := nd.puller.PullAll(ctx)
			if err != nil {
				return err
			}
			for _, r := range res {
				if r.Problem != nil {
					return fmt.Errorf("%s flagged %s: %v", nd.code, r.Peer, r.Problem)
				}
				if r.To > r.From {
					fmt.Fprintf(out, "  round %d: %s verified %s's entries %d-%d: %d records, %d reports taken in\n", round, nd.code, r.Peer, r.From, r.To, r.Records, r.Imported)
				}
			}
		}
		now := sizes()
		if now == last {
			break
		}
		last = now
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(out, "\nConverged: reports each node holds, by the node that recorded them")
	fmt.Fprint(tw, "node\t")
	for _, nd := range nodes {
		fmt.Fprintf(tw, "from %s\t", nd.code)
	}
	fmt.Fprintln(tw, "incidents\tlog entries\t")
	for _, nd := range nodes {
		by := map[string]int{}
		err := nd.app.EachReport(ctx, app.Operator(), func(r incident.Report) error {
			node := r.Node
			if node == "" {
				node = nd.signer.Name()
			}
			by[node]++
			return nil
		})
		if err != nil {
			return err
		}
		_, total, err := nd.app.Incidents(ctx, app.Operator(), store.Filter{})
		if err != nil {
			return err
		}
		size, _ := nd.app.LogSize(ctx)
		fmt.Fprintf(tw, "%s\t", nd.code)
		for _, p := range nodes {
			fmt.Fprintf(tw, "%d\t", by[p.signer.Name()])
		}
		fmt.Fprintf(tw, "%d\t%d\t\n", total, size)
	}
	return tw.Flush()
}

// importDemoPart imports the demo events of [from, to).
func importDemoPart(ctx context.Context, a *app.App, from, to time.Time) (string, error) {
	f, err := bundled.FS.Open(bundled.DemoEvents)
	if err != nil {
		return "", err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return "", err
	}
	sum, err := a.Import(ctx, "ucdp", gz, "ged.csv", app.ImportOptions{From: from, To: to})
	if err != nil {
		return "", err
	}
	return sum.String(), nil
}

// demoKey reads a demo node's key, making it on the first run.
func demoKey(file, name string) (note.Signer, string, error) {
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		skey, vkey, err := ledger.GenerateKey(name)
		if err != nil {
			return nil, "", err
		}
		if err := os.WriteFile(file, []byte(skey+"\n"), 0o600); err != nil {
			return nil, "", err
		}
		if err := os.WriteFile(file+".pub", []byte(vkey+"\n"), 0o644); err != nil {
			return nil, "", err
		}
	}
	s, err := app.ReadSigner(file)
	if err != nil {
		return nil, "", err
	}
	b, err := os.ReadFile(file + ".pub")
	if err != nil {
		return nil, "", err
	}
	return s, strings.TrimSpace(string(b)), nil
}

// waitNodes waits until every node answers, or one failed to serve.
func waitNodes(ctx context.Context, nodes []*demoNode, errc chan error) error {
	deadline := time.Now().Add(30 * time.Second)
	for _, nd := range nodes {
		for {
			resp, err := http.Get("http://" + nd.addr + "/healthz")
			if err == nil {
				resp.Body.Close()
				break
			}
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s does not answer on %s: %w", nd.code, nd.addr, err)
			}
		}
	}
	return nil
}
