package sipflow

import (
	"strconv"
	"strings"
)

// Via is one element of a Via header (RFC 3261 §20.42, §18.2.2): transport,
// sent-by host and port, and the branch, received and rport parameters
// (RFC 3581). MS servers add ms-received-port and ms-received-cid, kept in
// Params with every other parameter.
type Via struct {
	Protocol, Transport, Host string
	Port                      int
	Branch, Received          string
	RPort                     int
	Params                    []Param
}

// ParseVia parses one Via element; whitespace is allowed around "/", ";"
// and "=" (RFC 3261 §25.1 SLASH, SEMI, EQUAL).
func ParseVia(s string) (Via, error) {
	var v Via
	s = strings.TrimSpace(s)
	fields := strings.SplitN(s, "/", 3)
	if len(fields) != 3 {
		return v, ErrVia
	}
	name, version := strings.TrimSpace(fields[0]), strings.TrimSpace(fields[1])
	if !isToken(name) || !isToken(version) {
		return v, ErrVia
	}
	v.Protocol = strings.ToUpper(name) + "/" + version
	rest := strings.TrimLeft(fields[2], " \t")
	end := strings.IndexAny(rest, " \t")
	if end <= 0 {
		return v, ErrVia
	}
	v.Transport = strings.ToUpper(rest[:end])
	if !isToken(v.Transport) {
		return v, ErrVia
	}
	return v, parseViaSentBy(&v, strings.TrimSpace(rest[end:]))
}

func parseViaSentBy(v *Via, s string) error {
	hostport, params := s, ""
	if i := strings.IndexByte(s, ';'); i >= 0 {
		hostport, params = s[:i], s[i:]
	}
	host, port, err := splitHostPort(hostport)
	if err != nil {
		return ErrVia
	}
	v.Host, v.Port = host, port
	if v.Params, err = parseParams(params); err != nil {
		return err
	}
	v.Branch = paramValue(v.Params, "branch")
	v.Received = paramValue(v.Params, "received")
	v.RPort, _ = strconv.Atoi(paramValue(v.Params, "rport"))
	return nil
}

// ParseViaList parses a Via header value holding one or more elements.
func ParseViaList(s string) ([]Via, error) {
	parts, err := splitList(s, ',')
	if err != nil {
		return nil, err
	}
	out := make([]Via, 0, len(parts))
	for _, p := range parts {
		v, err := ParseVia(p)
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Vias returns every Via element in order, topmost first; malformed
// elements are skipped.
func (m *Message) Vias() []Via {
	var out []Via
	for _, s := range m.Values("Via") {
		if v, err := ParseVia(s); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// CallID returns the Call-ID header (RFC 3261 §20.8).
func (m *Message) CallID() string { return m.Get("Call-ID") }

// UserAgent returns the User-Agent header or, when absent, the Server
// header (RFC 3261 §20.41, §20.35): the software of the message's sender.
func (m *Message) UserAgent() string {
	if ua := m.Get("User-Agent"); ua != "" {
		return ua
	}
	return m.Get("Server")
}

// CSeq returns the sequence number and method of the CSeq header
// (RFC 3261 §20.16); 0 and "" when absent or malformed.
func (m *Message) CSeq() (uint32, string) {
	n, method, err := parseCSeq(m.Get("CSeq"))
	if err != nil {
		return 0, ""
	}
	return n, method
}

func parseCSeq(s string) (uint32, string, error) {
	fields := strings.Fields(s)
	if len(fields) != 2 || !isToken(fields[1]) {
		return 0, "", ErrCSeq
	}
	n, err := strconv.ParseUint(fields[0], 10, 32)
	if err != nil {
		return 0, "", ErrCSeq
	}
	return uint32(n), strings.ToUpper(fields[1]), nil
}

func parseMaxForwards(s string) error {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
	if err != nil || n > 255 {
		return ErrMaxForwards
	}
	return nil
}

func parseContentLength(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ErrContentLength
	}
	n, err := strconv.ParseUint(s, 10, 31)
	if err != nil {
		return 0, ErrContentLength
	}
	return int(n), nil
}

// MediaType is a Content-Type value (RFC 3261 §20.15, RFC 2045 §5.1):
// type and subtype in lower case and the parameters.
type MediaType struct {
	Type, Subtype string
	Params        []Param
}

// String returns "type/subtype", or "" for the zero value.
func (t MediaType) String() string {
	if t.Type == "" {
		return ""
	}
	return t.Type + "/" + t.Subtype
}

// Param returns the value of the named parameter ("boundary", "charset").
func (t MediaType) Param(name string) string { return paramValue(t.Params, name) }

// Is reports whether the media type is the given "type/subtype",
// case-insensitively.
func (t MediaType) Is(typeSubtype string) bool { return strings.EqualFold(t.String(), typeSubtype) }

// ParseMediaType parses "type/subtype *(; parameter)".
func ParseMediaType(s string) (MediaType, error) {
	var t MediaType
	s = strings.TrimSpace(s)
	main, params := s, ""
	if i := strings.IndexByte(s, ';'); i >= 0 {
		main, params = s[:i], s[i:]
	}
	typ, sub, ok := strings.Cut(main, "/")
	typ, sub = strings.TrimSpace(typ), strings.TrimSpace(sub)
	if !ok || !isToken(typ) || !isToken(sub) {
		return t, ErrMediaType
	}
	t.Type, t.Subtype = strings.ToLower(typ), strings.ToLower(sub)
	var err error
	t.Params, err = parseParams(params)
	return t, err
}

// ContentType returns the parsed Content-Type header; the zero value when
// absent or malformed.
func (m *Message) ContentType() MediaType {
	t, _ := ParseMediaType(m.Get("Content-Type"))
	return t
}
