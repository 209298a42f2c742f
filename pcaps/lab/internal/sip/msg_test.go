package sip

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// invite is the INVITE of captures/srflx-eim/alice-lan.pcap, frame 12.
const invite = "INVITE sip:bob@lab.example SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 10.1.0.11:5060;branch=z9hG4bK2ea8b170532f53a4;rport\r\n" +
	"Max-Forwards: 70\r\n" +
	"From: <sip:alice@lab.example>;tag=a1483f61\r\n" +
	"To: <sip:bob@lab.example>\r\n" +
	"Call-ID: 15bd180d93cd2743f8ff0e9b@lab.example\r\n" +
	"CSeq: 1 INVITE\r\n" +
	"Contact: <sip:alice@10.1.0.11:5060;transport=udp>\r\n" +
	"User-Agent: icediag-lab/1 pion-ice/v4\r\n" +
	"Content-Type: application/sdp\r\n" +
	"Content-Length: 726\r\n" +
	"\r\n" +
	"v=0\r\n" +
	"o=- 1795296058 1 IN IP4 203.0.113.10\r\n" +
	"s=icediag lab call\r\n" +
	"c=IN IP4 203.0.113.10\r\n" +
	"t=0 0\r\n" +
	"m=audio 58559 RTP/AVP 0\r\n" +
	"a=rtpmap:0 PCMU/8000\r\n" +
	"a=ice-ufrag:PoqKSqRIKQCPguQt\r\n" +
	"a=ice-pwd:aWdyZdpbLBUImEEFspJXGUhEZgAkSCHy\r\n" +
	"a=candidate:2363585472 1 udp 2130706431 10.1.0.11 40012 typ host ufrag PoqKSqRIKQCPguQt generation 0\r\n" +
	"a=candidate:1668245948 1 udp 1694498815 198.51.100.11 40032 typ srflx raddr 10.1.0.11 rport 40032 ufrag PoqKSqRIKQCPguQt generation 0\r\n" +
	"a=candidate:1668245948 1 udp 1694498815 198.51.100.11 40025 typ srflx raddr 10.1.0.11 rport 40025 ufrag PoqKSqRIKQCPguQt generation 0\r\n" +
	"a=candidate:2997267596 1 udp 1023 203.0.113.10 58559 typ relay raddr 10.1.0.11 rport 41997 ufrag PoqKSqRIKQCPguQt generation 0\r\n" +
	"a=sendrecv\r\n"

func TestParse(t *testing.T) {
	tests := []struct {
		name, in             string
		method, callID, body string
		status               int
		err                  error
	}{
		{name: "invite", in: invite, method: "INVITE", callID: "15bd180d93cd2743f8ff0e9b@lab.example", body: invite[strings.Index(invite, "\r\n\r\n")+4:]},
		{name: "response", in: "SIP/2.0 180 Ringing\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n", status: 180, callID: "x"},
		{name: "compact", in: "BYE sip:a@b SIP/2.0\r\ni: c1\r\nl: 2\r\n\r\nab", method: "BYE", callID: "c1", body: "ab"},
		{name: "keep-alive first", in: "\r\n\r\nACK sip:a@b SIP/2.0\r\ni: k\r\n\r\n", method: "ACK", callID: "k"},
		{name: "no length", in: "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: n\r\n\r\n", method: "OPTIONS", callID: "n"},
		{name: "short body", in: "INFO sip:a@b SIP/2.0\r\nContent-Length: 9\r\n\r\nab", err: ErrMalformed},
		{name: "negative length", in: "INFO sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n", err: ErrMalformed},
		{name: "bad status", in: "SIP/2.0 99 Odd\r\n\r\n", err: ErrMalformed},
		{name: "no colon", in: "INFO sip:a@b SIP/2.0\r\nbroken\r\n\r\n", err: ErrMalformed},
		{name: "not sip", in: "GET / HTTP/1.1\r\n\r\n", err: ErrMalformed},
		{name: "no end of headers", in: "INFO sip:a@b SIP/2.0\r\nCall-ID: x\r\n", err: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.in))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.in, err)
			}
			if m.Method != tt.method || m.Status != tt.status || m.Get("call-id") != tt.callID || string(m.Body) != tt.body {
				t.Errorf("Parse(%q) = %q %d %q %q, want %q %d %q %q", tt.in, m.Method, m.Status, m.Get("Call-ID"), m.Body,
					tt.method, tt.status, tt.callID, tt.body)
			}
		})
	}
}

