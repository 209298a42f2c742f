package sipflow

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readSDP loads a fixture from testdata/sdp (provenance in its README.md).
func readSDP(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sdp", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return b
}

// mustParseSDP parses a fixture and fails the test on error.
func mustParseSDP(t *testing.T, name string) *SessionDesc {
	t.Helper()
	sd, err := ParseSDP(readSDP(t, name))
	if err != nil {
		t.Fatalf("ParseSDP(%s) error %v", name, err)
	}
	return sd
}

func TestParseSDPCaptures(t *testing.T) {
	tests := []struct {
		file    string
		form    ICEForm
		lenient bool
		media   MediaDesc // compared field by field below, Candidates by count
		ncands  int
	}{
		{"heplify__sip_tcp_websocket_frame11.sdp", ICEFormRFC5245, false, MediaDesc{Type: "audio", Mid: "audio", Port: 55695,
			NumPorts: 1, Proto: "UDP/TLS/RTP/SAVPF", ConnAddr: "69.17.142.250", ICEUfrag: "BwhA", ICEPwd: "rVbL92yga1wmglK0q5scQV9A",
			RTCP: "9 IN IP4 0.0.0.0", RTCPMux: true, DTLSFingerprint: true, Direction: "sendrecv"}, 3},
		{"heplify__sip_tcp_websocket_frame30.sdp", ICEFormNone, false, MediaDesc{Type: "audio", Port: 63868, NumPorts: 1,
			Proto: "RTP/AVP", ConnAddr: "206.147.76.23", Direction: "sendrecv"}, 0},
		{"wireshark-samples__Asterisk_ZFONE_XLITE_frame15.sdp", ICEFormRFC5245, false, MediaDesc{Type: "audio", Port: 64508,
			NumPorts: 1, Proto: "RTP/AVP", ConnAddr: "192.168.10.41", ICEUfrag: "64f1a0", ICEPwd: "6c3a6e332f19287d6887564731372ec9",
			Direction: "sendrecv"}, 2},
		{"wireshark-samples__Asterisk_ZFONE_XLITE_frame23.sdp", ICEFormNone, false, MediaDesc{Type: "audio", Port: 49848,
			NumPorts: 1, Proto: "RTP/AVP", ConnAddr: "192.168.10.40", Direction: "sendrecv"}, 0},
		{"sngrep__ipv6frag_frame2.sdp", ICEFormNone, false, MediaDesc{Type: "audio", Port: 15062, NumPorts: 1,
			Proto: "RTP/AVP", ConnAddr: "fd17:625c:f037:2:a00:27ff:feb9:1521", Direction: "sendrecv"}, 0},
		{"ntop-nDPI__FAX-Call-t38-CA-TDM-SIP-FB-1_frame23.sdp", ICEFormNone, false, MediaDesc{Type: "audio", Port: 16756,
			NumPorts: 1, Proto: "RTP/AVP", ConnAddr: "10.23.1.52", Direction: "sendrecv"}, 0},
		{"ntop-nDPI__FAX-Call-t38-CA-TDM-SIP-FB-1_frame1394.sdp", ICEFormNone, true, MediaDesc{Type: "image", Port: 16756,
			NumPorts: 1, Proto: "udptl", ConnAddr: "10.23.1.52", Direction: "sendrecv"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			sd := mustParseSDP(t, tt.file)
			if sd.ICEForm != tt.form || sd.Lenient != tt.lenient || len(sd.Media) != 1 {
				t.Fatalf("ParseSDP(%s) = form %v lenient %v %d media, want %v %v 1", tt.file, sd.ICEForm, sd.Lenient, len(sd.Media), tt.form, tt.lenient)
			}
			got := sd.Media[0]
			if len(got.Candidates) != tt.ncands {
				t.Errorf("ParseSDP(%s) candidates = %q, want %d", tt.file, got.Candidates, tt.ncands)
			}
			got.Candidates, got.Formats = nil, nil
			if !reflect.DeepEqual(got, tt.media) {
				t.Errorf("ParseSDP(%s) media =\n%+v, want\n%+v", tt.file, got, tt.media)
			}
		})
	}
}

