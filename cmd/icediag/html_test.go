package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/synth"
	"github.com/icediag/icediag/diag"
)

// htmlCaptures are the captures whose HTML reports are checked: a
// crafted UDP-3478 block (TURN falls back to TCP 443), a healthy call
// through the Edge, a lab capture of a relayed call through symmetric
// NATs, and a public SIP-only capture of a failed call.
var htmlCaptures = []struct {
	path string
	ice  bool // has an ICE session, so a pair matrix
}{
	{"../../pcaps/crafted/fail-udp3478-blocked.pcap", true},
	{"../../pcaps/crafted/ok-edge-call.pcap", true},
	{"../../pcaps/lab/captures/relay-symmetric/alice-lan.pcap", true},
	{"../../pcaps/lab/captures/high-ports-blocked/alice-lan.pcap", true},
	{"../../pcaps/public/sngrep__aaa.pcap", false},
}

// labScreenshot is the capture whose screenshot the README shows: a lab
// call whose direct checks to the Edge's high ports go unanswered.
const labScreenshot = "lab-high-ports-blocked-alice-lan.pcap"

// htmlName names a capture's golden and screenshot files; lab captures
// carry their scenario ("lab-relay-symmetric-alice-lan.pcap").
func htmlName(path string) string {
	dir, base := filepath.Split(filepath.ToSlash(path))
	if strings.Contains(dir, "/lab/captures/") {
		return "lab-" + filepath.Base(dir) + "-" + base
	}
	return base
}

// TestHTMLGolden checks the HTML report of each capture against
// testdata/html/<capture>.html (-update rewrites them), that it is
// deterministic, and that `render --format html` of the saved JSON report
// gives the same bytes as `analyze --format html`.
func TestHTMLGolden(t *testing.T) {
	for _, c := range htmlCaptures {
		t.Run(htmlName(c.path), func(t *testing.T) {
			got := analyzeGoldenAt(t, c.path, "html", filepath.Join("testdata", "html", htmlName(c.path)+".html"))
			js, stderr, code := runCmd(t, "analyze", "--fail-on", "never", "--format", "json", c.path)
			if code != exitOK {
				t.Fatalf("analyze --format json %s = exit %d: %s", c.path, code, stderr)
			}
			saved := filepath.Join(t.TempDir(), "report.json")
			if err := os.WriteFile(saved, []byte(js), 0o644); err != nil {
				t.Fatal(err)
			}
			again, stderr, code := runCmd(t, "render", "--format", "html", saved)
			if code != exitOK {
				t.Fatalf("render --format html = exit %d: %s", code, stderr)
			}
			if again != got {
				t.Errorf("render --format html of the JSON report differs from analyze --format html:\n%s", lineDiff(got, again))
			}
		})
	}
}

// TestHTMLSelfContained checks that no report loads anything: no
// script, no external style sheet, font or image.
func TestHTMLSelfContained(t *testing.T) {
	banned := regexp.MustCompile(`(?i)<script|<link|<iframe|<img|@import|url\(|src=|https?://[^"<\s]*\.(css|js|woff2?)`)
	for _, c := range htmlCaptures {
		t.Run(htmlName(c.path), func(t *testing.T) {
			out, stderr, code := runCmd(t, "analyze", "--fail-on", "never", "--format", "html", c.path)
			if code != exitOK {
				t.Fatalf("analyze --format html %s = exit %d: %s", c.path, code, stderr)
			}
			if m := banned.FindString(out); m != "" {
				t.Errorf("analyze --format html %s contains %q, want a self-contained file", c.path, m)
			}
		})
	}
}

