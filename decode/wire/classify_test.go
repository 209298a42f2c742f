package wire

import "testing"

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want Content
	}{
		{"empty", nil, ContentUnknown},
		{"stun", stunMsg(0x0001, true, nil), ContentSTUN},
		{"stun-looking garbage", []byte{0, 1, 0, 9, 1, 2}, ContentUnknown},
		{"stun with cookie, unpadded length", stunMsg(0x0001, true, attr(0x0006, 1, 2, 3)), ContentSTUN},
		{"zrtp", []byte{0x10, 0, 0, 1, 0x5a, 0x52, 0x54, 0x50, 0, 0, 0, 0}, ContentZRTP},
		{"dtls", []byte{22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ContentDTLS},
		{"tls", []byte{22, 0x03, 0x03, 0, 1, 1}, ContentTLS},
		{"pseudo tls", pseudoTLSClient(0), ContentPseudoTLS},
		{"channeldata", []byte{0x40, 0x00, 0, 2, 1, 2}, ContentChannelData},
		{"channeldata padded", []byte{0x40, 0x00, 0, 2, 1, 2, 0, 0}, ContentChannelData},
		{"channeldata wrong length", []byte{0x40, 0x00, 0, 9, 1, 2}, ContentUnknown},
		{"rtp", []byte{0x80, 0x08, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4}, ContentRTP},
		{"rtcp", []byte{0x80, 200, 0, 1, 1, 2, 3, 4}, ContentRTCP},
		{"mux turn", []byte{0xff, 0x10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}, ContentMuxTURN},
		{"text", []byte("RSP/2.0 STUN token"), ContentUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.in); got != tt.want {
				t.Errorf("Classify(%x) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestClassifyCaptures checks that every STUN frame tshark found in the
// captures is classified as STUN, ChannelData or multiplexed TURN.
func TestClassifyCaptures(t *testing.T) {
	for _, name := range stunCaptures {
		rows := loadTshark(t, name)
		for _, d := range loadFixture(t, name) {
			if rows[d.Frame] == nil || d.Proto != "udp" {
				continue
			}
			switch c := Classify(d.Payload); c {
			case ContentSTUN, ContentChannelData, ContentMuxTURN:
			default:
				t.Errorf("%s frame %d: Classify = %v, want a STUN/TURN kind", name, d.Frame, c)
			}
		}
	}
}