func TestParseSDPWebRTCCandidates(t *testing.T) {
	sd := mustParseSDP(t, "heplify__sip_tcp_websocket_frame11.sdp")
	want := []string{
		"candidate:3826373926 1 udp 2122260223 10.10.24.139 55695 typ host generation 0 network-id 1 network-cost 10",
		"candidate:302099698 1 udp 1686052607 69.17.142.250 55695 typ srflx raddr 10.10.24.139 rport 55695 generation 0 network-id 1 network-cost 10",
		"candidate:2861705686 1 tcp 1518280447 10.10.24.139 9 typ host tcptype active generation 0 network-id 1 network-cost 10",
	}
	if got := sd.Media[0].Candidates; !reflect.DeepEqual(got, want) {
		t.Errorf("ParseSDP(websocket INVITE) candidates = %q, want %q", got, want)
	}
	if sd.Origin != "- 5857782044904022261 2 IN IP4 127.0.0.1" || len(sd.Media[0].Formats) != 13 {
		t.Errorf("ParseSDP(websocket INVITE) origin %q formats %v", sd.Origin, sd.Media[0].Formats)
	}
}

func TestParseSDPLyncV19(t *testing.T) {
	sd := mustParseSDP(t, "lync_v19_part.sdp")
	if sd.ICEForm != ICEFormRFC5245 || sd.Lenient || len(sd.Media) != 2 || len(sd.Deviations) != 0 {
		t.Fatalf("ParseSDP(lync v19) = form %v lenient %v media %d deviations %q", sd.ICEForm, sd.Lenient, len(sd.Media), sd.Deviations)
	}
	a, v := sd.Media[0], sd.Media[1]
	checks := []struct {
		what      string
		got, want any
	}{
		{"audio label", a.Label, "main-audio"},
		{"audio ufrag", a.ICEUfrag, "M+7x"},
		{"audio pwd", a.ICEPwd, "iqMvxVs03gM/jyhb9feLQ466"},
		{"audio candidates", len(a.Candidates), 8},
		{"TCP-PASS line", a.Candidates[2], "candidate:2 1 TCP-PASS 174455807 203.0.113.20 59162 typ relay raddr 198.51.100.7 rport 50011"},
		{"x-candidate-ipv6 line", a.Candidates[7], "x-candidate-ipv6:6 1 UDP 33553407 2001:0:5ef5:79fd:34b2:244d:fa66:7cf9 2936 typ host"},
		{"audio ssrc range", a.SSRCRange, "1330447912-1330447912"},
		{"audio rtcp", a.RTCP, "31849"},
		{"audio crypto", a.Crypto, true},
		{"audio dtls", a.DTLSFingerprint, false},
		{"audio conn", a.ConnAddr, "192.168.66.57"},
		{"audio proto", a.Proto, "RTP/SAVP"},
		{"video label from x-source order", v.Label, "main-video"},
		{"video ufrag", v.ICEUfrag, "Kq2v"},
		{"video ssrc range", v.SSRCRange, "1330447913-1330448012"},
		{"video direction", v.Direction, "sendonly"},
		{"video crypto (cryptoscale only)", v.Crypto, true},
		{"video candidates", len(v.Candidates), 2},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("ParseSDP(lync v19) %s = %v, want %v", c.what, c.got, c.want)
		}
	}
}

func TestParseSDPLyncDraft6(t *testing.T) {
	sd := mustParseSDP(t, "lync_draft6_part.sdp")
	if sd.ICEForm != ICEFormDraft6 || len(sd.Media) != 1 {
		t.Fatalf("ParseSDP(lync draft-06) = form %v, %d media", sd.ICEForm, len(sd.Media))
	}
	m := sd.Media[0]
	if len(m.Candidates) != 5 || m.ICEUfrag != "" || !m.Crypto {
		t.Errorf("ParseSDP(lync draft-06) media = %d candidates, ufrag %q, crypto %v; want 5, \"\", true", len(m.Candidates), m.ICEUfrag, m.Crypto)
	}
	want := "candidate:6vKd2zNCBL2m3hRRa5FJ6SUFpTOQaXGVT0hY/7oEh0E 1 Q8rsbWbMPpGwjKYBkHq3Bg UDP 0.410 203.0.113.20 56128"
	if m.Candidates[2] != want {
		t.Errorf("ParseSDP(lync draft-06) candidate 3 = %q, want %q", m.Candidates[2], want)
	}
}

