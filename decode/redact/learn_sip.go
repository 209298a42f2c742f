package redact

import (
	"bytes"
	"strings"
)

// LearnSIP learns the identifiers of one SIP message (RFC 3261 §7): every
// sip:, sips: and tel: URI in it (start line, headers and bodies), the
// display names, tags and epid of name-addr headers, Via hosts and
// branches, the Call-ID, the authentication parameters, the diagnostics
// headers' names and the identifiers of SDP and XML bodies.
func (r *Redactor) LearnSIP(msg []byte) {
	r.learnURIs(msg)
	head, body := splitMessage(msg)
	for _, h := range headerLines(head) {
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			continue
		}
		r.learnHeader(canonicalName(strings.TrimSpace(name)), strings.TrimSpace(value))
	}
	r.LearnSDP(body)
	r.LearnXML(body)
}

// splitMessage splits a message at the first empty line.
func splitMessage(b []byte) (head, body []byte) {
	for _, sep := range [][]byte{[]byte("\r\n\r\n"), []byte("\n\n")} {
		if i := bytes.Index(b, sep); i >= 0 {
			return b[:i], b[i+len(sep):]
		}
	}
	return b, nil
}

// headerLines returns the unfolded header lines after the start line
// (RFC 3261 §7.3.1).
func headerLines(head []byte) []string {
	var out []string
	for i, l := range strings.Split(string(head), "\n") {
		l = strings.TrimRight(l, "\r")
		if i == 0 {
			continue
		}
		if len(out) > 0 && l != "" && (l[0] == ' ' || l[0] == '\t') {
			out[len(out)-1] += " " + strings.TrimSpace(l)
			continue
		}
		out = append(out, l)
	}
	return out
}

// compactNames are the compact header forms of RFC 3261 §7.3.3 and later.
var compactNames = map[string]string{
	"f": "from", "t": "to", "m": "contact", "i": "call-id", "v": "via", "r": "refer-to",
	"b": "referred-by", "e": "content-encoding", "l": "content-length", "c": "content-type",
}

func canonicalName(n string) string {
	n = strings.ToLower(n)
	if c, ok := compactNames[n]; ok {
		return c
	}
	return n
}

// nameAddrHeaders carry name-addr values with display names and tags.
var nameAddrHeaders = makeSet("from", "to", "contact", "route", "record-route", "p-asserted-identity",
	"p-preferred-identity", "referred-by", "refer-to", "remote-party-id", "diversion", "reply-to",
	"history-info", "p-called-party-id", "ms-target-uri", "path", "service-route")

// authHeaders carry credentials (RFC 3261 §20.7, §20.27, §20.28, §20.44;
// MS-SIPAE §3.2.5: NTLM, Kerberos and TLS-DSK parameters).
var authHeaders = makeSet("authorization", "proxy-authorization", "www-authenticate",
	"proxy-authenticate", "authentication-info", "proxy-authentication-info")

// diagHeaders are the MS diagnostics headers (MS-OCER §2.2.1).
var diagHeaders = makeSet("ms-diagnostics", "ms-diagnostics-public", "ms-client-diagnostics")

// LearnHeader learns the identifiers of one SIP header, given by name
// (full or compact form) and value, as LearnSIP does for each header of a
// message, URIs included.
func (r *Redactor) LearnHeader(name, value string) {
	r.learnURIs([]byte(value))
	r.learnHeader(canonicalName(strings.TrimSpace(name)), strings.TrimSpace(value))
}

// learnHeader learns the identifiers of one header.
func (r *Redactor) learnHeader(name, value string) {
	switch {
	case nameAddrHeaders[name]:
		r.learnNameAddrs(value)
	case name == "via":
		r.learnVia(value)
	case name == "call-id":
		r.learnCallID(value)
	case authHeaders[name]:
		r.learnAuth(value)
	case diagHeaders[name]:
		r.learnParams(value, diagParams)
	}
	r.learnParams(value, tokenParams)
}

