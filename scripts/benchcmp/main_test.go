package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
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