func TestParseSDPRemoteCandidates(t *testing.T) {
	sd := mustParseSDP(t, "lync_reinvite_remote_candidates.sdp")
	m := sd.Media[0]
	if m.RemoteCandidates != "1 198.51.100.44 50040 2 198.51.100.44 50041" || m.ConnAddr != "203.0.113.20" {
		t.Errorf("ParseSDP(re-INVITE) remote-candidates %q conn %q", m.RemoteCandidates, m.ConnAddr)
	}
	draft := []byte("v=0\r\no=- 0 0 IN IP4 10.0.0.1\r\ns=session\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n" +
		"a=remote-candidate:d5lFvGToRDKh/UhyFNN9rharqthzUrF2FIRP+boPcnE\r\n")
	sd, err := ParseSDP(draft)
	if err != nil || sd.Media[0].RemoteUsername != "d5lFvGToRDKh/UhyFNN9rharqthzUrF2FIRP+boPcnE" {
		t.Errorf("ParseSDP(draft-06 re-INVITE) = %+v, %v", sd, err)
	}
}

func TestParseSDPPart(t *testing.T) {
	v19, d6 := readSDP(t, "lync_v19_part.sdp"), readSDP(t, "lync_draft6_part.sdp")
	tests := []struct {
		name     string
		body     []byte
		fallback bool
		form     ICEForm
		deviates bool
	}{
		{"draft-06 part marked fallback", d6, true, ICEFormDraft6, false},
		{"v19 part unmarked", v19, false, ICEFormRFC5245, false},
		{"v19 part marked fallback", v19, true, ICEFormRFC5245, true},
		{"draft-06 part unmarked", d6, false, ICEFormDraft6, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sd, err := ParseSDPPart(tt.body, tt.fallback)
			if err != nil {
				t.Fatalf("ParseSDPPart error %v", err)
			}
			if sd.Fallback != tt.fallback || sd.ICEForm != tt.form || (len(sd.Deviations) > 0) != tt.deviates {
				t.Errorf("ParseSDPPart(%s) = fallback %v form %v deviations %q, want %v %v deviates %v",
					tt.name, sd.Fallback, sd.ICEForm, sd.Deviations, tt.fallback, tt.form, tt.deviates)
			}
		})
	}
	p6, _ := ParseSDPPart(d6, true)
	p19, _ := ParseSDPPart(v19, false)
	if got := PreferredSDP([]*SessionDesc{p6, p19}); got != p19 {
		t.Errorf("PreferredSDP(draft-06, v19) = %+v, want the v19 part", got)
	}
	if got := PreferredSDP([]*SessionDesc{nil, p6}); got != p6 {
		t.Errorf("PreferredSDP(nil, draft-06) = %+v, want the draft-06 part", got)
	}
	if got := PreferredSDP(nil); got != nil {
		t.Errorf("PreferredSDP(nil) = %+v, want nil", got)
	}
}

func TestParseSDPLenient(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		devs []string // substrings that must appear, in order
	}{
		{"X-Lite offer out of RFC order", readSDP(t, "xlite_reordered.sdp"),
			[]string{"strict parser:", "line 6: c= out of RFC 8866 order in the session section",
				"line 15: c= out of RFC 8866 order in the media section"}},
		{"T.38 image media", readSDP(t, "ntop-nDPI__FAX-Call-t38-CA-TDM-SIP-FB-1_frame1394.sdp"),
			[]string{"strict parser: sdp: invalid value `image`"}},
		{"junk and unknown line types", []byte("v=0\nhello\no=- 1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\nm=audio x RTP/AVP 0\ny=1\na=ice-ufrag:abcd\n"),
			[]string{"strict parser:", `line 2: not a <type>=<value> line: "hello"`, `line 6: bad m= port "x"`, `line 7: unknown line type "y"`}},
		{"no origin, v= late", []byte("s=-\nv=0\nm=audio 5000/2 RTP/AVP 0\n"),
			[]string{"strict parser:", "line 2: v= out of RFC 8866 order", "line 2: v= is not the first line", "no o= line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sd, err := ParseSDP(tt.body)
			if err != nil {
				t.Fatalf("ParseSDP error %v", err)
			}
			if !sd.Lenient {
				t.Errorf("ParseSDP(%s).Lenient = false, want true", tt.name)
			}
			if len(sd.Deviations) != len(tt.devs) {
				t.Errorf("ParseSDP(%s).Deviations = %q, want %d", tt.name, sd.Deviations, len(tt.devs))
			}
			for i, want := range tt.devs {
				if i >= len(sd.Deviations) || !strings.Contains(sd.Deviations[i], want) {
					t.Errorf("ParseSDP(%s).Deviations = %q, want [%d] containing %q", tt.name, sd.Deviations, i, want)
				}
			}
		})
	}
}