func TestBytesRoundTrip(t *testing.T) {
	m, err := Parse([]byte(invite))
	if err != nil {
		t.Fatal(err)
	}
	m.Body = []byte("v=0\r\no=- 1 1 IN IP4 10.1.0.11\r\n")
	again, err := Parse(m.Bytes())
	if err != nil {
		t.Fatalf("Parse(Bytes()) error = %v", err)
	}
	if string(again.Body) != string(m.Body) || again.Get("CSeq") != "1 INVITE" {
		t.Errorf("Parse(Bytes()) = %q %q, want %q %q", again.Body, again.Get("CSeq"), m.Body, "1 INVITE")
	}
}

func TestParamAndUser(t *testing.T) {
	tests := []struct{ value, param, want, user string }{
		{"SIP/2.0/UDP 10.1.0.11:5060;branch=z9hG4bKa;rport=5060", "rport", "5060", ""},
		{"<sip:alice@lab.example>;tag=6a0f", "tag", "6a0f", "alice"},
		{"sip:bob@10.2.0.12:5060;transport=udp", "transport", "udp", "bob"},
		{"sip:lab.example", "tag", "", ""},
	}
	for _, tt := range tests {
		if got := Param(tt.value, tt.param); got != tt.want {
			t.Errorf("Param(%q, %q) = %q, want %q", tt.value, tt.param, got, tt.want)
		}
		if tt.user != "" || tt.param == "tag" {
			if got := URIUser(tt.value); got != tt.user {
				t.Errorf("URIUser(%q) = %q, want %q", tt.value, got, tt.user)
			}
		}
	}
}

func TestViaFlow(t *testing.T) {
	tests := []struct {
		via  string
		want flow
		ok   bool
	}{
		{"SIP/2.0/UDP 10.1.0.11:5060;branch=z9hG4bKa;received=198.51.100.11;rport=40001",
			flow{UDP, netip.MustParseAddrPort("198.51.100.11:40001")}, true},
		{"SIP/2.0/TCP 10.2.0.12:5060;branch=z9hG4bKb", flow{TCP, netip.MustParseAddrPort("10.2.0.12:5060")}, true},
		{"SIP/2.0/UDP host.example;branch=z9hG4bKc", flow{}, false},
		{"garbage", flow{}, false},
	}
	for _, tt := range tests {
		got, ok := viaFlow(tt.via)
		if got != tt.want || ok != tt.ok {
			t.Errorf("viaFlow(%q) = %v, %v, want %v, %v", tt.via, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMarkReceived(t *testing.T) {
	m, _ := Parse([]byte(invite))
	markReceived(m, netip.MustParseAddrPort("198.51.100.11:5060"))
	f, ok := viaFlow(m.Get("Via"))
	if !ok || f.addr != netip.MustParseAddrPort("198.51.100.11:5060") {
		t.Errorf("viaFlow(markReceived(Via)) = %v, %v, want 198.51.100.11:5060", f, ok)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(invite))
	f.Add([]byte("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bKx\r\nl: 0\r\n\r\n"))
	f.Add([]byte("\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		if _, err := Parse(m.Bytes()); err != nil {
			t.Fatalf("Parse(Bytes()) of a parsed message: %v", err)
		}
		_, _ = viaFlow(m.Get("Via"))
		_ = URIUser(m.URI)
	})
}
