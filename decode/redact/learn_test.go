package redact_test

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/redact"
	"github.com/icediag/icediag/sipflow"
)

// captures lists the bundled captures (pcaps/README.md) that carry SIP or
// STUN.
func captures(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, dir := range []string{"public", "crafted"} {
		m, err := filepath.Glob(filepath.Join("..", "..", "pcaps", dir, "*.pcap*"))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) == 0 {
		t.Skip("no captures under pcaps/")
	}
	return out
}

// capturedEvent is the part of an event the tests keep.
type capturedEvent struct {
	kind     decode.Kind
	payload  []byte
	flow     decode.Flow
	username []byte
	realm    []byte
}

// decodeFile decodes a capture, learning every event into r, and returns
// copies of the SIP and STUN events.
func decodeFile(t *testing.T, path string, r *redact.Redactor) []capturedEvent {
	t.Helper()
	var evs []capturedEvent
	_, err := decode.Run([]string{path}, decode.Options{}, func(ev *decode.Event) {
		r.Learn(ev)
		if ev.Kind != decode.KindSIP && ev.Kind != decode.KindSTUN {
			return
		}
		c := capturedEvent{kind: ev.Kind, payload: bytes.Clone(ev.Payload), flow: ev.Flow}
		if ev.STUN != nil {
			c.username, c.realm = bytes.Clone(ev.STUN.Username), bytes.Clone(ev.STUN.Realm)
		}
		evs = append(evs, c)
	})
	if err != nil {
		t.Fatalf("decode.Run(%s) = %v", path, err)
	}
	return evs
}

// sipIdentifiers lists what sipflow parses out of a message that must
// not survive redaction: users, hosts, display names, Call-ID, tags,
// branches, SDP user names and ICE credentials.
func sipIdentifiers(m *sipflow.Message) []string {
	var out []string
	addURI := func(u sipflow.URI) {
		out = append(out, u.User, u.Host)
	}
	for _, na := range append(append([]sipflow.NameAddr{m.From(), m.To()}, m.Contacts()...), m.RecordRoutes()...) {
		addURI(na.URI)
		out = append(out, na.Tag())
		out = append(out, strings.Fields(na.Display)...)
	}
	for _, v := range m.Vias() {
		out = append(out, v.Host, strings.TrimPrefix(v.Branch, "z9hG4bK"))
	}
	id, host, _ := strings.Cut(m.CallID(), "@")
	out = append(out, id, host)
	for _, l := range strings.Split(string(m.Body), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "o="):
			out = append(out, strings.Fields(l[2:] + " ")[0])
		case strings.HasPrefix(l, "a=ice-ufrag:"), strings.HasPrefix(l, "a=ice-pwd:"):
			_, v, _ := strings.Cut(l, ":")
			out = append(out, v)
		}
	}
	return out
}

// mustVanish reports whether Text promises to remove s everywhere: it is
// long enough, not a short number, not protocol vocabulary and not an
// address (addresses are checked separately).
func mustVanish(s string) bool {
	s = strings.Trim(s, `"(),`)
	if len(s) < 3 || s == "-" || redact.IsVocabulary(s) || redact.IsIPLiteral(s) {
		return false
	}
	digits := strings.Trim(s, "0123456789") == ""
	return !digits || len(s) >= 6
}

// containsWord reports whether w occurs in s (ASCII case-insensitive) not
// preceded or followed by a letter or digit.
func containsWord(s, w string) bool {
	ls, lw := strings.ToLower(s), strings.ToLower(w)
	for off := 0; ; {
		i := strings.Index(ls[off:], lw)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(lw)
		if (i == 0 || !isAlnum(ls[i-1]) || !isAlnum(lw[0])) && (end == len(ls) || !isAlnum(ls[end]) || !isAlnum(lw[len(lw)-1])) {
			return true
		}
		off = i + 1
	}
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// TestLearnAndTextOnCaptures learns every event of every bundled capture
// and checks that Text of each SIP message keeps its length and its
// parse, and removes every identifier sipflow finds in it and every
// address of the capture.
func TestLearnAndTextOnCaptures(t *testing.T) {
	for _, path := range captures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			r := redact.New([]byte("test"))
			evs := decodeFile(t, path, r)
			addrs := map[string]bool{}
			for _, ev := range evs {
				for _, a := range []netip.Addr{ev.flow.Src.Addr(), ev.flow.Dst.Addr()} {
					if r.Addr(a) != a {
						addrs[a.String()] = true
					}
				}
			}
			for _, ev := range evs {
				if ev.kind != decode.KindSIP {
					continue
				}
				out := r.Text(string(ev.payload))
				if len(out) != len(ev.payload) {
					t.Fatalf("Text(%.40q) has %d bytes, want %d", ev.payload, len(out), len(ev.payload))
				}
				m, err := sipflow.ParseMessage(ev.payload)
				if err != nil {
					continue
				}
				if _, err := sipflow.ParseMessage([]byte(out)); err != nil {
					t.Errorf("ParseMessage(Text(%.60q)) = %v, want the redacted message to parse", ev.payload, err)
				}
				for _, id := range sipIdentifiers(m) {
					if mustVanish(id) && containsWord(out, id) {
						t.Errorf("Text(%.60q...) still holds %q", ev.payload, id)
					}
				}
				for a := range addrs {
					if containsAddr(out, a) {
						t.Errorf("Text(%.60q...) still holds address %s", ev.payload, a)
					}
				}
			}
		})
	}
}

// containsAddr reports whether the address literal a occurs in s not
// preceded or followed by a digit, dot or hex digit.
func containsAddr(s, a string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], a)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(a)
		edge := func(c byte) bool { return isAlnum(c) || c == '.' || c == ':' && strings.Contains(a, ":") }
		if (i == 0 || !edge(s[i-1])) && (end == len(s) || !edge(s[end]) || s[end] == '.' && (end+1 == len(s) || !isAlnum(s[end+1]))) {
			return true
		}
		off = i + 1
	}
}

func TestMain(m *testing.M) { os.Exit(m.Run()) }
