package sipflow

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func readTorture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sip", "rfc4475", name+".sip"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseMessageRFC4475Valid parses the valid torture messages of
// RFC 4475 §3.1.1 and checks the fields each one exercises.
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
		{"valid_lwsdisp", "OPTIONS", 0, 7, func(t *testing.T, m *Message) {
			if f := m.From(); f.Display != "caller" || f.Tag() != "323" || f.URI.User != "caller" {
				t.Errorf("From() = %+v, want display caller, tag 323", f)
			}
		}},
		{"valid_longreq", "INVITE", 0, 43, func(t *testing.T, m *Message) {
			if n := len(m.Vias()); n != 34 {
				t.Errorf("len(Vias()) = %d, want 34", n)
			}
			if to := m.To(); to.URI.Port != 6000 || len(to.URI.Params) != 3 {
				t.Errorf("To().URI = %+v, want port 6000 and 3 params", to.URI)
			}
			if len(m.Body) != 150 {
				t.Errorf("len(Body) = %d, want 150", len(m.Body))
			}
		}},
		{"valid_semiuri", "OPTIONS", 0, 8, func(t *testing.T, m *Message) {
			u, err := ParseURI(m.RequestURI)
			if err != nil || u.User != "user;par=u%40example.net" || u.Host != "example.com" {
				t.Errorf("ParseURI(%q) = %+v, %v, want user user;par=u%%40example.net", m.RequestURI, u, err)
			}
			if got := m.Values("Accept"); len(got) != 6 || got[5] != "message/sipfrag" {
				t.Errorf("Values(Accept) = %q, want 6 media types", got)
			}
		}},
		{"valid_unreason", "", 200, 8, func(t *testing.T, m *Message) {
			if !strings.HasPrefix(m.Reason, "= 2**3 * 5**2 ") {
				t.Errorf("Reason = %q, want prefix %q", m.Reason, "= 2**3 * 5**2 ")
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
			tt.check(t, m)
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
}

// TestParseMessageRFC4475Invalid checks that the invalid torture messages
// of RFC 4475 §3.1.2 give a located error wrapping the right sentinel.
func TestParseMessageRFC4475Invalid(t *testing.T) {
	tests := []struct {
		name    string
		want    error
		line    int
		partial bool // the message is returned with the error
	}{
		{"invalid_badinv01", ErrParam, 7, true},
		{"invalid_clerr", ErrTruncatedBody, 10, true},
		{"invalid_ncl", ErrContentLength, 10, true},
		{"invalid_scalar02", ErrCSeq, 5, true},
		{"invalid_scalarlg", ErrCSeq, 5, true},
		{"invalid_quotbal", ErrQuote, 2, true},
		{"invalid_ltgtruri", ErrRequestURI, 1, false},
		{"invalid_lwsruri", ErrStartLine, 1, false},
		{"invalid_lwsstart", ErrStartLine, 1, false},
		{"invalid_trws", ErrStartLine, 1, false},
		{"invalid_badaspec", ErrNameAddr, 5, true},
		{"invalid_baddn", ErrNameAddr, 4, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMessage(readTorture(t, tt.name))
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, tt.want) {
				t.Fatalf("ParseMessage(%s) error = %v, want *ParseError wrapping %v", tt.name, err, tt.want)
			}
			if pe.Line != tt.line {
				t.Errorf("ParseMessage(%s) error at line %d, want %d", tt.name, pe.Line, tt.line)
			}
			if (m != nil) != tt.partial {
				t.Errorf("ParseMessage(%s) message = %v, want returned %v", tt.name, m != nil, tt.partial)
			}
		})
	}
}

// TestParseMessageCaptures parses every SIP payload extracted from the real
// captures and cross-checks start line, Call-ID and CSeq with the text.
func TestParseMessageCaptures(t *testing.T) {
	for _, name := range captureNames {
		t.Run(name, func(t *testing.T) {
			for _, c := range loadCapture(t, name) {
				m, err := ParseMessage(c.Payload)
				if want := captureErrors[name][c.Meta.Frame]; !errors.Is(err, want) || err != nil && m == nil {
					t.Errorf("frame %d: ParseMessage error %v, want %v", c.Meta.Frame, err, want)
					continue
				}
				checkAgainstText(t, c, m)
			}
		})
	}
}

// captureErrors lists the messages of the captures that are malformed, by
// frame number, with the error they must give.
var captureErrors = map[string]map[uint64]error{
	// The crafted message writes the From display name as \"arik\".
	"suricata-verify__sip_compact_form": {1: ErrQuote},
}

// TestFromLenient checks that From() still reads the URI and tag of a
// malformed From header, as a receiving proxy would.
func TestFromLenient(t *testing.T) {
	c := loadCapture(t, "suricata-verify__sip_compact_form")[0]
	m, _ := ParseMessage(c.Payload)
	if f := m.From(); f.Tag() != "6433ef9" || f.URI.User != "816666" {
		t.Errorf("From() = %+v, want user 816666 tag 6433ef9", f)
	}
	if got := m.Get("l"); got != "272" || len(m.Body) != 272 {
		t.Errorf("Get(l) = %q, body %d bytes, want 272", got, len(m.Body))
	}
}

// checkAgainstText compares parsed fields with a naive line search of the
// payload, an independent reading of the same bytes.
func checkAgainstText(t *testing.T, c capturedMessage, m *Message) {
	t.Helper()
	first, _, _ := strings.Cut(string(c.Payload), "\r\n")
	if m.Request && !strings.HasPrefix(first, m.Method+" "+m.RequestURI+" ") {
		t.Errorf("frame %d: request %q %q, start line %q", c.Meta.Frame, m.Method, m.RequestURI, first)
	}
	if !m.Request && !strings.Contains(first, " "+strconv.Itoa(m.StatusCode)) {
		t.Errorf("frame %d: status %d, start line %q", c.Meta.Frame, m.StatusCode, first)
	}
	if m.CallID() == "" || !strings.Contains(string(c.Payload), m.CallID()) {
		t.Errorf("frame %d: CallID() = %q not in payload", c.Meta.Frame, m.CallID())
	}
	if n, method := m.CSeq(); n == 0 && method == "" {
		t.Errorf("frame %d: no CSeq", c.Meta.Frame)
	}
	if len(m.Vias()) == 0 {
		t.Errorf("frame %d: no Via", c.Meta.Frame)
	}
}
