package ua

import (
	"slices"
	"strings"
	"testing"
)

// msOffer is the multipart/alternative body of alice's INVITE in
// captures/ms-relay-udp/alice-lan.pcap, frame 9.
const msOffer = "" +
	"------=_NextPart_000_icediag_lab\r\n" +
	"Content-Type: application/sdp\r\n" +
	"Content-Transfer-Encoding: 7bit\r\n" +
	"Content-Disposition: session; handling=optional; ms-proxy-2007fallback\r\n" +
	"\r\n" +
	"v=0\r\n" +
	"o=- 1795298524 0 IN IP4 203.0.113.10\r\n" +
	"s=session\r\n" +
	"c=IN IP4 203.0.113.10\r\n" +
	"b=CT:99980\r\n" +
	"t=0 0\r\n" +
	"m=audio 50001 RTP/AVP 0 101\r\n" +
	"a=candidate:Jn3KLo6wS4dJZX3R2GwsATx90qUYqgot6GW2UoZ/wjI 1 LOiN/Kz0gh+7MHaH0CWhNg UDP 0.830 10.1.0.11 40006\r\n" +
	"a=candidate:P7pJK1FqP/8jb6N4YGryo9a+6PLYbIA9wPD9GW6dXLw 1 fUtP/odpz9Ccbx9SDzF/gQ UDP 0.410 203.0.113.10 50001\r\n" +
	"a=sendrecv\r\n" +
	"a=rtpmap:0 PCMU/8000\r\n" +
	"\r\n" +
	"------=_NextPart_000_icediag_lab\r\n" +
	"Content-Type: application/sdp\r\n" +
	"Content-Transfer-Encoding: 7bit\r\n" +
	"Content-Disposition: session; handling=optional\r\n" +
	"\r\n" +
	"v=0\r\n" +
	"o=- 1795298524 0 IN IP4 203.0.113.10\r\n" +
	"s=session\r\n" +
	"c=IN IP4 203.0.113.10\r\n" +
	"b=CT:99980\r\n" +
	"t=0 0\r\n" +
	"m=audio 50001 RTP/AVP 0 101\r\n" +
	"a=ice-ufrag:aXoZFLlcsFYgMooE\r\n" +
	"a=ice-pwd:oFWaZwcIMejVQqvrMeGhGrKWOtWIVLrF\r\n" +
	"a=candidate:1 1 UDP 2130706431 10.1.0.11 40006 typ host\r\n" +
	"a=candidate:2 1 UDP 184547839 203.0.113.10 50001 typ relay raddr 198.51.100.11 rport 64428\r\n" +
	"a=label:main-audio\r\n" +
	"a=sendrecv\r\n" +
	"a=rtpmap:0 PCMU/8000\r\n" +
	"a=rtpmap:101 telephone-event/8000\r\n" +
	"\r\n" +
	"------=_NextPart_000_icediag_lab--\r\n" +
	""

const msContentType = `multipart/alternative;boundary="----=_NextPart_000_icediag_lab"`

func TestV19Part(t *testing.T) {
	tests := []struct {
		name, ct, body string
		ufrag          string
		cands          int
	}{
		{"multipart picks the part without ms-proxy-2007fallback", msContentType, msOffer, "aXoZFLlcsFYgMooE", 2},
		{"single part is returned as is", "application/sdp", answer, "KNYrzbeeSRtMsTak", 4},
		{"unknown boundary", `multipart/alternative;boundary="x"`, msOffer, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, _ := ParseOffer(V19Part(tt.ct, []byte(tt.body)))
			if o.Ufrag != tt.ufrag || len(o.Candidates) != tt.cands {
				t.Errorf("ParseOffer(V19Part(%q)) = ufrag %q, %d candidates; want %q, %d", tt.ct, o.Ufrag, len(o.Candidates), tt.ufrag, tt.cands)
			}
		})
	}
}

