package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/live"
	"github.com/icediag/icediag/diag"
)

// fileSource replays a capture file as if it were an interface: frames
// as fast as they are read, then ErrTimeout; done closes at the end.
type fileSource struct {
	f    *capfile.File
	name string
	lt   uint16
	n    uint64
	done chan struct{}
}

func openFileSource(t *testing.T, path string) *fileSource {
	t.Helper()
	f, err := capfile.Open(path)
	if err != nil {
		t.Fatalf("capfile.Open(%q) = %v", path, err)
	}
	t.Cleanup(func() { f.Close() })
	s := &fileSource{f: f, name: filepath.Base(path), done: make(chan struct{})}
	var p capfile.Packet
	if err := f.Next(&p); err != nil {
		t.Fatalf("%s: no first frame: %v", path, err)
	}
	s.lt = p.LinkType
	// start again from the beginning
	f.Close()
	if s.f, err = capfile.Open(path); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *fileSource) ReadPacket(p *capfile.Packet) error {
	if s.f == nil {
		time.Sleep(time.Millisecond)
		return live.ErrTimeout
	}
	err := s.f.Next(p)
	if err != nil {
		s.f.Close()
		s.f = nil
		close(s.done)
		return live.ErrTimeout
	}
	s.n++
	return nil
}
func (s *fileSource) Stats() (live.Stats, error) { return live.Stats{Received: s.n}, nil }
func (s *fileSource) Info() live.Interface {
	return live.Interface{Name: s.name, LinkType: s.lt}
}
func (s *fileSource) Close() error { return nil }

// singleInterface reports whether every frame of a capture has one link
// type and interface, so that it can stand for one live interface.
func singleInterface(t *testing.T, path string) bool {
	t.Helper()
	f, err := capfile.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var p capfile.Packet
	lt, first := uint16(0), true
	for {
		err := f.Next(&p)
		if errors.Is(err, io.EOF) {
			return !first
		}
		if err != nil || p.Interface != 0 || (!first && p.LinkType != lt) {
			return false
		}
		lt, first = p.LinkType, false
	}
}

// runLiveOn runs the live pipeline on replayed files until they are
// consumed and returns its stdout.
func runLiveOn(t *testing.T, f *liveFlags, paths ...string) string {
	t.Helper()
	var sources []live.Source
	var dones []chan struct{}
	for _, p := range paths {
		s := openFileSource(t, p)
		sources = append(sources, s)
		dones = append(dones, s.done)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for _, d := range dones {
			<-d
		}
		cancel()
	}()
	var stdout, stderr bytes.Buffer
	if f.failOn == "" {
		f.failOn = "never"
	}
	if f.format == "" {
		f.format = "text"
	}
	code := runCapture(ctx, f, nil, sources, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("live on %v = exit %d, stderr:\n%s", paths, code, stderr.String())
	}
	return stdout.String()
}

func analyzeText(t *testing.T, paths ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := append([]string{"--fail-on", "never"}, paths...)
	if code := runAnalyze(context.Background(), args, &stdout, &stderr); code != exitOK {
		t.Fatalf("analyze %v = exit %d: %s", paths, code, stderr.String())
	}
	return stdout.String()
}

// TestLiveReportEqualsAnalyzeOfWrittenFile replays every single-interface
// public and crafted capture through the live pipeline with --write, and
// checks that the final report is, byte for byte, what icediag analyze
// prints for the written pcapng.
func TestLiveReportEqualsAnalyzeOfWrittenFile(t *testing.T) {
	paths, _ := filepath.Glob("../../pcaps/public/*")
	crafted, _ := filepath.Glob("../../pcaps/crafted/*.pcap*")
	paths = append(paths, crafted...)
	n := 0
	for _, path := range paths {
		if !singleInterface(t, path) {
			continue
		}
		n++
		t.Run(filepath.Base(path), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "live.pcapng")
			got := runLiveOn(t, &liveFlags{write: out}, path)
			if want := analyzeText(t, out); got != want {
				t.Errorf("live report differs from analyze %s:\n--- live\n%s\n--- analyze\n%s", out, got, want)
			}
			if !strings.Contains(got, "live.pcapng (pcapng,") {
				t.Errorf("live report does not name the written file:\n%s", got)
			}
		})
	}
	if n < 20 {
		t.Errorf("replayed %d captures, want at least 20", n)
	}
}

// TestLiveTwoInterfacesRotated merges two captures as two interfaces,
// rotates the output into several files and compares with analyze of
// those files.
func TestLiveTwoInterfacesRotated(t *testing.T) {
	a := "../../pcaps/public/sngrep__aaa.pcap"
	b := "../../pcaps/public/ntop-nDPI__FAX-Call-t38-CA-TDM-SIP-FB-1.pcap"
	out := filepath.Join(t.TempDir(), "edge.pcapng")
	got := runLiveOn(t, &liveFlags{write: out, sizeBytes: 200 << 10}, a, b)
	files, _ := filepath.Glob(strings.TrimSuffix(out, ".pcapng") + "_*.pcapng")
	if len(files) < 2 {
		t.Fatalf("rotation wrote %v, want several files", files)
	}
	if want := analyzeText(t, files...); got != want {
		t.Errorf("live report differs from analyze of %v:\n--- live\n%s\n--- analyze\n%s", files, got, want)
	}
	for _, want := range []string{"sip-call-failed", "sdp-rejected"} {
		if !strings.Contains(got, want) {
			t.Errorf("merged report lacks %s (one from each interface):\n%s", want, got)
		}
	}
}

