package sipflow

import (
	"strings"
)

// This file holds the checks ParseMessage runs once the start line and the
// header lines are split: errors for messages that RFC 4475 §3.1.2 says an
// element must refuse although every line is well formed, and deviations:
// text outside the RFC 3261 grammar that a receiving element can still read
// without ambiguity (RFC 4475 §3.1.2.11-13, and IPv6 hosts without brackets
// as some user agents send them).

// sipVersion is the only protocol version this parser interprets (RFC 3261
// §7.1).
const sipVersion = "SIP/2.0"

// checkVersion refuses a SIP version other than 2.0 (RFC 3261 §8.2.2 505,
// RFC 4475 §3.1.2.16 badvers); the start line itself is well formed.
func (m *Message) checkVersion() error {
	if m.Version == sipVersion {
		return nil
	}
	col := 1
	if m.Request {
		col = len(m.Method) + len(m.RequestURI) + 3
	}
	return &ParseError{Line: 1, Column: col, Field: "start line", Err: ErrUnsupportedVersion}
}

// checkCSeqMethod refuses a request whose CSeq method differs from the
// method of the request line (RFC 3261 §8.1.1.5, RFC 4475 §3.1.2.17
// mismatch01, §3.1.2.18 mismatch02). Methods are compared case-sensitively
// (RFC 3261 §7.1); the CSeq header's own syntax is checked by checkValue.
func (m *Message) checkCSeqMethod() error {
	h, ok := m.header("CSeq")
	if !m.Request || !ok {
		return nil
	}
	fields := strings.Fields(h.Value)
	if len(fields) != 2 || fields[1] == m.Method {
		return nil
	}
	return &ParseError{Line: h.Line, Column: len(h.Name) + 2, Field: h.Name, Err: ErrCSeqMethod}
}

// deviate records a lenient acceptance at a line.
func (m *Message) deviate(line, col int, field string, err error) {
	m.Deviations = append(m.Deviations, &ParseError{Line: line, Column: col, Field: field, Err: err})
}

// requestURIDeviations records what the Request-URI u carries against
// RFC 3261: headers (§19.1.1 forbids them in a Request-URI; RFC 4475
// §3.1.2.11 escruri lets an element ignore them) and an IPv6 host without
// brackets (§25.1 IPv6reference).
func (m *Message) requestURIDeviations(u URI) {
	col := len(m.Method) + 2
	if u.Headers != "" {
		m.deviate(1, col+strings.IndexByte(u.Raw, '?'), "start line", ErrURIHeaders)
	}
	if unbracketedIPv6(u.Host, u.Raw) {
		m.deviate(1, col, "start line", ErrUnbracketedIPv6)
	}
}

// unbracketedIPv6 reports whether host, read from text, is an IPv6 address
// written without the brackets of RFC 3261 §25.1 IPv6reference.
func unbracketedIPv6(host, text string) bool {
	return strings.Contains(host, ":") && !strings.Contains(text, "["+host+"]")
}

// headerDeviations records the deviations of a header whose value checkValue
// accepted: IPv6 hosts without brackets in Via and name-addr headers, a URI
// with headers outside angle brackets (RFC 3261 §20: such a URI must be in
// name-addr form; RFC 4475 §3.1.2.13 regbadct lets an element infer the
// brackets), and a Date not in GMT (RFC 3261 §20.17; RFC 4475 §3.1.2.12
// baddate lets an element that does not use Date ignore it).
func (m *Message) headerDeviations(h Header) {
	col := len(h.Name) + 2
	switch h.Name {
	case "Via":
		vias, _ := ParseViaList(h.Value)
		for _, v := range vias {
			if unbracketedIPv6(v.Host, h.Value) {
				m.deviate(h.Line, col, h.Name, ErrUnbracketedIPv6)
				return
			}
		}
	case "From", "To", "Contact", "Route", "Record-Route":
		m.nameAddrDeviations(h, col)
	case "Date":
		if !strings.HasSuffix(strings.TrimSpace(h.Value), " GMT") {
			m.deviate(h.Line, col, h.Name, ErrDateZone)
		}
	}
}

func (m *Message) nameAddrDeviations(h Header, col int) {
	parts, _ := splitList(h.Value, ',')
	for _, p := range parts {
		n, err := ParseNameAddr(p)
		if err != nil {
			continue
		}
		if n.URI.Headers != "" && !strings.Contains(p, "<") {
			m.deviate(h.Line, col, h.Name, ErrAddrSpecHeaders)
		}
		if unbracketedIPv6(n.URI.Host, p) {
			m.deviate(h.Line, col, h.Name, ErrUnbracketedIPv6)
		}
	}
}
