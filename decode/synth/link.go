package synth

import (
	"encoding/binary"
	"net"
)

// Link-layer header types of the pcap and pcapng file formats
// (tcpdump.org linktypes, draft-ietf-opsawg-pcaplinktype).
const (
	LinkTypeNull      = 0   // BSD loopback, 4-byte host-order address family
	LinkTypeEthernet  = 1   // IEEE 802.3 Ethernet
	LinkTypeRaw       = 101 // raw IPv4 or IPv6
	LinkTypeLinuxSLL  = 113 // Linux cooked capture v1
	LinkTypeLinuxSLL2 = 276 // Linux cooked capture v2 (tcpdump -i any since libpcap 1.10)
)

// EtherTypes used by the builders (IEEE 802 numbers).
const (
	EtherTypeIPv4  = 0x0800
	EtherTypeIPv6  = 0x86DD
	EtherTypeVLAN  = 0x8100 // IEEE 802.1Q customer tag
	EtherTypeQinQ  = 0x88A8 // IEEE 802.1ad service tag
	arphrdEthernet = 1      // Linux ARPHRD_ETHER
)

// Linux cooked-capture packet types (the sll_pkttype / sll2_pkttype field).
const (
	PacketHost     = 0 // addressed to this host
	PacketOutgoing = 4 // sent by this host
)

// DocMAC is the link address written into Linux cooked headers: the first
// unicast address of the IANA documentation block 00-00-5E-00-53-00/24
// (RFC 7042 §2.1.2).
var DocMAC = net.HardwareAddr{0x00, 0x00, 0x5E, 0x00, 0x53, 0x01}

// etherType returns the EtherType for an IP packet from its version nibble.
func etherType(ipPacket []byte) uint16 {
	if len(ipPacket) > 0 && ipPacket[0]>>4 == 6 {
		return EtherTypeIPv6
	}
	return EtherTypeIPv4
}

// Ethernet returns an Ethernet II frame carrying ipPacket. With one VLAN ID
// the frame gets an IEEE 802.1Q tag; with two or more, the first is an
// 802.1ad service tag (QinQ) and the rest are 802.1Q tags, outermost first.
// Only the low 12 bits of each ID are used; priority and DEI are zero. The
// frame is not padded to the 60-byte minimum, as captures on the sending host
// show it.
func Ethernet(srcMAC, dstMAC net.HardwareAddr, vlan []uint16, ipPacket []byte) []byte {
	f := make([]byte, 0, 14+4*len(vlan)+len(ipPacket))
	f = append(f, mac6(dstMAC)...)
	f = append(f, mac6(srcMAC)...)
	for i, id := range vlan {
		tpid := uint16(EtherTypeVLAN)
		if i == 0 && len(vlan) > 1 {
			tpid = EtherTypeQinQ
		}
		f = binary.BigEndian.AppendUint16(f, tpid)
		f = binary.BigEndian.AppendUint16(f, id&0x0FFF)
	}
	f = binary.BigEndian.AppendUint16(f, etherType(ipPacket))
	return append(f, ipPacket...)
}

// mac6 returns a 6-byte copy of a MAC address, zero-filled or truncated.
func mac6(m net.HardwareAddr) []byte {
	out := make([]byte, 6)
	copy(out, m)
	return out
}

// SLL returns a Linux cooked capture v1 frame (LINKTYPE_LINUX_SLL, 113): a
// 16-byte header of packet type, ARPHRD_ETHER, address length 6, DocMAC
// padded to 8 bytes and the EtherType, then ipPacket.
func SLL(ipPacket []byte, pktType uint16) []byte {
	f := make([]byte, 16, 16+len(ipPacket))
	binary.BigEndian.PutUint16(f[0:2], pktType)
	binary.BigEndian.PutUint16(f[2:4], arphrdEthernet)
	binary.BigEndian.PutUint16(f[4:6], 6)
	copy(f[6:14], DocMAC)
	binary.BigEndian.PutUint16(f[14:16], etherType(ipPacket))
	return append(f, ipPacket...)
}

// SLL2 returns a Linux cooked capture v2 frame (LINKTYPE_LINUX_SLL2, 276): a
// 20-byte header of EtherType, reserved, interface index, ARPHRD_ETHER,
// packet type, address length 6 and DocMAC padded to 8 bytes, then ipPacket.
func SLL2(ipPacket []byte, ifindex uint32, pktType uint8) []byte {
	f := make([]byte, 20, 20+len(ipPacket))
	binary.BigEndian.PutUint16(f[0:2], etherType(ipPacket))
	binary.BigEndian.PutUint32(f[4:8], ifindex)
	binary.BigEndian.PutUint16(f[8:10], arphrdEthernet)
	f[10] = pktType
	f[11] = 6
	copy(f[12:20], DocMAC)
	return append(f, ipPacket...)
}

// BSD address families written by Null: AF_INET is 2 everywhere; AF_INET6
// is 30 as on macOS (FreeBSD uses 28, NetBSD/OpenBSD 24).
const (
	nullAFInet  = 2
	nullAFInet6 = 30
)

// Null returns a BSD loopback frame (LINKTYPE_NULL, 0): the address family
// as a 4-byte little-endian word (the byte order of the capturing x86 or
// ARM host), then ipPacket.
func Null(ipPacket []byte) []byte {
	af := uint32(nullAFInet)
	if etherType(ipPacket) == EtherTypeIPv6 {
		af = nullAFInet6
	}
	f := binary.LittleEndian.AppendUint32(make([]byte, 0, 4+len(ipPacket)), af)
	return append(f, ipPacket...)
}
