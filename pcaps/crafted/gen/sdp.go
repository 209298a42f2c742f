package main

import (
	"fmt"
	"strings"
)

// candidate is one ICE candidate of an SDP media line.
type candidate struct {
	foundation string
	component  int
	transport  string // UDP, TCP-ACT or TCP-PASS (MS-REFERENCE §2.3)
	priority   uint32
	addr       string
	port       int
	typ        string
	raddr      string
	rport      int
}

// v19 renders the candidate in ICE v19 / RFC 5245 §15.1 grammar, with the
// trailing space Lync writes.
func (c candidate) v19() string {
	s := fmt.Sprintf("a=candidate:%s %d %s %d %s %d typ %s", c.foundation, c.component, c.transport, c.priority, c.addr, c.port, c.typ)
	if c.raddr != "" {
		s += fmt.Sprintf(" raddr %s rport %d", c.raddr, c.rport)
	}
	return s + " "
}

// draft06 renders the candidate in the ICE draft-06 grammar of MS-ICE v1
// (MS-REFERENCE §2.2): per-candidate base64 user name and password, q-value.
func (c candidate) draft06(user, pass string) string {
	q := "0.830"
	switch c.typ {
	case "relay":
		q = "0.410"
	case "srflx":
		q = "0.550"
	}
	tr := "UDP"
	if strings.HasPrefix(c.transport, "TCP") {
		tr = "TCP"
	}
	return fmt.Sprintf("a=candidate:%s %d %s %s %s %s %d", user, c.component, pass, tr, q, c.addr, c.port)
}

// media describes one m-line of a Lync SDP.
type media struct {
	kind, label string
	port        int
	formats     string
	rtpmaps     []string
	extra       []string
	ufrag, pwd  string
	cands       []candidate
	ipv6        []string // x-candidate-ipv6 lines
	remote      string   // a=remote-candidates value, re-INVITE only
}

// sdpV19 renders an ICE v19 (MS-ICE2) session description.
func sdpV19(origin, conn string, ms []media) string {
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=- 0 0 IN IP4 %s\r\ns=session\r\nc=IN IP4 %s\r\nb=CT:99980\r\nt=0 0\r\n", origin, conn)
	for _, m := range ms {
		fmt.Fprintf(&b, "m=%s %d RTP/SAVP %s\r\n", m.kind, m.port, m.formats)
		for _, e := range m.extra {
			b.WriteString(e + "\r\n")
		}
		fmt.Fprintf(&b, "a=label:%s\r\na=x-source:%s\r\na=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", m.label, m.label, m.ufrag, m.pwd)
		for _, c := range m.cands {
			b.WriteString(c.v19() + "\r\n")
		}
		for _, c := range m.ipv6 {
			b.WriteString("a=x-candidate-ipv6:" + c + "\r\n")
		}
		if m.remote != "" {
			b.WriteString("a=remote-candidates:" + m.remote + "\r\n")
		}
		b.WriteString("a=cryptoscale:1 client AES_CM_128_HMAC_SHA1_80 inline:cGhvbmVob21lLWV4YW1wbGUta2V5LTAwMDAwMDAx|2^31|1:1\r\n")
		b.WriteString("a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:cGhvbmVob21lLWV4YW1wbGUta2V5LTAwMDAwMDAy|2^31|1:1\r\n")
		for _, r := range m.rtpmaps {
			b.WriteString("a=rtpmap:" + r + "\r\n")
		}
	}
	return b.String()
}

// sdpDraft06 renders the ICE draft-06 (MS-ICE v1) fallback description of
// the ms-proxy-2007fallback part (MS-REFERENCE §2.1, §2.2).
func sdpDraft06(origin string, ms []media) string {
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=- 0 0 IN IP4 %s\r\ns=session\r\nc=IN IP4 %s\r\nb=CT:99980\r\nt=0 0\r\n", origin, origin)
	for i, m := range ms {
		fmt.Fprintf(&b, "m=%s %d RTP/AVP %s\r\n", m.kind, m.port, m.formats)
		for j, c := range m.cands {
			if c.transport != "UDP" || c.typ == "srflx" {
				continue // the fallback offer lists UDP host and relay only
			}
			user := fmt.Sprintf("%s%02d%02dQmFzZTY0VXNlcm5hbWVGcmFnbWVudA", m.label[:4], i, j)
			b.WriteString(c.draft06(user, "UGFzc3dvcmRGcmFnbWVudDE") + "\r\n")
		}
		for _, r := range m.rtpmaps {
			b.WriteString("a=rtpmap:" + r + "\r\n")
		}
	}
	return b.String()
}

