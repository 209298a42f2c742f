package main

import (
	"fmt"
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// relayOffer returns alice's offer with host, srflx and UDP relay
// candidates.
func relayOffer() []media {
	m := hostOffer()
	m[0].cands = append(m[0].cands, cnd("2", "UDP", prioRelay, "203.0.113.10", 52000, "relay", "198.51.100.7", 50123))
	return m
}

// relayPair records a successful relayed check exchange between alice's
// relay and bob's relay through alice's UDP allocation; with lost set the
// first check is lost and retransmitted after 100 ms.
func (l turnLeg) relayPair(seed string, lost bool) {
	req, dup, id := checkPair(seed+"/1", aliceICE, bobICE, prioRelay, true)
	l.send(ms(20), bobRelay, req)
	l.send(ms(1), bobRelay, dup)
	if lost {
		l.send(ms(100), bobRelay, req)
	}
	l.recv(ms(38), bobRelay, checkResponse(id, bobICE, aliceRelay))
	req, id = check(seed+"/2", bobICE, aliceICE, prioRelay, false, false)
	l.recv(ms(6), bobRelay, req)
	l.send(ms(1), bobRelay, checkResponse(id, aliceICE, bobRelay))
}

// relayMedia relays n RTP packets each way through alice's allocation and
// closes with an RTCP sender report.
func (l turnLeg) relayMedia(seed string, n int) {
	out, in := newAudio(seed, 0x4F4C0000), newAudio(seed+"/in", 0x0B0B0000)
	for i := range n {
		l.send(ms(20-i%2), bobRelay, out.next())
		l.recv(ms(2+i%3), bobRelay, in.next())
	}
	l.send(ms(5), bobRelay, synth.RTCPSenderReport(out.ssrc, start.Add(time.Minute), out.ts, out.sent, out.sent*160, "alice@example.com"))
}

// buildSlowICE builds slow-ice.pcap on alice's LAN: the Allocate needs two
// retransmissions before the Edge answers, the checks toward bob's dead
// host and srflx candidates are retransmitted until they time out, and the
// relay pair succeeds (after one lost check) more than 6 s after the offer.
func buildSlowICE() ([]byte, error) {
	sc := newScene("10.0.1.20")
	s := newEdgeSession("slow-ice", true, edgeUDP, aliceRelay, ep("198.51.100.7:50123"))
	leg := turnLeg{sc: sc, s: s, client: aliceHost}
	offer := relayOffer()
	cs := callScript{
		call: newLyncCall("slow-ice"), offer: offer, answer: bobAnswer(),
		reinvite: selected(aliceICE, offer[0].cands[2], "203.0.113.10", 52100),
		preamble: func(sc *scene) {
			req, resp := s.allocateNoAuth()
			sc.retransmit(aliceHost, edgeUDP, req, allocRTO[:3]...)
			sc.udp(ms(20), edgeUDP, aliceHost, resp)
			req, resp = s.allocateAuth(synth.MSStreamAudio)
			sc.udp(ms(2), aliceHost, edgeUDP, req)
			sc.udp(ms(20), edgeUDP, aliceHost, resp)
		},
		ice: func(sc *scene) {
			sc.unanswered("slow/host-host", aliceHost, bobHost, aliceICE, bobICE, prioHost)
			sc.unanswered("slow/host-srflx", aliceHost, bobSrflx, aliceICE, bobICE, prioHost)
			leg.relayPair("slow/relay", true)
		},
		media: func(*scene) { leg.relayMedia("slow/media", 50) },
	}
	cs.play(sc)
	return sc.pcap(synth.LinkTypeEthernet)
}

// buildCheckIntegrity builds fail-check-integrity.pcap on alice's LAN: a
// SIP ALG rewrote the ice-pwd of both offers, so bob answers alice's direct
// check with 431, bob's relayed success response carries a
// MESSAGE-INTEGRITY keyed with a password other than his SDP ice-pwd, and
// alice answers bob's check with 401; no pair succeeds and the BYE carries
// ms-client-diagnostics 23 with ICEWarn 0x4e0.
func buildCheckIntegrity() ([]byte, error) {
	sc := newScene("10.0.1.20")
	s := newEdgeSession("check-integrity", true, edgeUDP, aliceRelay, ep("198.51.100.7:50123"))
	leg := turnLeg{sc: sc, s: s, client: aliceHost}
	bobReal := bobICE
	bobReal.pwd = "Qe7LmN2xVb9TcR4ZpW1sKd8H"
	aliceSeenByBob := aliceICE
	aliceSeenByBob.pwd = "Tz5NqP8wLc3VbX6mRf2JhY9K"
	cs := callScript{
		call: newLyncCall("check-integrity"), offer: relayOffer(), answer: bobAnswer(),
		preamble: func(sc *scene) { sc.allocate(s, aliceHost, ms(19)) },
		ice: func(sc *scene) {
			req, id := check("integrity/host-srflx", aliceICE, bobICE, prioHost, false, false)
			sc.udp(ms(20), aliceHost, bobSrflx, req)
			sc.udp(ms(31), bobSrflx, aliceHost, checkError(id, bobReal, 431, "Integrity Check Failure", false))
			req, id = check("integrity/relay-relay", aliceICE, bobICE, prioRelay, false, false)
			for _, step := range []time.Duration{ms(10), ms(100), ms(200)} {
				leg.send(step, bobRelay, req)
				leg.recv(ms(38), bobRelay, checkResponseKeyed(id, bobReal.pwd, aliceRelay))
			}
			req, id = check("integrity/bob-relay", bobReal, aliceSeenByBob, prioRelay, false, false)
			leg.recv(ms(15), bobRelay, req)
			leg.send(ms(1), bobRelay, checkError(id, aliceICE, 401, "Unauthorized", false))
		},
		answerAfter: 3 * time.Second,
		talk:        7 * time.Second,
		byeHeaders: []string{msClientDiag(23, "Call failed to establish due to a media connectivity failure when one endpoint is internal and the other is remote",
			"audio:ICEWarn=0x4e0,LocalSite=10.0.1.20:50000,LocalMR=203.0.113.10:52000,RemoteSite=192.0.2.50:50010,RemoteMR=203.0.113.10:52100,PortRange=50000:50059,LocalMRTCPPort=,RemoteMRTCPPort=,LocalLocation=2,RemoteLocation=1,FederationType=0")},
	}
	cs.play(sc)
	return sc.pcap(synth.LinkTypeEthernet)
}

// buildRoleConflict builds role-conflict.pcap on a LAN of two WebRTC peers
// (no SIP: signalling runs over HTTPS): both start as controlling; eve, with
// the larger tie-breaker, answers alice's first two checks with 487 Role
// Conflict; alice switches to controlled, her check succeeds and eve
// nominates the pair; RTP follows both ways.
func buildRoleConflict() ([]byte, error) {
	sc := newScene("10.0.1.20")
	eve := iceAgent{ufrag: "Ev3n", pwd: "pL4sW9dQ2xR7bN5mK8cT1vZ6", foundation: "1", tieBreaker: 0xE7E7E7E7E7E7E7E7, controlling: true}
	eveHost, eveWifi := ep("10.0.1.60:50030"), ep("10.0.3.60:50032")
	for i, dst := range []synth.Endpoint{eveHost, eveWifi} {
		req, id := check(fmt.Sprintf("role/%d", i), aliceICE, eve, prioHost, false, false)
		sc.udp(ms(5), aliceHost, dst, req)
		sc.udp(ms(2), dst, aliceHost, checkError(id, eve, 487, "Role Conflict", true))
	}
	controlled := aliceICE
	controlled.controlling = false
	req, id := check("role/retry", controlled, eve, prioHost, false, false)
	sc.udp(ms(5), aliceHost, eveHost, req)
	sc.udp(ms(2), eveHost, aliceHost, checkResponse(id, eve, aliceHost))
	req, id = check("role/nominate", eve, controlled, prioHost, true, false)
	sc.udp(ms(3), eveHost, aliceHost, req)
	sc.udp(ms(1), aliceHost, eveHost, checkResponse(id, controlled, eveHost))
	sc.rtpBothWays("role", aliceHost, eveHost, 25, true)
	return sc.pcap(synth.LinkTypeEthernet)
}

// buildSTUNUnreachable builds stun-unreachable.pcap on a WebRTC client's
// LAN (no SIP): an RFC 5389 Binding request to the STUN server
// 203.0.113.30:3478 is sent seven times on the RFC 5389 §7.2.1 schedule and
// never answered.
func buildSTUNUnreachable() ([]byte, error) {
	sc := newScene("10.0.1.30")
	req := synth.NewMsg(synth.TypeBindingRequest, synth.NewTxID("stun-unreachable", false), false).
		Add(synth.AttrSoftware, []byte("icediag crafted WebRTC client")).
		AddFingerprint().Bytes()
	sc.retransmit(ep("10.0.1.30:50040"), ep("203.0.113.30:3478"), req, stunRTO...)
	return sc.pcap(synth.LinkTypeEthernet)
}

// provisioning is the in-band provisioning document of the Front End
// (provisionGroupList, ServerConfiguration group) with the media port range
// 50000-50059.
const provisioning = `<provisionGroupList xmlns="http://schemas.microsoft.com/2006/09/sip/provisiongrouplist-notification">` + "\r\n" +
	`<provisionGroup name="ServerConfiguration">` + "\r\n" +
	"<ucPortRangeEnabled>true</ucPortRangeEnabled>\r\n<ucMinMediaPort>50000</ucMinMediaPort>\r\n<ucMaxMediaPort>50059</ucMaxMediaPort>\r\n" +
	"<ucMinAudioPort>50000</ucMinAudioPort>\r\n<ucMaxAudioPort>50019</ucMaxAudioPort>\r\n" +
	"<ucMinVideoPort>50020</ucMinVideoPort>\r\n<ucMaxVideoPort>50039</ucMaxVideoPort>\r\n" +
	"</provisionGroup>\r\n</provisionGroupList>\r\n"

// buildPortRange builds media-port-outside-range.pcap on alice's LAN: the
// Front End's provisioning NOTIFY sets ucMinMediaPort..ucMaxMediaPort to
// 50000-50059, then alice's call offers and uses host port 13352 (a client
// with the port range ignored) and succeeds.
func buildPortRange() ([]byte, error) {
	sc := newScene("10.0.1.20")
	c := newLyncCall("port-range")
	sub := sipMsg{start: "SUBSCRIBE sip:alice@example.com SIP/2.0", headers: []string{
		c.via("b0f1"), "Max-Forwards: 70",
		fmt.Sprintf(`From: <sip:alice@example.com>;tag=%s;epid=%s`, c.fromTag, c.epid), "To: <sip:alice@example.com>",
		"Call-ID: prov" + c.callID, "CSeq: 1 SUBSCRIBE",
		fmt.Sprintf("Contact: <sip:alice@example.com;opaque=user:epid:%s;gruu>", c.epid),
		"Event: vnd-microsoft-provisioning-v2", "Accept: application/vnd-microsoft-roaming-provisioning-v2+xml"}}
	ok := sipMsg{start: "SIP/2.0 200 OK", headers: []string{
		c.via("b0f1") + ";received=10.0.1.20", sub.headers[2], "To: <sip:alice@example.com>;tag=9a8b7c6d", sub.headers[4], sub.headers[5],
		"Expires: 28800"}}
	notify := sipMsg{start: fmt.Sprintf("NOTIFY sip:alice@example.com;opaque=user:epid:%s;gruu SIP/2.0", c.epid), headers: []string{
		"Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKfe01", "Max-Forwards: 70",
		"From: <sip:alice@example.com>;tag=9a8b7c6d", fmt.Sprintf("To: <sip:alice@example.com>;tag=%s;epid=%s", c.fromTag, c.epid),
		"Call-ID: prov" + c.callID, "CSeq: 1 NOTIFY", "Event: vnd-microsoft-provisioning-v2", "Subscription-State: active;expires=28800",
		"Content-Type: application/vnd-microsoft-roaming-provisioning-v2+xml"}, body: provisioning}
	notifyOK := sipMsg{start: "SIP/2.0 200 OK", headers: []string{
		notify.headers[0], notify.headers[2], notify.headers[3], notify.headers[4], notify.headers[5]}}
	sc.udp(0, sipAlice4, sipFE4, sub.bytes())
	sc.udp(ms(25), sipFE4, sipAlice4, ok.bytes())
	sc.udp(ms(10), sipFE4, sipAlice4, notify.bytes())
	sc.udp(ms(2), sipAlice4, sipFE4, notifyOK.bytes())

	aliceLow, aliceLowSrflx := ep("10.0.1.20:13352"), "198.51.100.7"
	offer := []media{audioLine(aliceICE,
		cnd("1", "UDP", prioHost, "10.0.1.20", 13352, "host", "", 0),
		cnd("3", "UDP", prioSrflx, aliceLowSrflx, 13352, "srflx", "10.0.1.20", 13352))}
	cs := callScript{
		call: c, offer: offer, answer: bobAnswer(),
		reinvite: selected(aliceICE, offer[0].cands[0], "192.0.2.50", 50010),
		ice:      func(sc *scene) { sc.directPair("port-range", aliceLow, bobSrflx, aliceICE, bobICE) },
		media:    func(sc *scene) { sc.rtpBothWays("port-range", aliceLow, bobSrflx, 50, true) },
	}
	cs.play(sc)
	return sc.pcap(synth.LinkTypeEthernet)
}

// buildHealthyEdge builds ok-edge-call.pcap on alice's LAN: a Lync call
// relayed by the Edge over UDP with no fault: allocation, relayed checks,
// re-INVITE naming the relay pair, Set Active Destination, RTP both ways,
// BYE and deallocation.
func buildHealthyEdge() ([]byte, error) {
	sc := newScene("10.0.1.20")
	s := newEdgeSession("healthy-edge", true, edgeUDP, aliceRelay, ep("198.51.100.7:50123"))
	leg := turnLeg{sc: sc, s: s, client: aliceHost}
	offer := relayOffer()
	cs := callScript{
		call: newLyncCall("healthy-edge"), offer: offer, answer: bobAnswer(),
		reinvite: selected(aliceICE, offer[0].cands[2], "203.0.113.10", 52100),
		preamble: func(sc *scene) { sc.allocate(s, aliceHost, ms(19)) },
		ice:      func(*scene) { leg.relayPair("healthy/relay", false) },
		media: func(sc *scene) {
			req, resp := s.setActiveDestination(bobRelay)
			sc.udp(ms(5), aliceHost, edgeUDP, req)
			sc.udp(ms(19), edgeUDP, aliceHost, resp)
			leg.relayMedia("healthy/media", 100)
		},
	}
	cs.play(sc)
	req, resp := s.deallocate()
	sc.udp(ms(30), aliceHost, edgeUDP, req)
	sc.udp(ms(19), edgeUDP, aliceHost, resp)
	return sc.pcap(synth.LinkTypeEthernet)
}

// buildHealthyDirect builds ok-direct-call.pcap on the corporate LAN: alice
// (10.0.1.20) calls carl (10.0.2.30); the host pair succeeds at once and
// RTP flows both ways until the BYE.
func buildHealthyDirect() ([]byte, error) {
	sc := newScene("10.0.1.20")
	carl := ep("10.0.2.30:50010")
	offer := hostOffer()
	cs := callScript{
		call: newLyncCall("healthy-direct"), offer: offer,
		answer:   []media{audioLine(bobICE, cnd("1", "UDP", prioHost, "10.0.2.30", 50010, "host", "", 0))},
		reinvite: selected(aliceICE, offer[0].cands[0], "10.0.2.30", 50010),
		ice:      func(sc *scene) { sc.directPair("healthy-direct", aliceHost, carl, aliceICE, bobICE) },
		media:    func(sc *scene) { sc.rtpBothWays("healthy-direct", aliceHost, carl, 100, true) },
	}
	cs.play(sc)
	return sc.pcap(synth.LinkTypeEthernet)
}
