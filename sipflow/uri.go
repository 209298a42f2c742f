package sipflow

import (
	"net/netip"
	"strconv"
	"strings"
)

// URI is a SIP or SIPS URI (RFC 3261 §19.1) or, for other schemes such as
// tel (RFC 3966), the scheme and the opaque rest in User. Params are the URI
// parameters (";transport=tls"), Headers the raw "?..." part. Raw is the
// text the URI was parsed from.
type URI struct {
	Scheme, User, Host string
	Port               int
	Params             []Param
	Headers            string
	Raw                string
}

// Param is a name with an optional value, as in URI, header and MIME
// parameters (RFC 3261 §25.1 generic-param). Quoted values are unquoted.
type Param struct{ Name, Value string }

// String returns the text the URI was parsed from.
func (u URI) String() string { return u.Raw }

// Param returns the value of the named URI parameter (case-insensitive).
func (u URI) Param(name string) string { return paramValue(u.Params, name) }

// Domain returns the host part, lower-cased, which for a user URI is the
// user's SIP domain.
func (u URI) Domain() string { return strings.ToLower(u.Host) }

// ParseURI parses an absolute URI. The scheme must be ALPHA *(ALPHA / DIGIT
// / "+" / "-" / ".") followed by ":" (RFC 3261 §25.1); sip and sips URIs are
// split into user, host, port, parameters and headers.
func ParseURI(s string) (URI, error) {
	u := URI{Raw: s}
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || !isScheme(s[:colon]) {
		return u, ErrURI
	}
	u.Scheme = strings.ToLower(s[:colon])
	rest := s[colon+1:]
	if rest == "" || strings.ContainsAny(rest, " \t\r\n<>") {
		return u, ErrURI
	}
	if u.Scheme != "sip" && u.Scheme != "sips" {
		u.User = rest
		return u, nil
	}
	return u, parseSIPURI(&u, rest)
}

func parseSIPURI(u *URI, rest string) error {
	if at := strings.IndexByte(rest, '@'); at >= 0 {
		u.User, rest = rest[:at], rest[at+1:]
		if i := strings.IndexByte(u.User, ':'); i >= 0 {
			u.User = u.User[:i] // drop the deprecated password
		}
	}
	if q := strings.IndexByte(rest, '?'); q >= 0 {
		rest, u.Headers = rest[:q], rest[q+1:]
	}
	hostport := rest
	if sc := strings.IndexByte(rest, ';'); sc >= 0 {
		hostport = rest[:sc]
		params, err := parseParams(rest[sc:])
		if err != nil {
			return err
		}
		u.Params = params
	}
	host, port, err := splitHostPort(hostport)
	if err != nil {
		return err
	}
	u.Host, u.Port = host, port
	return nil
}

// splitHostPort splits "host[:port]" where host may be an IPv6 reference
// in brackets (RFC 3261 §25.1 hostport). The brackets are removed. An IPv6
// address without brackets, which some user agents send, is read
// leniently (see unbracketedHostPort).
func splitHostPort(s string) (string, int, error) {
	s = strings.TrimSpace(s)
	host, portText := s, ""
	if !strings.HasPrefix(s, "[") && strings.Count(s, ":") > 1 {
		return unbracketedHostPort(s)
	}
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0, ErrURI
		}
		host, portText = s[1:end], s[end+1:]
		if portText != "" && portText[0] != ':' {
			return "", 0, ErrURI
		}
		portText = strings.TrimPrefix(portText, ":")
	} else if i := strings.LastIndexByte(s, ':'); i >= 0 {
		host, portText = s[:i], s[i+1:]
	}
	if host == "" || strings.ContainsAny(host, " \t,;\"<>") {
		return "", 0, ErrURI
	}
	if portText == "" {
		return host, 0, nil
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, ErrURI
	}
	return host, port, nil
}

// unbracketedHostPort reads an IPv6 address written without brackets,
// alone ("fec0::22c") or followed by a port ("fec0:0:0:0:216:d3ff:fe0d:22c:5060"):
// the whole text when it is an IPv6 address, else the text before the last
// colon when that is one. An eight-group address is therefore never split,
// even when its last group is all digits.
func unbracketedHostPort(s string) (string, int, error) {
	if a, err := netip.ParseAddr(s); err == nil && a.Is6() {
		return s, 0, nil
	}
	i := strings.LastIndexByte(s, ':')
	a, err := netip.ParseAddr(s[:i])
	if err != nil || !a.Is6() {
		return "", 0, ErrURI
	}
	port, err := strconv.Atoi(s[i+1:])
	if err != nil || port < 0 || port > 65535 {
		return "", 0, ErrURI
	}
	return s[:i], port, nil
}

func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !alpha {
			return false
		}
		if !alpha && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return s != ""
}

// parseParams parses ";name[=value]" repeated, with optional whitespace
// around ";" and "=" (RFC 3261 §25.1 SEMI, EQUAL). An empty name is ErrParam.
func parseParams(s string) ([]Param, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if s[0] != ';' {
		return nil, ErrParam
	}
	parts, err := splitList(s[1:], ';')
	if err != nil {
		return nil, err
	}
	params := make([]Param, 0, len(parts))
	for _, p := range parts {
		param, err := parseParam(p)
		if err != nil {
			return params, err
		}
		params = append(params, param)
	}
	return params, nil
}

func parseParam(p string) (Param, error) {
	name, value, hasValue := strings.Cut(p, "=")
	name = strings.TrimSpace(name)
	if name == "" || !isToken(name) {
		return Param{}, ErrParam
	}
	if !hasValue {
		return Param{Name: name}, nil
	}
	return Param{Name: name, Value: unquote(strings.TrimSpace(value))}, nil
}

func paramValue(params []Param, name string) string {
	for _, p := range params {
		if strings.EqualFold(p.Name, name) {
			return p.Value
		}
	}
	return ""
}

// unquote removes the quotes of a quoted-string and its backslash escapes
// (RFC 3261 §25.1 quoted-pair); other text is returned as is.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// isToken reports whether s is an RFC 3261 §25.1 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-.!%*_+`'~", c) >= 0
}
