package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/icediag/icediag/decode/synth/callgen"
	"github.com/icediag/icediag/decode/synth/hostile"
	"github.com/icediag/icediag/diag"
)

// limitCase is a limit flag set low on a capture that reaches it.
type limitCase struct {
	flag, value string
	capture     string // under pcaps/, or hostile/NAME for the hostile corpus
	problem     string // a decode problem the report gains; "" checks duplicates
}

// limitCases cover every limit flag with a real capture that reaches the
// lowered limit, except the fragment-table flags: no public capture holds
// fragments long or interleaved enough, so the hostile corpus's
// 5,000 incomplete datagrams serve.
var limitCases = []limitCase{
	{"--max-record-size", "1K", "public/wireshark-samples__c07-sip-r2.pcap", "file damaged, rest of file skipped"},
	{"--max-gzip-ratio", "2", "gzip/callgen", "file damaged, rest of file skipped"},
	{"--dedup-window", "0", "public/ntop-nDPI__webex.pcap", ""},
	{"--fragment-timeout", "1ms", "hostile/fragments.pcap", "never completed (timeout)"},
	{"--max-fragment-datagrams", "1", "hostile/fragments.pcap", "fragment table full"},
	{"--max-stream-buffer", "1K", "public/heplify__sip_tcp_websocket.pcap", "message larger than the stream buffer"},
	{"--max-tcp-streams", "1", "public/heplify__sip_ipv4_tcp_retrans.pcap", "connection table full"},
	{"--max-tcp-pages-per-stream", "1", "public/ntop-nDPI__teams.pcap", "bytes missing in stream (gap)"},
	{"--max-tcp-pages", "1", "public/ntop-nDPI__teams.pcap", "bytes missing in stream (gap)"},
	{"--max-calls", "2", "public/wireshark-samples__c07-sip-r2.pcap", "call table full"},
	{"--max-transactions", "1", "public/heplify__erspan_sip_ipv4_udp.pcapng", "transaction table full"},
	{"--max-sessions", "1", "public/ntop-nDPI__stun_signal.pcapng", "ICE session table full"},
	{"--max-checks", "1", "public/ntop-nDPI__skype-conference-call.pcap", "check table full"},
	{"--max-stun-queries", "1", "public/arkime__stun.pcap", "STUN query table full"},
	{"--max-allocations", "1", "public/ntop-nDPI__stun_signal.pcapng", "allocation table full"},
	{"--max-turn-transactions", "1", "public/arkime__turn.pcap", "TURN transaction table full"},
	{"--max-media-flows", "1", "public/heplify__rtp_rtcp_sip_ipv4_udp.pcap", "media flow table full"},
}

// TestLimitFlagsDocumented: the flags docs/limits.md names are the limit
// flags analyze lists under its Limits heading, and each has a case in
// limitCases.
func TestLimitFlagsDocumented(t *testing.T) {
	documented := docFlags(t)
	listed := usageLimitFlags(t)
	if d, l := strings.Join(documented, " "), strings.Join(listed, " "); d != l {
		t.Errorf("docs/limits.md names flags\n  %s\nanalyze --help lists\n  %s", d, l)
	}
	tested := map[string]bool{}
	for _, c := range limitCases {
		tested[c.flag] = true
	}
	for _, f := range documented {
		if !tested[f] {
			t.Errorf("flag %s has no case in limitCases", f)
		}
	}
	if len(documented) < 10 {
		t.Errorf("docs/limits.md names %d flags: the flag column was not read", len(documented))
	}
}

// TestLimitFlagsChangeBehaviour runs analyze on each case's capture with
// the default limits and with the flag: the lowered limit's report counts
// its problem more often (or, for the duplicate window, counts duplicates
// only by default).
func TestLimitFlagsChangeBehaviour(t *testing.T) {
	for _, c := range limitCases {
		t.Run(strings.TrimPrefix(c.flag, "--"), func(t *testing.T) {
			path := limitCapture(t, c.capture)
			base := analyzeLimited(t, path)
			low := analyzeLimited(t, path, c.flag, c.value)
			if c.problem == "" {
				if base.Capture.Duplicates == 0 || low.Capture.Duplicates != 0 {
					t.Errorf("duplicates: %d by default, %d with %s %s; want some, then none",
						base.Capture.Duplicates, low.Capture.Duplicates, c.flag, c.value)
				}
				return
			}
			if b, l := problemCount(base, c.problem), problemCount(low, c.problem); l <= b {
				t.Errorf("analyze %s %s %s: %q counted %d times, %d with the default limits; want more",
					c.flag, c.value, c.capture, c.problem, l, b)
			}
		})
	}
}

