package ice

import (
	"net/netip"
	"strconv"
	"strings"
)

// Candidate is one candidate line of an SDP offer or answer, decoded from
// any of the dialects seen on Lync / Skype for Business, Teams and WebRTC:
// RFC 5245 §15.1 / RFC 8839 §5.1 lines with their extensions (RFC 6544
// tcptype, WebRTC generation, ufrag, network-id, network-cost), the
// Microsoft MS-ICE2 forms (TCP-ACT/TCP-PASS, a=x-candidate-ipv6) and ICE
// draft-06 lines (MS-ICE v1, MS-REFERENCE §2.2).
//
// A Candidate holds copies of its input: it does not alias the parsed
// string beyond Raw, which is the value as given.
type Candidate struct {
	// Foundation groups candidates of the same type, base and server
	// (RFC 8445 §5.1.1.3). Empty for draft-06 lines, which have none.
	Foundation string
	Component  int // 1 = RTP, 2 = RTCP
	Transport  Transport
	TCPType    TCPType
	// Priority is the 32-bit RFC 8445 §5.1.2 priority; 0 for draft-06
	// lines, whose preference is the q-value in QValue.
	Priority uint32
	// Addr is the connection address; invalid when the line names a host
	// (an mDNS name such as "1f4712db-ea17-4bcf-a596-105139dfd8bf.local"
	// in WebRTC, RFC 8839 §5.1) or an address that does not parse, which
	// is then kept in Host.
	Addr    netip.Addr
	Host    string
	Port    uint16
	Type    CandType
	RelAddr netip.Addr // raddr (RFC 8839 §5.1)
	RelPort uint16     // rport
	// Generation, NetworkID and NetworkCost are WebRTC extensions; 0 when
	// absent.
	Generation, NetworkID, NetworkCost int
	// Ufrag is the "ufrag" extension (WebRTC) or, for draft-06 lines, the
	// base64 username fragment that starts the line; Password is the
	// draft-06 password from the line (MS-REFERENCE §2.2).
	Ufrag, Password string
	Form            Form
	QValue          string // draft-06 preference, e.g. "0.830"
	Extensions      []Ext  // extension pairs not decoded above, in order
	Raw             string // the value as given to ParseCandidate
}

// Field names of an RFC 8839 §5.1 candidate line, by index.
var rfcFieldNames = [...]string{"foundation", "component", "transport",
	"priority", "connection-address", "port", "typ", "cand-type"}

// Field names of an ICE draft-06 candidate line (MS-REFERENCE §2.2).
var draft6FieldNames = [...]string{"username", "component", "password",
	"transport", "q-value", "connection-address", "port"}

// ParseCandidate decodes one candidate attribute value. The value may
// carry the "a=candidate:", "candidate:", "a=x-candidate-ipv6:" or
// "x-candidate-ipv6:" prefix, or none. A line whose seventh field is "typ"
// is an RFC 8445 §5.1 line (TCP-ACT/TCP-PASS or the x-candidate-ipv6
// prefix mark it FormMSICE2); a line with a q-value ("0.830") in its fifth
// field is ICE draft-06 (MS-REFERENCE §2.2, the SIPE rule).
//
// Unknown extensions are kept in Extensions, as are known extensions whose
// value does not parse. Errors are *CandidateError values naming the field.
func ParseCandidate(value string) (Candidate, error) {
	c := Candidate{Raw: value}
	v, ipv6 := stripCandidatePrefix(value)
	f := strings.Fields(v)
	if len(f) >= 7 && f[6] != "typ" && isQValue(f[4]) {
		err := parseDraft6(&c, f)
		return c, err
	}
	err := parseRFC(&c, f)
	if ipv6 && err == nil {
		c.Form = FormMSICE2
	}
	return c, err
}

// stripCandidatePrefix removes an optional "a=" and attribute name from v
// and reports whether the name was x-candidate-ipv6 (MS-REFERENCE §2.3).
func stripCandidatePrefix(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == 'a' || v[0] == 'A') && v[1] == '=' {
		v = v[2:]
	}
	for _, p := range [...]string{"x-candidate-ipv6:", "candidate:"} {
		if len(v) >= len(p) && strings.EqualFold(v[:len(p)], p) {
			return v[len(p):], p[0] == 'x'
		}
	}
	return v, false
}

// isQValue reports whether s is a draft-06 q-value: digits with at most one
// dot and at least one dot or a lone "0"/"1" (RFC 3261 qvalue form).
func isQValue(s string) bool {
	dot := strings.IndexByte(s, '.')
	if dot < 0 {
		return s == "0" || s == "1"
	}
	if dot == 0 || strings.Count(s, ".") != 1 {
		return false
	}
	return allDigits(s[:dot]) && (dot == len(s)-1 || allDigits(s[dot+1:]))
}

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseRFC decodes the fields of an RFC 8839 §5.1 line into c.
func parseRFC(c *Candidate, f []string) error {
	for i := range 8 {
		if i >= len(f) {
			return fieldErr(f, i, rfcFieldNames[i], ErrMissingField)
		}
	}
	c.Foundation = f[0]
	var err error
	if c.Component, err = parseComponent(f, 1, rfcFieldNames[1]); err != nil {
		return err
	}
	tr, tt, ms, ok := parseTransport(f[2])
	if !ok {
		return fieldErr(f, 2, rfcFieldNames[2], ErrBadTransport)
	}
	c.Transport, c.TCPType = tr, tt
	if ms {
		c.Form = FormMSICE2
	}
	p, err := strconv.ParseUint(f[3], 10, 32)
	if err != nil {
		return fieldErr(f, 3, rfcFieldNames[3], ErrBadNumber)
	}
	c.Priority = uint32(p)
	if err := c.setAddrPort(f, 4); err != nil {
		return err
	}
	if f[6] != "typ" {
		return fieldErr(f, 6, rfcFieldNames[6], ErrBadTyp)
	}
	c.Type = parseCandType(f[7])
	c.parseExtensions(f[8:])
	return nil
}

