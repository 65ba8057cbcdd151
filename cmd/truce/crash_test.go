package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/loadgen"
	"github.com/truce-monitor/truce/internal/store/storetest"
)

// TestCrash starts truce serve, submits reports from concurrent clients,
// kills the server with SIGKILL at random moments, restarts it, and checks
// that every acknowledged report is present and intact. It runs on SQLite,
// and on PostgreSQL when TRUCE_TEST_POSTGRES names a server.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: starts and kills a server 20 times")
	}
	bin := filepath.Join(t.TempDir(), "truce")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	t.Run("sqlite", func(t *testing.T) { crash(t, bin, filepath.Join(t.TempDir(), "crash.db")) })
	t.Run("postgres", func(t *testing.T) {
		crash(t, bin, freshPostgres(t, storetest.PostgresURL(t)))
	})
}

const kills = 20

func crash(t *testing.T, bin, db string) {
	ctx := context.Background()
	const token = "crash-test-token"
	// acked maps a source id to the description the server acknowledged.
	acked := map[string]string{}
	var mu sync.Mutex
	for round := 0; round < kills; round++ {
		addr := freeAddr(t)
		cmd := exec.Command(bin, "serve", "-db", db, "-addr", addr)
		cmd.Env = append(os.Environ(), "TRUCE_SUBMIT_TOKEN="+token)
		var logs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if err := waitUp(addr); err != nil {
			cmd.Process.Kill()
			t.Fatalf("round %d: server did not come up: %v\n%s", round, err, logs.String())
		}
		stop := make(chan struct{})
		// The kill comes at a random moment after the round's first
		// acknowledgement, not after a fixed time: on a loaded machine
		// a server's first commit may take longer than any fixed time
		// (on PostgreSQL under CI's load, none in 20 rounds).
		first := make(chan struct{})
		var once sync.Once
		var wg sync.WaitGroup
		client := &http.Client{Timeout: 5 * time.Second}
		for c := 0; c < 8; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					body := loadgen.Report(fmt.Sprint(round), c, n)
					req, _ := http.NewRequest("POST", "http://"+addr+"/api/reports", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+token)
					resp, err := client.Do(req)
					if err != nil {
						continue // the server died under this request: not acknowledged
					}
					// The answer names the report as stored (its id in the
					// machine client's namespace).
					var ack struct {
						Source   string `json:"source"`
						SourceID string `json:"source_id"`
					}
					derr := json.NewDecoder(resp.Body).Decode(&ack)
					resp.Body.Close()
					if (resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK) && derr == nil {
						mu.Lock()
						acked[ack.Source+"/"+ack.SourceID] = fmt.Sprintf("load test report %d of client %d", n, c)
						mu.Unlock()
						once.Do(func() { close(first) })
					}
				}
			}()
		}
		acknowledged := true
		select {
		case <-first:
		case <-time.After(time.Minute):
			acknowledged = false
		}
		time.Sleep(time.Duration(rand.IntN(400)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		close(stop)
		wg.Wait()
		if !acknowledged {
			t.Fatalf("round %d: no submission acknowledged in a minute\n%s", round, logs.String())
		}
	}
	if len(acked) < kills {
		t.Fatalf("only %d submissions acknowledged in %d rounds: the test did not exercise the server", len(acked), kills)
	}
	// Every acknowledged report must be there, as submitted.
	a, err := app.Open(ctx, app.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	found := map[string]incident.Report{}
	if err := a.EachReport(ctx, app.Operator(), func(r incident.Report) error { found[r.Source+"/"+r.SourceID] = r; return nil }); err != nil {
		t.Fatal(err)
	}
	missing := 0
	for id, desc := range acked {
		r, ok := found[id]
		switch {
		case !ok:
			missing++
			if missing <= 5 {
				t.Errorf("acknowledged report %s is missing", id)
			}
		case r.Description != desc || !strings.Contains(r.Original, desc):
			t.Errorf("report %s changed: %q", id, r.Description)
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged reports missing", missing, len(acked))
	}
	t.Logf("%d kills; %d acknowledged reports all present and intact (%d stored in all)", kills, len(acked), len(found))
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitUp(addr string) error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("no answer on %s", addr)
}

// freshPostgres creates an empty database for one test on the server at
// u and drops it afterwards.
func freshPostgres(t *testing.T, u string) string {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	name := fmt.Sprintf("truce_cmd_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c, err := pgx.Connect(ctx, u); err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	cfg, _ := pgx.ParseConfig(u)
	return fmt.Sprintf("postgres://%s:%s@%s:%d/%s", cfg.User, cfg.Password, cfg.Host, cfg.Port, name)
}

// TestBackupRestore: a backup restored into a new database holds the same
// records, on both engines; a restore refuses to overwrite data unasked.
func TestBackupRestore(t *testing.T) {
	engines := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return filepath.Join(t.TempDir(), "b.db") },
		"postgres": func(t *testing.T) string {
			return freshPostgres(t, storetest.PostgresURL(t))
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			db, copyDB := engines[name](t), engines[name](t)
			mustTruce(t, "agreement", "load", "-db", db, "../../internal/bundled/data/agreements/syria-coh-2016.yaml")
			mustTruce(t, "import", "acled", "-db", db, "../../internal/importer/acled/testdata/events.csv")
			mustTruce(t, "import", "geojson", "-db", db, "../../internal/importer/geojson/testdata/events.geojson")
			backup := filepath.Join(t.TempDir(), "backup")
			mustTruce(t, "backup", "-db", db, backup)
			if _, err := truce(t, "backup", "-db", db, backup); err == nil {
				t.Error("backup over an existing file must be refused")
			}
			// Changes after the backup are not in it.
			mustTruce(t, "import", "csv", "-db", db, "-mapping", "../../internal/importer/mapped/testdata/monitor.yaml",
				"-errors", filepath.Join(t.TempDir(), "e.jsonl"), "../../internal/importer/mapped/testdata/monitor.csv")

			mustTruce(t, "restore", "-db", copyDB, backup)
			want := mustTruce(t, "export", "jsonl", "-db", copyDB)
			if n := strings.Count(want, "\n"); n != 10 {
				t.Errorf("restored copy holds %d reports, want the 10 of the backup", n)
			}
			orig := mustTruce(t, "export", "jsonl", "-db", db)
			if !strings.HasPrefix(orig, want) {
				t.Errorf("restored reports differ from the original's first 10")
			}
			if table := mustTruce(t, "rule", "-db", copyDB, "-from", "2017-01-01", "-to", "2017-03-01"); !strings.Contains(table, "syria-coh-2016") {
				t.Errorf("restored agreement: %s", table)
			}
			if _, err := truce(t, "restore", "-db", db, backup); err == nil {
				t.Error("restore over a database with records must need -force")
			}
			// The copy goes on taking new records after the restored ids.
			out := mustTruce(t, "import", "csv", "-db", copyDB, "-mapping", "../../internal/importer/mapped/testdata/monitor.yaml",
				"-errors", filepath.Join(t.TempDir(), "e2.jsonl"), "../../internal/importer/mapped/testdata/monitor.csv")
			if !strings.Contains(out, "3 created") {
				t.Errorf("import into the restored copy: %s", out)
			}
			// The log came with the records (it once did not, on
			// PostgreSQL), and goes on from where it was.
			key := filepath.Join(t.TempDir(), "k.key")
			mustTruce(t, "key", "generate", "-name", "restore.test/log", "-o", key)
			mustTruce(t, "checkpoint", "-db", copyDB, "-key", key)
			if out := mustTruce(t, "verify", "-db", copyDB, "-pub", key+".pub"); !strings.Contains(out, "verified:") {
				t.Errorf("verify the restored copy: %s", out)
			}
		})
	}
}

