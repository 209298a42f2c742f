package main

import (
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// newCall returns the call's dialog identifiers for a transport and
// addresses.
func newCall(transport string, alice, proxy synth.Endpoint) sipCall {
	return sipCall{
		transport: transport, alice: alice.String(), proxy: proxy.String(),
		callID: "5f1c0e6a2d4b4f0c9a7e3b1d8c6f2a4e", fromTag: "8d3e5a0c1b", toTag: "f2a9c7e1d4",
		epid: "0a1b2c3d4e", aliceIP: alice.Addr().String(), proxyIP: proxy.Addr().String(),
	}
}

// Signalling endpoints: alice's Lync client and the Front End pool.
var (
	sipAlice4 = ep("10.0.1.20:5060")
	sipFE4    = ep("10.0.0.5:5060")
	sipAlice6 = ep("[2001:db8:1::20]:5060")
	sipFE6    = ep("[2001:db8:1::5]:5060")
)

// Time between the call's messages, in order (INVITE first).
var sipSteps = []time.Duration{0, 30 * time.Millisecond, 900 * time.Millisecond, 2500 * time.Millisecond,
	15 * time.Millisecond, 700 * time.Millisecond, 40 * time.Millisecond, 10 * time.Millisecond,
	20 * time.Second, 35 * time.Millisecond}

// buildSIPUDP builds the call over UDP 5060, every datagram fragmented at
// MTU 1500.
func buildSIPUDP(alice, fe synth.Endpoint) ([]byte, error) {
	c := newCall("UDP", alice, fe)
	msgs, fromAlice := c.callMessages()
	tl := newTimeline()
	for i, m := range msgs {
		src, dst, srcMAC, dstMAC := alice, fe, macClient, macFE
		if !fromAlice[i] {
			src, dst, srcMAC, dstMAC = fe, alice, macFE, macClient
		}
		var frames [][]byte
		for _, f := range synth.Fragment(synth.UDP(src, dst, m.bytes()), 1500) {
			frames = append(frames, synth.Ethernet(srcMAC, dstMAC, nil, f))
		}
		tl.add(sipSteps[i], frames...)
	}
	return tl.pcap(synth.LinkTypeEthernet)
}

// buildSIPUDP4 builds sip-udp-fragmented-invite.pcap (IPv4 fragments).
func buildSIPUDP4() ([]byte, error) { return buildSIPUDP(sipAlice4, sipFE4) }

// buildSIPUDP6 builds sip-udp6-fragmented-invite.pcap (IPv6 Fragment
// extension headers).
func buildSIPUDP6() ([]byte, error) { return buildSIPUDP(sipAlice6, sipFE6) }

// buildSIPTCP builds sip-tcp-segmented.pcap: the call over TCP 5060 with the
// INVITE split across four segments, 100 and the head of 183 in one
// segment, ACK and BYE packed in one segment,
// CRLF keep-alives (RFC 5626 §3.5.1) and a compact-form final 200.
func buildSIPTCP() ([]byte, error) {
	alice := ep("10.0.1.20:50420")
	c := newCall("TCP", alice, sipFE4)
	msgs, _ := c.callMessages()
	tl := newTimeline()
	conn := synth.NewTCPConn(alice, sipFE4, 0x51B0A000, 0x0FE00000)
	eth := func(p []byte) []byte {
		if srcAddr(p) == alice.Addr() {
			return synth.Ethernet(macClient, macFE, nil, p)
		}
		return synth.Ethernet(macFE, macClient, nil, p)
	}
	seg := func(step time.Duration, pkts ...[]byte) { tl.add(step, mapAll(eth, pkts)...) }
	fromA := func(step time.Duration, payload []byte, sizes ...int) {
		seg(step, conn.Send(alice, payload, sizes...)...)
	}
	fromFE := func(step time.Duration, payload []byte) { seg(step, conn.Send(sipFE4, payload)...) }

	seg(0, conn.SYN())
	seg(time.Millisecond, conn.SYNACK())
	seg(100*time.Microsecond, conn.ACK(alice))
	inv := msgs[0].bytes()
	q := len(inv) / 4
	fromA(time.Millisecond, inv, q, q, q, len(inv)-3*q)
	seg(20*time.Millisecond, conn.ACK(sipFE4))
	// 100 and the head of 183 share the first segment of one write.
	trying := msgs[1].bytes()
	seg(900*time.Millisecond, conn.Send(sipFE4, append(trying, msgs[2].bytes()...), len(trying)+1000)...)
	seg(200*time.Millisecond, conn.ACK(alice))
	fromA(time.Second, []byte("\r\n\r\n")) // keep-alive ping
	fromFE(2*time.Millisecond, []byte("\r\n"))
	for i := 3; i <= 6; i++ {
		if msgs[i].start[0] == 'S' {
			fromFE(sipSteps[i], msgs[i].bytes())
		} else {
			fromA(sipSteps[i], msgs[i].bytes())
		}
	}
	fromA(10*time.Second, []byte("\r\n\r\n"))
	fromFE(2*time.Millisecond, []byte("\r\n"))
	// The last ACK was held back and leaves together with the BYE.
	fromA(10*time.Second, append(msgs[7].bytes(), msgs[8].bytes()...))
	fromFE(sipSteps[9], msgs[9].bytes())
	seg(5*time.Millisecond, conn.FIN(alice))
	seg(time.Millisecond, conn.FIN(sipFE4))
	seg(100*time.Microsecond, conn.ACK(alice))
	return tl.pcap(synth.LinkTypeEthernet)
}