// parseDraft6 decodes an ICE draft-06 line (MS-REFERENCE §2.2):
// username component password transport q-value address port.
func parseDraft6(c *Candidate, f []string) error {
	c.Form = FormDraft6
	c.Ufrag, c.Password, c.QValue = f[0], f[2], f[4]
	var err error
	if c.Component, err = parseComponent(f, 1, draft6FieldNames[1]); err != nil {
		return err
	}
	tr, _, _, ok := parseTransport(f[3])
	if !ok {
		return fieldErr(f, 3, draft6FieldNames[3], ErrBadTransport)
	}
	c.Transport = tr
	if err := c.setAddrPort(f, 5); err != nil {
		return err
	}
	c.parseExtensions(f[7:])
	return nil
}

// parseComponent parses the component-id at f[i] (RFC 8445 §5.1: 1-256).
func parseComponent(f []string, i int, name string) (int, error) {
	n, err := strconv.Atoi(f[i])
	if err != nil || n < 1 || n > 256 {
		return 0, fieldErr(f, i, name, ErrBadNumber)
	}
	return n, nil
}

// setAddrPort decodes the connection address at f[i] and the port at
// f[i+1]; the caller has checked that both exist.
func (c *Candidate) setAddrPort(f []string, i int) error {
	names := rfcFieldNames[:]
	if c.Form == FormDraft6 {
		names = draft6FieldNames[:]
	}
	if a, err := netip.ParseAddr(f[i]); err == nil {
		c.Addr = a
	} else {
		c.Host = f[i]
	}
	port, err := strconv.ParseUint(f[i+1], 10, 16)
	if err != nil {
		return fieldErr(f, i+1, names[i+1], ErrBadNumber)
	}
	c.Port = uint16(port)
	return nil
}

// parseExtensions decodes the name/value pairs after the cand-type
// (RFC 8839 §5.1): raddr, rport, tcptype (RFC 6544), generation, ufrag,
// network-id and network-cost (WebRTC). Others, and known names with
// values that do not parse, are kept in c.Extensions. A trailing name
// without a value is kept with an empty value.
func (c *Candidate) parseExtensions(f []string) {
	for i := 0; i < len(f); i += 2 {
		name, val := f[i], ""
		if i+1 < len(f) {
			val = f[i+1]
		}
		if !c.setExtension(name, val) {
			c.Extensions = append(c.Extensions, Ext{Name: name, Value: val})
		}
	}
}

// setExtension stores a known extension; it reports false when name is
// unknown or val does not parse.
func (c *Candidate) setExtension(name, val string) bool {
	switch name {
	case "raddr":
		a, err := netip.ParseAddr(val)
		c.RelAddr = a
		return err == nil
	case "rport":
		p, err := strconv.ParseUint(val, 10, 16)
		c.RelPort = uint16(p)
		return err == nil
	case "tcptype":
		tt, ok := parseTCPType(val)
		if ok && c.Transport == TCP {
			c.TCPType = tt
		}
		return ok
	case "ufrag":
		c.Ufrag = val
		return val != ""
	case "generation":
		return atoiInto(val, &c.Generation)
	case "network-id":
		return atoiInto(val, &c.NetworkID)
	case "network-cost":
		return atoiInto(val, &c.NetworkCost)
	}
	return false
}

// atoiInto parses a non-negative decimal into *dst.
func atoiInto(s string, dst *int) bool {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return false
	}
	*dst = n
	return true
}

// AddrPort returns the candidate's transport address; it is not valid
// when the candidate names a host (see Host).
func (c Candidate) AddrPort() netip.AddrPort {
	if !c.Addr.IsValid() {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(c.Addr, c.Port)
}

// IsMDNS reports whether the candidate hides its address behind an mDNS
// ".local" name (WebRTC, draft-ietf-mmusic-mdns-ice-candidates §3.1.1).
func (c Candidate) IsMDNS() bool {
	return !c.Addr.IsValid() && strings.HasSuffix(strings.ToLower(c.Host), ".local")
}

// String returns a short human form such as "srflx UDP 198.51.100.7:50010"
// or "relay TCP-passive [2001:db8::1]:443".
func (c Candidate) String() string {
	tr := c.Transport.String()
	if c.TCPType != TCPNone {
		tr += "-" + c.TCPType.String()
	}
	return c.Type.String() + " " + tr + " " + c.endpoint()
}

// endpoint formats the address or host with the port.
func (c Candidate) endpoint() string {
	if c.Addr.IsValid() {
		return netip.AddrPortFrom(c.Addr, c.Port).String()
	}
	port := strconv.Itoa(int(c.Port))
	if strings.IndexByte(c.Host, ':') >= 0 {
		return "[" + c.Host + "]:" + port
	}
	return c.Host + ":" + port
}
