package main

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// scene is one capture under construction: a timeline of Ethernet frames
// seen at one vantage point. Frames sent by a local address carry the
// client MAC as source, all others the gateway MAC.
type scene struct {
	*timeline
	local map[netip.Addr]bool
}

// newScene starts a scene whose local side holds the given addresses.
func newScene(local ...string) *scene {
	sc := &scene{timeline: newTimeline(), local: map[netip.Addr]bool{}}
	for _, a := range local {
		sc.local[netip.MustParseAddr(a)] = true
	}
	return sc
}

// eth wraps an IP packet in an Ethernet frame.
func (sc *scene) eth(ip []byte) []byte {
	if sc.local[srcAddr(ip)] {
		return synth.Ethernet(macClient, macGateway, nil, ip)
	}
	return synth.Ethernet(macGateway, macClient, nil, ip)
}

// udp records one datagram after step, IPv4-fragmented at MTU 1500 when
// larger.
func (sc *scene) udp(step time.Duration, src, dst synth.Endpoint, payload []byte) {
	sc.add(step, mapAll(sc.eth, synth.Fragment(synth.UDP(src, dst, payload), 1500))...)
}

// retransmit records the same datagram at each of the given intervals, the
// first one after steps[0]: the timer pattern of an unanswered request.
func (sc *scene) retransmit(src, dst synth.Endpoint, payload []byte, steps ...time.Duration) {
	for _, s := range steps {
		sc.udp(s, src, dst, payload)
	}
}

// tcp records TCP segments after step.
func (sc *scene) tcp(step time.Duration, pkts ...[]byte) {
	sc.add(step, mapAll(sc.eth, pkts)...)
}

// ms returns a duration in milliseconds.
func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// stunRTO is the RFC 5389 §7.2.1 schedule of a request that is never
// answered (RTO 500 ms doubling, Rc = 7): the first send, then six
// retransmissions.
var stunRTO = []time.Duration{0, ms(500), ms(1000), ms(2000), ms(4000), ms(8000), ms(16000)}

// checkRTO is the pacing of an unanswered connectivity check: the first
// send then retransmissions at 100, 200, 400, 800 and 1600 ms.
var checkRTO = []time.Duration{0, ms(100), ms(200), ms(400), ms(800), ms(1600)}

// cnd returns a component-1 candidate.
func cnd(foundation, transport string, prio uint32, addr string, port int, typ, raddr string, rport int) candidate {
	return candidate{foundation, 1, transport, prio, addr, port, typ, raddr, rport}
}

// Candidate priorities of a Lync client (MS-REFERENCE §2.3).
const (
	prioHost    = 2130706431
	prioSrflx   = 1694498815
	prioRelay   = 184547839
	prioTCPAct  = 174847999
	prioTCPPass = 174455807
)

// audioLine returns an audio m-line with one component and RTCP
// multiplexed on it (RFC 5761), offered by an agent with cands.
func audioLine(a iceAgent, cands ...candidate) media {
	port := 0
	if len(cands) > 0 {
		port = cands[0].port
	}
	return media{kind: "audio", label: "main-audio", port: port, formats: "114 9 0 8 101 13",
		rtpmaps: audioRTP, extra: append([]string{"a=rtcp-mux"}, audioExt...), ufrag: a.ufrag, pwd: a.pwd, cands: cands}
}

// selected returns the re-INVITE media line: only the local candidate of
// the selected pair and a=remote-candidates naming the remote one
// (MS-REFERENCE §2.5).
func selected(a iceAgent, local candidate, remoteAddr string, remotePort int) []media {
	m := audioLine(a, local)
	m.remote = fmt.Sprintf("1 %s %d", remoteAddr, remotePort)
	return []media{m}
}

// callScript is the signalling of one crafted Lync call between alice
// (caller, 10.0.1.20) and bob through the Front End 10.0.0.5 over UDP 5060,
// with the media-path activity of each phase.
type callScript struct {
	call        sipCall
	offer       []media
	answer      []media
	reinvite    []media       // nil when ICE found no pair (no a=remote-candidates)
	byeHeaders  []string      // extra BYE headers, e.g. ms-client-diagnostics
	ice         func(*scene)  // between the 183 and the 200
	media       func(*scene)  // after the final ACK
	answerAfter time.Duration // from the last ICE packet to the 200
	talk        time.Duration // from the last media packet to the BYE
	preamble    func(*scene)  // before the INVITE (allocations)
	sipExtra    func(*scene, sipCall)
}

// newLyncCall returns a call with its own Call-ID and tags derived from id.
func newLyncCall(id string) sipCall {
	c := newCall("UDP", sipAlice4, sipFE4)
	h := synth.NewTxID("call/"+id, false)
	c.callID = fmt.Sprintf("%x", h[:16])
	c.fromTag, c.toTag = fmt.Sprintf("%x", h[0:5]), fmt.Sprintf("%x", h[5:10])
	return c
}