// TestBadRowsKeepTheRest: one row dated 9999-12-31 made an import store
// nothing, and on PostgreSQL a NUL byte in a field aborted it (issue 12
// item 10). Each is now a rejected row, on both engines, and the rest are
// stored.
func TestBadRowsKeepTheRest(t *testing.T) {
	data, err := os.ReadFile("../../internal/importer/acled/testdata/events.csv")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "02 January 2017", "9999-12-31", 1)
	text = strings.Replace(text, "Faylaq al Rah", "Faylaq al\x00Rah", 1)
	file := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	engines := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "b.db") },
		"postgres": func(t *testing.T) string { return freshPostgres(t, storetest.PostgresURL(t)) },
	}
	for name, db := range engines {
		t.Run(name, func(t *testing.T) {
			t.Setenv("TRUCE_DATA_KEY", filepath.Join(t.TempDir(), "data.key"))
			out, err := truce(t, "import", "acled", "-tz", "Asia/Damascus", "-db", db(t), "-errors", filepath.Join(t.TempDir(), "rejected.jsonl"), file)
			if err != nil {
				t.Fatalf("import: %v\n%s", err, out)
			}
			for _, want := range []string{"2 rejected", "column event_date", "column assoc_actor_2: holds a NUL byte"} {
				if !strings.Contains(out, want) {
					t.Errorf("import output lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(out, "created") || strings.Contains(out, " 0 created") {
				t.Errorf("the good rows were not stored:\n%s", out)
			}
		})
	}
}
