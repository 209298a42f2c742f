package main

import (
	"bytes"
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
