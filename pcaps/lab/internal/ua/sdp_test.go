package ua

import (
	"errors"
	"slices"
	"testing"
)

// answer is bob's SDP answer in the 200 OK of captures/srflx-eim/alice-lan.pcap, frame 15.
const answer = "v=0\r\n" +
	"o=- 1795296058 1 IN IP4 203.0.113.10\r\n" +
	"s=icediag lab call\r\n" +
	"c=IN IP4 203.0.113.10\r\n" +
	"t=0 0\r\n" +
	"m=audio 51175 RTP/AVP 0\r\n" +
	"a=rtpmap:0 PCMU/8000\r\n" +
	"a=ice-ufrag:KNYrzbeeSRtMsTak\r\n" +
	"a=ice-pwd:mrZohdAKiaBlROYyoRNrhVOXbRduDlBq\r\n" +
	"a=candidate:544649747 1 udp 2130706431 10.2.0.12 41030 typ host ufrag KNYrzbeeSRtMsTak generation 0\r\n" +
	"a=candidate:617550700 1 udp 1694498815 198.51.100.12 41051 typ srflx raddr 10.2.0.12 rport 41051 ufrag KNYrzbeeSRtMsTak generation 0\r\n" +
	"a=candidate:2997267596 1 udp 1023 203.0.113.10 51175 typ relay raddr 10.2.0.12 rport 38631 ufrag KNYrzbeeSRtMsTak generation 0\r\n" +
	"a=candidate:617550700 1 udp 1694498815 198.51.100.12 41043 typ srflx raddr 10.2.0.12 rport 41043 ufrag KNYrzbeeSRtMsTak generation 0\r\n" +
	"a=sendrecv\r\n"

func TestParseOffer(t *testing.T) {
	tests := []struct {
		name, in   string
		ufrag      string
		port, cand int
		err        error
	}{
		{"answer", answer, "KNYrzbeeSRtMsTak", 51175, 4, nil},
		{"LF only", "c=IN IP4 10.1.0.11\nm=audio 40000 RTP/AVP 0\na=ice-ufrag:u\na=ice-pwd:p\n", "u", 40000, 0, nil},
		{"no ice", "v=0\r\nm=audio 9 RTP/AVP 0\r\n", "", 9, 0, ErrNoICE},
		{"no pwd", "a=ice-ufrag:u\r\n", "u", 0, 0, ErrNoICE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseOffer([]byte(tt.in))
			if !errors.Is(err, tt.err) || o.Ufrag != tt.ufrag || o.Port != tt.port || len(o.Candidates) != tt.cand {
				t.Errorf("ParseOffer(%q) = %q %d %d cands, %v; want %q %d %d, %v", tt.in, o.Ufrag, o.Port, len(o.Candidates), err,
					tt.ufrag, tt.port, tt.cand, tt.err)
			}
		})
	}
}

func TestOfferRoundTrip(t *testing.T) {
	o, err := ParseOffer([]byte(answer))
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseOffer(o.Marshal(1))
	if err != nil || again.Addr != o.Addr || again.Pwd != o.Pwd || !slices.Equal(again.Candidates, o.Candidates) {
		t.Errorf("ParseOffer(Marshal(%+v)) = %+v, %v", o, again, err)
	}
}

func FuzzParseOffer(f *testing.F) {
	f.Add([]byte(answer))
	f.Add([]byte("a=ice-ufrag:u\na=ice-pwd:p\nm=audio x"))
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := ParseOffer(body)
		if err != nil {
			return
		}
		if _, err := ParseOffer(o.Marshal(1)); err != nil {
			t.Fatalf("ParseOffer(Marshal()) of a parsed offer: %v", err)
		}
	})
}