// learnNameAddrs learns the display names of a name-addr list (RFC 3261
// §20.10: quoted or a token sequence before '<').
func (r *Redactor) learnNameAddrs(v string) {
	for _, part := range splitOutsideQuotes(v, ',') {
		part = strings.TrimSpace(part)
		lt := indexOutsideQuotes(part, '<')
		if lt <= 0 {
			continue
		}
		d := strings.TrimSpace(part[:lt])
		if len(d) >= 2 && d[0] == '"' && d[len(d)-1] == '"' {
			d = unquote(d)
		}
		r.LearnString(KindDisplay, d)
		for _, w := range strings.Fields(d) {
			r.LearnString(KindDisplay, strings.Trim(w, `",()`))
		}
	}
}

// learnVia learns the sent-by hosts of a Via list (RFC 3261 §20.42); the
// branch and received parameters are learned with the other parameters.
func (r *Redactor) learnVia(v string) {
	for _, part := range splitOutsideQuotes(v, ',') {
		f := strings.Fields(part)
		if len(f) < 2 {
			continue
		}
		host, _, _ := strings.Cut(f[1], ";")
		r.learnHostPort(host)
	}
}

// learnHostPort learns the host of "host[:port]" unless it is an address.
func (r *Redactor) learnHostPort(hp string) {
	if hp == "" || hp[0] == '[' || isIPLiteral(hp) {
		return
	}
	host, _, _ := strings.Cut(hp, ":")
	r.LearnString(KindHost, host)
}

// learnCallID learns a Call-ID (RFC 3261 §20.8, word["@"word]): the part
// before '@' as a token, the part after as a host.
func (r *Redactor) learnCallID(v string) {
	id, host, ok := strings.Cut(v, "@")
	r.LearnString(KindToken, id)
	if ok {
		r.learnHostPort(host)
	}
}

// authSchemes are kept; the parameters after them are learned.
var authParams = map[string]Kind{
	"realm": KindToken, "nonce": KindToken, "response": KindToken, "opaque": KindToken,
	"cnonce": KindToken, "username": KindUser, "targetname": KindHost, "gssapi-data": KindToken,
	"srand": KindToken, "crand": KindToken, "rspauth": KindToken, "nextnonce": KindToken,
	"sensitivity": KindToken, "uri": KindToken, "snum": KindToken, "cnum": KindToken,
}

// learnAuth learns the parameters of a credentials or challenge header.
func (r *Redactor) learnAuth(v string) {
	for _, p := range splitOutsideQuotes(v, ',') {
		p = strings.TrimSpace(p)
		if sp := strings.IndexByte(p, ' '); sp > 0 && !strings.Contains(p[:sp], "=") {
			p = strings.TrimSpace(p[sp+1:]) // the scheme before the first parameter
		}
		name, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		val = unquote(strings.TrimSpace(val))
		k, known := authParams[strings.ToLower(strings.TrimSpace(name))]
		if !known {
			k = KindToken
		}
		r.learnValue(k, val)
	}
}

