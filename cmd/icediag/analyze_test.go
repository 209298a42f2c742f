package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

const failedSIP = "../../pcaps/public/sngrep__aaa.pcap"

// TestAnalyzeExitCodes checks the documented exit codes: 3 when findings
// reach --fail-on, 0 otherwise, 2 on usage errors, 1 when nothing can be read.
func TestAnalyzeExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"analyze", failedSIP}, exitFindings},
		{[]string{"analyze", "--fail-on", "never", failedSIP}, exitOK},
		{[]string{"analyze", "--fail-on", "warning", "../../pcaps/public/wireshark-samples__sip-rtp-g711.pcap"}, exitOK},
		{[]string{"analyze", "--format", "xml", failedSIP}, exitUsage},
		{[]string{"analyze", "--fail-on", "sometimes", failedSIP}, exitUsage},
		{[]string{"analyze"}, exitUsage},
		{[]string{"analyze", "testdata/no-such-file.pcap"}, exitFailure},
		{[]string{"frobnicate"}, exitUsage},
	} {
		if _, stderr, code := runCmd(t, tc.args...); code != tc.want {
			t.Errorf("icediag %s = exit %d, want %d (stderr %q)", strings.Join(tc.args, " "), code, tc.want, stderr)
		}
	}
}

// TestAnalyzeDeterministic runs analyze twice in every format and compares
// the bytes.
func TestAnalyzeDeterministic(t *testing.T) {
	for _, format := range []string{"text", "json", "md"} {
		a, _, _ := runCmd(t, "analyze", "--format", format, failedSIP)
		b, _, _ := runCmd(t, "analyze", "--format", format, failedSIP)
		if a != b {
			t.Errorf("analyze --format %s differs between two runs", format)
		}
		if a == "" {
			t.Errorf("analyze --format %s printed nothing", format)
		}
	}
}

// TestRenderRoundTrip saves a JSON report and renders it again: the text
// and Markdown must equal what analyze prints directly.
func TestRenderRoundTrip(t *testing.T) {
	dir := t.TempDir()
	saved := filepath.Join(dir, "report.json")
	if _, stderr, code := runCmd(t, "analyze", "--format", "json", "-o", saved, failedSIP); code != exitFindings {
		t.Fatalf("analyze -o: exit %d: %s", code, stderr)
	}
	for _, format := range []string{"text", "md", "json"} {
		direct, _, _ := runCmd(t, "analyze", "--format", format, failedSIP)
		again, stderr, code := runCmd(t, "render", "--format", format, saved)
		if code != exitOK {
			t.Fatalf("render --format %s: exit %d: %s", format, code, stderr)
		}
		if direct != again {
			t.Errorf("render --format %s of the saved report differs from analyze --format %s", format, format)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"schema":"other/v9"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, code := runCmd(t, "render", filepath.Join(dir, "bad.json")); code != exitFailure {
		t.Errorf("render of a foreign schema = exit %d, want %d", code, exitFailure)
	}
}

// TestAnalyzeSIPFindings checks that the SIP signalling rules see what the
// capture shows: sngrep__aaa.pcap has a REGISTER challenged again and again,
// calls rejected with 403 and 480, and an INVITE that timed out with 408.
func TestAnalyzeSIPFindings(t *testing.T) {
	out, _, _ := runCmd(t, "analyze", "--format", "json", failedSIP)
	for _, want := range []string{
		`"id": "sip-auth-failed"`,
		`"title": "REGISTER of sip:voi18063@sip.cybercity.dk challenged 3 times by 212.242.33.35:5060, never accepted"`,
		`"title": "Call from \"arik\" \u003csip:35104723@sip.cybercity.dk\u003e to sip:35104724@sip.cybercity.dk rejected with 480 Error"`,
		`rejected with 408 Request Timeout`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("analyze --format json of %s lacks %s", failedSIP, want)
		}
	}
	healthy, _, _ := runCmd(t, "analyze", "--format", "json", "../../pcaps/public/wireshark-samples__sip-rtp-g711.pcap")
	if strings.Contains(healthy, `"severity": "error"`) {
		t.Errorf("a healthy call has an error finding:\n%s", healthy)
	}
}

// TestAnalyzeProfiles: --cpuprofile and --memprofile write profiles
// (gzip-compressed protocol buffers) and leave the report as it is; a path
// that cannot be created is an error.
func TestAnalyzeProfiles(t *testing.T) {
	want, _, _ := runCmd(t, "analyze", "--fail-on", "never", failedSIP)
	path := filepath.Join(t.TempDir(), "cpu.prof")
	got, stderr, code := runCmd(t, "analyze", "--fail-on", "never", "--cpuprofile", path, failedSIP)
	if code != exitOK || got != want {
		t.Fatalf("analyze --cpuprofile: exit %d (stderr %q), report equal: %v; want 0 and the same report", code, stderr, got == want)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("profile starts %x, want a gzip stream", b[:min(len(b), 4)])
	}
	heap := filepath.Join(t.TempDir(), "heap.prof")
	if got, stderr, code := runCmd(t, "analyze", "--fail-on", "never", "--memprofile", heap, failedSIP); code != exitOK || got != want {
		t.Fatalf("analyze --memprofile: exit %d (stderr %q), report equal: %v; want 0 and the same report", code, stderr, got == want)
	}
	if b, err := os.ReadFile(heap); err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("heap profile: %v, starts %x; want a gzip stream", err, b[:min(len(b), 4)])
	}
	bad := filepath.Join(t.TempDir(), "no-such-dir", "cpu.prof")
	for _, flag := range []string{"--cpuprofile", "--memprofile"} {
		if _, stderr, code := runCmd(t, "analyze", flag, bad, failedSIP); code != exitFailure || !strings.Contains(stderr, "no-such-dir") {
			t.Errorf("analyze %s %s: exit %d, stderr %q; want 1 naming the path", flag, bad, code, stderr)
		}
	}
}
