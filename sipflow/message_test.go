package sipflow

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

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
