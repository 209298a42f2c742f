// Package sip is the lab's small SIP stack (RFC 3261): messages, a stateless
// proxy and the user agent side of one INVITE dialog, over UDP and TCP.
// It is enough to place real calls through the lab; it is not a product parser.
package sip

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxMessage bounds a message read from a stream (RFC 3261 §18.3 framing).
const MaxMessage = 64 << 10

// ErrMalformed is returned for a message that does not follow RFC 3261 §7.
var ErrMalformed = errors.New("sip: malformed message")

// Header is one header field line.
type Header struct {
	Name, Value string
}

// Message is a SIP request or response (RFC 3261 §7).
type Message struct {
	Method  string // request method; empty for responses
	URI     string // Request-URI
	Status  int    // response status code; 0 for requests
	Reason  string
	Headers []Header
	Body    []byte
}

// IsRequest tells a request from a response.
func (m *Message) IsRequest() bool { return m.Method != "" }

var compact = map[string]string{
	"i": "call-id", "v": "via", "f": "from", "t": "to", "l": "content-length",
	"m": "contact", "c": "content-type",
}

func canonical(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if long, ok := compact[n]; ok {
		return long
	}
	return n
}

// Get returns the first value of a header, compact forms included.
func (m *Message) Get(name string) string {
	for _, h := range m.Headers {
		if canonical(h.Name) == canonical(name) {
			return h.Value
		}
	}
	return ""
}

// All returns every value of a header in order.
func (m *Message) All(name string) []string {
	var out []string
	for _, h := range m.Headers {
		if canonical(h.Name) == canonical(name) {
			out = append(out, h.Value)
		}
	}
	return out
}

// Add appends a header.
func (m *Message) Add(name, value string) { m.Headers = append(m.Headers, Header{name, value}) }

// Prepend inserts a header before all others of the same name, or first.
func (m *Message) Prepend(name, value string) {
	for i, h := range m.Headers {
		if canonical(h.Name) == canonical(name) {
			m.Headers = append(m.Headers[:i], append([]Header{{name, value}}, m.Headers[i:]...)...)
			return
		}
	}
	m.Headers = append([]Header{{name, value}}, m.Headers...)
}

// RemoveFirst removes the first header of a name and returns its value.
func (m *Message) RemoveFirst(name string) string {
	for i, h := range m.Headers {
		if canonical(h.Name) == canonical(name) {
			m.Headers = append(m.Headers[:i], m.Headers[i+1:]...)
			return h.Value
		}
	}
	return ""
}

// SetFirst replaces the value of the first header of a name.
func (m *Message) SetFirst(name, value string) {
	for i, h := range m.Headers {
		if canonical(h.Name) == canonical(name) {
			m.Headers[i].Value = value
			return
		}
	}
	m.Add(name, value)
}

// Bytes renders the message with a correct Content-Length.
func (m *Message) Bytes() []byte {
	var b bytes.Buffer
	if m.IsRequest() {
		fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", m.Method, m.URI)
	} else {
		fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", m.Status, m.Reason)
	}
	for _, h := range m.Headers {
		if canonical(h.Name) == "content-length" {
			continue
		}
		fmt.Fprintf(&b, "%s: %s\r\n", h.Name, h.Value)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(m.Body))
	b.Write(m.Body)
	return b.Bytes()
}

// Parse reads one message from a datagram (RFC 3261 §7, §18.3).
func Parse(data []byte) (*Message, error) {
	return ReadMessage(bufio.NewReader(bytes.NewReader(data)))
}

// ReadMessage reads one message from a stream, framed by Content-Length.
func ReadMessage(r *bufio.Reader) (*Message, error) {
	start, err := readStartLine(r)
	if err != nil {
		return nil, err
	}
	m := &Message{}
	if err := m.parseStartLine(start); err != nil {
		return nil, err
	}
	if err := m.readHeaders(r); err != nil {
		return nil, err
	}
	n, err := m.contentLength()
	if err != nil {
		return nil, err
	}
	m.Body = make([]byte, n)
	if _, err := io.ReadFull(r, m.Body); err != nil {
		return nil, fmt.Errorf("%w: body: %v", ErrMalformed, err)
	}
	return m, nil
}

// readStartLine skips CRLF keep-alives (RFC 5626 §3.5.1) before the start line.
func readStartLine(r *bufio.Reader) (string, error) {
	for {
		line, err := readLine(r)
		if err != nil {
			return "", err
		}
		if line != "" {
			return line, nil
		}
	}
}

func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		if line == "" {
			return "", err
		}
		return "", fmt.Errorf("%w: unterminated line", ErrMalformed)
	}
	if len(line) > MaxMessage {
		return "", fmt.Errorf("%w: line too long", ErrMalformed)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (m *Message) parseStartLine(line string) error {
	parts := strings.SplitN(line, " ", 3)
	if len(parts) != 3 {
		return fmt.Errorf("%w: start line %q", ErrMalformed, line)
	}
	if parts[0] == "SIP/2.0" {
		code, err := strconv.Atoi(parts[1])
		if err != nil || code < 100 || code > 699 {
			return fmt.Errorf("%w: status %q", ErrMalformed, parts[1])
		}
		m.Status, m.Reason = code, parts[2]
		return nil
	}
	if parts[2] != "SIP/2.0" || parts[0] == "" {
		return fmt.Errorf("%w: request line %q", ErrMalformed, line)
	}
	m.Method, m.URI = parts[0], parts[1]
	return nil
}

func (m *Message) readHeaders(r *bufio.Reader) error {
	size := 0
	for {
		line, err := readLine(r)
		if err != nil {
			return fmt.Errorf("%w: headers: %v", ErrMalformed, err)
		}
		if line == "" {
			return nil
		}
		size += len(line)
		if size > MaxMessage {
			return fmt.Errorf("%w: headers too long", ErrMalformed)
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return fmt.Errorf("%w: header line %q", ErrMalformed, line)
		}
		m.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
}

func (m *Message) contentLength() (int, error) {
	v := m.Get("content-length")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > MaxMessage {
		return 0, fmt.Errorf("%w: Content-Length %q", ErrMalformed, v)
	}
	return n, nil
}

// Param returns a parameter of a header value such as "branch" of a Via or
// "tag" of a From (RFC 3261 §20), or "" when absent.
func Param(value, name string) string {
	for _, p := range strings.Split(value, ";")[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// URIUser returns the user part of a SIP URI, also inside a name-addr.
func URIUser(uri string) string {
	if i := strings.IndexByte(uri, '<'); i >= 0 {
		uri = uri[i+1:]
	}
	uri = strings.TrimPrefix(strings.TrimPrefix(uri, "sips:"), "sip:")
	user, _, ok := strings.Cut(uri, "@")
	if !ok {
		return ""
	}
	return user
}
