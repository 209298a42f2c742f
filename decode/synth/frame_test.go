package synth

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// TestPseudoTLSShape checks the hellos against the byte shapes of
// MS-REFERENCE §7 item 5 (libnice socket/pseudossl.c).
func TestPseudoTLSShape(t *testing.T) {
	var r, s [32]byte
	for i := range r {
		r[i], s[i] = byte(i), byte(0xA0+i)
	}
	ch, sh := PseudoTLSClientHello(r), PseudoTLSServerHello(r, s)
	tests := []struct {
		name string
		msg  []byte
		n    int
		at   map[int]string
	}{
		{"client", ch, 50, map[int]string{0: "160301002d0100002903 01", 11: hex.EncodeToString(r[:]), 43: "00000200180100"}},
		{"server", sh, 83, map[int]string{0: "160301004e0200004603 01", 43: "20" + hex.EncodeToString(s[:]), 76: "0018000e000000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.msg) != tt.n {
				t.Errorf("len = %d, want %d", len(tt.msg), tt.n)
			}
			for off, h := range tt.at {
				want := unhexS(stripSpaces(h))
				if off+len(want) > len(tt.msg) || !bytes.Equal(tt.msg[off:off+len(want)], want) {
					t.Errorf("bytes at %d = %x, want %x", off, tt.msg[off:min(len(tt.msg), off+len(want))], want)
				}
			}
		})
	}
}

// stripSpaces removes blanks from a hex literal.
func stripSpaces(s string) string {
	return string(bytes.ReplaceAll([]byte(s), []byte(" "), nil))
}

// TestFraming checks MS-TURN TCP frames, multiplexed TURN and ChannelData.
func TestFraming(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"ms control", MSFrame(MSFrameControl, []byte{1, 2, 3}), "02000003010203"},
		{"ms data", MSFrame(MSFrameData, nil), "03000000"},
		{"mux", MuxTURN(0x0102030405060708, []byte{0x80, 0x00}), "ff10000a010203040506070880 00"},
		{"channel udp", ChannelData(0x4001, []byte{9, 9, 9}, false), "40010003090909"},
		{"channel tcp", ChannelData(0x4001, []byte{9, 9, 9}, true), "4001000309090900"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if want := unhexS(stripSpaces(tt.want)); !bytes.Equal(tt.got, want) {
				t.Errorf("%s = %x, want %x", tt.name, tt.got, want)
			}
		})
	}
}
