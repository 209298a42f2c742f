package synth

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// reserialize decodes an IP packet with gopacket and serializes its layers
// again with recomputed lengths and checksums.
func reserialize(t *testing.T, pkt []byte) []byte {
	t.Helper()
	first := layers.LayerTypeIPv4
	if pkt[0]>>4 == 6 {
		first = layers.LayerTypeIPv6
	}
	p := gopacket.NewPacket(pkt, first, gopacket.Default)
	if el := p.ErrorLayer(); el != nil {
		t.Fatalf("gopacket decode error: %v", el.Error())
	}
	var sl []gopacket.SerializableLayer
	var net gopacket.NetworkLayer
	for _, l := range p.Layers() {
		switch l := l.(type) {
		case *layers.IPv4:
			net = l
			sl = append(sl, l)
		case *layers.IPv6:
			net = l
			sl = append(sl, l)
		case *layers.UDP:
			_ = l.SetNetworkLayerForChecksum(net)
			sl = append(sl, l)
		case *layers.TCP:
			_ = l.SetNetworkLayerForChecksum(net)
			sl = append(sl, l)
		}
	}
	sl = append(sl, gopacket.Payload(p.TransportLayer().LayerPayload()))
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, sl...); err != nil {
		t.Fatalf("SerializeLayers = %v", err)
	}
	return buf.Bytes()
}

// TestChecksums checks that gopacket, recomputing every length and checksum,
// reproduces the built packets exactly.
func TestChecksums(t *testing.T) {
	v4a, v4b := netip.MustParseAddrPort("10.0.1.20:50000"), netip.MustParseAddrPort("203.0.113.10:3478")
	v6a, v6b := netip.MustParseAddrPort("[2001:db8::20]:50010"), netip.MustParseAddrPort("[2001:db8:ff::10]:5060")
	tests := []struct {
		name string
		pkt  []byte
	}{
		{"udp4", UDP(v4a, v4b, []byte("hello edge"))},
		{"udp4 odd", UDP(v4a, v4b, []byte{0xff, 0xfe, 0x01})},
		{"udp4 empty", UDP(v4a, v4b, nil)},
		{"udp6", UDP(v6a, v6b, bytes.Repeat([]byte{0xAB}, 301))},
		{"tcp4 syn", TCP(v4a, v4b, 1000, 0, SYN, nil)},
		{"tcp4 data", TCP(v4a, v4b, 1001, 77, PSH|ACK, []byte("INVITE sip:x"))},
		{"tcp6 fin", TCP(v6a, v6b, 5, 6, FIN|ACK, nil)},
		{"tcp6 data odd", TCP(v6b, v6a, 5, 6, PSH|ACK, []byte("abc"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reserialize(t, tt.pkt); !bytes.Equal(got, tt.pkt) {
				t.Errorf("reserialized = %x, want %x", got, tt.pkt)
			}
		})
	}
}

// TestMixedFamilies checks that mismatched families give nil, not a panic.
func TestMixedFamilies(t *testing.T) {
	a, b := netip.MustParseAddrPort("10.0.0.1:1"), netip.MustParseAddrPort("[2001:db8::1]:2")
	if got := UDP(a, b, nil); got != nil {
		t.Errorf("UDP(%v, %v) = %x, want nil", a, b, got)
	}
	if got := TCP(a, b, 0, 0, SYN, nil); got != nil {
		t.Errorf("TCP(%v, %v) = %x, want nil", a, b, got)
	}
	if got := UDP(netip.AddrPort{}, netip.AddrPort{}, nil); got != nil {
		t.Errorf("UDP(zero, zero) = %x, want nil", got)
	}
}

// TestTCPConn checks the sequence and acknowledgement numbers of a
// connection's segments.
func TestTCPConn(t *testing.T) {
	cli, srv := netip.MustParseAddrPort("10.0.1.20:50001"), netip.MustParseAddrPort("203.0.113.10:443")
	c := NewTCPConn(cli, srv, 1000, 9000)
	var pkts [][]byte
	pkts = append(pkts, c.Handshake()...)
	pkts = append(pkts, c.Send(cli, make([]byte, 3000), 100, 0, 200)...) // 100, 200, 1460, 1240
	pkts = append(pkts, c.Send(srv, make([]byte, 10))...)
	pkts = append(pkts, c.FIN(cli), c.FIN(srv), c.ACK(cli))
	want := []struct {
		seq, ack uint32
		flags    TCPFlags
		n        int
	}{
		{1000, 0, SYN, 0}, {9000, 1001, SYN | ACK, 0}, {1001, 9001, ACK, 0},
		{1001, 9001, PSH | ACK, 100}, {1101, 9001, PSH | ACK, 200}, {1301, 9001, PSH | ACK, 1460}, {2761, 9001, PSH | ACK, 1240},
		{9001, 4001, PSH | ACK, 10},
		{4001, 9011, FIN | ACK, 0}, {9011, 4002, FIN | ACK, 0}, {4002, 9012, ACK, 0},
	}
	if len(pkts) != len(want) {
		t.Fatalf("got %d segments, want %d", len(pkts), len(want))
	}
	for i, p := range pkts {
		tcp := gopacket.NewPacket(p, layers.LayerTypeIPv4, gopacket.Default).Layer(layers.LayerTypeTCP).(*layers.TCP)
		flags := TCPFlags(p[20+13])
		if tcp.Seq != want[i].seq || tcp.Ack != want[i].ack || flags != want[i].flags || len(tcp.Payload) != want[i].n {
			t.Errorf("segment %d = seq %d ack %d flags %#x len %d, want %+v", i, tcp.Seq, tcp.Ack, flags, len(tcp.Payload), want[i])
		}
	}
}
