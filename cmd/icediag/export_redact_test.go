package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/redact"
	"github.com/icediag/icediag/diag"
)

// redactedPair is the plain and the redacted export of one target.
type redactedPair struct {
	target         exportTarget
	plain, redacte string
	// zeroed counts the frames whose payload the redaction zeroed.
	zeroed int
}

// exportBoth writes the plain and the redacted export of the first limit
// targets of a capture (every target when limit is 0).
func exportBoth(t *testing.T, files []string, limit int) []redactedPair {
	t.Helper()
	full, _ := analyzeReport(t, files...)
	var out []redactedPair
	for i, x := range targets(full) {
		if limit > 0 && i >= limit {
			break
		}
		dir := t.TempDir()
		p := redactedPair{target: x, plain: filepath.Join(dir, "plain.pcapng"), redacte: filepath.Join(dir, "redacted.pcapng")}
		runExportTo(t, files, x, p.plain, false)
		p.zeroed = runExportTo(t, files, x, p.redacte, true).Zeroed
		out = append(out, p)
	}
	return out
}

// redactedAnalysis is `icediag analyze --redact-key exportKey --format
// json` of files, in process.
func redactedAnalysis(t *testing.T, files ...string) []byte {
	t.Helper()
	rd := redact.New([]byte(exportKey))
	in, err := analyzeInputWith(files, nil, nil, decode.Options{}, diag.SessionOptions{}, rd.Learn)
	if err != nil {
		t.Fatal(err)
	}
	r := diag.Build(in)
	diag.Redact(r, rd)
	var buf bytes.Buffer
	if err := diag.Render(&buf, r, diag.FormatJSON); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// normalised is a JSON report with the input file names removed, for
// comparing the analyses of two files; without problems when the
// redaction zeroed payloads it could not parse (their decode problems go
// with them, docs/export.md).
func normalised(t *testing.T, b []byte, noProblems bool) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if c, ok := v["capture"].(map[string]any); ok {
		if noProblems {
			delete(c, "problems")
		}
		if fs, ok := c["files"].([]any); ok {
			for _, f := range fs {
				if m, ok := f.(map[string]any); ok {
					delete(m, "name")
				}
			}
		}
	}
	out, _ := json.MarshalIndent(sortArrays(v), "", " ")
	return string(out)
}

// sortArrays orders every JSON array by its elements' encoding:
// pseudonyms change the order of lists sorted by address or name.
func sortArrays(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = sortArrays(e)
		}
	case []any:
		keys := make([]string, len(x))
		for i, e := range x {
			x[i] = sortArrays(e)
			b, _ := json.Marshal(x[i])
			keys[i] = string(b)
		}
		sort.Sort(byKey{x, keys})
	}
	return v
}

// byKey sorts values by their keys.
type byKey struct {
	v    []any
	keys []string
}

func (b byKey) Len() int           { return len(b.v) }
func (b byKey) Less(i, j int) bool { return b.keys[i] < b.keys[j] }
func (b byKey) Swap(i, j int) {
	b.v[i], b.v[j] = b.v[j], b.v[i]
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
}

// perCaptureLimit bounds the targets of one capture that tests (b) and
// (c) export (sngrep__aaa.pcap and heplify__sip_ipv4_tcp_fragmented.pcap
// have dozens of calls); tests (a) and (d) export them all.
const perCaptureLimit = 6

// TestExportRedactedEqualsRedactedAnalysis is acceptance test (b) of
// issue 8: icediag's analysis of the redacted export equals the redacted
// analysis of the plain export, for the calls and SIP-less sessions of
// every capture in pcaps/ (perCaptureLimit of each).
func TestExportRedactedEqualsRedactedAnalysis(t *testing.T) {
	for _, tc := range exportCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, p := range exportBoth(t, tc.files, perCaptureLimit) {
				_, got := analyzeReport(t, p.redacte)
				want := redactedAnalysis(t, p.plain)
				if g, w := normalised(t, got, p.zeroed > 0), normalised(t, want, p.zeroed > 0); g != w {
					t.Errorf("%v: analysis of the redacted export differs from the redacted analysis of the plain export:\n%s", p.target, firstDiff(g, w))
				}
			}
		})
	}
}

// firstDiff shows the first differing line of two texts with context.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			from := max(0, i-3)
			return "got:\n" + strings.Join(g[from:min(len(g), i+3)], "\n") + "\nwant:\n" + strings.Join(w[from:min(len(w), i+3)], "\n")
		}
	}
	return "lengths differ"
}

// tsharkErrors counts the frames tshark marks malformed or with an
// error-level expert item.
func tsharkErrors(t *testing.T, path string) int {
	t.Helper()
	out, err := exec.Command("tshark", "-n", "-r", path, "-Y", "_ws.malformed || _ws.expert.severity == error",
		"-T", "fields", "-e", "frame.number").Output()
	if err != nil {
		t.Fatalf("tshark -r %s: %v", path, err)
	}
	return len(strings.Fields(string(out)))
}

