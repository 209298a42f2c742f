package sipflow

import (
	"errors"
	"testing"
)

// TestParseMessageRFC4475Invalid checks the nineteen invalid torture
// messages of RFC 4475 §3.1.2. Each either gives a located error wrapping
// the right sentinel or, where the RFC lets a liberal element accept the
// message (escruri §3.1.2.11, baddate §3.1.2.12, regbadct §3.1.2.13), is
// accepted with a located deviation instead.
func TestParseMessageRFC4475Invalid(t *testing.T) {
	tests := []struct {
		name      string
		want      error // error, or deviation when deviation is set
		line, col int
		partial   bool // the message is returned with the error
		deviation bool
	}{
		{"invalid_badinv01", ErrParam, 7, 5, true, false},
		{"invalid_clerr", ErrTruncatedBody, 10, 16, true, false},
		{"invalid_ncl", ErrContentLength, 10, 16, true, false},
		{"invalid_scalar02", ErrCSeq, 5, 6, true, false},
		{"invalid_scalarlg", ErrCSeq, 5, 6, true, false},
		{"invalid_quotbal", ErrQuote, 2, 4, true, false},
		{"invalid_ltgtruri", ErrRequestURI, 1, 8, false, false},
		{"invalid_lwsruri", ErrStartLine, 1, 1, false, false},
		{"invalid_lwsstart", ErrStartLine, 1, 1, false, false},
		{"invalid_trws", ErrStartLine, 1, 1, false, false},
		{"invalid_escruri", ErrURIHeaders, 1, 28, true, true},
		{"invalid_baddate", ErrDateZone, 8, 6, true, true},
		{"invalid_regbadct", ErrAddrSpecHeaders, 8, 9, true, true},
		{"invalid_badaspec", ErrNameAddr, 5, 4, true, false},
		{"invalid_baddn", ErrNameAddr, 4, 6, true, false},
		{"invalid_badvers", ErrUnsupportedVersion, 1, 34, true, false},
		{"invalid_mismatch01", ErrCSeqMethod, 6, 6, true, false},
		{"invalid_mismatch02", ErrCSeqMethod, 6, 6, true, false},
		{"invalid_bigcode", ErrStatusCode, 1, 9, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMessage(readTorture(t, tt.name))
			if (m != nil) != tt.partial {
				t.Fatalf("ParseMessage(%s) message = %v, want returned %v", tt.name, m != nil, tt.partial)
			}
			got := err
			if tt.deviation {
				if err != nil {
					t.Fatalf("ParseMessage(%s) error %v, want a deviation only", tt.name, err)
				}
				if len(m.Deviations) != 1 {
					t.Fatalf("ParseMessage(%s) deviations = %v, want one", tt.name, m.Deviations)
				}
				got = m.Deviations[0]
			}
			var pe *ParseError
			if !errors.As(got, &pe) || !errors.Is(got, tt.want) {
				t.Fatalf("ParseMessage(%s) = %v, want *ParseError wrapping %v", tt.name, got, tt.want)
			}
			if pe.Line != tt.line || pe.Column != tt.col {
				t.Errorf("ParseMessage(%s) at line %d column %d, want %d:%d", tt.name, pe.Line, pe.Column, tt.line, tt.col)
			}
		})
	}
}

// TestRFC4475LenientReadings checks what a liberal reading of the accepted
// invalid messages keeps: the Request-URI of escruri without acting on its
// headers, the Date of baddate as sent, the Contact of regbadct with the
// angle brackets inferred.
func TestRFC4475LenientReadings(t *testing.T) {
	m, _ := ParseMessage(readTorture(t, "invalid_escruri"))
	if u, err := ParseURI(m.RequestURI); err != nil || u.Host != "example.com" || u.Headers != "Route=%3Csip:example.com%3E" {
		t.Errorf("escruri Request-URI = %+v, %v", u, err)
	}
	if len(m.Routes()) != 0 {
		t.Errorf("escruri Routes() = %v, want none taken from the Request-URI", m.Routes())
	}
	m, _ = ParseMessage(readTorture(t, "invalid_baddate"))
	if got := m.Get("Date"); got != "Fri, 01 Jan 2010 16:00:00 EST" {
		t.Errorf("baddate Get(Date) = %q", got)
	}
	m, _ = ParseMessage(readTorture(t, "invalid_regbadct"))
	if c := m.Contacts(); len(c) != 1 || c[0].URI.User != "user" || c[0].URI.Headers != "Route=%3Csip:sip.example.com%3E" {
		t.Errorf("regbadct Contacts() = %+v", c)
	}
}