func TestMSCandidates(t *testing.T) {
	pion := []string{
		"2363585472 1 udp 2130706431 10.1.0.11 40006 typ host ufrag aXoZFLlcsFYgMooE generation 0",
		"2997267596 1 udp 184547839 203.0.113.10 50001 typ relay raddr 198.51.100.11 rport 64428 ufrag aXoZFLlcsFYgMooE generation 0",
		"1052353102 1 tcp 1671430143 10.1.0.11 9 typ host tcptype active",
		"1052353103 1 tcp 1671430143 10.1.0.11 40007 typ host tcptype passive",
		"1052353104 1 tcp 1671430143 10.1.0.11 40008 typ host tcptype so",
	}
	want := []string{
		"1 1 UDP 2130706431 10.1.0.11 40006 typ host",
		"2 1 UDP 184547839 203.0.113.10 50001 typ relay raddr 198.51.100.11 rport 64428",
		"3 1 TCP-ACT 1671430143 10.1.0.11 9 typ host",
		"4 1 TCP-PASS 1671430143 10.1.0.11 40007 typ host",
	}
	if got := MSCandidates(pion); !slices.Equal(got, want) {
		t.Errorf("MSCandidates(%q) = %q, want %q", pion, got, want)
	}
	back := map[string]string{
		want[0]: "1 1 udp 2130706431 10.1.0.11 40006 typ host",
		want[2]: "3 1 tcp 1671430143 10.1.0.11 9 typ host tcptype active",
		want[3]: "4 1 tcp 1671430143 10.1.0.11 40007 typ host tcptype passive",
		"short": "short",
	}
	for in, w := range back {
		if got := FromMSCandidate(in); got != w {
			t.Errorf("FromMSCandidate(%q) = %q, want %q", in, got, w)
		}
	}
}

func FuzzV19Part(f *testing.F) {
	f.Add(msContentType, []byte(msOffer))
	f.Add("application/sdp", []byte(answer))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		part := V19Part(ct, body)
		o, err := ParseOffer(part)
		if err != nil {
			return
		}
		for _, c := range MSCandidates(o.Candidates) {
			_ = FromMSCandidate(c)
		}
	})
}

// Candidate lines of captures/slow-ice: pion's passive TCP and IPv6 host
// candidates as alice gathered them, and the MS-ICE2 lines in the form her
// INVITE carried them (alice-lan.pcap, the first INVITE; there the relay
// line comes second, so the foundation numbers differ).
func TestMSCandidatesTCPAndIPv6(t *testing.T) {
	pion := []string{
		"2363585472 1 udp 2130706431 10.1.0.11 40071 typ host ufrag tqhUszDMfwavnIkz generation 0",
		"823263776 1 tcp 1671430143 10.1.0.11 40099 typ host tcptype passive ufrag tqhUszDMfwavnIkz generation 0",
		"539399531 1 udp 2130706431 fd00:1::11 40041 typ host ufrag tqhUszDMfwavnIkz generation 0",
	}
	want := []string{
		"1 1 UDP 2130706431 10.1.0.11 40071 typ host",
		"2 1 TCP-PASS 1671430143 10.1.0.11 40099 typ host",
		"3 1 TCP-ACT 1675624447 10.1.0.11 9 typ host",
		"4 1 UDP 33553407 fd00:1::11 40041 typ host",
	}
	got := MSCandidates(withActiveTCP(pion))
	if !slices.Equal(got, want) {
		t.Errorf("MSCandidates(withActiveTCP(%q)) = %q, want %q", pion, got, want)
	}
	attrs := []string{"candidate", "candidate", "candidate", "x-candidate-ipv6"}
	for i, line := range want {
		if a := msCandidateAttr(line); a != attrs[i] {
			t.Errorf("msCandidateAttr(%q) = %q, want %q", line, a, attrs[i])
		}
	}
	body := msV19(Offer{Addr: "10.1.0.11", Port: 40071, Ufrag: "u", Pwd: "p", Candidates: withActiveTCP(pion)}, 1)
	o, err := ParseOffer(body)
	if err != nil {
		t.Fatalf("ParseOffer(msV19) error = %v", err)
	}
	if !slices.Equal(o.Candidates, want) {
		t.Errorf("ParseOffer(msV19).Candidates = %q, want %q (x-candidate-ipv6 lines read back)", o.Candidates, want)
	}
	if d := msDraft06(Offer{Candidates: pion}, 1); strings.Contains(string(d), "fd00") || strings.Contains(string(d), "40099") {
		t.Errorf("msDraft06 carries IPv6 or TCP candidates:\n%s", d)
	}
}
