package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/synth/hostile"
	"github.com/icediag/icediag/diag"
)

// analysisHeapBound is the most heap the whole analysis (decode, SIP
// calls, ICE model, findings, report) may hold on any hostile capture.
const analysisHeapBound = 160 << 20

// TestHostileAnalysis runs the whole analysis on every capture of the
// hostile corpus (decode/synth/hostile): it ends without a panic, its heap
// stays under analysisHeapBound (runtime.MemStats, sampled while it runs),
// and the report names what a limit dropped.
func TestHostileAnalysis(t *testing.T) {
	wantProblem := map[string]string{
		"syn-flood.pcap":      "connection table full",
		"sip-call-flood.pcap": "call table full",
		"fragments.pcap":      "fragment table full",
		"turn-nesting.pcap":   "nested too deep",
		"gzip-bomb.pcap.gz":   "file damaged",
	}
	dir := t.TempDir()
	for _, c := range hostile.All() {
		t.Run(c.Name, func(t *testing.T) {
			path := filepath.Join(dir, c.Name)
			if err := os.WriteFile(path, c.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			runtime.GC()
			_, stop := sampleHeap()
			in, err := analyzeInput([]string{path}, &diag.Network{}, nil)
			var r *diag.Report
			if err == nil {
				r = diag.Build(in)
			}
			p := stop()
			if err != nil {
				t.Fatalf("analysis: %v", err)
			}
			if p > analysisHeapBound {
				t.Errorf("heap peaked at %d MiB, bound %d MiB", p>>20, analysisHeapBound>>20)
			}
			var reasons []string
			for _, pr := range r.Capture.Problems {
				reasons = append(reasons, pr.Layer+": "+pr.Reason)
			}
			if w := wantProblem[c.Name]; w != "" && !strings.Contains(strings.Join(reasons, "\n"), w) {
				t.Errorf("report does not name %q; problems: %v", w, reasons)
			}
			t.Logf("%s: heap peak %d MiB, %d calls, problems %v", c.What, p>>20, len(r.Calls), reasons)
		})
	}
}

// sampleHeap samples HeapAlloc every few milliseconds until stop is
// called, which returns the peak.
func sampleHeap() (peak *uint64, stop func() uint64) {
	var mu sync.Mutex
	var max uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	read := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mu.Lock()
		if ms.HeapAlloc > max {
			max = ms.HeapAlloc
		}
		mu.Unlock()
	}
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				read()
			}
		}
	}()
	return &max, func() uint64 {
		close(done)
		wg.Wait()
		read()
		mu.Lock()
		defer mu.Unlock()
		return max
	}
}
