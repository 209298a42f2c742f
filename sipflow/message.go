package sipflow

import (
	"bytes"
	"strconv"
	"strings"
)

// Message is one SIP request or response (RFC 3261 §7). It holds copies:
// nothing aliases the buffer given to ParseMessage.
type Message struct {
	Request    bool
	Method     string // request method, upper case as sent
	RequestURI string
	Version    string // "SIP/2.0"
	StatusCode int
	Reason     string
	Headers    []Header // in order, names canonical (see Header)
	Body       []byte
	// Deviations lists the text outside the RFC 3261 grammar that the
	// parser read anyway, each located and wrapping a sentinel
	// (ErrUnbracketedIPv6, ErrURIHeaders, ErrAddrSpecHeaders, ErrDateZone):
	// what a liberal receiver accepts (RFC 4475 §3.1.2.11-13).
	Deviations []*ParseError
	// Size is the number of bytes of b the message used: leading CRLF
	// keep-alives, start line, headers and body.
	Size int
}

// maxMessage bounds the bytes of one buffer that ParseMessage reads.
const maxMessage = 1 << 24

// ParseMessage parses one SIP message from b (RFC 3261 §7). It accepts CRLF
// or bare LF line ends, leading CRLF keep-alives, folded and repeated
// headers and compact names. When Content-Length is absent the body is the
// rest of b; when it is present bytes after the body are ignored (Size tells
// how many were used).
//
// Errors are *ParseError wrapping a sentinel. A broken start line or header
// line yields a nil message. A malformed value of a header this package
// interprets (Via, From, To, Contact, Route, CSeq, Max-Forwards,
// Content-Length), a SIP version other than 2.0 and a CSeq method that is
// not the request's yield both the message and the first such error, so an
// analyzer can keep what it could read. Text a liberal receiver accepts
// (an IPv6 host without brackets, headers in the Request-URI, a URI with
// headers outside angle brackets, a Date not in GMT) is no error: it is
// listed in Deviations.
func ParseMessage(b []byte) (*Message, error) {
	if len(b) > maxMessage {
		b = b[:maxMessage]
	}
	skip := len(b) - len(bytes.TrimLeft(b, "\r\n"))
	lines, bodyStart, complete := splitLines(b, skip)
	if len(lines) == 0 {
		return nil, &ParseError{Field: "message", Err: ErrEmpty}
	}
	m := &Message{}
	if err := m.parseStartLine(lines[0]); err != nil {
		return nil, err
	}
	if err := m.parseHeaderLines(lines[1:]); err != nil {
		return nil, err
	}
	firstErr := keepFirst(m.checkVersion(), m.checkValues())
	firstErr = keepFirst(firstErr, m.checkCSeqMethod())
	if !complete {
		m.Size = len(b)
		return m, keepFirst(firstErr, &ParseError{Line: lines[len(lines)-1].num, Field: "headers", Err: ErrNoHeaderEnd})
	}
	return m, keepFirst(firstErr, m.takeBody(b, bodyStart))
}

