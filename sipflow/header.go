package sipflow

import "strings"

// Header is one header field of a SIP message (RFC 3261 §7.3). Name is the
// canonical full form for the headers this package knows ("Call-ID", "Via",
// compact forms expanded) and the name as written otherwise. Value has folded
// continuation lines joined with one space and surrounding whitespace removed.
// Line is the 1-based line where the header starts.
type Header struct {
	Name, Value string
	Line        int
}

// compactForms maps the RFC 3261 §7.3.3 compact header names (and those of
// later RFCs: 3515, 3892, 3841, 4028, 4474) to the full names.
var compactForms = map[string]string{
	"i": "Call-ID", "f": "From", "t": "To", "v": "Via", "m": "Contact",
	"l": "Content-Length", "c": "Content-Type", "k": "Supported", "s": "Subject",
	"o": "Event", "u": "Allow-Events", "e": "Content-Encoding", "r": "Refer-To",
	"b": "Referred-By", "x": "Session-Expires", "a": "Accept-Contact",
	"j": "Reject-Contact", "d": "Request-Disposition", "y": "Identity", "n": "Identity-Info",
}

// knownNames lists canonical spellings of the headers this package
// recognises, keyed by lower case (RFC 3261 §20, MS-SIPRE, MS-OCER).
var knownNames = func() map[string]string {
	names := []string{
		"Accept", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow",
		"Authentication-Info", "Authorization", "Call-ID", "Call-Info", "Contact",
		"Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length",
		"Content-Type", "CSeq", "Date", "Error-Info", "Expires", "From", "In-Reply-To",
		"Max-Forwards", "MIME-Version", "Min-Expires", "Organization", "Priority",
		"Proxy-Authenticate", "Proxy-Authorization", "Proxy-Require", "Record-Route",
		"Reply-To", "Require", "Retry-After", "Route", "Server", "Subject", "Supported",
		"Timestamp", "To", "Unsupported", "User-Agent", "Via", "Warning", "WWW-Authenticate",
		"Event", "Allow-Events", "Subscription-State", "Refer-To", "Referred-By",
		"Session-Expires", "Min-SE", "RSeq", "RAck", "Path", "Service-Route",
		"P-Asserted-Identity", "P-Preferred-Identity", "Privacy", "Reason",
		"Accept-Contact", "Reject-Contact", "Request-Disposition", "Identity", "Identity-Info",
		"ms-diagnostics", "ms-diagnostics-public", "ms-client-diagnostics",
		"ms-endpoint-location-data", "ms-subnet", "Ms-Conversation-ID", "ms-keep-alive",
		"ms-user-logon-data", "ms-edge-proxy-message-trust", "ms-trunking-peer",
	}
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = n
	}
	return m
}()

// listHeaders are the headers whose value is a comma-separated list
// (RFC 3261 §7.3.1): Values splits them into elements.
var listHeaders = map[string]bool{
	"Via": true, "Contact": true, "Route": true, "Record-Route": true, "Allow": true,
	"Supported": true, "Require": true, "Proxy-Require": true, "Unsupported": true,
	"Accept": true, "Accept-Encoding": true, "Accept-Language": true, "Allow-Events": true,
	"Content-Encoding": true, "Content-Language": true, "In-Reply-To": true, "Path": true,
	"Service-Route": true, "Warning": true, "Alert-Info": true, "Call-Info": true,
	"Error-Info": true, "P-Asserted-Identity": true, "P-Preferred-Identity": true,
	"Reason": true,
}

// CanonicalName returns the canonical full form of a header name: compact
// forms are expanded (RFC 3261 §7.3.3), known names get their usual
// spelling, unknown names are returned unchanged.
func CanonicalName(name string) string {
	if len(name) == 1 {
		if full, ok := compactForms[strings.ToLower(name)]; ok {
			return full
		}
	}
	if c, ok := knownNames[strings.ToLower(name)]; ok {
		return c
	}
	return name
}

// IsListHeader reports whether the named header carries a comma-separated
// list of values (RFC 3261 §7.3.1).
func IsListHeader(name string) bool { return listHeaders[CanonicalName(name)] }

// Get returns the value of the first header with the given name, compared
// case-insensitively with compact forms accepted, or "" when absent.
func (m *Message) Get(name string) string {
	if h, ok := m.header(name); ok {
		return h.Value
	}
	return ""
}

// Has reports whether the message carries a header with the given name.
func (m *Message) Has(name string) bool {
	_, ok := m.header(name)
	return ok
}

func (m *Message) header(name string) (Header, bool) {
	c := CanonicalName(name)
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, c) {
			return h, true
		}
	}
	return Header{}, false
}

// Values returns the values of every header with the given name, in order.
// For list headers (IsListHeader) each comma-separated element is a value of
// its own (RFC 3261 §7.3.1); commas inside quotes or angle brackets do not
// split.
func (m *Message) Values(name string) []string {
	c := CanonicalName(name)
	list := listHeaders[c]
	var out []string
	for _, h := range m.Headers {
		if !strings.EqualFold(h.Name, c) {
			continue
		}
		if !list {
			out = append(out, h.Value)
			continue
		}
		parts, _ := splitList(h.Value, ',')
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// splitList splits s at sep outside quoted strings (with backslash escapes)
// and angle brackets. It returns ErrQuote for an unterminated quoted string;
// the parts found so far are still returned.
func splitList(s string, sep byte) ([]string, error) {
	var parts []string
	start, angle, quoted := 0, false, false
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case quoted && ch == '\\':
			i++
		case ch == '"':
			quoted = !quoted
		case quoted:
		case ch == '<':
			angle = true
		case ch == '>':
			angle = false
		case ch == sep && !angle:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	parts = append(parts, s[start:])
	if quoted {
		return parts, ErrQuote
	}
	return parts, nil
}
