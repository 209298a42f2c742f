package main

import (
	"encoding/json"
	"html"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/redact"
	"github.com/icediag/icediag/diag"
	"github.com/icediag/icediag/sipflow"
)

// Keys of the redaction tests.
const (
	redactKey1 = "ticket-1234"
	redactKey2 = "another-key"
)

// originals are what a capture identifies, collected without the
// Redactor: addresses and identifiers.
type originals struct {
	addrs  map[netip.Addr]bool
	idents map[string]string // identifier -> where it came from
}

func newOriginals() *originals {
	return &originals{addrs: map[netip.Addr]bool{}, idents: map[string]string{}}
}

func (o *originals) addAddr(a netip.Addr) {
	if a.IsValid() {
		o.addrs[a.Unmap().WithZone("")] = true
	}
}

func (o *originals) addAddrPort(ap netip.AddrPort) { o.addAddr(ap.Addr()) }

// addIdent records an identifier that must not survive, when redaction
// promises to remove it: at least three bytes around a letter or digit,
// not a number shorter than six digits, not protocol vocabulary.
func (o *originals) addIdent(s, from string) {
	s = strings.Trim(strings.TrimSpace(s), `"'(),;<>[]-_.:=+/`)
	if len(s) < 3 || redact.IsVocabulary(s) || isAddrText(s) || strings.Trim(s, "0123456789") == "" && len(s) < 6 {
		return
	}
	o.idents[s] = from
}

// isAddrText reports an address with or without a port (checked as an
// address, not as an identifier).
func isAddrText(s string) bool {
	if _, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return true
	}
	_, err := netip.ParseAddrPort(s)
	return err == nil
}

// ipLiteral finds IPv4 and IPv6 candidates in text.
var ipLiteral = regexp.MustCompile(`[0-9A-Fa-f:.]*[.:][0-9A-Fa-f:.]+`)

// addAddrsIn records every IP literal of a text.
func (o *originals) addAddrsIn(s string) {
	for _, m := range ipLiteral.FindAllString(s, -1) {
		for _, cand := range []string{m, strings.Trim(m, ".:")} {
			if a, err := netip.ParseAddr(cand); err == nil {
				o.addAddr(a)
			} else if ap, err := netip.ParseAddrPort(cand); err == nil {
				o.addAddrPort(ap)
			}
		}
	}
}

// collectOriginals decodes a capture and collects, from the events and
// sipflow's parse of each SIP message, every address and identifier a
// redacted report must not show.
func collectOriginals(t *testing.T, path string) *originals {
	t.Helper()
	o := newOriginals()
	_, err := decode.Run([]string{path}, decode.Options{}, func(ev *decode.Event) {
		o.addAddrPort(ev.Flow.Src)
		o.addAddrPort(ev.Flow.Dst)
		if ev.Relay != nil {
			o.addAddrPort(ev.Relay.Client)
			o.addAddrPort(ev.Relay.Server)
			o.addAddrPort(ev.Relay.Peer)
		}
		if ev.ICMP != nil {
			o.addAddr(ev.ICMP.Reporter)
			o.addAddrPort(ev.ICMP.Quoted.Src)
			o.addAddrPort(ev.ICMP.Quoted.Dst)
		}
		if m := ev.STUN; m != nil {
			for _, ap := range []netip.AddrPort{m.XORMapped, m.Mapped, m.XORRelayed, m.XORPeer, m.AlternateServer,
				m.ResponseOrigin, m.OtherAddress, m.Destination, m.RemoteAddress, m.MSAltMapped} {
				o.addAddrPort(ap)
			}
			for _, part := range strings.FieldsFunc(string(m.Username), func(c rune) bool { return c == ':' || c == '@' }) {
				o.addIdent(part, "STUN USERNAME")
			}
			o.addIdent(string(m.Realm), "STUN REALM")
		}
		if ev.Kind == decode.KindSIP {
			o.addSIP(ev.Payload)
		}
	})
	if err != nil {
		t.Fatalf("decode.Run(%s) = %v", path, err)
	}
	return o
}

// addSIP records what sipflow parses out of a SIP message.
func (o *originals) addSIP(b []byte) {
	o.addAddrsIn(string(b))
	m, err := sipflow.ParseMessage(b)
	if err != nil {
		return
	}
	nas := append([]sipflow.NameAddr{m.From(), m.To()}, m.Contacts()...)
	nas = append(append(nas, m.Routes()...), m.RecordRoutes()...)
	for _, na := range nas {
		o.addIdent(na.URI.User, "SIP user")
		o.addIdent(na.URI.Host, "SIP host")
		o.addIdent(na.Tag(), "SIP tag")
		for _, w := range strings.Fields(na.Display) {
			o.addIdent(w, "SIP display name")
		}
	}
	if u, err := sipflow.ParseURI(m.RequestURI); err == nil {
		o.addIdent(u.User, "Request-URI user")
		o.addIdent(u.Host, "Request-URI host")
	}
	for _, v := range m.Vias() {
		o.addIdent(v.Host, "Via host")
		o.addIdent(strings.TrimPrefix(v.Branch, "z9hG4bK"), "Via branch")
	}
	id, host, _ := strings.Cut(m.CallID(), "@")
	o.addIdent(id, "Call-ID")
	o.addIdent(host, "Call-ID host")
	for _, l := range strings.Split(string(m.Body), "\n") {
		l = strings.TrimSpace(l)
		if v, ok := strings.CutPrefix(l, "o="); ok {
			o.addIdent(strings.Fields(v + " -")[0], "SDP o= user")
		}
		for _, p := range []string{"a=ice-ufrag:", "a=ice-pwd:"} {
			if v, ok := strings.CutPrefix(l, p); ok {
				o.addIdent(v, "SDP "+p)
			}
		}
	}
}