// TestLiveRotateCount keeps only the newest files.
func TestLiveRotateCount(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.pcapng")
	runLiveOn(t, &liveFlags{write: out, sizeBytes: 64 << 10, rotateCount: 2}, "../../pcaps/public/ntop-nDPI__teams.pcap")
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "r_*.pcapng"))
	if len(files) != 2 {
		t.Fatalf("kept %v, want the newest 2", files)
	}
	if filepath.Base(files[0]) == "r_00001.pcapng" {
		t.Errorf("kept %v, want the oldest deleted", files)
	}
}

// TestLiveJSONL checks the jsonl output: one object per line; the calls
// that ended and went idle during the capture (this one spans 16 minutes)
// streamed as they were folded, with their findings, then the final
// report from its capture line on with the rest, each call and finding
// once.
func TestLiveJSONL(t *testing.T) {
	got := runLiveOn(t, &liveFlags{format: formatJSONL}, "../../pcaps/public/sngrep__aaa.pcap")
	want := analyzeJSON(t, "../../pcaps/public/sngrep__aaa.pcap")
	counts := map[string]int{}
	for i, line := range strings.Split(strings.TrimSpace(got), "\n") {
		var obj map[string]any
		if err := jsonUnmarshal(line, &obj); err != nil {
			t.Fatalf("line %d %q: %v", i+1, line, err)
		}
		typ, _ := obj["type"].(string)
		if counts["capture"] == 0 && typ != "capture" && typ != "call" && typ != "finding" {
			t.Errorf("line %d: type %q before the capture line, want only streamed calls and findings", i+1, typ)
		}
		counts[typ]++
	}
	if counts["capture"] != 1 {
		t.Errorf("%d capture lines, want 1", counts["capture"])
	}
	if !strings.HasPrefix(got, `{"type":"call"`) {
		t.Errorf("output starts %.40q, want a call streamed before the final report", got)
	}
	if counts["call"] != len(want.Calls) || counts["finding"] != len(want.Findings) || counts["interface"] != 1 {
		t.Errorf("jsonl lines by type %v, want %d calls, %d findings, 1 interface", counts, len(want.Calls), len(want.Findings))
	}
}

func TestLiveFlags(t *testing.T) {
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{}, exitUsage, "no interface given"},
		{[]string{"-i", "eth0", "extra"}, exitUsage, "unexpected arguments"},
		{[]string{"-i", "eth0", "--format", "xml"}, exitUsage, "unknown --format"},
		{[]string{"-i", "eth0", "--rotate-size", "1M"}, exitUsage, "need --write"},
		{[]string{"-i", "eth0", "-w", "x.pcapng", "--rotate-count", "3"}, exitUsage, "needs --rotate-size"},
		{[]string{"-i", "eth0", "-w", "x.pcapng", "--rotate-size", "lots"}, exitUsage, "positive number of bytes"},
		{[]string{"-i", "eth0", "-i", "eth0"}, exitUsage, "given twice"},
		{[]string{"-i", "icediag-missing0", "--duration", "1s"}, exitFailure, "no such interface"},
		{[]string{"--help"}, exitOK, "built-in"},
	}
	if !live.FilterExpressions() {
		tests = append(tests, struct {
			args []string
			code int
			msg  string
		}{[]string{"-i", "eth0", "--filter", "udp"}, exitUsage, "only the built-in filter"})
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runLive(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.msg) {
				t.Errorf("live %v = %d, stderr %q; want %d containing %q", tt.args, code, stderr.String(), tt.code, tt.msg)
			}
		})
	}
}

func TestListInterfacesCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := runLive(context.Background(), []string{"--list-interfaces"}, &stdout, &stderr)
	if live.Backend() == "none" {
		if code != exitFailure {
			t.Errorf("--list-interfaces on a build without capture = %d, want %d", code, exitFailure)
		}
		return
	}
	if code != exitOK || !strings.Contains(stdout.String(), "capture backend: "+live.Backend()) {
		t.Errorf("--list-interfaces = %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	if _, err := os.Stat("/sys/class/net/lo"); err == nil && !strings.Contains(stdout.String(), "lo ") {
		t.Errorf("--list-interfaces does not show lo:\n%s", stdout.String())
	}
}

func analyzeJSON(t *testing.T, paths ...string) *diag.Report {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := append([]string{"--fail-on", "never", "--format", "json"}, paths...)
	if code := runAnalyze(context.Background(), args, &stdout, &stderr); code != exitOK {
		t.Fatalf("analyze %v = exit %d: %s", paths, code, stderr.String())
	}
	r, err := diag.ReadJSON(&stdout)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