// TestHTMLChromium opens each report in headless Chromium and checks the
// DOM it built: every finding's id and title, the SVG ladder, the pair
// matrix (for captures with ICE) and the media timeline. It saves a
// screenshot of each; -update copies the lab capture's to
// docs/images/report.png.
func TestHTMLChromium(t *testing.T) {
	browser := chromium(t)
	shots := screenshotDir(t)
	for _, c := range htmlCaptures {
		t.Run(htmlName(c.path), func(t *testing.T) {
			page := filepath.Join(t.TempDir(), "report.html")
			if _, stderr, code := runCmd(t, "analyze", "--fail-on", "never", "--format", "html", "-o", page, c.path); code != exitOK {
				t.Fatalf("analyze -o %s = exit %d: %s", page, code, stderr)
			}
			dom := dumpDOM(t, browser, page)
			text := domText(dom)
			for _, f := range reportOf(t, c.path).Findings {
				if !strings.Contains(text, f.ID) || !strings.Contains(text, f.Title) {
					t.Errorf("DOM of %s lacks finding %s %q", c.path, f.ID, f.Title)
				}
			}
			for _, want := range []string{`<svg class="ladder"`, `<g class="ev sip`} {
				if !strings.Contains(dom, want) {
					t.Errorf("DOM of %s lacks %s", c.path, want)
				}
			}
			if got := strings.Contains(dom, `<table class="matrix"`); got != c.ice {
				t.Errorf("DOM of %s has a pair matrix = %v, want %v", c.path, got, c.ice)
			}
			if c.ice && !strings.Contains(dom, `class="cell succeeded selected"`) {
				t.Errorf("DOM of %s marks no selected succeeded pair", c.path)
			}
			png := filepath.Join(shots, htmlName(c.path)+".png")
			screenshot(t, browser, page, png)
			if *update && htmlName(c.path) == labScreenshot {
				copyFile(t, png, filepath.Join("..", "..", "docs", "images", "report.png"))
			}
		})
	}
}

