package ice

import (
	"encoding/hex"
	"net/netip"
	"strings"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/wire"
)

// ufragPair is the unordered pair of ufrags that names a session.
type ufragPair struct{ lo, hi string }

func makeUfragPair(a, b string) ufragPair {
	if a > b {
		a, b = b, a
	}
	return ufragPair{a, b}
}

// session is the Builder's state of one ICE session.
type session struct {
	ufrags [2]string
	form   Form
	first  time.Time
	checks []*Check
}

// leg identifies where a copy of a request was seen: the packet's flow and
// the relay container, so that a copy on the other side of a TURN server
// is not taken for a retransmission.
type leg struct {
	flow decode.Flow
	via  decode.Via
}

// checkState is what the Builder keeps beside a Check while matching.
type checkState struct {
	leg    leg
	legacy bool
}

// bindingRequest records a Binding request: a connectivity check when it
// carries an ICE USERNAME (RFC 8445 §7.2.2), else a STUN server query.
func (b *Builder) bindingRequest(ev *decode.Event) {
	m := ev.STUN
	u, ok := ParseUsername(m.Username)
	if !ok {
		b.serverQuery(ev)
		return
	}
	if c := b.checks[m.TxID]; c != nil {
		b.repeatCheck(c, ev)
		return
	}
	if len(b.checks) >= b.opts.Limits.MaxChecks {
		b.drop(dropCheck)
		return
	}
	if _, ok := b.sessions[makeUfragPair(u.Local, u.Remote)]; !ok && len(b.sessions) >= b.opts.Limits.MaxSessions {
		b.drop(dropSession)
		return
	}
	s := b.sessionFor(u, ev.Time)
	side := 0
	if s.ufrags[1] == u.Local {
		side = 1
	}
	c := &Check{
		TxID: hex.EncodeToString(m.TxID[:]), Side: side, Component: checkComponent(m, u),
		Frame: ev.Frame, File: ev.File, First: ev.Time, Last: ev.Time, Sends: 1,
		Priority: m.Priority, UseCandidate: m.UseCandidate, TieBreaker: m.TieBreaker,
		CandidateID: strings.TrimRight(string(m.MSCandidateID), "\x00"), ImplVersion: m.MSImplVersion,
		Result: ResultUnanswered,
	}
	c.Role = roleOf(m)
	c.Transport, c.Local, c.Remote, c.Via = b.checkPath(ev, true)
	c.state = checkState{leg: leg{ev.Flow, viaOf(ev)}, legacy: m.FingerprintLegacy}
	b.checks[m.TxID] = c
	s.checks = append(s.checks, c)
}

// repeatCheck counts another copy of a known request: the MS-ICE2 legacy
// FINGERPRINT duplicate (MS-REFERENCE §2.4), a copy on another leg, or a
// retransmission (RFC 8489 §6.2.1).
func (b *Builder) repeatCheck(c *Check, ev *decode.Event) {
	l := leg{ev.Flow, viaOf(ev)}
	c.UseCandidate = c.UseCandidate || ev.STUN.UseCandidate
	switch {
	case l != c.state.leg:
		c.OtherLegs++
	case ev.STUN.FingerprintLegacy != c.state.legacy && c.LegacyDuplicates == 0 && c.Retransmissions == 0:
		c.LegacyDuplicates++
	default:
		c.Retransmissions++
		c.Sends++
		c.Last = ev.Time
	}
}

// bindingResponse matches a Binding response to its check or query by
// transaction ID, whichever direction and leg it travelled.
func (b *Builder) bindingResponse(ev *decode.Event) {
	m := ev.STUN
	if c := b.checks[m.TxID]; c != nil {
		c.Responses++
		if c.Responses > 1 {
			c.addLaterError(m)
			return
		}
		c.ResponseFrame = ev.Frame
		c.RTT = ev.Time.Sub(c.Last)
		c.ResponseImplVersion = m.MSImplVersion
		if m.Class == wire.ClassSuccess {
			c.Result, c.Mapped = ResultSuccess, mappedOf(m)
			if m.HasIntegrity {
				c.response = append([]byte(nil), m.Raw...) // checked against the SDP ice-pwd at Finish
			}
			return
		}
		c.Result, c.ErrorCode, c.ErrorReason = ResultError, m.ErrorCode, string(m.ErrorReason)
		return
	}
	if q := b.queries[m.TxID]; q != nil {
		b.serverAnswer(q, ev)
	}
}

