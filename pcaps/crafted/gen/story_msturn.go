package main

import (
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// Endpoints of the MS-TURN stories: a Lync client on 10.0.1.20 behind a NAT
// whose public address is 198.51.100.7, the A/V Edge external address
// 203.0.113.10 and a remote peer's reflexive candidate 192.0.2.50:50010.
var (
	lyncClientUDP = ep("10.0.1.20:50000")
	lyncClientTCP = ep("10.0.1.20:50003")
	edgeUDP       = ep("203.0.113.10:3478")
	edgeTCP       = ep("203.0.113.10:443")
	peer          = ep("192.0.2.50:50010")
)

// newEdgeSession returns the MS-TURN session of the Lync client.
func newEdgeSession(name string, cookie bool, server, relayed, reflexive synth.Endpoint) *turnSession {
	var conn [20]byte
	copy(conn[:], name+"-connection-id-xxxxx")
	return &turnSession{
		name: name, cookie: cookie, version: synth.MSVersionICE2,
		user: mrasUser, realm: msRealm, nonce: msNonce, password: mrasPassword,
		server: server, relayed: relayed, reflexive: reflexive, connID: conn,
	}
}

// buildMSTURNUDP builds msturn-udp.pcap: Allocate, 401, authenticated
// Allocate and success, ICE checks through Send requests and Data
// Indications, Set Active Destination, RTP both ways, then deallocation.
func buildMSTURNUDP() ([]byte, error) {
	s := newEdgeSession("msturn-udp", false, edgeUDP, ep("203.0.113.10:52000"), ep("198.51.100.7:50123"))
	tl := newTimeline()
	eth := ethFrom(lyncClientUDP.Addr())
	up := func(step time.Duration, payload []byte) {
		tl.add(step, eth(synth.UDP(lyncClientUDP, edgeUDP, payload)))
	}
	down := func(step time.Duration, payload []byte) {
		tl.add(step, eth(synth.UDP(edgeUDP, lyncClientUDP, payload)))
	}

	req, resp := s.allocateNoAuth()
	up(0, req)
	down(18*time.Millisecond, resp)
	req, resp = s.allocateAuth(synth.MSStreamAudio)
	up(2*time.Millisecond, req)
	down(19*time.Millisecond, resp)

	relayChecks(s, up, down)

	req, resp = s.setActiveDestination(peer)
	up(5*time.Millisecond, req)
	down(18*time.Millisecond, resp)

	out := &rtpStream{pt: 0, ssrc: 0x4F4C5900, seq: 1200, ts: 96000, tsStep: 160, payload: 160}
	in := &rtpStream{pt: 0, ssrc: 0x0B0B0001, seq: 33000, ts: 480000, tsStep: 160, payload: 160}
	for i := range 25 {
		up(time.Duration(10+i%3)*time.Millisecond, s.send(peer, out.next()))
		down(time.Duration(10-i%3)*time.Millisecond, s.dataIndication(peer, in.next()))
	}
	up(3*time.Millisecond, s.send(peer, synth.RTCPSenderReport(out.ssrc, tl.now, out.ts, out.sent, out.sent*160, "alice@example.com")))

	req, resp = s.deallocate()
	up(40*time.Millisecond, req)
	down(18*time.Millisecond, resp)
	return tl.pcap(synth.LinkTypeEthernet)
}

// relayChecks sends the MS-ICE2 connectivity checks of the relay candidate
// through the allocation: the client's nominating check in a Send request
// with its legacy-FINGERPRINT duplicate, the peer's response in a Data
// Indication, then the peer's own check and the client's response.
func relayChecks(s *turnSession, up, down func(time.Duration, []byte)) {
	req, dup, id := checkPair("relay-check-1", aliceICE, bobICE, 184547839, true)
	up(20*time.Millisecond, s.send(peer, req))
	up(time.Millisecond, s.send(peer, dup))
	down(45*time.Millisecond, s.dataIndication(peer, checkResponse(id, bobICE, s.relayed)))
	req, id = check("relay-check-2", bobICE, aliceICE, 1694498815, false, false)
	down(6*time.Millisecond, s.dataIndication(peer, req))
	up(time.Millisecond, s.send(peer, checkResponse(id, aliceICE, peer)))
}

// buildMSTURNTCP builds msturn-tcp443-pseudotls.pcap: TCP handshake to 443,
// pseudo-TLS hellos, 0x02 control frames for Allocate, checks and Set Active
// Destination, then 0x03 data frames carrying RTP, several frames per
// segment and one frame split across segments, then FIN.
func buildMSTURNTCP() ([]byte, error) {
	s := newEdgeSession("msturn-tcp", true, edgeTCP, ep("203.0.113.10:53010"), ep("198.51.100.7:50288"))
	tl := newTimeline()
	eth := ethFrom(lyncClientTCP.Addr())
	c := synth.NewTCPConn(lyncClientTCP, edgeTCP, 0x1F2E3D4C, 0x7A6B5C4D)
	seg := func(step time.Duration, pkts [][]byte) { tl.add(step, mapAll(eth, pkts)...) }
	ctl := func(m []byte) []byte { return synth.MSFrame(synth.MSFrameControl, m) }
	up := func(step time.Duration, m []byte) { seg(step, c.Send(lyncClientTCP, ctl(m))) }
	down := func(step time.Duration, m []byte) { seg(step, c.Send(edgeTCP, ctl(m))) }

	seg(0, [][]byte{c.SYN()})
	seg(21*time.Millisecond, [][]byte{c.SYNACK()})
	seg(200*time.Microsecond, [][]byte{c.ACK(lyncClientTCP)})
	seg(300*time.Microsecond, c.Send(lyncClientTCP, synth.PseudoTLSClientHello(fixed32("tcp-client-random"))))
	seg(21*time.Millisecond, c.Send(edgeTCP, synth.PseudoTLSServerHello(fixed32("tcp-server-random"), fixed32("tcp-session"))))

	req, resp := s.allocateNoAuth()
	up(time.Millisecond, req)
	down(21*time.Millisecond, resp)
	req, resp = s.allocateAuth(synth.MSStreamAudio)
	// The authenticated Allocate is split across two segments.
	seg(2*time.Millisecond, c.Send(lyncClientTCP, ctl(req), 60))
	down(21*time.Millisecond, resp)
	seg(40*time.Millisecond, [][]byte{c.ACK(lyncClientTCP)})

	relayChecks(s, up, down)
	req, resp = s.setActiveDestination(peer)
	up(5*time.Millisecond, req)
	down(21*time.Millisecond, resp)

	out := &rtpStream{pt: 0, ssrc: 0x4F4C5901, seq: 700, ts: 16000, tsStep: 160, payload: 160}
	in := &rtpStream{pt: 0, ssrc: 0x0B0B0002, seq: 9000, ts: 320000, tsStep: 160, payload: 160}
	data := func(p []byte) []byte { return synth.MSFrame(synth.MSFrameData, p) }
	for i := range 8 {
		seg(20*time.Millisecond, c.Send(lyncClientTCP, data(out.next())))
		if i%4 == 3 {
			// Three data frames delayed in the network arrive in one segment.
			packed := append(append(data(in.next()), data(in.next())...), data(in.next())...)
			seg(3*time.Millisecond, c.Send(edgeTCP, packed))
		}
	}
	seg(30*time.Millisecond, c.Send(lyncClientTCP, data(synth.RTCPSenderReport(out.ssrc, tl.now, out.ts, out.sent, out.sent*160, "alice@example.com"))))
	seg(5*time.Millisecond, [][]byte{c.FIN(lyncClientTCP)})
	seg(20*time.Millisecond, [][]byte{c.FIN(edgeTCP)})
	seg(200*time.Microsecond, [][]byte{c.ACK(lyncClientTCP)})
	return tl.pcap(synth.LinkTypeEthernet)
}

// Endpoints of the multiplexed TURN story: a Teams-style client and a
// Transport Relay listening on 3478 (control), 3479 (audio), 3480 (video).
var (
	teamsClient     = ep("10.0.1.30:50004")
	relayCtl        = ep("203.0.113.20:3478")
	relayAudio      = ep("203.0.113.20:3479")
	relayVideo      = ep("203.0.113.20:3480")
	teamsMuxSession = uint64(0x00C0FFEE12345678)
)

// buildMultiplexed builds msturn-multiplexed.pcap: an MS-VERSION 6 Allocate
// whose response carries MULTIPLEXED-TURN-SESSION-ID, then 0xFF10
// multiplexed TURN packets carrying RTP to 3479 (audio) and 3480 (video).
func buildMultiplexed() ([]byte, error) {
	s := newEdgeSession("msturn-mux", true, relayCtl, ep("203.0.113.20:51844"), ep("198.51.100.7:40112"))
	s.version = synth.MSVersionMuxUDPAndTCP
	s.muxSession = teamsMuxSession
	tl := newTimeline()
	eth := ethFrom(teamsClient.Addr())
	pkt := func(step time.Duration, src, dst synth.Endpoint, payload []byte) {
		tl.add(step, eth(synth.UDP(src, dst, payload)))
	}
	req, resp := s.allocateNoAuth()
	pkt(0, teamsClient, relayCtl, req)
	pkt(25*time.Millisecond, relayCtl, teamsClient, resp)
	req, resp = s.allocateAuth(synth.MSStreamAudio)
	pkt(2*time.Millisecond, teamsClient, relayCtl, req)
	pkt(25*time.Millisecond, relayCtl, teamsClient, resp)

	aOut := &rtpStream{pt: 111, ssrc: 0x7EA50001, seq: 100, ts: 0, tsStep: 960, payload: 80}
	aIn := &rtpStream{pt: 111, ssrc: 0x7EA50101, seq: 5000, ts: 48000, tsStep: 960, payload: 80}
	vOut := &rtpStream{pt: 122, ssrc: 0x7EA50002, seq: 300, ts: 0, tsStep: 3000, payload: 900}
	for i := range 15 {
		pkt(20*time.Millisecond, teamsClient, relayAudio, synth.MuxTURN(teamsMuxSession, aOut.next()))
		pkt(2*time.Millisecond, relayAudio, teamsClient, synth.MuxTURN(teamsMuxSession, aIn.next()))
		if i%3 == 0 {
			pkt(time.Millisecond, teamsClient, relayVideo, synth.MuxTURN(teamsMuxSession, vOut.next()))
		}
	}
	return tl.pcap(synth.LinkTypeEthernet)
}
