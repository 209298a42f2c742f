package callgen

import (
	"net/netip"
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// Script timings.
const (
	consentInterval = 5 * time.Second // RFC 7675 §5.1 (4-6 s)
	rtcpInterval    = 5 * time.Second // RFC 3550 §6.2 for a two-party audio session
	lanDelay        = time.Millisecond
	stunRTO         = 100 * time.Millisecond // RFC 8445 §14.3 Ta-derived RTO for checks
)

// build writes the call's script: TURN allocation, SIP dialog, ICE checks,
// consent checks, RTCP, then the BYE and the allocation's release.
func (c *call) build() {
	t := c.p.start
	if c.p.path != PathDirect {
		t = c.allocate(t)
	}
	t = c.offerAnswer(t.Add(150 * time.Millisecond))
	t = c.checks(t.Add(10 * time.Millisecond))
	c.mediaStart = t.Add(20 * time.Millisecond)
	c.mediaEnd = c.mediaStart.Add(c.p.length)
	c.consent()
	c.rtcp()
	c.hangUp(c.mediaEnd.Add(20 * time.Millisecond))
	c.sortScript()
}

// allocate adds the TURN allocation with its 401 challenge and returns the
// time of the success response.
func (c *call) allocate(t time.Time) time.Time {
	msgs := c.creds.allocate(c.rng, c.relayed, c.callerMedia)
	for i, m := range msgs {
		if i%2 == 0 {
			c.direct(t, c.callerMedia, c.server, m)
			t = t.Add(c.rtt)
		} else {
			c.direct(t, c.server, c.callerMedia, m)
			t = t.Add(2 * time.Millisecond)
		}
	}
	return t
}

// turnRequest adds an authenticated TURN request and its response.
func (c *call) turnRequest(t time.Time, req, resp []byte) time.Time {
	c.direct(t, c.callerMedia, c.server, req)
	t = t.Add(c.rtt)
	c.direct(t, c.server, c.callerMedia, resp)
	return t
}

// offerAnswer adds INVITE, 100 Trying, 180 Ringing, 200 OK and ACK between
// the proxy and the called user agent and returns the time of the ACK.
func (c *call) offerAnswer(t time.Time) time.Time {
	d := c.dialog
	if c.tcp != nil {
		for i, seg := range c.tcp.Handshake() {
			c.tcpFrame(t.Add(time.Duration(i)*200*time.Microsecond), i != 1, seg)
		}
		c.sum.TCPControl += 2
		t = t.Add(5 * time.Millisecond)
	}
	sessID := c.rng.Uint64() >> 1
	c.sip(t, false, d.invite(sdp(sessID, c.caller, c.p.codec)))
	c.sip(t.Add(2*time.Millisecond), true, d.response(100, "Trying", ""))
	c.sip(t.Add(60*time.Millisecond), true, d.response(180, "Ringing", ""))
	t = t.Add(c.p.ring)
	c.sip(t, true, d.response(200, "OK", sdp(sessID+1, c.callee, c.p.codec)))
	t = t.Add(5 * time.Millisecond)
	c.sip(t, false, d.ack())
	return t
}

// sip adds one SIP message between the proxy and the user agent, over UDP
// or as TCP segments acknowledged by the receiver.
func (c *call) sip(t time.Time, fromUA bool, msg []byte) {
	c.sum.SIP++
	d := c.dialog
	if c.tcp == nil {
		src, dst := d.proxy, d.ua
		if fromUA {
			src, dst = dst, src
		}
		c.add(t, frame(src, dst, msg))
		return
	}
	from, to := d.proxy, d.ua
	if fromUA {
		from, to = to, from
	}
	for _, seg := range c.tcp.Send(from, msg) {
		c.tcpFrame(t, fromUA, seg)
		t = t.Add(100 * time.Microsecond)
	}
	c.tcpFrame(t.Add(400*time.Microsecond), !fromUA, c.tcp.ACK(to))
}

// tcpFrame adds a TCP segment of the SIP connection in an Ethernet frame.
func (c *call) tcpFrame(t time.Time, fromUA bool, ip []byte) {
	src, dst := c.dialog.ua.Addr(), c.dialog.proxy.Addr()
	if !fromUA {
		src, dst = dst, src
	}
	c.add(t, synth.Ethernet(macFor(src), macFor(dst), nil, ip))
}

// checks adds the ICE connectivity checks (RFC 8445 §7.2) and, on RFC TURN
// calls, the CreatePermission before and the ChannelBind after them. It
// returns the time the nominated pair is confirmed.
func (c *call) checks(t time.Time) time.Time {
	ms := c.p.path == PathMSTURN
	if c.p.path == PathTURN {
		req, resp := c.creds.request(c.rng, typeCreatePermissionRequest, typeCreatePermissionSuccess, c.peerAttr)
		t = c.turnRequest(t, req, resp).Add(2 * time.Millisecond)
	}
	callerCand, calleeCand := c.caller.cands[0], c.callee.cands[0]
	// The callee checks first: its check is triggered by the offer it saw.
	t = c.checkPair(t, false, calleeCand.priority, false, ms)
	if c.p.path == PathDirect {
		c.unanswered(t, c.caller.cands[1].addr)
	}
	t = c.checkPair(t.Add(5*time.Millisecond), true, callerCand.priority, false, ms)
	if c.p.path == PathTURN {
		req, resp := c.creds.request(c.rng, typeChannelBindRequest, typeChannelBindSuccess, func(m *synth.Msg) {
			m.Add(attrChannelNumber, []byte{byte(c.channel >> 8), byte(c.channel), 0, 0})
			c.peerAttr(m)
		})
		t = c.turnRequest(t.Add(2*time.Millisecond), req, resp)
		c.bound = true
	}
	return c.checkPair(t.Add(5*time.Millisecond), true, callerCand.priority, true, ms)
}

// peerAttr adds XOR-PEER-ADDRESS of the callee (RFC 8656 §18.3).
func (c *call) peerAttr(m *synth.Msg) { m.AddXORAddr(synth.AttrXORPeerAddress, c.calleeHost) }

// checkPair adds one check and its success response and returns the time
// the response arrives.
func (c *call) checkPair(t time.Time, fromCaller bool, prio uint32, nominate, ms bool) time.Time {
	a, b := c.callee, c.caller
	src := c.calleeHost
	if fromCaller {
		a, b = b, a
		src = c.caller.cands[0].addr
	}
	id := txid(c.rng)
	c.send(fromCaller, check(id, a, b, prio, nominate, ms), t, kindSTUN)
	rtt := lanDelay
	if c.p.path != PathDirect {
		rtt = c.rtt
	}
	t = t.Add(rtt)
	c.send(!fromCaller, checkResponse(id, b, src), t, kindSTUN)
	return t.Add(relayHop)
}

// unanswered adds a callee check to an address that does not answer (the
// caller's server-reflexive candidate behind a NAT without hairpinning),
// retransmitted with a doubling RTO (RFC 8489 §6.2.1).
func (c *call) unanswered(t time.Time, dst netip.AddrPort) {
	msg := check(txid(c.rng), c.callee, c.caller, c.callee.cands[0].priority, false, false)
	rto := stunRTO
	for range 3 {
		c.direct(t, c.calleeHost, dst, msg)
		t = t.Add(rto)
		rto *= 2
	}
}

// consent adds the consent-freshness checks both agents send during the
// media (RFC 7675 §5.1), each answered.
func (c *call) consent() {
	for t := c.mediaStart.Add(consentInterval); t.Before(c.mediaEnd); t = t.Add(consentInterval) {
		c.checkPair(t, true, c.caller.cands[0].priority, false, c.p.path == PathMSTURN)
		c.checkPair(t.Add(1300*time.Millisecond), false, c.callee.cands[0].priority, false, c.p.path == PathMSTURN)
	}
}

// rtcp adds a sender report with SDES CNAME from each side every
// rtcpInterval (RFC 3550 §6.4.1).
func (c *call) rtcp() {
	for t := c.mediaStart.Add(rtcpInterval / 2); t.Before(c.mediaEnd); t = t.Add(rtcpInterval) {
		sent := uint32(t.Sub(c.mediaStart) / frameInterval)
		ts := sent * c.p.codec.tsStep()
		octets := sent * uint32(c.p.codec.maxLen)
		c.send(true, synth.RTCPSenderReport(c.ssrc(true), t, ts, sent, octets, c.dialog.caller), t, kindRTCP)
		t2 := t.Add(700 * time.Millisecond)
		c.send(false, synth.RTCPSenderReport(c.ssrc(false), t2, ts, sent, octets, c.dialog.callee), t2, kindRTCP)
	}
}

// hangUp adds the BYE and its 200 OK, the TCP close and the release of the
// TURN allocation.
func (c *call) hangUp(t time.Time) {
	byUA := c.p.index%2 == 0
	bye, ok := c.dialog.bye(byUA)
	c.sip(t, byUA, bye)
	c.sip(t.Add(3*time.Millisecond), !byUA, ok)
	if c.tcp != nil {
		ua, proxy := c.dialog.ua, c.dialog.proxy
		c.tcpFrame(t.Add(10*time.Millisecond), true, c.tcp.FIN(ua))
		c.tcpFrame(t.Add(10*time.Millisecond+300*time.Microsecond), false, c.tcp.FIN(proxy))
		c.tcpFrame(t.Add(10*time.Millisecond+600*time.Microsecond), true, c.tcp.ACK(ua))
		c.sum.TCPControl += 2
	}
	if c.p.path != PathDirect {
		req, resp := c.creds.release(c.rng)
		c.turnRequest(t.Add(30*time.Millisecond), req, resp)
	}
}