// addLaterError keeps the code of an error response that answered a
// transaction already answered, e.g. a 401 to a retransmission after the
// credentials changed.
func (c *Check) addLaterError(m *wire.STUN) {
	if m.Class != wire.ClassError {
		return
	}
	for _, x := range c.LaterErrors {
		if x == m.ErrorCode {
			return
		}
	}
	c.LaterErrors = append(c.LaterErrors, m.ErrorCode)
}

// sessionFor returns the session of a username, creating it with the
// sender as side 0.
func (b *Builder) sessionFor(u Username, t time.Time) *session {
	k := makeUfragPair(u.Local, u.Remote)
	s := b.sessions[k]
	if s == nil {
		s = &session{ufrags: [2]string{u.Local, u.Remote}, form: u.Form, first: t}
		b.sessions[k] = s
		b.sessOrder = append(b.sessOrder, s)
	}
	return s
}

// checkPath returns the transport, local and remote address of a request
// from its sender's point of view, and the relay container. Through a TURN
// relay the client's end is the allocation's relayed address (RFC 8656
// §2), or the server's address when the capture did not show the
// allocation.
func (b *Builder) checkPath(ev *decode.Event, request bool) (string, netip.AddrPort, netip.AddrPort, string) {
	r := ev.Relay
	if r == nil {
		return ev.Flow.Transport.String(), ev.Flow.Src, ev.Flow.Dst, ""
	}
	a := b.allocFor(r.Client, r.Server, r.Transport)
	relayed := r.Server
	tr := r.Transport.String()
	if a != nil {
		if a.Relayed.IsValid() {
			relayed = a.Relayed
		}
		tr = a.relayTransport()
	}
	if r.ToPeer {
		return tr, relayed, r.Peer, r.Via.String()
	}
	return tr, r.Peer, relayed, r.Via.String()
}

// viaOf returns the relay container of an event.
func viaOf(ev *decode.Event) decode.Via {
	if ev.Relay == nil {
		return decode.ViaNone
	}
	return ev.Relay.Via
}

// checkComponent derives the component of a check: the MS-ICE v1
// username carries it, otherwise the PRIORITY's low byte is 256 minus the
// component (RFC 8445 §5.1.2.1). Without either, or past maxComponent, it
// is 1.
func checkComponent(m *wire.STUN, u Username) int {
	if u.LocalComponent > 0 {
		return u.LocalComponent
	}
	if m.HasPriority {
		if c := SplitPriority(m.Priority).Component; c >= 1 && c <= maxComponent {
			return c
		}
	}
	return 1
}

// maxComponent is the largest component a PRIORITY is trusted to name.
// Media uses one or two (RTP, RTCP); stacks that fill the low byte with
// something other than 256 minus the component (Telegram writes 0, which
// would read as component 256) are taken as component 1.
const maxComponent = 8

// roleOf names the ICE role attribute of a request (RFC 8445 §7.1.3).
func roleOf(m *wire.STUN) string {
	switch {
	case m.Controlling:
		return "controlling"
	case m.Controlled:
		return "controlled"
	}
	return ""
}

// mappedOf returns the reflexive address of a response: XOR-MAPPED-ADDRESS
// (RFC 8489 §14.2, MS 0x8020) or, from classic servers, MAPPED-ADDRESS.
func mappedOf(m *wire.STUN) netip.AddrPort {
	if m.XORMapped.IsValid() {
		return m.XORMapped
	}
	return m.Mapped
}