// TestHTMLEscapesCaptureText analyses a capture whose SIP display names,
// Call-ID and User-Agent carry markup and quote characters, and checks
// that the report shows them as text: no script element, no injected
// attribute, the text present.
func TestHTMLEscapesCaptureText(t *testing.T) {
	capture := filepath.Join(t.TempDir(), "hostile-names.pcap")
	writeHostileCall(t, capture)
	out, stderr, code := runCmd(t, "analyze", "--fail-on", "never", "--format", "html", capture)
	if code != exitOK {
		t.Fatalf("analyze --format html = exit %d: %s", code, stderr)
	}
	rep := reportOf(t, capture)
	if len(rep.Calls) != 1 || !strings.Contains(rep.Calls[0].From, hostileName) {
		t.Fatalf("analyze of the hostile capture: calls %+v, want one from %q", rep.Calls, hostileName)
	}
	checkInert(t, "analyze output", out)
	if !strings.Contains(out, html.EscapeString(hostileName)) {
		t.Errorf("analyze output lacks the escaped display name %q", html.EscapeString(hostileName))
	}
	browser := chromiumOrEmpty()
	if browser == "" {
		t.Log("chromium not installed: DOM not checked")
		return
	}
	page := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(page, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := dumpDOM(t, browser, page)
	checkInert(t, "DOM", dom)
	text := domText(dom)
	for _, want := range []string{hostileName, hostileCallID, hostileUA} {
		if !strings.Contains(text, want) {
			t.Errorf("DOM text lacks %q", want)
		}
	}
}

// Text of the hostile capture.
const (
	hostileName   = `<script>alert(1)</script> O'Brien \"the boss\"`
	hostileCallID = `x"><script>alert(2)</script>'`
	hostileUA     = `<img src=x onerror="alert(3)">`
)

// inertPatterns are markup the capture text would have become had it
// not been escaped: elements and event-handler attributes.
var inertPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)<script`),
	regexp.MustCompile(`(?i)<img`),
	regexp.MustCompile(`(?i)<[^<>]*\son[a-z]+\s*=`),
}

// checkInert fails when markup from the capture became markup of the page.
func checkInert(t *testing.T, what, page string) {
	t.Helper()
	for _, re := range inertPatterns {
		if loc := re.FindStringIndex(page); loc != nil {
			t.Errorf("%s matches %s at %q", what, re, page[max(0, loc[0]-60):min(len(page), loc[1]+60)])
		}
	}
}

// writeHostileCall writes a SIP call over UDP (INVITE, 180, 200, ACK, BYE,
// 200) whose From display name, Call-ID and User-Agent carry markup, as
// RFC 3261 §25.1 allows: quoted-string (with escaped quotes) and word.
func writeHostileCall(t *testing.T, path string) {
	t.Helper()
	a := netip.MustParseAddrPort("10.9.0.1:5060")
	b := netip.MustParseAddrPort("10.9.0.2:5060")
	from := `"` + hostileName + `" <sip:mallory@evil.example>;tag=f1`
	to := `<sip:bob@example.com>`
	msg := func(start, cseq, toTag string) []byte {
		tt := to
		if toTag != "" {
			tt += ";tag=" + toTag
		}
		return []byte(start + "\r\n" +
			"Via: SIP/2.0/UDP " + a.String() + ";branch=z9hG4bK-" + strings.ReplaceAll(cseq, " ", "") + "\r\n" +
			"From: " + from + "\r\nTo: " + tt + "\r\nCall-ID: " + hostileCallID + "\r\nCSeq: " + cseq + "\r\n" +
			"User-Agent: " + hostileUA + "\r\nMax-Forwards: 70\r\nContact: <sip:mallory@10.9.0.1>\r\nContent-Length: 0\r\n\r\n")
	}
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	steps := []struct {
		fromA bool
		data  []byte
	}{
		{true, msg("INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "")},
		{false, msg("SIP/2.0 180 Ringing", "1 INVITE", "t2")},
		{false, msg("SIP/2.0 200 OK", "1 INVITE", "t2")},
		{true, msg("ACK sip:bob@10.9.0.2 SIP/2.0", "1 ACK", "t2")},
		{true, msg("BYE sip:bob@10.9.0.2 SIP/2.0", "2 BYE", "t2")},
		{false, msg("SIP/2.0 200 OK", "2 BYE", "t2")},
	}
	var frames []synth.Frame
	for i, s := range steps {
		src, dst := a, b
		if !s.fromA {
			src, dst = b, a
		}
		frames = append(frames, synth.Frame{Time: t0.Add(time.Duration(i) * 300 * time.Millisecond), Data: synth.UDP(src, dst, s.data)})
	}
	var buf bytes.Buffer
	if err := synth.WritePcap(&buf, synth.LinkTypeRaw, frames); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// reportOf analyses a capture and returns its report.
func reportOf(t *testing.T, capture string) *diag.Report {
	t.Helper()
	out, stderr, code := runCmd(t, "analyze", "--fail-on", "never", "--format", "json", capture)
	if code != exitOK {
		t.Fatalf("analyze --format json %s = exit %d: %s", capture, code, stderr)
	}
	var r diag.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("analyze --format json %s: %v", capture, err)
	}
	return &r
}

var tags = regexp.MustCompile(`<[^>]*>`)

// domText is the text of a serialised DOM, with tags removed and
// entities decoded.
func domText(dom string) string {
	return html.UnescapeString(tags.ReplaceAllString(dom, " "))
}

func chromiumOrEmpty() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// chromium returns the browser, or skips the test when it is absent.
func chromium(t *testing.T) string {
	t.Helper()
	p := chromiumOrEmpty()
	if p == "" {
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	return p
}

// headless runs Chromium headless on a local file with the given extra
// arguments and returns its standard output.
func headless(t *testing.T, browser, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	abs, err := filepath.Abs(page)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, browser, append(append(base, args...), "file://"+abs)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", browser, args, err, stderr.String())
	}
	return out
}

func dumpDOM(t *testing.T, browser, page string) string {
	t.Helper()
	dom := string(headless(t, browser, page, "--dump-dom"))
	if !strings.Contains(dom, "</html>") {
		t.Fatalf("chromium --dump-dom %s: no document (%d bytes)", page, len(dom))
	}
	return dom
}

func screenshot(t *testing.T, browser, page, png string) {
	t.Helper()
	headless(t, browser, page, "--hide-scrollbars", "--screenshot="+png, "--window-size=1280,2000")
	b, err := os.ReadFile(png)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("chromium --screenshot=%s: no PNG written (%v)", png, err)
	}
	t.Logf("screenshot %s", png)
}

// screenshotDir is $ICEDIAG_SCREENSHOTS, or a temporary directory.
func screenshotDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("ICEDIAG_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(fmt.Errorf("copy screenshot: %w", err))
	}
}