// TestLimitFlagsOtherCommands: packets, calls, flow and ice take the
// limit flags and say what they dropped.
func TestLimitFlagsOtherCommands(t *testing.T) {
	pub := func(n string) string { return filepath.Join("..", "..", "pcaps", "public", n) }
	tests := []struct {
		args []string
		out  string // expected in stdout or stderr
	}{
		{[]string{"packets", "--max-tcp-streams", "1", pub("heplify__sip_ipv4_tcp_retrans.pcap")}, "connection table full"},
		{[]string{"calls", "--max-calls", "2", pub("wireshark-samples__c07-sip-r2.pcap")}, "call table full (--max-calls): 10 calls dropped"},
		{[]string{"flow", "--max-transactions", "1", pub("heplify__erspan_sip_ipv4_udp.pcapng")}, "transaction table full (--max-transactions)"},
		{[]string{"ice", "--max-sessions", "1", pub("ntop-nDPI__stun_signal.pcapng")}, "ICE session table full"},
	}
	for _, tt := range tests {
		t.Run(tt.args[0], func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != exitOK {
				t.Fatalf("run(%q) = %d, want %d; stderr %s", tt.args, code, exitOK, stderr.String())
			}
			if !strings.Contains(stdout.String()+stderr.String(), tt.out) {
				t.Errorf("run(%q): output does not contain %q; stderr:\n%s", tt.args, tt.out, stderr.String())
			}
			def := append([]string{tt.args[0]}, tt.args[3:]...)
			stdout.Reset()
			stderr.Reset()
			run(context.Background(), def, &stdout, &stderr)
			if strings.Contains(stdout.String()+stderr.String(), tt.out) {
				t.Errorf("run(%q) with the default limits already says %q", def, tt.out)
			}
		})
	}
}

// TestLimitFlagValues: values reach the options they set, with their
// units; bad values are usage errors naming the flag.
func TestLimitFlagValues(t *testing.T) {
	good := []struct {
		args []string
		get  func(l *limitFlags) int64
		want int64
	}{
		{[]string{"--max-calls", "50K"}, func(l *limitFlags) int64 { return int64(l.Session().SIP.MaxCalls) }, 50000},
		{[]string{"--max-media-flows", "2M"}, func(l *limitFlags) int64 { return int64(l.Session().ICE.MaxFlows) }, 2000000},
		{[]string{"--max-stream-buffer", "1M"}, func(l *limitFlags) int64 { return int64(l.Decode().MaxStreamBuffer) }, 1 << 20},
		{[]string{"--dedup-window", "0"}, func(l *limitFlags) int64 { return int64(l.Decode().DedupWindow) }, -1},
		{[]string{"--fragment-timeout", "2s"}, func(l *limitFlags) int64 { return int64(l.Decode().FragmentTimeout) }, 2e9},
		{[]string{"--max-tcp-pages", "100"}, func(l *limitFlags) int64 { return int64(l.Decode().TCPPagesTotal) }, 100},
		{nil, func(l *limitFlags) int64 { return int64(l.Session().ICE.MaxChecks) }, 200000},
	}
	for _, tt := range good {
		name := strings.Join(tt.args, "=")
		if name == "" {
			name = "defaults"
		}
		t.Run(name, func(t *testing.T) {
			fs := newFlagSet("test", "test", &bytes.Buffer{})
			l := addLimitFlags(fs)
			if err := fs.Parse(tt.args); err != nil || l.check() != nil {
				t.Fatalf("Parse(%q) = %v, check %v", tt.args, err, l.check())
			}
			if got := tt.get(l); got != tt.want {
				t.Errorf("Parse(%q): value %d, want %d", tt.args, got, tt.want)
			}
		})
	}
	bad := [][]string{
		{"--max-calls", "0"}, {"--max-calls", "-5"}, {"--max-calls", "lots"}, {"--max-checks", "2000M"},
		{"--max-stream-buffer", "2G"}, {"--max-stream-buffer", "0"}, {"--dedup-window", "-1ms"},
		{"--fragment-timeout", "0"}, {"--fragment-timeout", "soon"},
	}
	capture := filepath.Join("..", "..", "pcaps", "public", "sngrep__aaa.pcap")
	for _, args := range bad {
		t.Run(strings.Join(args, "="), func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(context.Background(), append(append([]string{"analyze"}, args...), capture), &bytes.Buffer{}, &stderr)
			if code != exitUsage || !strings.Contains(stderr.String(), args[0]) {
				t.Errorf("analyze %q = %d, stderr %q; want %d naming %s", args, code, stderr.String(), exitUsage, args[0])
			}
		})
	}
}

