package main

import (
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// Endpoints of the failure stories (see README "Media-path failures"):
// alice's Lync client on the LAN 10.0.1.20 behind the NAT 198.51.100.7,
// the A/V Edge 203.0.113.10 (a second pool member 203.0.113.11), and bob, a
// remote user at 192.168.1.50 behind 192.0.2.50 relayed by the same Edge.
var (
	aliceHost   = ep("10.0.1.20:50000")
	aliceTCP    = ep("10.0.1.20:50003")
	edgeB       = ep("203.0.113.11:3478")
	bobHost     = ep("192.168.1.50:50010")
	bobSrflx    = ep("192.0.2.50:50010")
	bobRelay    = ep("203.0.113.10:52100")
	aliceRelay  = ep("203.0.113.10:52000")
	aliceTCPRel = ep("203.0.113.10:53010")
)

// allocRTO is the pacing of an MS-TURN Allocate that gets no answer.
var allocRTO = []time.Duration{0, ms(250), ms(500), ms(1000), ms(2000)}

// bobAnswer returns bob's audio answer: host, srflx and UDP relay.
func bobAnswer() []media {
	return []media{audioLine(bobICE,
		cnd("1", "UDP", prioHost, "192.168.1.50", 50010, "host", "", 0),
		cnd("2", "UDP", prioSrflx, "192.0.2.50", 50010, "srflx", "192.168.1.50", 50010),
		cnd("3", "UDP", prioRelay, "203.0.113.10", 52100, "relay", "192.0.2.50", 50010))}
}

// unanswered records a check from local to remote that is never answered,
// with its retransmissions.
func (sc *scene) unanswered(seed string, src, dst synth.Endpoint, a, b iceAgent, prio uint32) {
	req, _ := check(seed, a, b, prio, false, false)
	sc.retransmit(src, dst, req, checkRTO...)
}

// buildUDP3478Blocked builds fail-udp3478-blocked.pcap on alice's LAN: the
// Allocate over UDP 3478 is retransmitted unanswered, the allocation over
// TCP 443 (pseudo-TLS) succeeds, direct UDP checks go unanswered and the
// call's media flows over the TCP relay.
func buildUDP3478Blocked() ([]byte, error) {
	sc := newScene("10.0.1.20")
	udp := newEdgeSession("udp3478-blocked", true, edgeUDP, aliceRelay, ep("198.51.100.7:50123"))
	tcp := newEdgeSession("udp3478-blocked-tcp", true, edgeTCP, aliceTCPRel, ep("198.51.100.7:50288"))
	var leg tcpTurnLeg
	offer := []media{audioLine(aliceICE,
		cnd("1", "UDP", prioHost, "10.0.1.20", 50000, "host", "", 0),
		cnd("2", "TCP-PASS", prioTCPPass, "203.0.113.10", 53010, "relay", "198.51.100.7", 50288),
		cnd("4", "TCP-ACT", prioTCPAct, "203.0.113.10", 53010, "relay", "198.51.100.7", 50288))}
	cs := callScript{
		call: newLyncCall("udp3478-blocked"), offer: offer, answer: bobAnswer(),
		reinvite: selected(aliceICE, offer[0].cands[2], "203.0.113.10", 52100),
		preamble: func(sc *scene) {
			req, _ := udp.allocateNoAuth()
			sc.retransmit(aliceHost, edgeUDP, req, allocRTO...)
			leg = sc.openTCPTurn(tcp, aliceTCP, 0x33A80001, ms(24))
		},
		ice: func(sc *scene) {
			sc.unanswered("udp3478/host-srflx", aliceHost, bobSrflx, aliceICE, bobICE, prioHost)
			leg.relayChecks("udp3478/relay", aliceICE, bobICE, bobRelay, 0)
		},
		media: func(*scene) { leg.relayMedia("udp3478/media", 50) },
		talk:  ms(40),
	}
	cs.play(sc)
	return sc.pcap(synth.LinkTypeEthernet)
}

// buildHighPortsBlocked builds fail-high-ports-blocked.pcap on the Edge's
// external interface: carol, a remote user at 198.51.100.30, allocates over
// TCP 443; the Edge relays alice's checks from her UDP relay port toward
// carol's reflexive high port and opens TCP from alice's TCP relay port
// toward carol's TCP-PASS port, and neither is answered; the relayed pair
// through carol's TCP 443 allocation succeeds and carries the media.
func buildHighPortsBlocked() ([]byte, error) {
	sc := newScene("203.0.113.10")
	carolTCP, carolSrflx, carolPass := ep("198.51.100.30:50003"), ep("198.51.100.30:50010"), ep("198.51.100.30:50012")
	s := newEdgeSession("high-ports-carol", true, edgeTCP, ep("203.0.113.10:53020"), carolTCP)
	leg := sc.openTCPTurn(s, carolTCP, 0x4C0A0001, ms(35))
	chk, _ := check("high-ports/relay-srflx", aliceICE, bobICE, prioRelay, false, false)
	sc.retransmit(aliceRelay, carolSrflx, chk, checkRTO...)
	syn := synth.NewTCPConn(aliceTCPRel, carolPass, 0x7E110001, 0)
	sc.tcp(ms(5), syn.SYN())
	sc.tcp(time.Second, syn.RetransmitSYN())
	sc.tcp(2*time.Second, syn.RetransmitSYN())
	leg.relayChecks("high-ports/relay", bobICE, aliceICE, aliceRelay, 0)
	leg.relayMedia("high-ports/media", 50)
	return sc.pcap(synth.LinkTypeEthernet)
}

// relayMedia relays n RTP packets each way in 0x03 frames after Set Active
// Destination, then an RTCP sender report from the client.
func (l tcpTurnLeg) relayMedia(seed string, n int) {
	out, in := newAudio(seed, 0x4F4C0000), newAudio(seed+"/in", 0x0B0B0000)
	for i := range n {
		l.dataUp(ms(20-i%2), out.next())
		l.dataDown(ms(2+i%3), in.next())
	}
	l.dataUp(ms(5), synth.RTCPSenderReport(out.ssrc, start.Add(time.Minute), out.ts, out.sent, out.sent*160, "alice@example.com"))
}

// buildTeamsRelayPorts builds fail-teams-relay-ports.pcap on a Teams
// client's LAN (no SIP: Teams signals over HTTPS): Allocates to the relay's
// UDP 3479, 3480 and 3481 go unanswered while 3478 answers; the media then
// flows as multiplexed TURN through 3478.
func buildTeamsRelayPorts() ([]byte, error) {
	sc := newScene("10.0.1.30")
	var probes [][]byte
	for i, port := range []string{"3479", "3480", "3481"} {
		s := newEdgeSession("teams-ports-"+port, true, ep("203.0.113.20:"+port), ep("203.0.113.20:51844"), ep("198.51.100.7:40112"))
		s.version = synth.MSVersionMuxUDPAndTCP
		req, _ := s.allocateNoAuth()
		probes = append(probes, req)
		sc.udp(ms(1+i), teamsClient, s.server, req)
	}
	s := newEdgeSession("teams-ports-3478", true, relayCtl, ep("203.0.113.20:51844"), ep("198.51.100.7:40112"))
	s.version, s.muxSession = synth.MSVersionMuxUDPAndTCP, teamsMuxSession
	req, resp := s.allocateNoAuth()
	sc.udp(ms(1), teamsClient, relayCtl, req)
	sc.udp(ms(25), relayCtl, teamsClient, resp)
	for _, step := range allocRTO[1:] {
		for i, port := range []string{"3479", "3480", "3481"} {
			sc.udp(step/time.Duration(1+2*i), teamsClient, ep("203.0.113.20:"+port), probes[i])
		}
	}
	req, resp = s.allocateAuth(synth.MSStreamAudio)
	sc.udp(ms(2), teamsClient, relayCtl, req)
	sc.udp(ms(25), relayCtl, teamsClient, resp)
	out, in := newAudio("teams-ports", 0x7EA50000), newAudio("teams-ports/in", 0x7EA51000)
	out.pt, in.pt = 111, 111
	for range 40 {
		sc.udp(ms(20), teamsClient, relayCtl, synth.MuxTURN(teamsMuxSession, out.next()))
		sc.udp(ms(2), relayCtl, teamsClient, synth.MuxTURN(teamsMuxSession, in.next()))
	}
	return sc.pcap(synth.LinkTypeEthernet)
}

// buildTURNUnreachable builds fail-turn-unreachable.pcap on alice's LAN:
// Allocate over UDP 3478 and SYNs to TCP 443 of the Edge go unanswered, the
// offer carries only a host candidate, every check goes unanswered and the
// BYE carries ms-client-diagnostics 23.
func buildTURNUnreachable() ([]byte, error) {
	sc := newScene("10.0.1.20")
	s := newEdgeSession("turn-unreachable", true, edgeUDP, aliceRelay, aliceHost)
	cs := callScript{
		call:   newLyncCall("turn-unreachable"),
		offer:  []media{audioLine(aliceICE, cnd("1", "UDP", prioHost, "10.0.1.20", 50000, "host", "", 0))},
		answer: bobAnswer(),
		preamble: func(sc *scene) {
			req, _ := s.allocateNoAuth()
			sc.retransmit(aliceHost, edgeUDP, req, allocRTO...)
			c := synth.NewTCPConn(aliceTCP, edgeTCP, 0x1D0C0001, 0)
			sc.tcp(ms(10), c.SYN())
			sc.tcp(time.Second, c.RetransmitSYN())
			sc.tcp(2*time.Second, c.RetransmitSYN())
		},
		ice: func(sc *scene) {
			sc.unanswered("turn-unreachable/host-host", aliceHost, bobHost, aliceICE, bobICE, prioHost)
			sc.unanswered("turn-unreachable/host-srflx", aliceHost, bobSrflx, aliceICE, bobICE, prioHost)
			sc.unanswered("turn-unreachable/host-relay", aliceHost, bobRelay, aliceICE, bobICE, prioHost)
		},
		answerAfter: 2 * time.Second,
		talk:        8 * time.Second,
		byeHeaders: []string{msClientDiag(23, "Call failed to establish due to a media connectivity failure when one endpoint is internal and the other is remote",
			"audio:ICEWarn=0x2b,LocalSite=10.0.1.20:50000,LocalMR=,RemoteSite=192.0.2.50:50010,RemoteMR=203.0.113.10:52100,PortRange=50000:50059,LocalMRTCPPort=,RemoteMRTCPPort=,LocalLocation=2,RemoteLocation=1,FederationType=0")},
	}
	cs.play(sc)
	return sc.pcap(synth.LinkTypeEthernet)
}

// buildTURNAuthFailed builds fail-turn-auth.pcap on alice's LAN (the SIP
// signalling runs over TLS and is not in the capture): over UDP 3478 the
// Edge answers the authenticated Allocate with 401 again, then with 438
// Stale Nonce three times, each with a fresh nonce; over TCP 443 it answers
// 431 Integrity Check Failure and then 441 Wrong Credentials.
func buildTURNAuthFailed() ([]byte, error) {
	sc := newScene("10.0.1.20")
	s := newEdgeSession("turn-auth-udp", true, edgeUDP, aliceRelay, ep("198.51.100.7:50123"))
	req, resp := s.allocateNoAuth()
	sc.udp(0, aliceHost, edgeUDP, req)
	sc.udp(ms(20), edgeUDP, aliceHost, resp)
	req, resp = s.allocateAuthError(401, "Unauthorized", s.nonce)
	sc.udp(ms(2), aliceHost, edgeUDP, req)
	sc.udp(ms(20), edgeUDP, aliceHost, resp)
	for _, n := range []string{"0b7d4e8a1f3c9d26e5a4b7c8d9e0f1a2", "5e2a9c4b7d1f8e3a6c0b9d2e4f7a1c3b", "9f4c2e7a0d3b6e1f8a5c4d7b2e9f0a6c"} {
		req, resp = s.allocateAuthError(438, "Stale Nonce", n)
		sc.udp(ms(3), aliceHost, edgeUDP, req)
		sc.udp(ms(20), edgeUDP, aliceHost, resp)
		s.nonce = n
	}
	t := newEdgeSession("turn-auth-tcp", true, edgeTCP, aliceTCPRel, ep("198.51.100.7:50288"))
	c := synth.NewTCPConn(aliceTCP, edgeTCP, 0x3A070001, 0x3A070F00)
	leg := tcpTurnLeg{sc: sc, s: t, c: c, client: aliceTCP}
	sc.tcp(ms(30), c.SYN())
	sc.tcp(ms(22), c.SYNACK())
	sc.tcp(ms(1), c.ACK(aliceTCP))
	sc.tcp(ms(1), c.Send(aliceTCP, synth.PseudoTLSClientHello(fixed32("turn-auth/client-random")))...)
	sc.tcp(ms(22), c.Send(edgeTCP, synth.PseudoTLSServerHello(fixed32("turn-auth/server-random"), fixed32("turn-auth/session")))...)
	req, resp = t.allocateNoAuth()
	leg.up(ms(1), req)
	leg.down(ms(22), resp)
	for _, e := range []struct {
		code   int
		reason string
	}{{431, "Integrity Check Failure"}, {441, "Wrong Credentials"}} {
		req, resp = t.allocateAuthError(e.code, e.reason, t.nonce)
		leg.up(ms(2), req)
		leg.down(ms(22), resp)
	}
	sc.tcp(ms(5), c.FIN(aliceTCP))
	sc.tcp(ms(22), c.FIN(edgeTCP))
	sc.tcp(ms(1), c.ACK(aliceTCP))
	return sc.pcap(synth.LinkTypeEthernet)
}

// buildTURNAuthPool builds fail-turn-auth-pool.pcap on alice's LAN: the
// same MRAS credentials are rejected by Edge B 203.0.113.11 (401 after
// credentials, then 436 Unknown User) and accepted by Edge A 203.0.113.10
// of the same pool, the signature of pool members whose A/V authentication
// certificates differ.
func buildTURNAuthPool() ([]byte, error) {
	sc := newScene("10.0.1.20")
	b := newEdgeSession("turn-auth-pool-b", true, edgeB, ep("203.0.113.11:52000"), ep("198.51.100.7:50123"))
	req, resp := b.allocateNoAuth()
	sc.udp(0, aliceHost, edgeB, req)
	sc.udp(ms(21), edgeB, aliceHost, resp)
	req, resp = b.allocateAuthError(401, "Unauthorized", b.nonce)
	sc.udp(ms(2), aliceHost, edgeB, req)
	sc.udp(ms(21), edgeB, aliceHost, resp)
	req, resp = b.allocateAuthError(436, "Unknown User", b.nonce)
	sc.udp(ms(2), aliceHost, edgeB, req)
	sc.udp(ms(21), edgeB, aliceHost, resp)
	a := newEdgeSession("turn-auth-pool-a", true, edgeUDP, aliceRelay, ep("198.51.100.7:50123"))
	sc.allocate(a, aliceHost, ms(19))
	return sc.pcap(synth.LinkTypeEthernet)
}