func TestParseSDPLenientKeepsICE(t *testing.T) {
	sd := mustParseSDP(t, "xlite_reordered.sdp")
	m := sd.Media[0]
	if sd.ICEForm != ICEFormRFC5245 || m.ICEUfrag != "64f1a0" || len(m.Candidates) != 2 || m.ConnAddr != "192.168.10.41" ||
		sd.Origin != "- 12930044636772923 1 IN IP4 192.168.10.41" || sd.SessionName != "CounterPath X-Lite 4.0" {
		t.Errorf("ParseSDP(reordered X-Lite) = %+v", sd)
	}
	sd, _ = ParseSDP([]byte("s=-\nv=0\nm=audio 5000/2 RTP/AVP 0\n"))
	if sd.Media[0].NumPorts != 2 || sd.Media[0].Port != 5000 {
		t.Errorf("ParseSDP(port/count) = port %d count %d, want 5000 2", sd.Media[0].Port, sd.Media[0].NumPorts)
	}
}

func TestParseSDPOddities(t *testing.T) {
	body := []byte("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 224.2.1.1/127\r\nt=0 0\r\n" +
		"a=ice-ufrag:sess\r\na=ice-pwd:sesspwdsesspwdsesspwd12\r\na=candidate:1 1 UDP 2130706431 10.0.0.1 5000 typ host\r\na=recvonly\r\n" +
		"m=audio 5000/2 RTP/AVP 0\r\na=candidate:2 1 UDP 2130706431\r\n" +
		"m=video 5002 RTP/AVP 96\r\na=ice-ufrag:vid\r\na=inactive\r\n")
	sd, err := ParseSDP(body)
	if err != nil || sd.Lenient {
		t.Fatalf("ParseSDP(oddities) = %+v, %v; want strict parse", sd, err)
	}
	a, v := sd.Media[0], sd.Media[1]
	if a.ConnAddr != "224.2.1.1" || a.NumPorts != 2 || a.ICEUfrag != "sess" || v.ICEUfrag != "vid" || v.ICEPwd != "sesspwdsesspwdsesspwd12" {
		t.Errorf("ParseSDP(oddities) media = %+v / %+v", a, v)
	}
	if a.Direction != "recvonly" || v.Direction != "inactive" {
		t.Errorf("ParseSDP(oddities) directions = %q %q, want recvonly inactive", a.Direction, v.Direction)
	}
	if len(a.Candidates) != 2 || len(v.Candidates) != 1 {
		t.Errorf("ParseSDP(oddities) candidates = %q / %q, want session candidate on both", a.Candidates, v.Candidates)
	}
	want := []string{"1 candidate lines at session level, applied to every media line",
		`media 1: short candidate line "candidate:2 1 UDP 2130706431"`}
	if !reflect.DeepEqual(sd.Deviations, want) {
		t.Errorf("ParseSDP(oddities).Deviations = %q, want %q", sd.Deviations, want)
	}
}

func TestParseSDPNotSDP(t *testing.T) {
	for _, in := range []string{"", "\r\n", "hello world", "SIP/2.0 200 OK\r\nVia: x\r\n", "\x00\x01\x02", "a=foo\r\ns=bar\r\n"} {
		sd, err := ParseSDP([]byte(in))
		if !errors.Is(err, ErrNoSDP) || sd != nil {
			t.Errorf("ParseSDP(%q) = %v, %v, want nil, ErrNoSDP", in, sd, err)
		}
	}
}
