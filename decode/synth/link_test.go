package synth

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// TestEthernetVLAN decodes Ethernet frames with 0, 1 and 2 tags.
func TestEthernetVLAN(t *testing.T) {
	src, dst := net.HardwareAddr{0, 0, 0x5e, 0, 0x53, 0x0a}, net.HardwareAddr{0, 0, 0x5e, 0, 0x53, 0x0b}
	ip := UDP(netip.MustParseAddrPort("172.16.0.10:3478"), netip.MustParseAddrPort("172.16.0.20:50000"), []byte("x"))
	ip6 := UDP(netip.MustParseAddrPort("[2001:db8::1]:3478"), netip.MustParseAddrPort("[2001:db8::2]:50000"), []byte("x"))
	tests := []struct {
		name  string
		vlan  []uint16
		ip    []byte
		types []uint16 // TPID/EtherType chain after the MACs
	}{
		{"untagged", nil, ip, []uint16{EtherTypeIPv4}},
		{"dot1q", []uint16{100}, ip, []uint16{EtherTypeVLAN, EtherTypeIPv4}},
		{"qinq", []uint16{200, 100}, ip6, []uint16{EtherTypeQinQ, EtherTypeVLAN, EtherTypeIPv6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Ethernet(src, dst, tt.vlan, tt.ip)
			for i, want := range tt.types {
				if got := binary.BigEndian.Uint16(f[12+4*i:]); got != want {
					t.Errorf("type %d = %#04x, want %#04x", i, got, want)
				}
			}
			p := gopacket.NewPacket(f, layers.LayerTypeEthernet, gopacket.Default)
			var ids []uint16
			for _, l := range p.Layers() {
				if d, ok := l.(*layers.Dot1Q); ok {
					ids = append(ids, d.VLANIdentifier)
				}
			}
			if len(ids) != len(tt.vlan) || (len(ids) > 0 && ids[0] != tt.vlan[0]) {
				t.Errorf("VLAN IDs = %v, want %v", ids, tt.vlan)
			}
			if p.Layer(layers.LayerTypeUDP) == nil {
				t.Errorf("no UDP layer in %v", p)
			}
			eth := p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
			if !bytes.Equal(eth.SrcMAC, src) || !bytes.Equal(eth.DstMAC, dst) {
				t.Errorf("MACs = %v -> %v, want %v -> %v", eth.SrcMAC, eth.DstMAC, src, dst)
			}
		})
	}
}

// TestCookedAndNull decodes SLL and Null with gopacket and checks the SLL2
// header fields (gopacket v1.1.19 has no SLL2 decoder).
func TestCookedAndNull(t *testing.T) {
	ip := UDP(netip.MustParseAddrPort("203.0.113.10:3478"), netip.MustParseAddrPort("198.51.100.7:50000"), []byte("x"))
	sll := gopacket.NewPacket(SLL(ip, PacketOutgoing), layers.LayerTypeLinuxSLL, gopacket.Default)
	if l, ok := sll.Layer(layers.LayerTypeLinuxSLL).(*layers.LinuxSLL); !ok || l.PacketType != layers.LinuxSLLPacketTypeOutgoing || l.EthernetType != layers.EthernetTypeIPv4 || !bytes.Equal(l.Addr, DocMAC) {
		t.Errorf("SLL decoded as %v", sll)
	}
	if sll.Layer(layers.LayerTypeUDP) == nil {
		t.Errorf("SLL: no UDP layer in %v", sll)
	}
	null := gopacket.NewPacket(Null(ip), layers.LayerTypeLoopback, gopacket.Default)
	if null.Layer(layers.LayerTypeUDP) == nil {
		t.Errorf("Null: no UDP layer in %v", null)
	}
	s2 := SLL2(ip, 3, PacketHost)
	want := []byte{0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 0, 0, 0x5e, 0, 0x53, 1, 0, 0}
	if !bytes.Equal(s2[:20], want) || !bytes.Equal(s2[20:], ip) {
		t.Errorf("SLL2 header = %x, want %x", s2[:20], want)
	}
}
