package main

import (
	"bytes"
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// buildSLL2 builds sll2-stun.pcap, what `tcpdump -i any` writes on alice's
// Linux host: direct host-to-host MS-ICE2 checks with legacy duplicates and
// responses in both directions, then RTP and RTCP.
func buildSLL2() ([]byte, error) {
	a, b := ep("10.0.1.20:50000"), ep("10.0.2.30:50010")
	tl := newTimeline()
	pkt := func(step time.Duration, src, dst synth.Endpoint, payload []byte) {
		typ := uint8(synth.PacketHost)
		if src == a {
			typ = synth.PacketOutgoing
		}
		tl.add(step, synth.SLL2(synth.UDP(src, dst, payload), 2, typ))
	}
	req, dup, id := checkPair("sll2-1", aliceICE, bobICE, 2130706431, false)
	pkt(0, a, b, req)
	pkt(time.Millisecond, a, b, dup)
	pkt(4*time.Millisecond, b, a, checkResponse(id, bobICE, a))
	req, id = check("sll2-2", bobICE, aliceICE, 2130706431, false, false)
	pkt(3*time.Millisecond, b, a, req)
	pkt(500*time.Microsecond, a, b, checkResponse(id, aliceICE, b))
	req, id = check("sll2-3", aliceICE, bobICE, 2130706431, true, false)
	pkt(20*time.Millisecond, a, b, req)
	pkt(4*time.Millisecond, b, a, checkResponse(id, bobICE, a))

	out := &rtpStream{pt: 114, ssrc: 0x4F4C5902, seq: 1, ts: 0, tsStep: 320, payload: 60}
	in := &rtpStream{pt: 114, ssrc: 0x0B0B0003, seq: 1, ts: 0, tsStep: 320, payload: 60}
	for range 20 {
		pkt(20*time.Millisecond, a, b, out.next())
		pkt(time.Millisecond, b, a, in.next())
	}
	rtcpA, rtcpB := ep("10.0.1.20:50001"), ep("10.0.2.30:50011")
	pkt(5*time.Millisecond, rtcpA, rtcpB, synth.RTCPSenderReport(out.ssrc, tl.now, out.ts, out.sent, out.sent*60, "alice@example.com"))
	pkt(time.Millisecond, rtcpB, rtcpA, synth.RTCPSenderReport(in.ssrc, tl.now, in.ts, in.sent, in.sent*60, "bob@example.com"))
	return tl.pcap(synth.LinkTypeLinuxSLL2)
}

// Endpoints of the two-interface Edge capture: an internal client, the Edge
// internal NIC (VLAN 20), the Edge external NIC with its relay port, and an
// external peer.
var (
	intClient  = ep("172.16.5.20:50000")
	edgeInt    = ep("172.16.0.10:3478")
	edgeRelay  = ep("203.0.113.10:52010")
	extPeer    = ep("198.51.100.7:50123")
	edgeVLAN   = uint16(20)
	ifInternal = 0
	ifExternal = 1
)

// buildTwoInterfaces builds two-interfaces.pcapng on the A/V Edge: section 1
// holds the allocation and one relayed session seen on both NICs at once
// (Send requests on the internal leg leave the external NIC as plain UDP
// from the relay port; plain UDP arriving there goes back as Data
// Indications); section 2 repeats the interfaces and holds the
// deallocation.
func buildTwoInterfaces() ([]byte, error) {
	s := newEdgeSession("edge-two-nics", true, edgeInt, edgeRelay, intClient)
	ifaces := []synth.Interface{
		{Name: "eth0.20", Description: "Edge internal 172.16.0.10 (802.1Q VLAN 20)", LinkType: synth.LinkTypeEthernet},
		{Name: "eth1", Description: "Edge external 203.0.113.10", LinkType: synth.LinkTypeLinuxSLL},
	}
	tl := newTimeline()
	internal := func(step time.Duration, src, dst synth.Endpoint, payload []byte) {
		srcMAC, dstMAC := macClient, macEdgeInt
		if src == edgeInt {
			srcMAC, dstMAC = macEdgeInt, macClient
		}
		tl.addOn(ifInternal, step, synth.Ethernet(srcMAC, dstMAC, []uint16{edgeVLAN}, synth.UDP(src, dst, payload)))
	}
	external := func(step time.Duration, src, dst synth.Endpoint, payload []byte) {
		typ := uint16(synth.PacketHost)
		if src == edgeRelay {
			typ = synth.PacketOutgoing
		}
		tl.addOn(ifExternal, step, synth.SLL(synth.UDP(src, dst, payload), typ))
	}
	req, resp := s.allocateNoAuth()
	internal(0, intClient, edgeInt, req)
	internal(time.Millisecond, edgeInt, intClient, resp)
	req, resp = s.allocateAuth(synth.MSStreamAudio)
	internal(2*time.Millisecond, intClient, edgeInt, req)
	internal(2*time.Millisecond, edgeInt, intClient, resp)

	chk, id := check("edge-check-1", aliceICE, bobICE, 184547839, true, false)
	internal(10*time.Millisecond, intClient, edgeInt, s.send(extPeer, chk))
	external(300*time.Microsecond, edgeRelay, extPeer, chk)
	rsp := checkResponse(id, bobICE, edgeRelay)
	external(30*time.Millisecond, extPeer, edgeRelay, rsp)
	internal(300*time.Microsecond, edgeInt, intClient, s.dataIndication(extPeer, rsp))

	out := &rtpStream{pt: 0, ssrc: 0x4F4C5903, seq: 10, ts: 0, tsStep: 160, payload: 160}
	in := &rtpStream{pt: 0, ssrc: 0x0B0B0004, seq: 20, ts: 0, tsStep: 160, payload: 160}
	for range 10 {
		p := out.next()
		internal(20*time.Millisecond, intClient, edgeInt, s.send(extPeer, p))
		external(200*time.Microsecond, edgeRelay, extPeer, p)
		p = in.next()
		external(5*time.Millisecond, extPeer, edgeRelay, p)
		internal(200*time.Microsecond, edgeInt, intClient, s.dataIndication(extPeer, p))
	}
	first := synth.Section{Hardware: "x86_64", OS: "Windows Server 2019", Application: "icediag crafted-capture generator",
		Comment: "A/V Edge: internal and external legs of one relayed session", Interfaces: ifaces, Frames: tl.frames}

	tl = &timeline{now: tl.now}
	req, resp = s.deallocate()
	internal(2*time.Second, intClient, edgeInt, req)
	internal(time.Millisecond, edgeInt, intClient, resp)
	second := synth.Section{Hardware: "x86_64", OS: "Windows Server 2019", Application: "icediag crafted-capture generator",
		Comment: "second section: the allocation is released", Interfaces: ifaces, Frames: tl.frames}
	var buf bytes.Buffer
	err := synth.WritePcapNG(&buf, first, second)
	return buf.Bytes(), err
}
