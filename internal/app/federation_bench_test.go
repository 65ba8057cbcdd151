package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store/storetest"
)

// benchReports is n reports as JSON lines (truce's own format), spread
// over a year and a few hundred places, so that clustering has
// neighbours to look at but joins few.
func benchReports(b *testing.B, n int) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	day := time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		d := day.AddDate(0, 0, i%365)
		r := storetest.Report(fmt.Sprint(i), incident.Day(d.Year(), d.Month(), d.Day(), time.UTC), "SY070000")
		r.Source = "bench"
		r.Place.Lat += float64(i%500) * 0.002
		r.Place.Lon += float64(i%7) * 0.01
		if err := enc.Encode(r); err != nil {
			b.Fatal(err)
		}
	}
	return buf.Bytes()
}

// BenchmarkFederationPull: n records written on one node (a local import
// of truce's JSON lines, clustered and ruled), then pulled by a second
// node that was offline all along (its catch-up: entries verified page
// by page against the signed checkpoint, each record against its entry,
// then clustered and ruled into its own incidents), both on SQLite files,
// over HTTP on localhost. It reports both rates and their ratio, and the
// most heap each added.
//
//	go test ./internal/app -run xxx -bench FederationPull -benchtime 1x
func BenchmarkFederationPull(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			lines := benchReports(b, n)
			ctx := context.Background()
			for range b.N {
				b.StopTimer()
				dir := b.TempDir()
				ru := openBenchNode(b, "ru.truce.bench", filepath.Join(dir, "ru.db"))
				tr := openBenchNode(b, "tr.truce.bench", filepath.Join(dir, "tr.db"))
				var importPeak atomic.Uint64
				importDone := make(chan struct{})
				runtime.GC()
				importBase := heapInuse()
				go sampleHeap(&importPeak, importDone)
				start := time.Now()
				if _, err := ru.app.Import(ctx, "jsonl", bytes.NewReader(lines), "bench.jsonl", app.ImportOptions{}); err != nil {
					b.Fatal(err)
				}
				imported := time.Since(start)
				close(importDone)
				ru.serve(b)
				tr.follow(b, ru)
				ru.checkpoint(b)
				var peak atomic.Uint64
				done := make(chan struct{})
				runtime.GC()
				base := heapInuse()
				go sampleHeap(&peak, done)
				b.StartTimer()
				start = time.Now()
				res, err := tr.puller.Pull(ctx, ru.name)
				pulled := time.Since(start)
				b.StopTimer()
				close(done)
				if err != nil || res.Problem != nil || res.Imported != n {
					b.Fatalf("pull: %+v %v", res, err)
				}
				b.ReportMetric(float64(n)/imported.Seconds(), "import-records/s")
				b.ReportMetric(float64(n)/pulled.Seconds(), "pulled-records/s")
				b.ReportMetric(imported.Seconds()/pulled.Seconds(), "pull/import-rate")
				// The heap each step added at its peak (garbage not yet
				// collected included), over what was in use before it.
				b.ReportMetric(float64(importPeak.Load()-min(importBase, importPeak.Load()))/(1<<20), "import-heap-MB")
				b.ReportMetric(float64(peak.Load()-min(base, peak.Load()))/(1<<20), "pull-heap-MB")
			}
		})
	}
}

func heapInuse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func sampleHeap(peak *atomic.Uint64, done chan struct{}) {
	var m runtime.MemStats
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		runtime.ReadMemStats(&m)
		if m.HeapInuse > peak.Load() {
			peak.Store(m.HeapInuse)
		}
		select {
		case <-done:
			return
		case <-t.C:
		}
	}
}

// openBenchNode is a node with the agreements and no events.
func openBenchNode(b *testing.B, name, db string) *fedNode {
	return openNode(b, name, db, "", "", app.ImportOptions{From: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(1900, 1, 2, 0, 0, 0, 0, time.UTC)})
}