// learnValue learns a parameter value; a user "DOMAIN\user" or
// "user@domain", a target name "sip/host" and a URI are split.
func (r *Redactor) learnValue(k Kind, val string) {
	switch {
	case strings.Contains(val, "sip:") || strings.Contains(val, "sips:"):
		r.learnURIs([]byte(val))
		return
	case k == KindHost:
		if i := strings.LastIndexByte(val, '/'); i >= 0 {
			r.LearnString(KindToken, val)
			val = val[i+1:]
		}
	case k == KindUser:
		if d, u, ok := strings.Cut(val, `\`); ok {
			r.LearnString(KindHost, d)
			val = u
		}
		if u, d, ok := strings.Cut(val, "@"); ok {
			r.LearnString(KindHost, d)
			val = u
		}
	}
	r.LearnString(k, val)
}

// tokenParams are header parameters whose values identify a dialog, an
// endpoint or a device (RFC 3261 §19.1.4, §20.42; RFC 5626; MS-SIPRE
// epid).
var tokenParams = map[string]Kind{
	"tag": KindToken, "branch": KindToken, "epid": KindToken, "+sip.instance": KindToken,
	"received": KindHost, "maddr": KindHost, "ms-received-cid": KindToken, "gruu": KindToken,
	"pub-gruu": KindToken, "temp-gruu": KindToken, "opaque": KindToken, "ms-opaque": KindToken,
	"vnd.microsoft.ms-fqdn": KindHost, "ms-fe": KindHost, "sip-instance": KindToken,
}

// diagParams are the parameters of ms-diagnostics and
// ms-client-diagnostics that name hosts, domains or networks (MS-OCER
// §2.2.1; MS-REFERENCE §3.1, §3.2).
var diagParams = map[string]Kind{
	"source": KindHost, "domain": KindHost, "peerserver": KindHost, "networkname": KindDisplay,
	"mrdnsu": KindHost, "mrresu": KindHost, "appliedto": KindHost, "fqdn": KindHost,
}

// learnParams learns the values of the listed ";name=value" parameters.
func (r *Redactor) learnParams(v string, want map[string]Kind) {
	for _, p := range splitOutsideQuotes(v, ';') {
		name, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		k, found := want[strings.ToLower(strings.TrimSpace(name))]
		if !found {
			continue
		}
		val = unquote(strings.TrimSpace(val))
		val = strings.TrimPrefix(val, "z9hG4bK") // the RFC 3261 branch cookie stays
		val = strings.Trim(val, "<>")
		if end := strings.IndexAny(val, ",> "); end >= 0 && k != KindDisplay {
			val = val[:end]
		}
		r.learnValue(k, val)
	}
}

// learnURIs learns the user and host of every sip:, sips: and tel: URI
// in b.
func (r *Redactor) learnURIs(b []byte) {
	low := []byte(lowerString(string(b))) // ASCII only: same length as b
	for _, scheme := range uriSchemes {
		for off := 0; ; {
			i := bytes.Index(low[off:], []byte(scheme))
			if i < 0 {
				break
			}
			j := off + i + len(scheme)
			off = j
			if off-len(scheme) > 0 && isWordByte(b[off-len(scheme)-1]) {
				continue
			}
			r.learnURIAt(b, j, scheme == "tel:")
		}
	}
}

func (r *Redactor) learnURIAt(b []byte, j int, tel bool) {
	if tel {
		r.LearnString(KindUser, string(b[j:telEnd(b, j)]))
		return
	}
	at := userEnd(b, j)
	if at < len(b) && b[at] == '@' && at > j {
		user, _, _ := strings.Cut(string(b[j:at]), ":") // user:password
		r.LearnString(KindUser, user)
		j = at + 1
	}
	end := j
	for end < len(b) && (isWordByte(b[end]) || b[end] == '-' || b[end] == '.') {
		end++
	}
	host := strings.TrimRight(string(b[j:end]), ".")
	if !isIPLiteral(host) {
		r.LearnString(KindHost, host)
	}
}

// splitOutsideQuotes splits s at sep outside double quotes and angle
// brackets. Quotes that never close (`f: \"name\" <sip:...>`, as some
// stacks write it) are not quotes.
func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	quoted, depth, start := false, 0, 0
	honour := quotesClose(s)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"' && honour:
			quoted = !quoted
		case c == '<' && !quoted:
			depth++
		case c == '>' && !quoted && depth > 0:
			depth--
		case c == sep && !quoted && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// indexOutsideQuotes returns the index of c outside double quotes (or
// anywhere when the quotes never close), or -1.
func indexOutsideQuotes(s string, c byte) int {
	quoted := false
	honour := quotesClose(s)
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"' && honour:
			quoted = !quoted
		case s[i] == c && !quoted:
			return i
		}
	}
	return -1
}

// quotesClose reports whether every quoted-string of s (RFC 3261 §25.1,
// with its backslash escapes) is closed.
func quotesClose(s string) bool {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		}
	}
	return !quoted
}

// unquote removes the quotes of a quoted-string (RFC 3261 §25.1), keeping
// escaped characters.
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