// docFlags returns the flags named in the flag column of docs/limits.md's
// tables, sorted.
func docFlags(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "limits.md"))
	if err != nil {
		t.Fatal(err)
	}
	flag := regexp.MustCompile("`(--[a-z][a-z0-9-]*)")
	seen := map[string]bool{}
	col := -1
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if !strings.HasPrefix(line, "|") {
			col = -1
			continue
		}
		if col < 0 {
			for i, c := range cells {
				if c == "flag" {
					col = i
				}
			}
			continue
		}
		if col < len(cells) {
			for _, m := range flag.FindAllStringSubmatch(cells[col], -1) {
				seen[m[1]] = true
			}
		}
	}
	return sortedFlagNames(seen)
}

// usageLimitFlags returns the flags analyze --help lists after its
// Limits heading, sorted.
func usageLimitFlags(t *testing.T) []string {
	t.Helper()
	var stderr bytes.Buffer
	run(context.Background(), []string{"analyze", "--help"}, &bytes.Buffer{}, &stderr)
	seen := map[string]bool{}
	in := false
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "Limits") {
			in = true
			continue
		}
		if f := strings.Fields(line); in && len(f) > 0 && strings.HasPrefix(f[0], "--") {
			seen[f[0]] = true
		}
	}
	if !in {
		t.Fatalf("analyze --help has no Limits heading:\n%s", stderr.String())
	}
	return sortedFlagNames(seen)
}

func sortedFlagNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// limitCapture returns the path of a case's capture, writing hostile
// corpus captures to a temporary directory.
func limitCapture(t *testing.T, name string) string {
	t.Helper()
	if name == "gzip/callgen" {
		return gzipCallgen(t)
	}
	h, ok := strings.CutPrefix(name, "hostile/")
	if !ok {
		return filepath.Join("..", "..", "pcaps", name)
	}
	for _, c := range hostile.All() {
		if c.Name == h {
			path := filepath.Join(t.TempDir(), h)
			if err := os.WriteFile(path, c.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}
	}
	t.Fatalf("no hostile capture %s", h)
	return ""
}

// analyzeLimited runs analyze --format json with extra flags.
func analyzeLimited(t *testing.T, path string, flags ...string) *diag.Report {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := append(append([]string{"analyze", "--format", "json", "--fail-on", "never"}, flags...), path)
	if code := run(context.Background(), args, &stdout, &stderr); code != exitOK {
		t.Fatalf("run(%q) = %d; stderr %s", args, code, stderr.String())
	}
	r, err := diag.ReadJSON(&stdout)
	if err != nil {
		t.Fatalf("run(%q): report: %v", args, err)
	}
	return r
}

// problemCount sums the counts of the report's problems whose reason
// contains reason.
func problemCount(r *diag.Report, reason string) uint64 {
	var n uint64
	for _, p := range r.Capture.Problems {
		if strings.Contains(p.Reason, reason) {
			n += p.Count
		}
	}
	return n
}

// FuzzLimitFlagValues sets every limit flag to arbitrary text: no value
// panics, and an accepted value is positive (the dedup window may be 0),
// within its bound, and reads back as itself.
func FuzzLimitFlagValues(f *testing.F) {
	for _, s := range []string{"1", "50K", "2M", "1G", "256K", "0", "-1", "1ms", "30s", "1073741824", "1e3", " 7 ", "K", "9999999999M"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l := addLimitFlags(newFlagSet("fuzz", "fuzz", &bytes.Buffer{}))
		l.fs.VisitAll(func(fl *pflag.Flag) {
			if fl.Value.Set(s) != nil {
				return
			}
			back := fl.Value.String()
			switch v := fl.Value.(type) {
			case *countValue:
				if *v <= 0 || *v > maxCount {
					t.Errorf("--%s %q = %d, want 1 to %d", fl.Name, s, int(*v), maxCount)
				}
			case *sizeValue:
				if *v <= 0 || *v > maxSize {
					t.Errorf("--%s %q = %d, want 1 to %d", fl.Name, s, int(*v), maxSize)
				}
			case *durationValue:
				if *v < 0 {
					t.Errorf("--%s %q = %v, want not negative", fl.Name, s, time.Duration(*v))
				}
			}
			if err := fl.Value.Set(back); err != nil || fl.Value.String() != back {
				t.Errorf("--%s %q reads back as %q, which sets %q (%v)", fl.Name, s, back, fl.Value.String(), err)
			}
		})
	})
}

// gzipCallgen writes a gzip-compressed generated capture of 4 MiB: RTP
// compresses well beyond 2:1, and the expansion check starts after the
// first MiB.
func gzipCallgen(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "callgen.pcap.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if _, err := callgen.Write(zw, callgen.Config{Seed: 3, Size: 4 << 20}); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
