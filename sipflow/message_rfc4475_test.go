package sipflow

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// readTorture reads an RFC 4475 message of testdata/sip/rfc4475 (see the
// README there for the section of each).
func readTorture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sip", "rfc4475", name+".sip"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseMessageRFC4475Valid parses the thirteen valid torture messages
// of RFC 4475 §3.1.1 and checks the fields each one exercises.
func TestParseMessageRFC4475Valid(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		status  int
		headers int
		check   func(t *testing.T, m *Message)
	}{
		{"valid_wsinv", "INVITE", 0, 14, checkWsinv},
		{"valid_intmeth", "!interesting-Method0123456789_*+`.%indeed'~", 0, 8, checkIntmeth},
		{"valid_esc01", "INVITE", 0, 9, checkEsc01},
		{"valid_escnull", "REGISTER", 0, 9, checkEscnull},
		{"valid_esc02", "RE%47IST%45R", 0, 10, checkEsc02},
		{"valid_lwsdisp", "OPTIONS", 0, 7, func(t *testing.T, m *Message) {
			if f := m.From(); f.Display != "caller" || f.Tag() != "323" || f.URI.User != "caller" {
				t.Errorf("From() = %+v, want display caller, tag 323", f)
			}
		}},
		{"valid_longreq", "INVITE", 0, 43, checkLongreq},
		{"valid_dblreq", "REGISTER", 0, 8, nil}, // see TestParseMessageRFC4475Dblreq
		{"valid_semiuri", "OPTIONS", 0, 8, func(t *testing.T, m *Message) {
			u, err := ParseURI(m.RequestURI)
			if err != nil || u.User != "user;par=u%40example.net" || u.Host != "example.com" {
				t.Errorf("ParseURI(%q) = %+v, %v, want user user;par=u%%40example.net", m.RequestURI, u, err)
			}
			if got := m.Values("Accept"); len(got) != 6 || got[5] != "message/sipfrag" {
				t.Errorf("Values(Accept) = %q, want 6 media types", got)
			}
		}},
		{"valid_transports", "OPTIONS", 0, 12, checkTransports},
		{"valid_mpart01", "MESSAGE", 0, 14, checkMpart01},
		{"valid_unreason", "", 200, 8, func(t *testing.T, m *Message) {
			want := "= 2**3 * 5**2 \u043d\u043e \u0441\u0442\u043e \u0434\u0435\u0432\u044f\u043d\u043e\u0441\u0442\u043e " +
				"\u0434\u0435\u0432\u044f\u0442\u044c - \u043f\u0440\u043e\u0441\u0442\u043e\u0435"
			if m.Reason != want {
				t.Errorf("Reason = %q, want %q", m.Reason, want)
			}
			if len(m.Body) != 154 {
				t.Errorf("len(Body) = %d, want 154", len(m.Body))
			}
		}},
		{"valid_noreason", "", 100, 7, func(t *testing.T, m *Message) {
			if m.Reason != "" {
				t.Errorf("Reason = %q, want empty", m.Reason)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := readTorture(t, tt.name)
			m, err := ParseMessage(b)
			if err != nil {
				t.Fatalf("ParseMessage(%s) error %v, want nil", tt.name, err)
			}
			if m.Method != tt.method || m.StatusCode != tt.status || m.Request != (tt.status == 0) {
				t.Errorf("ParseMessage(%s) = %q %d, want %q %d", tt.name, m.Method, m.StatusCode, tt.method, tt.status)
			}
			if len(m.Headers) != tt.headers {
				t.Errorf("ParseMessage(%s) has %d headers, want %d", tt.name, len(m.Headers), tt.headers)
			}
			if len(m.Deviations) != 0 {
				t.Errorf("ParseMessage(%s) deviations %v, want none", tt.name, m.Deviations)
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

func checkWsinv(t *testing.T, m *Message) {
	t.Helper()
	if to := m.To(); to.URI.Host != "chair-dnrc.example.com" || to.Tag() != "1918181833n" {
		t.Errorf("To() = %+v, want tag 1918181833n", to)
	}
	if f := m.From(); f.Display != `J Rosenberg \"` || f.Tag() != "98asjd8" {
		t.Errorf("From() = %+v, want display %q tag 98asjd8", f, `J Rosenberg \"`)
	}
	if n, method := m.CSeq(); n != 9 || method != "INVITE" {
		t.Errorf("CSeq() = %d %q, want 9 INVITE", n, method)
	}
	vias := m.Vias()
	if len(vias) != 3 || vias[0].Host != "192.0.2.2" || vias[1].Transport != "TCP" || vias[2].Branch != "z9hG4bK30239" {
		t.Errorf("Vias() = %+v, want 3 elements", vias)
	}
	if got := m.Get("NewFangledHeader"); got != "newfangled value continued newfangled value" {
		t.Errorf("Get(NewFangledHeader) = %q", got)
	}
	if got := m.Get("UnknownHeaderWithUnusualValue"); got != ";;,,;;,;" {
		t.Errorf("Get(UnknownHeaderWithUnusualValue) = %q, want %q", got, ";;,,;;,;")
	}
	if c := m.Contacts(); len(c) != 1 || c[0].Display != `Quoted string ""` || c[0].Param("q") != "0.33" {
		t.Errorf("Contacts() = %+v, want one with q=0.33", c)
	}
	if !m.Has("subject") || m.Get("s") != "" {
		t.Errorf("Subject header missing or not empty")
	}
	if len(m.Body) != 150 || m.ContentType().String() != "application/sdp" {
		t.Errorf("body %d bytes of %q, want 150 of application/sdp", len(m.Body), m.ContentType())
	}
}

func checkIntmeth(t *testing.T, m *Message) {
	t.Helper()
	u, err := ParseURI(m.RequestURI)
	if err != nil || u.User != "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*" || u.Host != "example.com" {
		t.Errorf("ParseURI(%q) = %+v, %v", m.RequestURI, u, err)
	}
	if to := m.To(); to.Display != "BEL:\x07 NUL:\x00 DEL:\x7f" {
		t.Errorf("To().Display = %q", to.Display)
	}
	if f := m.From(); f.Display != "token1~` token2'+_ token3*%!.-" || f.Tag() != "_token~1'+`*%!-." {
		t.Errorf("From() = %+v", f)
	}
	if n, method := m.CSeq(); n != 139122385 || method != "!INTERESTING-METHOD0123456789_*+`.%INDEED'~" {
		t.Errorf("CSeq() = %d %q", n, method)
	}
	if got := m.CallID(); got != `intmeth.word%ZK-!.*_+'@word`+"`"+`~)(><:\/"][?}{` {
		t.Errorf("CallID() = %q", got)
	}
}

// checkEsc01: %-escapes stay as sent; the compact i: and C: name Call-ID and
// Content-Type (RFC 4475 §3.1.1.3).
func checkEsc01(t *testing.T, m *Message) {
	t.Helper()
	u, _ := ParseURI(m.RequestURI)
	if u.User != "sips%3Auser%40example.com" || u.Host != "example.net" {
		t.Errorf("Request-URI = %+v, want user sips%%3Auser%%40example.com at example.net", u)
	}
	if to := m.To(); to.URI.User != "%75se%72" {
		t.Errorf("To().URI.User = %q, want %%75se%%72", to.URI.User)
	}
	c := m.Contacts()
	if len(c) != 1 || c[0].URI.Host != "host5.example.net" || len(c[0].URI.Params) != 2 {
		t.Errorf("Contacts() = %+v, want host5.example.net with 2 URI parameters", c)
	}
	if m.CallID() != "esc01.239409asdfakjkn23onasd0-3234" || !m.ContentType().Is("application/sdp") || len(m.Body) != 150 {
		t.Errorf("CallID() = %q, ContentType() = %q, body %d bytes", m.CallID(), m.ContentType(), len(m.Body))
	}
}

// checkEscnull: escaped NULs stay escaped; two Contact headers; L:0
// (RFC 4475 §3.1.1.4).
func checkEscnull(t *testing.T, m *Message) {
	t.Helper()
	c := m.Contacts()
	if len(c) != 2 || c[0].URI.User != "%00" || c[1].URI.User != "%00%00" {
		t.Errorf("Contacts() = %+v, want users %%00 and %%00%%00", c)
	}
	if f := m.From(); f.URI.User != "null-%00-null" || f.Tag() != "839923423" {
		t.Errorf("From() = %+v", f)
	}
	if m.Get("Content-Length") != "0" || len(m.Body) != 0 {
		t.Errorf("Content-Length %q, body %d bytes, want 0", m.Get("Content-Length"), len(m.Body))
	}
}

// checkEsc02: % is no escape in a method or header name: RE%47IST%45R is an
// unknown method and C%6Fntact an unknown header (RFC 4475 §3.1.1.5).
func checkEsc02(t *testing.T, m *Message) {
	t.Helper()
	if _, method := m.CSeq(); method != "RE%47IST%45R" {
		t.Errorf("CSeq() method = %q, want RE%%47IST%%45R", method)
	}
	if c := m.Contacts(); len(c) != 2 || c[1].URI.Host != "host3.example.com" {
		t.Errorf("Contacts() = %+v, want alias1 and alias3", c)
	}
	if got := m.Get("C%6Fntact"); got != "<sip:alias2@host2.example.com>" {
		t.Errorf("Get(C%%6Fntact) = %q", got)
	}
	if to := m.To(); to.Display != "%Z%45" {
		t.Errorf("To().Display = %q, want %%Z%%45", to.Display)
	}
	if v := m.Vias(); len(v) != 1 || v[0].Branch != "z9hG4bK209%fzsnel234" {
		t.Errorf("Vias() = %+v", v)
	}
}

func checkLongreq(t *testing.T, m *Message) {
	t.Helper()
	if n := len(m.Vias()); n != 34 {
		t.Errorf("len(Vias()) = %d, want 34", n)
	}
	if to := m.To(); to.URI.Port != 6000 || len(to.URI.Params) != 3 {
		t.Errorf("To().URI = %+v, want port 6000 and 3 params", to.URI)
	}
	if f := m.From(); len(f.Tag()) != 155 || len(f.Params) != 3 {
		t.Errorf("From() tag of %d bytes, %d params, want 155 and 3", len(f.Tag()), len(f.Params))
	}
	name := "Unknown-" + strings.Repeat("Long", 20) + "-Name"
	if got := m.Get(name); !strings.HasSuffix(got, " = unknown-"+strings.Repeat("long", 20)+"-parameter-value") {
		t.Errorf("Get(%s) = %q", name, got)
	}
	if len(m.Body) != 150 {
		t.Errorf("len(Body) = %d, want 150", len(m.Body))
	}
}

func checkTransports(t *testing.T, m *Message) {
	t.Helper()
	want := []string{"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"}
	vias := m.Vias()
	if len(vias) != len(want) {
		t.Fatalf("len(Vias()) = %d, want %d", len(vias), len(want))
	}
	for i, v := range vias {
		if v.Transport != want[i] {
			t.Errorf("Vias()[%d].Transport = %q, want %q", i, v.Transport, want[i])
		}
	}
}

// checkMpart01: the body is framed by Content-Length although the binary
// part holds CR, LF and NUL octets (RFC 4475 §3.1.1.11).
func checkMpart01(t *testing.T, m *Message) {
	t.Helper()
	parts, err := m.BodyParts()
	if err != nil || len(parts) != 2 {
		t.Fatalf("BodyParts() = %d parts, %v, want 2", len(parts), err)
	}
	if string(parts[0].Body) != "Hello" || !parts[0].ContentType.Is("text/plain") {
		t.Errorf("part 1 = %q of %q, want Hello of text/plain", parts[0].Body, parts[0].ContentType)
	}
	der := parts[1].Body
	if !parts[1].ContentType.Is("application/octet-stream") || len(der) != 342 ||
		!bytes.HasPrefix(der, []byte{0x30, 0x82, 0x01, 0x52}) || bytes.IndexByte(der, 0) < 0 {
		t.Errorf("part 2 = %d bytes of %q starting % x, want the 342-byte DER signature", len(der), parts[1].ContentType, der[:min(4, len(der))])
	}
}

// TestParseMessageRFC4475Dblreq checks that the bytes after Content-Length
// in a datagram are ignored (RFC 4475 §3.1.1.8 dblreq): Size ends the
// REGISTER, and what follows is the INVITE the RFC says must be dropped.
func TestParseMessageRFC4475Dblreq(t *testing.T) {
	b := readTorture(t, "valid_dblreq")
	m, err := ParseMessage(b)
	if err != nil {
		t.Fatalf("ParseMessage(dblreq) error %v", err)
	}
	rest := b[m.Size:]
	if !bytes.HasPrefix(rest, []byte("\r\nINVITE sip:joe@example.com SIP/2.0\r\n")) || len(m.Body) != 0 {
		t.Errorf("ParseMessage(dblreq) used %d of %d bytes, body %d, rest %.20q", m.Size, len(b), len(m.Body), rest)
	}
	if m.CallID() != "dblreq.0ha0isndaksdj99sdfafnl3lk233412" {
		t.Errorf("CallID() = %q", m.CallID())
	}
}

// TestRFC4475Archive checks that the §3.1.1 files are the octets of the
// RFC 4475 Appendix A archive: their SHA-256 digests as published with an
// independent decode of the archive (see testdata/sip/README.md). A file
// re-saved with LF line ends or a re-encoded body fails here.
func TestRFC4475Archive(t *testing.T) {
	digests := map[string]string{
		"valid_wsinv":      "d6f6cdee99cd0a1f8e3d9a0fdd67c877700e19ab86d8186dada06f61260e3e61",
		"valid_intmeth":    "b957a8292c1c0a9851fe94705b90f94320738f43aacde64998e401f742ef688d",
		"valid_esc01":      "be3a316d4ce5f69cad474646191e390dd4b50fc8371e44b5197fe1237781973e",
		"valid_escnull":    "263fe2ecd12a5ccbb6c67b3174e9211d11da9b600e7d69666a86d2ee42873e90",
		"valid_esc02":      "9a9c59449f00327b02071feafc8e5c2a261c98c818044167894cc17809a12199",
		"valid_lwsdisp":    "d1b36b6316c12824f6f04bf6b1fd1f021cade9b74871693b9c3474cd9fa7f4e6",
		"valid_longreq":    "185739292bc676760e5b1cca77c87705aa570240171c506ad76f8c35af0ecdaa",
		"valid_dblreq":     "a6be48426565c2a705389c4ce2ea17e57b891cb13f80490a2cb9392c797b46ef",
		"valid_semiuri":    "87bbaed6b4b354dbd3c5c7a20e66686303c63e43a0aa19b89de1ac75231611a2",
		"valid_transports": "33b4553a3b9418121b099ff07882535151edd6a1e81898c63a916aad2cbf90bc",
		"valid_mpart01":    "92147c8e24997bac59629e1b163767697d0d6d499af87f89e325d69968bec3ba",
		"valid_unreason":   "4f939d6ebf4817eea70f011d3209e83732872ffc20ffd304b244084dc392f4d7",
		"valid_noreason":   "07e11e470a69fffa3674de805e5165d1351a9439a91045ee70c9570ea24ab4fe",
	}
	for name, want := range digests {
		sum := sha256.Sum256(readTorture(t, name))
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("sha256(%s) = %s, want %s", name, got, want)
		}
	}
}

// TestRFC4475ContentLength checks every torture message whose body the RFC
// sizes exactly: Content-Length equals the octets after the header section
// (clerr, ncl and dblreq lie on purpose and are left out).
func TestRFC4475ContentLength(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "sip", "rfc4475", "*.sip"))
	skip := map[string]bool{"invalid_clerr": true, "invalid_ncl": true, "valid_dblreq": true}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sip")
		if skip[name] {
			continue
		}
		b := readTorture(t, name)
		head, body, ok := bytes.Cut(b, []byte("\r\n\r\n"))
		if !ok {
			t.Errorf("%s: no empty line", name)
			continue
		}
		m, _ := ParseMessage(b)
		if m == nil {
			m = &Message{}
			_ = m.parseHeaderLines(lineList(string(head)))
		}
		if cl := m.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
			t.Errorf("%s: Content-Length %q, body %d octets", name, cl, len(body))
		}
	}
}

// lineList splits a header section into numbered lines, the start line
// dropped, for messages whose start line ParseMessage refuses.
func lineList(head string) []line {
	var out []line
	for i, l := range strings.Split(head, "\r\n") {
		if i > 0 {
			out = append(out, line{l, i + 1})
		}
	}
	return out
}