// play records the call in the scene: INVITE, 100, 183 with the answer,
// the ICE phase, 200, ACK, the re-INVITE transaction when ICE succeeded,
// the media phase, BYE and its 200.
func (cs callScript) play(sc *scene) {
	c := cs.call
	up := func(step time.Duration, m sipMsg) { sc.udp(step, sipAlice4, sipFE4, m.bytes()) }
	down := func(step time.Duration, m sipMsg) { sc.udp(step, sipFE4, sipAlice4, m.bytes()) }
	if cs.preamble != nil {
		cs.preamble(sc)
	}
	host := cs.answer[0].cands[0].addr
	answer := sdpV19(host, host, cs.answer)
	up(ms(20), c.inviteWith(cs.offer))
	down(ms(30), c.response("100 Trying", "a1f0", 1, "INVITE", false, ""))
	down(ms(900), c.response("183 Session Progress", "a1f0", 1, "INVITE", true, answer))
	if cs.ice != nil {
		cs.ice(sc)
	}
	down(max(cs.answerAfter, ms(200)), c.response("200 OK", "a1f0", 1, "INVITE", true, answer))
	up(ms(15), c.request("ACK", "a1f1", 1, ""))
	cseq := 2
	if cs.reinvite != nil {
		up(ms(300), c.request("INVITE", "a1f2", 2, sdpV19("10.0.1.20", cs.reinvite[0].cands[0].addr, cs.reinvite)))
		down(ms(40), c.response("200 OK", "a1f2", 2, "INVITE", true, answer))
		up(ms(10), c.request("ACK", "a1f3", 2, ""))
		cseq = 3
	}
	if cs.media != nil {
		cs.media(sc)
	}
	bye := c.request("BYE", "a1f4", cseq, "")
	bye.headers = append(bye.headers, cs.byeHeaders...)
	up(max(cs.talk, ms(20)), bye)
	down(ms(35), c.response("200 OK", "a1f4", cseq, "BYE", true, ""))
}

// checkError returns a Binding error response (RFC 5389 §7.3.1.1) of
// responder b to transaction id with the given code; with integrity it
// carries MESSAGE-INTEGRITY keyed by b's password (RFC 8445 §7.3.1.1 for
// 487), without it only FINGERPRINT (a 401 or 431 cannot be
// authenticated).
func checkError(id [16]byte, b iceAgent, code int, reason string, integrity bool) []byte {
	m := synth.NewMsg(synth.TypeBindingError, id, false).
		AddErrorCode(code, reason).
		Add(synth.AttrMSImplementationVersion, synth.U32(2))
	if integrity {
		m.AddIntegrity([]byte(b.pwd))
	}
	return m.AddFingerprint().Bytes()
}

// checkResponseKeyed is checkResponse with MESSAGE-INTEGRITY keyed by an
// arbitrary password, as an agent whose credentials were changed on the
// way answers.
func checkResponseKeyed(id [16]byte, pwd string, mapped synth.Endpoint) []byte {
	return synth.NewMsg(synth.TypeBindingSuccess, id, false).
		AddXORAddr(synth.AttrXORMappedAddress, mapped).
		Add(synth.AttrMSImplementationVersion, synth.U32(2)).
		AddIntegrity([]byte(pwd)).
		AddFingerprint().Bytes()
}

// allocateAuthError returns an authenticated Allocate and the server's
// error response with code: the ERROR-CODE, a NONCE (nonce, which may be
// fresh for 438 Stale Nonce), REALM, ALTERNATE-SERVER (the MS server
// always sends it) and MS-VERSION. The error carries no
// MESSAGE-INTEGRITY: the server could not authenticate the request.
func (s *turnSession) allocateAuthError(code int, reason, nonce string) (req, resp []byte) {
	id := s.txid()
	m := synth.NewMsg(synth.TypeAllocateRequest, id, true).
		Add(synth.AttrMSVersion, synth.U32(s.version))
	req = s.withCreds(m).
		Add(synth.AttrMSServiceQuality, synth.MSServiceQuality(synth.MSStreamAudio, synth.MSServiceBestEffort)).
		AddIntegrity(s.key()).Bytes()
	resp = synth.NewMsg(synth.TypeAllocateError, id, true).
		AddErrorCode(code, reason).
		Add(synth.AttrMSNonce, []byte(nonce)).
		Add(synth.AttrMSRealm, []byte(s.realm)).
		AddAddr(synth.AttrMSAlternateServer, s.server).
		Add(synth.AttrMSVersion, synth.U32(s.version)).Bytes()
	return req, resp
}

// allocate records the unauthenticated Allocate, its 401, the
// authenticated Allocate and its success over UDP between client and the
// session's server, with rtt between request and response.
func (sc *scene) allocate(s *turnSession, client synth.Endpoint, rtt time.Duration) {
	req, resp := s.allocateNoAuth()
	sc.udp(ms(2), client, s.server, req)
	sc.udp(rtt, s.server, client, resp)
	req, resp = s.allocateAuth(synth.MSStreamAudio)
	sc.udp(ms(2), client, s.server, req)
	sc.udp(rtt, s.server, client, resp)
}

// turnLeg sends and receives relayed data through one UDP allocation.
type turnLeg struct {
	sc     *scene
	s      *turnSession
	client synth.Endpoint
}