// TestExportRedactedDecodes is acceptance test (c): tshark finds no more
// malformed or error frames in a redacted export than in the plain one.
// It covers the calls (perCaptureLimit of each capture; sessions without
// SIP go through the same rewriter) to stay within the test budget.
func TestExportRedactedDecodes(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed")
	}
	for _, tc := range exportCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, p := range exportBoth(t, tc.files, perCaptureLimit) {
				if p.target.call == "" {
					continue
				}
				if got, plain := tsharkErrors(t, p.redacte), tsharkErrors(t, p.plain); got > plain {
					t.Errorf("%v: tshark reports %d malformed/error frames in the redacted export, %d in the plain one", p.target, got, plain)
				}
			}
		})
	}
}

// secrets collects what must not survive redaction in an export: every
// IP address of every IP header, the users, hosts and URIs of the SIP
// messages, the STUN USERNAME parts, REALM and NONCE, and the SDP
// ice-ufrag and ice-pwd values.
func secrets(t *testing.T, path string) (addrs []netip.Addr, words []string) {
	t.Helper()
	seenA, seenW := map[netip.Addr]bool{}, map[string]bool{}
	word := func(s string) {
		// A short number (a URI user such as 10009) is replaced inside
		// its URI, which is looked for whole; alone it matches ports,
		// sequence numbers and media bytes (docs/redaction.md).
		if s = strings.TrimSpace(s); len(s) >= 5 && !seenW[s] && !shortNumber(s) {
			seenW[s] = true
			words = append(words, s)
		}
	}
	addr := func(a netip.Addr) {
		if a.IsValid() && !seenA[a] {
			seenA[a] = true
			addrs = append(addrs, a)
		}
	}
	uri := regexp.MustCompile(`sips?:([^@\s;>:"]+)@([A-Za-z0-9.\-]+)`)
	in, err := analyzeInputWith([]string{path}, nil, nil, decode.Options{}, diag.SessionOptions{}, func(ev *decode.Event) {
		addr(ev.Flow.Src.Addr())
		addr(ev.Flow.Dst.Addr())
		switch {
		case ev.Kind == decode.KindSIP:
			for _, mm := range uri.FindAllStringSubmatch(string(ev.Payload), -1) {
				word(mm[0])
				word(mm[1])
				word(mm[2])
			}
		case ev.Kind == decode.KindSTUN && ev.STUN != nil:
			for _, part := range strings.Split(string(bytes.TrimRight(ev.STUN.Username, "\x00")), ":") {
				word(part)
			}
			word(string(ev.STUN.Realm))
			word(string(ev.STUN.Nonce))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range in.ICE.Sessions {
		for _, side := range s.Sides {
			word(side.Ufrag)
			word(side.Pwd)
		}
	}
	return addrs, words
}

// TestExportRedactedLeaksNothing is acceptance test (d) of issue 8: the
// bytes of every redacted export of every capture hold none of the
// export's IP addresses (as text, in binary and XORed with the STUN magic
// cookie), SIP URIs, users, domains, ICE credentials, TURN usernames,
// realms and nonces. Only what the redactor keeps by design (protocol
// vocabulary, and the addresses docs/redaction.md lists as kept: loopback,
// multicast, the Microsoft 365 media ranges, ...) is not looked for.
func TestExportRedactedLeaksNothing(t *testing.T) {
	for _, tc := range exportCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rd := redact.New([]byte(exportKey))
			for _, p := range exportBoth(t, tc.files, 0) {
				data, err := os.ReadFile(p.redacte)
				if err != nil {
					t.Fatal(err)
				}
				addrs, words := secrets(t, p.plain)
				var leaks []string
				for _, a := range addrs {
					if rd.Addr(a) == a {
						continue
					}
					for _, form := range addrForms(a) {
						if bytes.Contains(data, form) {
							leaks = append(leaks, a.String())
							break
						}
					}
				}
				for _, w := range words {
					if !redact.IsVocabulary(w) && bytes.Contains(data, []byte(w)) {
						leaks = append(leaks, w)
					}
				}
				if len(leaks) > 0 {
					sort.Strings(leaks)
					t.Errorf("%v: the redacted export still holds %q", p.target, leaks)
				}
			}
		})
	}
}

// shortNumber reports a number of fewer than six digits, which Text keeps
// outside URIs.
func shortNumber(s string) bool {
	if len(s) >= 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// addrForms returns the text, binary and cookie-XORed (RFC 8489 §14.2)
// forms of an address.
func addrForms(a netip.Addr) [][]byte {
	forms := [][]byte{[]byte(a.String()), a.AsSlice()}
	if a.Is4() {
		x := a.As4()
		c := binary.BigEndian.AppendUint32(nil, 0x2112A442)
		for i := range x {
			x[i] ^= c[i]
		}
		forms = append(forms, x[:])
	}
	if len(a.String()) < 9 {
		forms = forms[1:] // "10.0.0.1" as text matches inside longer numbers
	}
	return forms
}
