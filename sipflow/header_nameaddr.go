package sipflow

import (
	"strings"
)

// NameAddr is the value of From, To, Contact, Route and similar headers
// (RFC 3261 §20.10, §25.1 name-addr / addr-spec): an optional display name,
// the URI and the header parameters (";tag=", ";epid=", ";expires=").
type NameAddr struct {
	Display string
	URI     URI
	Params  []Param
}

// Tag returns the tag parameter (RFC 3261 §19.3).
func (n NameAddr) Tag() string { return paramValue(n.Params, "tag") }

// Param returns the value of the named header parameter.
func (n NameAddr) Param(name string) string { return paramValue(n.Params, name) }

// ParseNameAddr parses one name-addr or addr-spec with header parameters.
// Without angle brackets, parameters after the URI belong to the header
// (RFC 3261 §20). A display name is a quoted string or a sequence of
// tokens; whitespace inside the angle brackets is rejected (RFC 4475
// §3.1.2.14, §3.1.2.15).
func ParseNameAddr(s string) (NameAddr, error) {
	s = strings.TrimSpace(s)
	var n NameAddr
	lt := indexOutsideQuotes(s, '<')
	if lt == -2 {
		return n, ErrQuote
	}
	if lt < 0 {
		return parseAddrSpec(s)
	}
	display, err := parseDisplayName(strings.TrimSpace(s[:lt]))
	if err != nil {
		return n, err
	}
	n.Display = display
	gt := strings.IndexByte(s[lt:], '>')
	if gt < 0 {
		return n, ErrNameAddr
	}
	inner := s[lt+1 : lt+gt]
	if inner == "" || inner != strings.TrimSpace(inner) {
		return n, ErrNameAddr
	}
	if n.URI, err = ParseURI(inner); err != nil {
		return n, err
	}
	n.Params, err = parseParams(s[lt+gt+1:])
	return n, err
}

func parseAddrSpec(s string) (NameAddr, error) {
	var n NameAddr
	uriText, params := s, ""
	if i := strings.IndexByte(s, ';'); i >= 0 {
		uriText, params = strings.TrimSpace(s[:i]), s[i:]
	}
	var err error
	if n.URI, err = ParseURI(uriText); err != nil {
		return n, err
	}
	n.Params, err = parseParams(params)
	return n, err
}

// parseDisplayName accepts a quoted string or *(token LWS) (RFC 3261 §25.1).
func parseDisplayName(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if s[0] == '"' {
		if len(s) < 2 || s[len(s)-1] != '"' || !closedQuote(s) {
			return "", ErrQuote
		}
		return unquote(s), nil
	}
	for _, word := range strings.Fields(s) {
		if !isToken(word) {
			return "", ErrNameAddr
		}
	}
	return strings.Join(strings.Fields(s), " "), nil
}

// closedQuote reports whether the quoted string starting at s[0] ends at the
// last byte of s.
func closedQuote(s string) bool {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i == len(s)-1
		}
	}
	return false
}

// indexOutsideQuotes returns the index of c outside quoted strings, -1 when
// absent, -2 for an unterminated quoted string.
func indexOutsideQuotes(s string, c byte) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case quoted && s[i] == '\\':
			i++
		case s[i] == '"':
			quoted = !quoted
		case !quoted && s[i] == c:
			return i
		}
	}
	if quoted {
		return -2
	}
	return -1
}

// ParseNameAddrList parses a comma-separated list of name-addrs (Contact,
// Route, Record-Route, P-Asserted-Identity). A Contact of "*" yields one
// NameAddr with an empty URI.
func ParseNameAddrList(s string) ([]NameAddr, error) {
	parts, err := splitList(s, ',')
	if err != nil {
		return nil, err
	}
	out := make([]NameAddr, 0, len(parts))
	for _, p := range parts {
		if strings.TrimSpace(p) == "*" {
			out = append(out, NameAddr{URI: URI{Raw: "*"}})
			continue
		}
		n, err := ParseNameAddr(p)
		if err != nil {
			return out, err
		}
		out = append(out, n)
	}
	return out, nil
}

// From returns the parsed From header (RFC 3261 §20.20); the zero value when
// it is absent or malformed.
func (m *Message) From() NameAddr { return m.nameAddr("From") }

// To returns the parsed To header (RFC 3261 §20.39).
func (m *Message) To() NameAddr { return m.nameAddr("To") }

// Contacts returns the parsed Contact headers (RFC 3261 §20.10).
func (m *Message) Contacts() []NameAddr { return m.nameAddrs("Contact") }

// Routes returns the parsed Route headers (RFC 3261 §20.34).
func (m *Message) Routes() []NameAddr { return m.nameAddrs("Route") }

// RecordRoutes returns the parsed Record-Route headers (RFC 3261 §20.30).
func (m *Message) RecordRoutes() []NameAddr { return m.nameAddrs("Record-Route") }

func (m *Message) nameAddr(name string) NameAddr {
	v := m.Get(name)
	n, err := ParseNameAddr(v)
	if err != nil {
		return lenientNameAddr(v)
	}
	return n
}

// lenientNameAddr reads what it can of a malformed name-addr: the URI in the
// last angle brackets, the parameters after them up to the first bad one,
// and the text before them as display name.
func lenientNameAddr(s string) NameAddr {
	var n NameAddr
	lt := strings.LastIndexByte(s, '<')
	gt := strings.LastIndexByte(s, '>')
	if lt < 0 || gt < lt {
		return n
	}
	n.URI, _ = ParseURI(strings.TrimSpace(s[lt+1 : gt]))
	n.Display = strings.Trim(strings.TrimSpace(s[:lt]), `"\ `)
	n.Params, _ = parseParams(s[gt+1:])
	return n
}

func (m *Message) nameAddrs(name string) []NameAddr {
	var out []NameAddr
	for _, v := range m.Values(name) {
		if n, err := ParseNameAddr(v); err == nil {
			out = append(out, n)
		}
	}
	return out
}