// TestParseMessageUnbracketedIPv6 reads IPv6 hosts written without
// brackets (RFC 3261 §25.1 IPv6reference requires them) as the user agent of
// heplify__sip_ipv6_udp sends them: frame 1's Request-URI ends with a port,
// frames 4 and 5 (ACK, BYE) end with the address, and every message carries
// such hosts in Via, From, To or Contact. Each is read and recorded as a
// deviation.
func TestParseMessageUnbracketedIPv6(t *testing.T) {
	msgs := loadCapture(t, "heplify__sip_ipv6_udp")
	want := map[uint64]struct {
		host string
		port int
	}{1: {"fec0:0:0:0:216:d3ff:fe0d:22c", 5060}, 4: {"fec0:0:0:0:216:d3ff:fe0d:22c", 0}, 5: {"fec0:0:0:0:216:d3ff:fe0d:22c", 0}}
	for _, c := range msgs {
		m, err := ParseMessage(c.Payload)
		if err != nil {
			t.Errorf("frame %d: ParseMessage error %v", c.Meta.Frame, err)
			continue
		}
		if !hasDeviation(m, ErrUnbracketedIPv6) {
			t.Errorf("frame %d: deviations %v, want ErrUnbracketedIPv6", c.Meta.Frame, m.Deviations)
		}
		if v := m.Vias(); len(v) != 1 || v[0].Host != "fe80:0:0:0:21a:a0ff:fe07:32e0" || v[0].Port != 5060 {
			t.Errorf("frame %d: Vias() = %+v, want fe80:0:0:0:21a:a0ff:fe07:32e0 port 5060", c.Meta.Frame, v)
		}
		w, ok := want[c.Meta.Frame]
		if !ok {
			continue
		}
		u, err := ParseURI(m.RequestURI)
		if err != nil || u.Host != w.host || u.Port != w.port || m.Deviations[0].Line != 1 {
			t.Errorf("frame %d: ParseURI(%q) = %q port %d, %v; first deviation %v", c.Meta.Frame, m.RequestURI, u.Host, u.Port, err, m.Deviations[0])
		}
	}
}

func hasDeviation(m *Message, err error) bool {
	for _, d := range m.Deviations {
		if errors.Is(d, err) {
			return true
		}
	}
	return false
}

// TestSplitHostPortIPv6 covers the bracketed and unbracketed IPv6 forms.
func TestSplitHostPortIPv6(t *testing.T) {
	tests := []struct {
		in      string
		host    string
		port    int
		wantErr bool
	}{
		{"[2001:db8::1]:5061", "2001:db8::1", 5061, false},
		{"[2001:db8::1]", "2001:db8::1", 0, false},
		{"2001:db8::1", "2001:db8::1", 0, false},
		{"fec0:0:0:0:216:d3ff:fe0d:22c", "fec0:0:0:0:216:d3ff:fe0d:22c", 0, false},
		{"fec0:0:0:0:216:d3ff:fe0d:22c:5060", "fec0:0:0:0:216:d3ff:fe0d:22c", 5060, false},
		{"2001:db8:0:0:0:0:0:5060", "2001:db8:0:0:0:0:0:5060", 0, false}, // eight groups: never split
		{"2001:db8::1:99999", "", 0, true},
		{"a:b:c", "", 0, true},
		{"192.0.2.1:5060", "192.0.2.1", 5060, false},
	}
	for _, tt := range tests {
		host, port, err := splitHostPort(tt.in)
		if host != tt.host || port != tt.port || (err != nil) != tt.wantErr {
			t.Errorf("splitHostPort(%q) = %q, %d, %v, want %q, %d, error %v", tt.in, host, port, err, tt.host, tt.port, tt.wantErr)
		}
	}
}
