package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icediag/icediag/decode"
)

func TestMedian(t *testing.T) {
	m := measurement{samples: []sample{
		{wall: 3 * time.Second, cpu: 1 * time.Second, rssKiB: 50},
		{wall: 1 * time.Second, cpu: 5 * time.Second, rssKiB: 70},
		{wall: 2 * time.Second, cpu: 3 * time.Second, rssKiB: 60},
	}}
	want := sample{wall: 2 * time.Second, cpu: 3 * time.Second, rssKiB: 60}
	if got := m.median(); got != want {
		t.Errorf("median() = %+v, want %+v", got, want)
	}
}

// TestGenerateAndLoop generates a small capture the way the driver does
// and runs both baseline loops over it as the child process would.
func TestGenerateAndLoop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.pcap")
	if code := runLoop("generate", []string{"1048576", path}, os.Stdout, os.Stderr); code != 0 {
		t.Fatalf("runLoop(generate) = %d, want 0", code)
	}
	want, err := decode.ReadBaseline(path)
	if err != nil || want.Packets == 0 {
		t.Fatalf("ReadBaseline = %+v, %v; want packets", want, err)
	}
	for _, mode := range []string{"read", "parse"} {
		var out, errb bytes.Buffer
		if code := runLoop(mode, []string{path}, &out, &errb); code != 0 {
			t.Fatalf("runLoop(%s) = %d (%s), want 0", mode, code, errb.String())
		}
		f := strings.Fields(out.String())
		if len(f) != 4 || f[0] != strconv.FormatUint(want.Packets, 10) || f[1] != strconv.FormatUint(want.Bytes, 10) {
			t.Errorf("runLoop(%s) printed %q, want %d packets, %d bytes, transport, peak", mode, out.String(), want.Packets, want.Bytes)
		}
	}
	if code := runLoop("bogus", []string{path}, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Errorf("runLoop(bogus) = %d, want 2", code)
	}
}

// TestPairRatios: the ratios are the medians of the rounds' ratios, not
// the ratios of the medians.
func TestPairRatios(t *testing.T) {
	s := func(wall, cpu float64, rss int64) sample {
		return sample{wall: time.Duration(wall * float64(time.Second)), cpu: time.Duration(cpu * float64(time.Second)), rssKiB: rss}
	}
	p := &pairing{
		old: measurement{samples: []sample{s(1, 2, 100), s(2, 4, 100), s(4, 8, 100)}},
		new: measurement{samples: []sample{s(0.9, 2, 110), s(1.6, 4, 90), s(4.4, 6, 100)}},
	}
	wall, cpu, rss := p.ratios()
	if !near(wall, 0.9) || !near(cpu, 1) || !near(rss, 1) {
		t.Errorf("ratios() = %.3f, %.3f, %.3f; want 0.9, 1, 1", wall, cpu, rss)
	}
}

// TestPair runs two stand-in builds in turns.
func TestPair(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "fake-icediag")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := pair(t.Context(), bin, bin, filepath.Join(dir, "c.pcap"), 3, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.old.samples) != 3 || len(p.new.samples) != 3 {
		t.Errorf("%d and %d samples, want 3 each", len(p.old.samples), len(p.new.samples))
	}
	var out bytes.Buffer
	p.print(&out, false)
	if !strings.Contains(out.String(), "new/old, median of the rounds' ratios") {
		t.Errorf("print wrote %q", out.String())
	}
}

func near(x, y float64) bool { return x > y-1e-9 && x < y+1e-9 }

// TestMaxLiveMB reads the live heap of a real child's gctrace: the child
// (this test binary, see TestHelperHeap) keeps 24 MiB live while it
// allocates garbage, so its largest live heap is at least that.
func TestMaxLiveMB(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^TestHelperHeap$")
	cmd.Env = append(os.Environ(), "BENCHCMP_HELPER_HEAP=1")
	s, err := measureAnalyze(cmd)
	if err != nil {
		t.Fatal(err)
	}
	if s.liveMB < 24 || s.liveMB > 64 {
		t.Errorf("liveMB = %d, want 24-64 (the helper keeps 24 MiB)", s.liveMB)
	}
	if s.rssKiB < 24<<10 {
		t.Errorf("rssKiB = %d, want at least the 24 MiB kept", s.rssKiB)
	}
}

// TestHelperHeap is the child of TestMaxLiveMB.
func TestHelperHeap(t *testing.T) {
	if os.Getenv("BENCHCMP_HELPER_HEAP") == "" {
		t.Skip("run by TestMaxLiveMB")
	}
	kept := make([][]byte, 24)
	for i := range kept {
		kept[i] = make([]byte, 1<<20)
	}
	var sink []byte
	for range 512 {
		sink = make([]byte, 256<<10)
	}
	runtime.GC()
	runtime.KeepAlive(kept)
	runtime.KeepAlive(sink)
}

func TestMaxLiveMBLines(t *testing.T) {
	trace := "gc 1 @0.003s 2%: 0.011+0.5+0.002 ms clock, 0.02+0.1/0.4/0+0.005 ms cpu, 5->5->4 MB, 5 MB goal, 0 MB stacks, 5 MB globals, 2 P\n" +
		"some other line 99->99->99 MB\n" +
		"gc 2 @0.03s 3%: 0.02+1.2+0.003 ms clock, 0.04+0.3/1.0/0+0.006 ms cpu, 34->35->16 MB, 37 MB goal, 0 MB stacks, 5 MB globals, 2 P\n" +
		"gc 3 @0.09s 3% (forced): 0.02+1.2+0.003 ms clock, 0.04+0.3/1.0/0+0.006 ms cpu, 20->20->6 MB, 33 MB goal, 0 MB stacks, 5 MB globals, 2 P\n"
	if got := maxLiveMB(trace); got != 16 {
		t.Errorf("maxLiveMB = %d, want 16", got)
	}
	if got := maxLiveMB("no trace\n"); got != 0 {
		t.Errorf("maxLiveMB(no trace) = %d, want 0", got)
	}
}

func TestPrintGrowth(t *testing.T) {
	res := func(size int64, rssKiB, liveMB int64) *result {
		return &result{size: size, c: measurement{samples: []sample{{rssKiB: rssKiB, liveMB: liveMB}}}}
	}
	var b strings.Builder
	printGrowth(&b, []*result{res(4<<30, 60<<10, 16), res(1<<30, 48<<10, 14)})
	want := "4096 MiB capture against 1024 MiB: peak RSS 60.0 / 48.0 MiB = +25% (target <= +20%); live heap 16 / 14 MB = +14%"
	if !strings.Contains(b.String(), want) {
		t.Errorf("printGrowth wrote %q, want it to contain %q", b.String(), want)
	}
	b.Reset()
	printGrowth(&b, []*result{res(1<<30, 48<<10, 14)})
	if b.Len() != 0 {
		t.Errorf("printGrowth of one capture wrote %q, want nothing", b.String())
	}
}
