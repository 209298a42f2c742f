package main

import (
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// directPair records a successful host-to-peer check exchange between
// alice at a and bob at b: alice's check (with its legacy duplicate) and
// bob's answer, bob's check and alice's answer, then alice's nominating
// check and its answer.
func (sc *scene) directPair(seed string, a, b synth.Endpoint, aAgent, bAgent iceAgent) {
	req, dup, id := checkPair(seed+"/1", aAgent, bAgent, prioHost, false)
	sc.udp(ms(20), a, b, req)
	sc.udp(ms(1), a, b, dup)
	sc.udp(ms(30), b, a, checkResponse(id, bAgent, a))
	req, id = check(seed+"/2", bAgent, aAgent, prioSrflx, false, false)
	sc.udp(ms(5), b, a, req)
	sc.udp(ms(1), a, b, checkResponse(id, aAgent, b))
	req, id = check(seed+"/3", aAgent, bAgent, prioHost, true, false)
	sc.udp(ms(20), a, b, req)
	sc.udp(ms(30), b, a, checkResponse(id, bAgent, a))
}

// rtpBothWays records n 20 ms RTP packets from a to b and, when back is
// set, from b to a.
func (sc *scene) rtpBothWays(seed string, a, b synth.Endpoint, n int, back bool) {
	out, in := newAudio(seed, 0x4F4C0000), newAudio(seed+"/in", 0x0B0B0000)
	for i := range n {
		sc.udp(ms(20-i%2), a, b, out.next())
		if back {
			sc.udp(ms(1+i%3), b, a, in.next())
		}
	}
}

// hostOffer returns alice's offer with her host and srflx candidates.
func hostOffer() []media {
	return []media{audioLine(aliceICE,
		cnd("1", "UDP", prioHost, "10.0.1.20", 50000, "host", "", 0),
		cnd("3", "UDP", prioSrflx, "198.51.100.7", 50123, "srflx", "10.0.1.20", 50000))}
}

// buildHairpin builds fail-hairpin.pcap on the LAN behind the NAT
// 198.51.100.7 (a SPAN port seeing both clients): alice (10.0.1.20) calls
// dave (10.0.2.40); checks toward each other's reflexive address on the
// NAT's public side get no answer because the NAT does not hairpin, while
// the host pair succeeds and carries the media.
func buildHairpin() ([]byte, error) {
	sc := newScene("10.0.1.20", "10.0.2.40")
	dave, daveSrflx, aliceSrflx := ep("10.0.2.40:50020"), ep("198.51.100.7:50220"), ep("198.51.100.7:50123")
	answer := []media{audioLine(bobICE,
		cnd("1", "UDP", prioHost, "10.0.2.40", 50020, "host", "", 0),
		cnd("3", "UDP", prioSrflx, "198.51.100.7", 50220, "srflx", "10.0.2.40", 50020))}
	offer := hostOffer()
	cs := callScript{
		call: newLyncCall("hairpin"), offer: offer, answer: answer,
		reinvite: selected(aliceICE, offer[0].cands[0], "10.0.2.40", 50020),
		ice: func(sc *scene) {
			sc.directPair("hairpin/host", aliceHost, dave, aliceICE, bobICE)
			sc.unanswered("hairpin/a-srflx", aliceHost, daveSrflx, aliceICE, bobICE, prioHost)
			sc.unanswered("hairpin/d-srflx", dave, aliceSrflx, bobICE, aliceICE, prioHost)
		},
		media: func(sc *scene) { sc.rtpBothWays("hairpin", aliceHost, dave, 50, true) },
	}
	cs.play(sc)
	return sc.pcap(synth.LinkTypeEthernet)
}

// buildICEFailedDiag builds fail-ice-diag23.pcap on alice's LAN: alice
// allocates on the Edge, every pair (host, srflx and relayed) goes
// unanswered, no re-INVITE follows, and the BYE carries
// ms-client-diagnostics 23 with ICEWarn 0xe0 (local, UDP NAT and UDP TURN
// connectivity failed).
func buildICEFailedDiag() ([]byte, error) {
	sc := newScene("10.0.1.20")
	s := newEdgeSession("ice-diag23", true, edgeUDP, aliceRelay, ep("198.51.100.7:50123"))
	leg := turnLeg{sc: sc, s: s, client: aliceHost}
	offer := hostOffer()
	offer[0].cands = append(offer[0].cands, cnd("2", "UDP", prioRelay, "203.0.113.10", 52000, "relay", "198.51.100.7", 50123))
	cs := callScript{
		call: newLyncCall("ice-diag23"), offer: offer, answer: bobAnswer(),
		preamble: func(sc *scene) { sc.allocate(s, aliceHost, ms(19)) },
		ice: func(sc *scene) {
			sc.unanswered("diag23/host-host", aliceHost, bobHost, aliceICE, bobICE, prioHost)
			sc.unanswered("diag23/host-srflx", aliceHost, bobSrflx, aliceICE, bobICE, prioHost)
			for _, dst := range []synth.Endpoint{bobSrflx, bobRelay} {
				req, _ := check("diag23/relay-"+dst.String(), aliceICE, bobICE, prioRelay, false, false)
				for _, step := range checkRTO {
					leg.send(step+ms(2), dst, req)
				}
			}
		},
		answerAfter: 2 * time.Second,
		talk:        9 * time.Second,
		byeHeaders: []string{msClientDiag(23, "Call failed to establish due to a media connectivity failure when one endpoint is internal and the other is remote",
			"audio:ICEWarn=0xe0,LocalSite=10.0.1.20:50000,LocalMR=203.0.113.10:52000,RemoteSite=192.0.2.50:50010,RemoteMR=203.0.113.10:52100,PortRange=50000:50059,LocalMRTCPPort=53010,RemoteMRTCPPort=53110,LocalLocation=2,RemoteLocation=1,FederationType=0")},
	}
	cs.play(sc)
	return sc.pcap(synth.LinkTypeEthernet)
}

// mediaAfterICE builds a call on alice's LAN whose host-to-srflx pair
// succeeds and is confirmed by the re-INVITE, then plays media.
func mediaAfterICE(name string, media func(sc *scene), talk time.Duration, bye []string) ([]byte, error) {
	sc := newScene("10.0.1.20")
	offer := hostOffer()
	cs := callScript{
		call: newLyncCall(name), offer: offer, answer: bobAnswer(),
		reinvite:   selected(aliceICE, offer[0].cands[0], "192.0.2.50", 50010),
		ice:        func(sc *scene) { sc.directPair(name, aliceHost, bobSrflx, aliceICE, bobICE) },
		media:      media,
		talk:       talk,
		byeHeaders: bye,
	}
	cs.play(sc)
	return sc.pcap(synth.LinkTypeEthernet)
}

// buildOneWayMedia builds fail-one-way-media.pcap: ICE succeeds on alice's
// host to bob's srflx, then 4 s of RTP flow from alice only.
func buildOneWayMedia() ([]byte, error) {
	return mediaAfterICE("one-way", func(sc *scene) {
		sc.rtpBothWays("one-way", aliceHost, bobSrflx, 200, false)
	}, ms(40), nil)
}

// buildMediaStops builds fail-media-stops.pcap: ICE succeeds, RTP flows
// both ways for 2 s, then nothing for 8 s until the BYE.
func buildMediaStops() ([]byte, error) {
	return mediaAfterICE("media-stops", func(sc *scene) {
		sc.rtpBothWays("media-stops", aliceHost, bobSrflx, 100, true)
	}, 8*time.Second, nil)
}

// buildNoMedia builds fail-no-media.pcap: ICE succeeds and the re-INVITE
// confirms the pair, then no RTP at all for 10 s until the BYE.
func buildNoMedia() ([]byte, error) {
	return mediaAfterICE("no-media", nil, 10*time.Second, nil)
}