func keepFirst(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// line is one physical line of the header section.
type line struct {
	text string
	num  int
}

// splitLines splits the header section starting at off into lines. It
// returns the lines, the offset of the body, and whether an empty line ended
// the header section.
func splitLines(b []byte, off int) ([]line, int, bool) {
	var lines []line
	for num := 1; off < len(b); num++ {
		end := bytes.IndexByte(b[off:], '\n')
		if end < 0 {
			lines = append(lines, line{string(b[off:]), num})
			return lines, len(b), false
		}
		text := b[off : off+end]
		off += end + 1
		text = bytes.TrimSuffix(text, []byte{'\r'})
		if len(text) == 0 {
			return lines, off, true
		}
		lines = append(lines, line{string(text), num})
	}
	return lines, off, false
}

func (m *Message) parseStartLine(l line) error {
	fail := func(col int, err error) error {
		return &ParseError{Line: l.num, Column: col, Field: "start line", Err: err}
	}
	if hasPrefixFold(l.text, "SIP/") {
		return m.parseStatusLine(l.text, fail)
	}
	parts := strings.Split(l.text, " ")
	if len(parts) != 3 {
		return fail(1, ErrStartLine)
	}
	if !isToken(parts[0]) {
		return fail(1, ErrMethod)
	}
	u, err := ParseURI(parts[1])
	if err != nil {
		return fail(len(parts[0])+2, ErrRequestURI)
	}
	if !validVersion(parts[2]) {
		return fail(len(parts[0])+len(parts[1])+3, ErrVersion)
	}
	m.Request, m.Method, m.RequestURI, m.Version = true, parts[0], parts[1], strings.ToUpper(parts[2])
	m.requestURIDeviations(u)
	return nil
}

func (m *Message) parseStatusLine(s string, fail func(int, error) error) error {
	version, rest, ok := strings.Cut(s, " ")
	if !ok || !validVersion(version) {
		return fail(1, ErrVersion)
	}
	codeText, reason, _ := strings.Cut(rest, " ")
	code, err := strconv.Atoi(codeText)
	if len(codeText) != 3 || err != nil || code < 100 || code > 699 {
		return fail(len(version)+2, ErrStatusCode)
	}
	m.Version, m.StatusCode, m.Reason = strings.ToUpper(version), code, reason
	return nil
}

// validVersion checks "SIP" "/" 1*DIGIT "." 1*DIGIT (RFC 3261 §25.1).
func validVersion(s string) bool {
	if !hasPrefixFold(s, "SIP/") {
		return false
	}
	major, minor, ok := strings.Cut(s[4:], ".")
	return ok && isDigits(major) && isDigits(minor)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// parseHeaderLines joins folded lines (RFC 3261 §7.3.1) and splits each
// header at its colon.
func (m *Message) parseHeaderLines(lines []line) error {
	for _, l := range lines {
		if l.text[0] == ' ' || l.text[0] == '\t' {
			if len(m.Headers) == 0 {
				return &ParseError{Line: l.num, Column: 1, Field: "headers", Err: ErrHeaderLine}
			}
			h := &m.Headers[len(m.Headers)-1]
			h.Value = strings.TrimSpace(h.Value + " " + strings.TrimSpace(l.text))
			continue
		}
		name, value, ok := strings.Cut(l.text, ":")
		if !ok {
			return &ParseError{Line: l.num, Column: 1, Field: "headers", Err: ErrHeaderLine}
		}
		name = strings.TrimRight(name, " \t")
		if !isToken(name) {
			return &ParseError{Line: l.num, Column: 1, Field: name, Err: ErrHeaderName}
		}
		m.Headers = append(m.Headers, Header{Name: CanonicalName(name), Value: strings.TrimSpace(value), Line: l.num})
	}
	return nil
}

// checkValues validates the headers whose values the package interprets,
// records the deviations of the valid ones and returns the first error.
func (m *Message) checkValues() error {
	var first error
	for _, h := range m.Headers {
		err := checkValue(h)
		if err == nil {
			m.headerDeviations(h)
			continue
		}
		if first == nil {
			first = &ParseError{Line: h.Line, Column: len(h.Name) + 2, Field: h.Name, Err: err}
		}
	}
	return first
}

func checkValue(h Header) error {
	switch h.Name {
	case "Via":
		_, err := ParseViaList(h.Value)
		return err
	case "From", "To":
		_, err := ParseNameAddr(h.Value)
		return err
	case "Contact", "Route", "Record-Route":
		_, err := ParseNameAddrList(h.Value)
		return err
	case "CSeq":
		_, _, err := parseCSeq(h.Value)
		return err
	case "Max-Forwards":
		return parseMaxForwards(h.Value)
	case "Content-Length":
		_, err := parseContentLength(h.Value)
		return err
	}
	return nil
}

// takeBody copies the body: Content-Length bytes when the header is present
// and valid, the rest of b otherwise.
func (m *Message) takeBody(b []byte, start int) error {
	rest := b[start:]
	h, ok := m.header("Content-Length")
	if !ok {
		m.Body, m.Size = bytes.Clone(rest), len(b)
		return nil
	}
	n, err := parseContentLength(h.Value)
	if err != nil {
		m.Body, m.Size = bytes.Clone(rest), len(b)
		return nil // already reported by checkValues
	}
	if n > len(rest) {
		m.Body, m.Size = bytes.Clone(rest), len(b)
		return &ParseError{Line: h.Line, Column: len(h.Name) + 2, Field: h.Name, Err: ErrTruncatedBody}
	}
	m.Body, m.Size = bytes.Clone(rest[:n]), start+n
	return nil
}