// addReport records what the unredacted report names: every IP literal of
// its JSON, its Call-IDs, parties and ufrags, the input file names.
func (o *originals) addReport(t *testing.T, js string) {
	t.Helper()
	o.addAddrsIn(js)
	var r diag.Report
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("unredacted report: %v", err)
	}
	for _, c := range r.Calls {
		id, host, _ := strings.Cut(c.CallID, "@")
		o.addIdent(id, "report Call-ID")
		o.addIdent(host, "report Call-ID host")
	}
	for _, s := range r.Sessions {
		o.addIdent(s.Ufrag[0], "report ufrag")
		o.addIdent(s.Ufrag[1], "report ufrag")
	}
	for _, f := range r.Capture.Files {
		base := filepath.Base(f.Name)
		o.addIdent(strings.TrimSuffix(base, filepath.Ext(base)), "input file name")
	}
	for _, f := range r.Findings {
		delete(o.idents, f.ID) // icediag's own words (a crafted capture is named after its finding)
	}
}

// styleBlock is the report's own style sheet, not capture text.
var styleBlock = regexp.MustCompile(`(?s)<style.*?</style>`)

// visible returns the text a reader sees in an output: HTML entities and
// JSON escapes undone.
func visible(format, out string) string {
	switch format {
	case "html":
		return html.UnescapeString(styleBlock.ReplaceAllString(out, ""))
	case "json":
		return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&", `\"`, `"`, `\\`, `\`).Replace(out)
	}
	return out
}

// TestRedactAcceptance is issue 8's redaction test: for every capture of
// pcaps/ (public, crafted, lab), analyze --redact in each format must not
// show any original address, SIP user, host, domain, display name, tag,
// Call-ID, ICE credential or file name; the pseudonyms are the same with
// the same key and differ with another; finding ids and severities are
// those of the unredacted analysis.
func TestRedactAcceptance(t *testing.T) {
	paths := captures(t)
	lab, _ := labCaptures(t)
	paths = append(paths, lab...)
	for _, path := range paths {
		name := strings.TrimPrefix(path, "../../pcaps/")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkRedacted(t, path)
		})
	}
}

func checkRedacted(t *testing.T, path string) {
	plain := analyzeOut(t, path, "json")
	o := collectOriginals(t, path)
	o.addReport(t, plain)
	rd1 := redact.New([]byte(redactKey1))
	pseudo := map[netip.Addr]bool{}
	for a := range o.addrs {
		if rd1.Addr(a) == a {
			delete(o.addrs, a) // unspecified, loopback, multicast, reserved: kept by design
			continue
		}
		pseudo[rd1.Addr(a)] = true
	}
	outs := map[string]string{}
	for _, format := range []string{"text", "json", "md", "html"} {
		out := analyzeOut(t, path, format, "--redact-key", redactKey1)
		outs[format] = out
		seen := visible(format, out)
		for a := range o.addrs {
			if containsAddrText(seen, a.String()) && !pseudo[a] {
				t.Errorf("analyze --redact --format %s %s shows address %s", format, path, a)
			}
		}
		for id, from := range o.idents {
			if containsWordFold(seen, id) {
				t.Errorf("analyze --redact --format %s %s shows %q (%s)", format, path, id, from)
			}
		}
	}
	if again := analyzeOut(t, path, "json", "--redact-key", redactKey1); again != outs["json"] {
		t.Errorf("analyze --redact-key %s %s differs between two runs", redactKey1, path)
	}
	other := analyzeOut(t, path, "json", "--redact-key", redactKey2)
	if len(o.addrs) > 0 && other == outs["json"] {
		t.Errorf("analyze %s gives the same report with keys %s and %s", path, redactKey1, redactKey2)
	}
	if got, want := redactFindingKeys(t, outs["json"]), redactFindingKeys(t, plain); got != want {
		t.Errorf("redacted findings of %s = %s, want %s", path, got, want)
	}
}

func analyzeOut(t *testing.T, path, format string, extra ...string) string {
	t.Helper()
	args := append([]string{"analyze", "-q", "--fail-on", "never", "--format", format}, extra...)
	out, stderr, code := runCmd(t, append(args, path)...)
	if code != exitOK {
		t.Fatalf("icediag %v = exit %d: %s", args, code, stderr)
	}
	return out
}

// findingKeys lists the id and severity of every finding, sorted.
func redactFindingKeys(t *testing.T, js string) string {
	t.Helper()
	var r diag.Report
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, f := range r.Findings {
		keys = append(keys, f.ID+"/"+string(f.Severity))
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

func isAlnumByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// containsWordFold reports w in s (ASCII case-insensitive) with no letter
// or digit glued to either end.
func containsWordFold(s, w string) bool {
	ls, lw := strings.ToLower(s), strings.ToLower(w)
	for off := 0; ; {
		i := strings.Index(ls[off:], lw)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(lw)
		if (i == 0 || !isAlnumByte(ls[i-1])) && (end == len(ls) || !isAlnumByte(ls[end])) {
			return true
		}
		off = i + 1
	}
}

// containsAddrText reports the address literal a in s as a whole literal.
func containsAddrText(s, a string) bool {
	v6 := strings.Contains(a, ":")
	for off := 0; ; {
		i := strings.Index(s[off:], a)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(a)
		before := i == 0 || !(isAlnumByte(s[i-1]) || s[i-1] == '.' || v6 && s[i-1] == ':')
		after := end == len(s) || !(isAlnumByte(s[end]) || s[end] == '.' && end+1 < len(s) && isAlnumByte(s[end+1]) || v6 && s[end] == ':' && end+1 < len(s) && isAlnumByte(s[end+1]) && !strings.Contains(s[i:], "]"))
		if before && after {
			return true
		}
		off = i + 1
	}
}

// TestRenderRedact redacts saved JSON reports: with no capture to learn
// from, render --redact must still remove every address, Call-ID, party
// URI, display name and ufrag the report names, in every format.
func TestRenderRedact(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{"../../pcaps/crafted/ok-edge-call.pcap", "../../pcaps/public/sngrep__aaa.pcap",
		"../../pcaps/public/heplify__sip_ipv6_udp.pcap", "../../pcaps/lab/captures/relay-symmetric/alice-lan.pcap"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			plain := analyzeOut(t, path, "json")
			saved := filepath.Join(dir, filepath.Base(path)+".json")
			if err := os.WriteFile(saved, []byte(plain), 0o644); err != nil {
				t.Fatal(err)
			}
			o := newOriginals()
			o.addReport(t, plain)
			var r diag.Report
			if err := json.Unmarshal([]byte(plain), &r); err != nil {
				t.Fatal(err)
			}
			for _, c := range r.Calls {
				for _, p := range []string{c.From, c.To} {
					o.addSIP([]byte("X sip:x SIP/2.0\r\nFrom: " + p + "\r\n\r\n"))
				}
			}
			rd := redact.New([]byte(redactKey1))
			for a := range o.addrs {
				if rd.Addr(a) == a {
					delete(o.addrs, a)
				}
			}
			for _, format := range []string{"text", "json", "md", "html"} {
				out, stderr, code := runCmd(t, "render", "--redact-key", redactKey1, "--format", format, saved)
				if code != exitOK {
					t.Fatalf("render --redact --format %s = exit %d: %s", format, code, stderr)
				}
				seen := visible(format, out)
				for a := range o.addrs {
					if containsAddrText(seen, a.String()) {
						t.Errorf("render --redact --format %s %s shows address %s", format, saved, a)
					}
				}
				for id, from := range o.idents {
					if containsWordFold(seen, id) {
						t.Errorf("render --redact --format %s %s shows %q (%s)", format, saved, id, from)
					}
				}
			}
		})
	}
}

// TestRedactFlags checks the key sources: a key file gives the pseudonyms
// of the same key on the command line, an empty or missing key file is an
// error, and a random key (plain --redact) still redacts.
func TestRedactFlags(t *testing.T) {
	const capture = "../../pcaps/crafted/ok-edge-call.pcap"
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte(redactKey1+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	byKey := analyzeOut(t, capture, "json", "--redact-key", redactKey1)
	if got := analyzeOut(t, capture, "json", "--redact-key-file", keyFile); got != byKey {
		t.Errorf("--redact-key-file with %q differs from --redact-key %q", redactKey1, redactKey1)
	}
	if random := analyzeOut(t, capture, "text", "--redact"); strings.Contains(random, "10.0.1.20") || strings.Contains(random, "alice") {
		t.Errorf("analyze --redact %s still shows the caller:\n%s", capture, random)
	}
	for _, args := range [][]string{
		{"analyze", "-q", "--redact-key-file", empty, capture},
		{"analyze", "-q", "--redact-key-file", filepath.Join(dir, "missing"), capture},
	} {
		if _, _, code := runCmd(t, args...); code != exitFailure {
			t.Errorf("icediag %v = exit %d, want %d", args, code, exitFailure)
		}
	}
}
