package main

import (
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// buildRelayPrivate builds fail-relay-address-private.pcap on alice's LAN:
// the Edge, reached on its public address 203.0.113.10:3478, returns the
// private relayed address 172.16.1.10:52000 (its external NIC behind a NAT
// the topology does not know), alice offers it as her relay candidate to
// bob, a remote user relayed by a second Edge pool (198.51.100.20), every
// check fails and the BYE carries ms-client-diagnostics 23.
func buildRelayPrivate() ([]byte, error) {
	sc := newScene("10.0.1.20")
	privRelay := ep("172.16.1.10:52000")
	s := newEdgeSession("relay-private", true, edgeUDP, privRelay, ep("198.51.100.7:50123"))
	bobPoolRelay := ep("198.51.100.20:53210")
	leg := turnLeg{sc: sc, s: s, client: aliceHost}
	answer := []media{audioLine(bobICE,
		cnd("1", "UDP", prioHost, "192.168.1.50", 50010, "host", "", 0),
		cnd("2", "UDP", prioSrflx, "192.0.2.50", 50010, "srflx", "192.168.1.50", 50010),
		cnd("3", "UDP", prioRelay, "198.51.100.20", 53210, "relay", "192.0.2.50", 50010))}
	cs := callScript{
		call: newLyncCall("relay-private"),
		offer: []media{audioLine(aliceICE,
			cnd("1", "UDP", prioHost, "10.0.1.20", 50000, "host", "", 0),
			cnd("2", "UDP", prioRelay, "172.16.1.10", 52000, "relay", "198.51.100.7", 50123),
			cnd("3", "UDP", prioSrflx, "198.51.100.7", 50123, "srflx", "10.0.1.20", 50000))},
		answer:   answer,
		preamble: func(sc *scene) { sc.allocate(s, aliceHost, ms(19)) },
		ice: func(sc *scene) {
			sc.unanswered("relay-private/host-srflx", aliceHost, bobSrflx, aliceICE, bobICE, prioHost)
			for i, dst := range []synth.Endpoint{bobSrflx, bobPoolRelay} {
				req, _ := check("relay-private/relay-"+dst.String(), aliceICE, bobICE, prioRelay, false, false)
				for _, step := range checkRTO {
					leg.send(step+ms(3*i), dst, req)
				}
			}
		},
		answerAfter: 3 * time.Second,
		talk:        6 * time.Second,
		byeHeaders: []string{msClientDiag(23, "Call failed to establish due to a media connectivity failure when one endpoint is internal and the other is remote",
			"audio:ICEWarn=0xe0,LocalSite=10.0.1.20:50000,LocalMR=172.16.1.10:52000,RemoteSite=192.0.2.50:50010,RemoteMR=198.51.100.20:53210,PortRange=50000:50059,LocalMRTCPPort=,RemoteMRTCPPort=,LocalLocation=2,RemoteLocation=1,FederationType=0")},
	}
	cs.play(sc)
	return sc.pcap(synth.LinkTypeEthernet)
}

// pseudoTLSAttempt records a UDP allocation that works, then a TCP 443
// connection to the Edge whose pseudo-TLS ClientHello gets answer(c)
// instead of the MS ServerHello.
func pseudoTLSAttempt(name string, answer func(sc *scene, c *synth.TCPConn)) ([]byte, error) {
	sc := newScene("10.0.1.20")
	sc.allocate(newEdgeSession(name+"-udp", true, edgeUDP, aliceRelay, ep("198.51.100.7:50123")), aliceHost, ms(19))
	c := synth.NewTCPConn(aliceTCP, edgeTCP, 0x61A50001, 0x0F0C0001)
	sc.tcp(ms(3), c.SYN())
	sc.tcp(ms(4), c.SYNACK())
	sc.tcp(ms(1)/5, c.ACK(aliceTCP))
	sc.tcp(ms(1)/3, c.Send(aliceTCP, synth.PseudoTLSClientHello(fixed32(name+"/client-random")))...)
	answer(sc, c)
	return sc.pcap(synth.LinkTypeEthernet)
}

// buildPseudoTLSInspected builds fail-pseudotls-inspected.pcap: a
// TLS-inspecting proxy (4 ms away, closer than the Edge) answers the
// pseudo-TLS ClientHello with a real TLS 1.2 ServerHello, certificate chain
// and ServerKeyExchange; the client resets the connection.
func buildPseudoTLSInspected() ([]byte, error) {
	id, err := synth.NewTLSIdentity("inspecting-proxy", "203.0.113.10", "Example Inspection CA", start.AddDate(0, -2, 0))
	if err != nil {
		return nil, err
	}
	return pseudoTLSAttempt("pseudotls-inspected", func(sc *scene, c *synth.TCPConn) {
		flight := synth.TLSServerFlight(id, fixed32("pseudotls-inspected/client-random"), fixed32("pseudotls-inspected/server-random"), fixed32("pseudotls-inspected/session"))
		sc.tcp(ms(5), c.Send(edgeTCP, flight)...)
		sc.tcp(ms(1), c.RST(aliceTCP))
	})
}

// buildPseudoTLSReset builds fail-pseudotls-reset.pcap: a firewall answers
// the pseudo-TLS ClientHello with a reset.
func buildPseudoTLSReset() ([]byte, error) {
	return pseudoTLSAttempt("pseudotls-reset", func(sc *scene, c *synth.TCPConn) {
		sc.tcp(ms(4), c.RST(edgeTCP))
	})
}

// buildHairpinEdgePool builds fail-hairpin-edge-pool.pcap on the external
// NIC of Edge A (172.16.1.10, published as 203.0.113.10 by a NAT): bob, a
// remote user, allocates on Edge A; carol's relay is on Edge B of the same
// pool, published as 203.0.113.11. Edge A relays bob's checks from its
// private relay port toward Edge B's public relay address and nothing comes
// back: the NAT does not hairpin between the pool members' public
// addresses.
func buildHairpinEdgePool() ([]byte, error) {
	sc := newScene("172.16.1.10")
	edgeANIC, edgeARelay := ep("172.16.1.10:3478"), ep("172.16.1.10:52000")
	carolRelayB := ep("203.0.113.11:52200")
	s := newEdgeSession("hairpin-pool", true, edgeANIC, ep("203.0.113.10:52000"), bobSrflx)
	sc.allocate(s, bobSrflx, ms(1))
	leg := turnLeg{sc: sc, s: s, client: bobSrflx}
	req, _, _ := checkPair("hairpin-pool/relay-relay", bobICE, aliceICE, prioRelay, false)
	for _, step := range checkRTO {
		leg.send(ms(20)+step, carolRelayB, req)
		sc.udp(ms(1)/5, edgeARelay, carolRelayB, req)
	}
	srflxChk, _ := check("hairpin-pool/relay-srflx", bobICE, aliceICE, prioRelay, false, false)
	carolSrflx := ep("198.51.100.40:50010")
	for _, step := range checkRTO {
		leg.send(ms(10)+step, carolSrflx, srflxChk)
		sc.udp(ms(1)/5, edgeARelay, carolSrflx, srflxChk)
	}
	// bob gives up and releases the allocation 8 s later: the checks timed
	// out, they were not cut off by the end of the capture.
	req, resp := s.deallocate()
	sc.udp(ms(8000), bobSrflx, edgeANIC, req)
	sc.udp(ms(1), edgeANIC, bobSrflx, resp)
	return sc.pcap(synth.LinkTypeEthernet)
}
