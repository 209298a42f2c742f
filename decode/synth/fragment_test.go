package synth

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/ip4defrag"
	"github.com/google/gopacket/layers"
)

// reassemble6 rebuilds an IPv6 packet from fragments made by Fragment.
func reassemble6(t *testing.T, frags [][]byte) []byte {
	t.Helper()
	var data []byte
	for i, f := range frags {
		if f[6] != ProtoFragment {
			t.Fatalf("fragment %d next header = %d, want 44", i, f[6])
		}
		off := int(binary.BigEndian.Uint16(f[42:44]) &^ 7)
		more := binary.BigEndian.Uint16(f[42:44])&1 == 1
		if off != len(data) || more != (i < len(frags)-1) {
			t.Fatalf("fragment %d offset %d more %v, want %d %v", i, off, more, len(data), i < len(frags)-1)
		}
		data = append(data, f[48:]...)
	}
	p := append(append([]byte(nil), frags[0][:40]...), data...)
	p[6] = frags[0][40]
	binary.BigEndian.PutUint16(p[4:6], uint16(len(data)))
	return p
}

// reassemble4 rebuilds an IPv4 packet from fragments with gopacket's
// defragmenter and re-serializes it with its checksum.
func reassemble4(t *testing.T, frags [][]byte) []byte {
	t.Helper()
	d := ip4defrag.NewIPv4Defragmenter()
	ts := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for i, f := range frags {
		ip := gopacket.NewPacket(f, layers.LayerTypeIPv4, gopacket.Default).Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		out, err := d.DefragIPv4WithTimestamp(ip, ts)
		if err != nil {
			t.Fatalf("DefragIPv4 fragment %d = %v", i, err)
		}
		if out != nil {
			if i != len(frags)-1 {
				t.Fatalf("reassembled after fragment %d of %d", i, len(frags))
			}
			buf := gopacket.NewSerializeBuffer()
			out.Flags = 0
			if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, out, gopacket.Payload(out.Payload)); err != nil {
				t.Fatalf("SerializeLayers = %v", err)
			}
			return buf.Bytes()
		}
	}
	t.Fatalf("no reassembly after %d fragments", len(frags))
	return nil
}

// reassemble4Plain rebuilds an IPv4 packet from fragments made by Fragment,
// checking offsets, More Fragments flags and header checksums.
func reassemble4Plain(t *testing.T, frags [][]byte) []byte {
	t.Helper()
	var data []byte
	for i, f := range frags {
		fo := binary.BigEndian.Uint16(f[6:8])
		if int(fo&0x1FFF)*8 != len(data) || (fo&0x2000 != 0) != (i < len(frags)-1) {
			t.Fatalf("fragment %d flags/offset %#04x at %d bytes", i, fo, len(data))
		}
		if finishChecksum(sumBytes(0, f[:20])) != 0 {
			t.Fatalf("fragment %d header checksum is wrong", i)
		}
		data = append(data, f[20:]...)
	}
	p := append(append([]byte(nil), frags[0][:20]...), data...)
	binary.BigEndian.PutUint16(p[2:4], uint16(len(p)))
	binary.BigEndian.PutUint16(p[6:8], 0)
	setIPv4Checksum(p[:20])
	return p
}

// TestFragment splits UDP packets and checks sizes, offsets and reassembly.
func TestFragment(t *testing.T) {
	v4a, v4b := netip.MustParseAddrPort("10.0.1.20:5060"), netip.MustParseAddrPort("10.0.0.5:5060")
	v6a, v6b := netip.MustParseAddrPort("[2001:db8::20]:5060"), netip.MustParseAddrPort("[2001:db8::5]:5060")
	payload := bytes.Repeat([]byte("v=0\r\na=candidate:1 1 UDP 2130706431 10.0.1.20 50000 typ host\r\n"), 70)
	tests := []struct {
		name  string
		pkt   []byte
		mtu   int
		count int
	}{
		{"ipv4 1500", UDP(v4a, v4b, payload), 1500, 3},
		{"ipv4 576", UDP(v4a, v4b, payload), 576, 8},
		{"ipv6 1280", UDP(v6a, v6b, payload), 1280, 4},
		{"ipv6 1500", UDP(v6a, v6b, payload), 1500, 4},
		{"fits", UDP(v4a, v4b, []byte("OPTIONS")), 1500, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frags := Fragment(tt.pkt, tt.mtu)
			if len(frags) != tt.count {
				t.Fatalf("Fragment(%d bytes, %d) = %d fragments, want %d", len(tt.pkt), tt.mtu, len(frags), tt.count)
			}
			for i, f := range frags {
				if len(f) > tt.mtu {
					t.Errorf("fragment %d is %d bytes, want <= %d", i, len(f), tt.mtu)
				}
			}
			if tt.count == 1 {
				return
			}
			var got []byte
			if tt.pkt[0]>>4 == 4 {
				got = reassemble4(t, frags)
			} else {
				got = reassemble6(t, frags)
			}
			if !bytes.Equal(got, tt.pkt) {
				t.Errorf("reassembled = %x, want %x", got, tt.pkt)
			}
		})
	}
}

// FuzzFragment checks that Fragment never panics on arbitrary input and that
// fragments of a built UDP packet reassemble to it.
func FuzzFragment(f *testing.F) {
	a, b := netip.MustParseAddrPort("10.0.1.20:5060"), netip.MustParseAddrPort("[2001:db8::5]:5060")
	f.Add(UDP(a, a, make([]byte, 3000)), 1500, false)
	f.Add(UDP(b, b, make([]byte, 3000)), 1280, true)
	f.Add([]byte{0x45, 0, 0, 0}, 9, false)
	f.Add([]byte{0x60}, 50, true)
	f.Fuzz(func(t *testing.T, data []byte, mtu int, v6 bool) {
		_ = Fragment(data, mtu)
		src := a
		if v6 {
			src = b
		}
		pkt := UDP(src, src, data)
		frags := Fragment(pkt, mtu)
		if frags == nil || len(frags) == 1 {
			return
		}
		var got []byte
		if v6 {
			got = reassemble6(t, frags)
		} else {
			// gopacket's defragmenter rejects last fragments under 8 bytes,
			// which RFC 791 allows; reassemble by hand here.
			got = reassemble4Plain(t, frags)
		}
		if !bytes.Equal(got, pkt) {
			t.Errorf("reassembled = %x, want %x", got, pkt)
		}
	})
}
