package redact

import (
	"bytes"
	"strings"

	"github.com/icediag/icediag/decode"
)

// attrMSAlternateHostName is the MS-TURN MS-ALTERNATE-HOST-NAME attribute
// (MS-TURN §2.2.2.19): the host name of an alternate server.
const attrMSAlternateHostName = 0x8032

// Learn collects the identifiers an event carries (SIP: users, hosts,
// domains, display names of From/To/Contact/P-Asserted-Identity/Via/
// Request-URI/Route/Record-Route; tags, Call-ID, branch; Authorization/
// Proxy-Authorization/WWW-Authenticate tokens: NTLM, Kerberos, TLS-DSK,
// digest nonce/realm/response, opaque; SDP: o= user, ice-ufrag, ice-pwd,
// a=crypto keys, a=fingerprint, MS draft-06 candidate credentials;
// ms-client-diagnostics and QoE report names; STUN/TURN: USERNAME, REALM,
// NONCE, MS-ALTERNATE-HOST-NAME; the TLS server name) so Text finds them
// later. Addresses need no learning: Text rewrites every IP literal.
func (r *Redactor) Learn(ev *decode.Event) {
	if ev == nil {
		return
	}
	switch ev.Kind {
	case decode.KindSIP:
		r.LearnSIP(ev.Payload)
	case decode.KindSTUN:
		r.learnSTUN(ev)
	}
	if len(ev.SNI) > 0 {
		r.LearnString(KindHost, string(ev.SNI))
	}
}

// learnSTUN learns USERNAME (and its ICE "ufrag:ufrag" halves, RFC 8445
// §7.2.2), REALM, NONCE (RFC 8489 §14.3, §14.9, §14.10; MS-TURN swaps the
// last two, which wire.STUN already undoes) and MS-ALTERNATE-HOST-NAME.
func (r *Redactor) learnSTUN(ev *decode.Event) {
	m := ev.STUN
	if m == nil {
		return
	}
	r.learnUsername(m.Username)
	r.learnPrintable(KindToken, m.Realm)
	r.learnPrintable(KindToken, m.Nonce)
	for _, a := range m.Attrs {
		if a.Type == attrMSAlternateHostName {
			r.learnPrintable(KindHost, bytes.TrimRight(a.Value, "\x00"))
		}
	}
}

// learnUsername learns a STUN USERNAME whole and by its parts: the ICE
// ufrags around ':' and the user and domain around '@'. The NUL bytes
// MS-ICE2 pads a USERNAME with to a multiple of four (MS-ICE2 §2.2.2.1,
// MS-REFERENCE §2.4) are not part of it.
func (r *Redactor) learnUsername(u []byte) {
	u = bytes.TrimRight(u, "\x00")
	if len(u) == 0 || !isPrintable(u) {
		return
	}
	s := string(u)
	r.LearnString(KindToken, s)
	for _, part := range strings.FieldsFunc(s, func(c rune) bool { return c == ':' }) {
		if user, host, ok := strings.Cut(part, "@"); ok {
			r.LearnString(KindUser, user)
			r.LearnString(KindHost, host)
			continue
		}
		r.LearnString(KindToken, part)
	}
}

func (r *Redactor) learnPrintable(k Kind, b []byte) {
	if len(b) > 0 && isPrintable(b) {
		r.LearnString(k, string(b))
	}
}