// send records a Send request carrying data to peer.
func (l turnLeg) send(step time.Duration, peer synth.Endpoint, data []byte) {
	l.sc.udp(step, l.client, l.s.server, l.s.send(peer, data))
}

// recv records a Data Indication carrying data from peer.
func (l turnLeg) recv(step time.Duration, peer synth.Endpoint, data []byte) {
	l.sc.udp(step, l.s.server, l.client, l.s.dataIndication(peer, data))
}

// msClientDiag returns an ms-client-diagnostics header of the caller
// (MS-REFERENCE §3.2) with the given code, reason and CallerMediaDebug.
func msClientDiag(code int, reason, mediaDebug string) string {
	return fmt.Sprintf(`ms-client-diagnostics: %d; reason="%s";CallerMediaDebug="%s"`, code, reason, mediaDebug)
}

// tcpTurnLeg is an MS-TURN allocation over TCP 443 with pseudo-TLS
// (MS-REFERENCE §1.7, §1.8): control messages in 0x02 frames, relayed data
// in 0x03 frames.
type tcpTurnLeg struct {
	sc     *scene
	s      *turnSession
	c      *synth.TCPConn
	client synth.Endpoint
}

// openTCPTurn records the TCP handshake, the pseudo-TLS hellos and the
// Allocate / 401 / Allocate / success exchange, rtt apart.
func (sc *scene) openTCPTurn(s *turnSession, client synth.Endpoint, isn uint32, rtt time.Duration) tcpTurnLeg {
	l := tcpTurnLeg{sc: sc, s: s, c: synth.NewTCPConn(client, s.server, isn, isn^0x5A5A5A5A), client: client}
	sc.tcp(ms(2), l.c.SYN())
	sc.tcp(rtt, l.c.SYNACK())
	sc.tcp(ms(1)/5, l.c.ACK(client))
	sc.tcp(ms(1)/3, l.c.Send(client, synth.PseudoTLSClientHello(fixed32(s.name+"/client-random")))...)
	sc.tcp(rtt, l.c.Send(s.server, synth.PseudoTLSServerHello(fixed32(s.name+"/server-random"), fixed32(s.name+"/session")))...)
	req, resp := s.allocateNoAuth()
	l.up(ms(1), req)
	l.down(rtt, resp)
	req, resp = s.allocateAuth(synth.MSStreamAudio)
	l.up(ms(2), req)
	l.down(rtt, resp)
	return l
}

// up records a control message from the client.
func (l tcpTurnLeg) up(step time.Duration, m []byte) {
	l.sc.tcp(step, l.c.Send(l.client, synth.MSFrame(synth.MSFrameControl, m))...)
}

// down records a control message from the server.
func (l tcpTurnLeg) down(step time.Duration, m []byte) {
	l.sc.tcp(step, l.c.Send(l.s.server, synth.MSFrame(synth.MSFrameControl, m))...)
}

// dataUp records end-to-end data from the client.
func (l tcpTurnLeg) dataUp(step time.Duration, p []byte) {
	l.sc.tcp(step, l.c.Send(l.client, synth.MSFrame(synth.MSFrameData, p))...)
}

// dataDown records end-to-end data from the server.
func (l tcpTurnLeg) dataDown(step time.Duration, p []byte) {
	l.sc.tcp(step, l.c.Send(l.s.server, synth.MSFrame(synth.MSFrameData, p))...)
}

// relayChecks runs a successful relayed check exchange with peer through
// the leg (the local nominating check and its answer, the peer's check and
// the local answer), sets peer as active destination, then relays n RTP
// packets each way.
func (l tcpTurnLeg) relayChecks(seed string, local, remote iceAgent, peer synth.Endpoint, n int) {
	req, id := check(seed+"/1", local, remote, prioTCPAct, local.controlling, false)
	l.up(ms(20), l.s.send(peer, req))
	l.down(ms(40), l.s.dataIndication(peer, checkResponse(id, remote, l.s.relayed)))
	req, id = check(seed+"/2", remote, local, prioRelay, remote.controlling, false)
	l.down(ms(6), l.s.dataIndication(peer, req))
	l.up(ms(1), l.s.send(peer, checkResponse(id, local, peer)))
	req, resp := l.s.setActiveDestination(peer)
	l.up(ms(5), req)
	l.down(ms(20), resp)
	out, in := newAudio(seed, 0x4F4C0000), newAudio(seed, 0x0B0B0000)
	for range n {
		l.dataUp(ms(20), out.next())
		l.dataDown(ms(3), in.next())
	}
}

// newAudio returns a G.722-like 20 ms audio stream whose SSRC is base plus a
// value derived from seed.
func newAudio(seed string, base uint32) *rtpStream {
	h := synth.NewTxID("ssrc/"+seed, false)
	return &rtpStream{pt: 9, ssrc: base | uint32(h[0])<<8 | uint32(h[1]), seq: uint16(h[2]) << 4, ts: uint32(h[3]) << 8, tsStep: 160, payload: 160}
}