// Media lines of the Lync call between alice (caller, 10.0.1.20, behind the
// NAT 198.51.100.7, relayed by the A/V Edge 203.0.113.10) and bob (remote
// user at 192.168.1.50 behind 192.0.2.50).
var (
	audioRTP = []string{"114 x-msrta/16000", "9 G722/8000", "0 PCMU/8000", "8 PCMA/8000", "101 telephone-event/8000", "13 CN/8000"}
	videoRTP = []string{"122 X-H264UC/90000", "121 x-rtvc1/90000", "123 x-ulpfecuc/90000"}
	audioExt = []string{"a=x-ssrc-range:1330447912-1330447912", "a=rtcp-fb:* x-message app send:dsh recv:dsh", "a=rtcp-rsize", "a=x-devicecaps:audio:send,recv;video:send,recv"}
	videoExt = []string{"a=x-ssrc-range:1330447913-1330448012", "a=rtcp-fb:* x-message app send:src,x-pli recv:src,x-pli", "a=x-mediabw:main-video send=4000;recv=4000", "a=x-caps:121 263:1920:1080:30.0:2000000:1;4359:1280:720:30.0:1500000:1"}
)

// aliceMedia returns alice's audio and video offers with host, srflx,
// TCP-PASS/TCP-ACT host and relay candidates and x-candidate-ipv6 lines.
func aliceMedia() []media {
	mk := func(kind, label string, base int, formats string, rtp, ext []string) media {
		var cs []candidate
		for comp := 1; comp <= 2; comp++ {
			d := comp - 1
			cs = append(cs,
				candidate{"1", comp, "UDP", 2130706431 - uint32(d)*513, "10.0.1.20", base + d, "host", "", 0},
				candidate{"2", comp, "TCP-PASS", 174455807 - uint32(d)*513, "203.0.113.10", 53010 + base%100 + d, "relay", "198.51.100.7", 50288 + d},
				candidate{"2", comp, "UDP", 184547839 - uint32(d)*513, "203.0.113.10", 52000 + base%100 + d, "relay", "198.51.100.7", 50123 + d},
				candidate{"3", comp, "UDP", 1694498815 - uint32(d)*513, "198.51.100.7", 50123 + base%100 + d, "srflx", "10.0.1.20", base + d},
				candidate{"4", comp, "TCP-ACT", 174847999 - uint32(d)*513, "203.0.113.10", 53010 + base%100 + d, "relay", "198.51.100.7", 50288 + d},
			)
		}
		return media{kind: kind, label: label, port: base, formats: formats, rtpmaps: rtp, extra: ext,
			ufrag: aliceICE.ufrag, pwd: aliceICE.pwd, cands: cs,
			ipv6: []string{fmt.Sprintf("6 1 UDP 33553407 2001:db8:1::20 %d typ host", base+2), fmt.Sprintf("6 2 UDP 33552894 2001:db8:1::20 %d typ host", base+3)}}
	}
	return []media{
		mk("audio", "main-audio", 50000, "114 9 0 8 101 13", audioRTP, audioExt),
		mk("video", "main-video", 50010, "122 121 123", videoRTP, videoExt),
	}
}

// bobMedia returns bob's answer candidates: host, srflx and relay.
func bobMedia() []media {
	mk := func(kind, label string, base int, formats string, rtp, ext []string) media {
		var cs []candidate
		for comp := 1; comp <= 2; comp++ {
			d := comp - 1
			cs = append(cs,
				candidate{"1", comp, "UDP", 2130706431 - uint32(d)*513, "192.168.1.50", base + d, "host", "", 0},
				candidate{"2", comp, "UDP", 1694498815 - uint32(d)*513, "192.0.2.50", base + d, "srflx", "192.168.1.50", base + d},
				candidate{"3", comp, "UDP", 184547839 - uint32(d)*513, "203.0.113.10", 52100 + base%100 + d, "relay", "192.0.2.50", base + d},
			)
		}
		return media{kind: kind, label: label, port: base, formats: formats, rtpmaps: rtp, extra: ext,
			ufrag: bobICE.ufrag, pwd: bobICE.pwd, cands: cs}
	}
	return []media{
		mk("audio", "main-audio", 50010, "114 9 0 8 101 13", audioRTP, audioExt),
		mk("video", "main-video", 50020, "122 121 123", videoRTP, videoExt),
	}
}

// aliceSelected returns the re-INVITE media: only alice's relay candidate of
// the selected pair and a=remote-candidates naming bob's srflx candidate
// (MS-REFERENCE §2.5).
func aliceSelected() []media {
	full := aliceMedia()
	for i := range full {
		var keep []candidate
		for _, c := range full[i].cands {
			if c.typ == "relay" && c.transport == "UDP" {
				keep = append(keep, c)
			}
		}
		full[i].cands, full[i].ipv6 = keep, nil
		full[i].port = keep[0].port
		bob := 50010 + 10*i
		full[i].remote = fmt.Sprintf("1 192.0.2.50 %d 2 192.0.2.50 %d", bob, bob+1)
	}
	return full
}
