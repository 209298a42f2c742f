package sipflow

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPrintable covers the escaping of capture text for terminals.
func TestPrintable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sip:alice@example.com", "sip:alice@example.com"},
		{"Псков-5", "Псков-5"},
		{"a\x1b[2Jb", `a\x1b[2Jb`},
		{"tab\there\r\n", `tab\there\r\n`},
		{`back\slash`, `back\\slash`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"del\x7f c1\u0085", `del\x7f c1\u{0085}`},
		{"rtl \u202egnp.exe", `rtl \u{202e}gnp.exe`},
		{"\x00", `\x00`},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Printable(tt.in); got != tt.want {
			t.Errorf("Printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzPrintable checks that Printable output holds no control or format
// character and is valid UTF-8.
func FuzzPrintable(f *testing.F) {
	for _, s := range []string{"a\x1b[31mred", "\u202e", "\xff", `\`, "Псков"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkPrintable(t, Printable(s))
	})
}

// checkPrintable fails on any byte or rune a terminal would interpret,
// newlines excepted.
func checkPrintable(t *testing.T, out string) {
	t.Helper()
	if !utf8Valid(out) {
		t.Fatalf("output %q is not valid UTF-8", out)
	}
	for _, r := range out {
		if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0x200b && r <= 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069) {
			t.Fatalf("output %q holds %U", out, r)
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\ufffd") == s }

// lyncCall feeds the Lync call of testdata/sip/lync (dual-SDP INVITE, 183
// with candidates, 200 OK with ms-client-diagnostics 51007, re-INVITE with
// a=remote-candidates, BYE with client diagnostics) as decode events.
func lyncCall(t testing.TB) *Capture {
	t.Helper()
	c := NewCapture()
	start := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		file     string
		src, dst string
		after    time.Duration
	}{
		{"invite_dual_sdp.sip", "10.0.1.20:51230", "10.0.0.5:5061", 0},
		{"183_candidates.sip", "10.0.0.5:5061", "10.0.1.20:51230", 800 * time.Millisecond},
		{"200_client_diagnostics_51007.sip", "10.0.0.5:5061", "10.0.1.20:51230", 4200 * time.Millisecond},
		{"reinvite_remote_candidates.sip", "10.0.1.20:51230", "10.0.0.5:5061", 6 * time.Second},
		{"bye_client_diagnostics.sip", "10.0.1.20:51230", "10.0.0.5:5061", 64 * time.Second},
	}
	for i, s := range steps {
		b, err := os.ReadFile(filepath.Join("testdata", "sip", "lync", s.file))
		if err != nil {
			t.Fatal(err)
		}
		c.AddEvent(sipEvent(b, uint64(10*(i+1)), s.src, s.dst, start.Add(s.after)))
	}
	return c
}

// typOf is a stand-in candidate classifier for these tests: the token
// after "typ", as RFC 8839 §5.1 places it.
func typOf(raw string) string {
	f := strings.Fields(raw)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "typ" {
			return f[i+1]
		}
	}
	return "untyped"
}

// TestReportLyncCall checks the call report of the Lync call: setup time,
// end, the preferred (ICE v19) part of the dual-SDP offer, the
// re-INVITE's remote candidates and the decoded ICEWarn bitmaps.
func TestReportLyncCall(t *testing.T) {
	r := NewReport(lyncCall(t), ReportOptions{CandidateType: typOf})
	if len(r.Calls) != 1 {
		t.Fatalf("NewReport: %d calls, want 1", len(r.Calls))
	}
	c := r.Calls[0]
	if !c.Answered || c.SetupMS != 4200 || c.DurationMS != 59800 || c.EndMethod != "BYE" || c.EndedBy != "caller" {
		t.Errorf("call = answered %v setup %v duration %v end %s by %s, want true 4200 59800 BYE by caller",
			c.Answered, c.SetupMS, c.DurationMS, c.EndMethod, c.EndedBy)
	}
	if c.From.Display != "Alice Adams" || c.From.URI != "sip:alice@contoso.com" {
		t.Errorf("From = %+v, want Alice Adams <sip:alice@contoso.com>", c.From)
	}
	if len(c.SDP) == 0 || c.SDP[0].Role != "offer" || c.SDP[0].Alternatives != 2 || c.SDP[0].ICE != "RFC5245" {
		t.Fatalf("first SDP = %+v, want the offer with 2 alternatives, ICE RFC5245", c.SDP)
	}
	if n := c.SDP[0].Media[0].Candidates["relay"]; n == 0 {
		t.Errorf("offer audio candidates = %v, want relay candidates", c.SDP[0].Media[0].Candidates)
	}
	var remote bool
	for _, s := range c.SDP {
		for _, m := range s.Media {
			remote = remote || s.ReInvite && m.RemoteCandidates
		}
	}
	if !remote {
		t.Error("no re-INVITE media line with remote-candidates")
	}
	var warns []string
	for _, d := range c.Diagnostics {
		for _, w := range d.ICEWarn {
			warns = append(warns, w.Value)
		}
	}
	if want := "0x80000 0x40003a0 0x80012b"; strings.Join(warns, " ") != want {
		t.Errorf("ICEWarn values = %v, want %s", warns, want)
	}
}

// TestReportMethods checks the transactions outside calls of sngrep aaa:
// 18 REGISTER transactions, 14 of them challenged with Digest (counts from
// tshark: 18 REGISTER requests, 14 401 responses, 3 200 OK).
func TestReportMethods(t *testing.T) {
	r := NewReport(captureOf(t, "sngrep__aaa.pcap"), ReportOptions{})
	if len(r.Methods) != 1 || r.Methods[0].Method != "REGISTER" {
		t.Fatalf("Methods = %+v, want REGISTER only", r.Methods)
	}
	m := r.Methods[0]
	if m.Transactions != 18 || m.Challenges["Digest"] != 14 {
		t.Errorf("REGISTER: %d transactions, challenges %v, want 18 and Digest=14", m.Transactions, m.Challenges)
	}
	got := map[int]int{}
	for _, o := range m.Outcomes {
		got[o.Status] = o.Count
	}
	if want := map[int]int{200: 3, 401: 14, 403: 1}; !equalCounts(got, want) {
		t.Errorf("REGISTER outcomes = %v, want %v", got, want)
	}
	if len(r.Calls) != 4 {
		t.Errorf("%d calls, want 4", len(r.Calls))
	}
}

// TestReportJSONRoundTrip checks that the JSON form decodes to the same
// report.
func TestReportJSONRoundTrip(t *testing.T) {
	r := NewReport(lyncCall(t), ReportOptions{CandidateType: typOf})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(&back)
	if !bytes.Equal(b, b2) {
		t.Errorf("JSON round trip changed the report:\n%s\n%s", b, b2)
	}
}

// TestReportTextEscapes checks that control characters in captured
// headers never reach the text report or the ladder.
func TestReportTextEscapes(t *testing.T) {
	msg := "INVITE sip:bob@example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx\r\n" +
		"From: \"\x1b[31mEve\u202e\" <sip:eve@example.com>;tag=1\r\n" +
		"To: <sip:bob@example.com>\r\nCall-ID: id\x1b]0;title\x07\r\nCSeq: 1 INVITE\r\n" +
		"User-Agent: evil\x1b[2J\r\nContent-Length: 0\r\n\r\n"
	c := NewCapture()
	c.AddEvent(sipEvent([]byte(msg), 1, "192.0.2.1:5060", "192.0.2.2:5060", time.Unix(0, 0)))
	var text bytes.Buffer
	if err := NewReport(c, ReportOptions{}).WriteText(&text); err != nil {
		t.Fatal(err)
	}
	calls := c.Calls()
	if len(calls) != 1 {
		t.Fatalf("%d calls, want 1", len(calls))
	}
	if err := c.Ladder(calls[0]).WriteText(&text); err != nil {
		t.Fatal(err)
	}
	checkPrintable(t, text.String())
	if !strings.Contains(text.String(), `\x1b[31mEve\u{202e}`) {
		t.Errorf("report lacks the escaped display name:\n%s", text.String())
	}
}
