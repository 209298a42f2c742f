package wire

import (
	"errors"
	"fmt"
	"testing"
)

// TestTURNLifecycle follows the TURN allocations of the Facebook and
// adult_content captures: every ChannelData channel must have been bound
// by a ChannelBind request carrying that CHANNEL-NUMBER, and tshark's
// stun.channel (checked in TestSTUNMatchesTshark) must agree.
func TestTURNLifecycle(t *testing.T) {
	for _, name := range []string{"ntop-nDPI__stun_facebook.pcapng", "ntop-nDPI__adult_content.pcap"} {
		t.Run(name, func(t *testing.T) {
			bound := map[uint16]bool{}
			var ops = map[Op]int{}
			channelData := 0
			for _, d := range loadFixture(t, name) {
				switch Classify(d.Payload) {
				case ContentSTUN:
					var m STUN
					if err := m.Decode(d.Payload); err != nil {
						t.Fatalf("frame %d: Decode = %v", d.Frame, err)
					}
					ops[m.Op]++
					if m.Op == OpChannelBind && m.Class == ClassRequest {
						bound[m.ChannelNumber] = true
					}
				case ContentChannelData:
					var c ChannelData
					if err := c.Decode(d.Payload); err != nil {
						t.Fatalf("frame %d: ChannelData.Decode = %v", d.Frame, err)
					}
					if !bound[c.Channel] {
						t.Errorf("frame %d: ChannelData on unbound channel %#04x", d.Frame, c.Channel)
					}
					channelData++
				}
			}
			if ops[OpAllocate] == 0 || ops[OpCreatePermission] == 0 || ops[OpChannelBind] == 0 || ops[OpSend] == 0 || channelData == 0 {
				t.Errorf("operations %v, %d ChannelData; want Allocate, CreatePermission, ChannelBind, Send and ChannelData", ops, channelData)
			}
		})
	}
}

func TestChannelDataDecode(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		err     error
		channel uint16
		data    string
	}{
		{"exact", []byte{0x40, 0x01, 0, 3, 'a', 'b', 'c'}, nil, 0x4001, "abc"},
		{"padded datagram", []byte{0x40, 0x01, 0, 3, 'a', 'b', 'c', 0}, nil, 0x4001, "abc"},
		{"empty", []byte{0x7f, 0xff, 0, 0}, nil, 0x7fff, ""},
		{"short header", []byte{0x40, 0x01, 0}, ErrTruncated, 0, ""},
		{"channel below range", []byte{0x3f, 0xff, 0, 0}, ErrBadValue, 0, ""},
		{"mux channel", []byte{0xff, 0x10, 0, 0}, ErrBadValue, 0, ""},
		{"length past end", []byte{0x40, 0x01, 0, 4, 'a'}, ErrBadLength, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c ChannelData
			err := c.Decode(tt.in)
			if !errors.Is(err, tt.err) || c.Channel != tt.channel || string(c.Data) != tt.data {
				t.Errorf("Decode(%x) = %v, %#04x, %q; want %v, %#04x, %q", tt.in, err, c.Channel, c.Data, tt.err, tt.channel, tt.data)
			}
		})
	}
}

func TestFrameSizes(t *testing.T) {
	tests := []struct {
		name string
		fn   func([]byte) (int, bool)
		in   []byte
		n    int
		ok   bool
	}{
		{"channeldata datagram", func(b []byte) (int, bool) { return ChannelDataSize(b, false) }, []byte{0x40, 0, 0, 5}, 9, true},
		{"channeldata stream pads", func(b []byte) (int, bool) { return ChannelDataSize(b, true) }, []byte{0x40, 0, 0, 5}, 12, true},
		{"channeldata not channel", func(b []byte) (int, bool) { return ChannelDataSize(b, true) }, []byte{0x00, 1, 0, 5}, 0, false},
		{"ms frame control", MSFrameSize, []byte{0x02, 0, 0, 0x20}, 36, true},
		{"ms frame data", MSFrameSize, []byte{0x03, 0, 0x01, 0x00}, 260, true},
		{"ms frame bad second byte", MSFrameSize, []byte{0x02, 1, 0, 0x20}, 0, false},
		{"ms frame bad type", MSFrameSize, []byte{0x04, 0, 0, 0x20}, 0, false},
		{"rfc4571", RFC4571Size, []byte{0x00, 0x24}, 38, true},
		{"rfc4571 short", RFC4571Size, []byte{0x00}, 0, false},
		{"stun", STUNSize, append([]byte{0x00, 0x01, 0x00, 0x08}, make([]byte, 16)...), 28, true},
		{"tls record", TLSRecordSize, []byte{0x16, 0x03, 0x01, 0x00, 0x2d}, 50, true},
		{"tls record bad version", TLSRecordSize, []byte{0x16, 0xfe, 0xfd, 0x00, 0x2d}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n, ok := tt.fn(tt.in); n != tt.n || ok != tt.ok {
				t.Errorf("size(%x) = %d, %v; want %d, %v", tt.in, n, ok, tt.n, tt.ok)
			}
		})
	}
}

// TestMSFrameCarriesTeamsMessages frames real MS-TURN messages as the
// MS-TURN TCP transport does (type 0x02 for control, 0x03 for data) and
// reads them back.
func TestMSFrameCarriesTeamsMessages(t *testing.T) {
	for _, frame := range []int{1238, 1245, 1413, 1416} {
		t.Run(fmt.Sprint(frame), func(t *testing.T) {
			msg := fixtureFrame(t, teams, frame).Payload
			stream := append([]byte{MSFrameControl, 0, byte(len(msg) >> 8), byte(len(msg))}, msg...)
			stream = append(stream, MSFrameData, 0, 0, 2, 0x80, 0x00)
			var f MSFrame
			if err := f.Decode(stream); err != nil || f.Type != MSFrameControl || string(f.Payload) != string(msg) {
				t.Fatalf("Decode = %v, type %d, %d bytes; want nil, 2, %d", err, f.Type, len(f.Payload), len(msg))
			}
			n, _ := MSFrameSize(stream)
			if err := f.Decode(stream[n:]); err != nil || f.Type != MSFrameData || f.Length != 2 {
				t.Errorf("second Decode = %v, type %d, length %d; want nil, 3, 2", err, f.Type, f.Length)
			}
			var m STUN
			if err := m.Decode(stream[4:n]); err != nil || m.Dialect != DialectMSTURN {
				t.Errorf("STUN in frame: %v, %v; want nil, ms-turn", err, m.Dialect)
			}
		})
	}
	var f MSFrame
	for _, in := range [][]byte{{2, 0, 0}, {2, 0, 0, 9, 1}, {5, 0, 0, 0}} {
		if err := f.Decode(in); err == nil {
			t.Errorf("Decode(%x) = nil, want error", in)
		}
	}
}

func TestMuxTURNDecodeErrors(t *testing.T) {
	tests := []struct {
		in  []byte
		err error
	}{
		{[]byte{0xff, 0x10, 0, 8, 1, 2, 3}, ErrTruncated},
		{[]byte{0xff, 0x11, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}, ErrBadValue},
		{[]byte{0xff, 0x10, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8}, ErrBadLength},
		{[]byte{0xff, 0x10, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8}, ErrBadLength},
		{[]byte{0xff, 0x10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}, nil},
	}
	for _, tt := range tests {
		var x MuxTURN
		if err := x.Decode(tt.in); !errors.Is(err, tt.err) {
			t.Errorf("Decode(%x) = %v, want %v", tt.in, err, tt.err)
		}
	}
}
