package callgen

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
)

// candidate is one ICE candidate of an SDP offer or answer (RFC 8839 §5.1).
type candidate struct {
	foundation string
	typ        string // host, srflx, relay
	addr       netip.AddrPort
	related    netip.AddrPort // raddr/rport of srflx and relay candidates
	priority   uint32
}

// RFC 8445 §5.1.2.2 type preferences.
func priority(typ string, local uint32) uint32 {
	pref := map[string]uint32{"host": 126, "srflx": 100, "relay": 0}[typ]
	return pref<<24 | local<<8 | 255 // component 1
}

// line formats the candidate as an SDP attribute value (RFC 8839 §5.1).
func (c candidate) line() string {
	s := fmt.Sprintf("candidate:%s 1 UDP %d %s %d typ %s", c.foundation, c.priority, c.addr.Addr(), c.addr.Port(), c.typ)
	if c.related.IsValid() {
		s += fmt.Sprintf(" raddr %s rport %d", c.related.Addr(), c.related.Port())
	}
	return s
}

// iceAgent is one party's ICE credentials and candidates (RFC 8445 §5.3).
type iceAgent struct {
	ufrag, pwd  string
	tieBreaker  uint64
	controlling bool
	cands       []candidate
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// token returns n random characters of ice-char (RFC 8839 §5.4) safe in
// SIP tags and Call-IDs as well.
func token(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[rng.IntN(len(alnum))]
	}
	return string(b)
}

// newAgent draws ICE credentials: a 4-8 character ufrag and a 24 character
// password (RFC 8839 §5.4 minimums are 4 and 22).
func newAgent(rng *rand.Rand, controlling bool, cands ...candidate) iceAgent {
	return iceAgent{ufrag: token(rng, 4+rng.IntN(5)), pwd: token(rng, 24), tieBreaker: rng.Uint64(),
		controlling: controlling, cands: cands}
}

// dialog is the SIP dialog between the proxy and the called user agent
// (RFC 3261 §12), as seen on the proxy's network.
type dialog struct {
	callID, fromTag, toTag, branch string
	caller, callee                 string // SIP URIs
	proxy, ua                      netip.AddrPort
	transport                      string // "UDP" or "TCP"
	cseq                           int
}

func newDialog(rng *rand.Rand, p *callPlan, ua netip.AddrPort) *dialog {
	d := &dialog{
		callID:    token(rng, 16) + "@icediag.example",
		fromTag:   token(rng, 10),
		toTag:     token(rng, 10),
		caller:    fmt.Sprintf("sip:user%d@icediag.example", 2*p.index),
		callee:    fmt.Sprintf("sip:user%d@icediag.example", 2*p.index+1),
		proxy:     netip.AddrPortFrom(proxyAddr, sipPort),
		ua:        ua,
		transport: "UDP",
		cseq:      1,
	}
	if p.sipTCP {
		d.transport = "TCP"
	}
	if ua.Addr().Is6() {
		d.proxy = netip.AddrPortFrom(proxyAddr6, sipPort)
	}
	d.branch = "z9hG4bK" + token(rng, 12)
	return d
}

// headers writes the dialog headers common to requests and responses.
func (d *dialog) headers(b *strings.Builder, via netip.AddrPort, branch string, cseq int, method string, withToTag bool) {
	fmt.Fprintf(b, "Via: SIP/2.0/%s %s;branch=%s\r\n", d.transport, via, branch)
	fmt.Fprintf(b, "Max-Forwards: 70\r\n")
	fmt.Fprintf(b, "From: <%s>;tag=%s\r\n", d.caller, d.fromTag)
	if withToTag {
		fmt.Fprintf(b, "To: <%s>;tag=%s\r\n", d.callee, d.toTag)
	} else {
		fmt.Fprintf(b, "To: <%s>\r\n", d.callee)
	}
	fmt.Fprintf(b, "Call-ID: %s\r\nCSeq: %d %s\r\n", d.callID, cseq, method)
}

// finish adds Content-Type/Content-Length and the body.
func finish(b *strings.Builder, body string) []byte {
	if body != "" {
		b.WriteString("Content-Type: application/sdp\r\n")
	}
	fmt.Fprintf(b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return []byte(b.String())
}

// invite is the proxy's INVITE to the user agent carrying the offer.
func (d *dialog) invite(offer string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "INVITE sip:%s SIP/2.0\r\n", d.ua)
	d.headers(&b, d.proxy, d.branch, d.cseq, "INVITE", false)
	fmt.Fprintf(&b, "Contact: <sip:%s;transport=%s>\r\n", d.proxy, strings.ToLower(d.transport))
	b.WriteString("Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\nUser-Agent: icediag-bench/1\r\n")
	return finish(&b, offer)
}

// response is the user agent's answer to the INVITE (100, 180, 200).
func (d *dialog) response(code int, reason, answer string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", code, reason)
	d.headers(&b, d.proxy, d.branch, d.cseq, "INVITE", code > 100)
	if code > 100 {
		fmt.Fprintf(&b, "Contact: <sip:%s;transport=%s>\r\n", d.ua, strings.ToLower(d.transport))
	}
	return finish(&b, answer)
}

// ack is the proxy's ACK of the 2xx (RFC 3261 §13.2.2.4).
func (d *dialog) ack() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "ACK sip:%s SIP/2.0\r\n", d.ua)
	d.headers(&b, d.proxy, d.branch+"a", d.cseq, "ACK", true)
	return finish(&b, "")
}

// bye returns a BYE from the proxy side (byUA false) or from the user agent,
// and its 200 OK (RFC 3261 §15).
func (d *dialog) bye(byUA bool) (req, ok []byte) {
	d.cseq++
	from, uri := d.proxy, d.ua
	if byUA {
		from, uri = d.ua, d.proxy
	}
	branch := d.branch + "b"
	var b strings.Builder
	fmt.Fprintf(&b, "BYE sip:%s SIP/2.0\r\n", uri)
	d.headers(&b, from, branch, d.cseq, "BYE", true)
	req = finish(&b, "")
	b.Reset()
	b.WriteString("SIP/2.0 200 OK\r\n")
	d.headers(&b, from, branch, d.cseq, "BYE", true)
	return req, finish(&b, "")
}

// sdp returns a session description with one audio stream and its ICE
// attributes (RFC 8866, RFC 8839 §5). The default address is the first
// candidate's.
func sdp(sessID uint64, a iceAgent, c codec) string {
	def := a.cands[0].addr
	ipv := "IP4"
	if def.Addr().Is6() {
		ipv = "IP6"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=- %d 1 IN %s %s\r\ns=session\r\nc=IN %s %s\r\nt=0 0\r\n", sessID, ipv, def.Addr(), ipv, def.Addr())
	fmt.Fprintf(&b, "m=audio %d RTP/AVP %d 101\r\n", def.Port(), c.pt)
	fmt.Fprintf(&b, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", a.ufrag, a.pwd)
	for _, cand := range a.cands {
		fmt.Fprintf(&b, "a=%s\r\n", cand.line())
	}
	channels := ""
	if c.name == "opus" {
		channels = "/2" // RFC 7587 §7
	}
	fmt.Fprintf(&b, "a=rtpmap:%d %s/%d%s\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\na=sendrecv\r\n", c.pt, c.name, c.clock, channels)
	return b.String()
}
