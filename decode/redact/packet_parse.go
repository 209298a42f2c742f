package redact

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/icediag/icediag/decode"
)

// Link types (LINKTYPE_* values, as decode reads them).
const (
	linkNull     = 0
	linkEthernet = 1
	linkRawBSD   = 12
	linkRawAlt   = 14
	linkRaw      = 101
	linkLoop     = 108
	linkSLL      = 113
	linkIPv4     = 228
	linkIPv6     = 229
	linkSLL2     = 276
	etherIPv4    = 0x0800
	etherIPv6    = 0x86DD
	etherVLAN    = 0x8100
	etherQinQ    = 0x88A8
	etherQinQOld = 0x9100
	etherERSPAN2 = 0x88BE
	etherERSPAN3 = 0x22EB
	etherTEB     = 0x6558
	// MaxIPLayers is how many nested IP headers (tunnels) a Frame records,
	// the outer one first; deeper nesting is not followed.
	MaxIPLayers = 5
)

var be = binary.BigEndian

// Errors of ParseFrame: the frame holds no IP packet icediag reads.
var (
	ErrNoIP = errors.New("redact: no IP packet in frame")
)

// IPLayer is one IP header of a frame (RFC 791, RFC 8200): Off is its
// offset, Payload the offset of what follows its header chain, End the end
// of the packet (the frame's end when the capture cut it).
type IPLayer struct {
	Off, Payload, End int
	V6                bool
	Proto             uint8
	// FragOff is the fragment offset in bytes and More the MF flag; a
	// packet is a fragment when FragOff > 0 or More (RFC 791 §3.2, RFC 8200
	// §4.5). ID is the identification (IPv4) or fragment header ID (IPv6).
	FragOff int
	More    bool
	ID      uint32
	// Cut is set when the capture holds less than the packet's length.
	Cut bool
}

// Fragment reports whether the layer is an IP fragment.
func (l *IPLayer) Fragment() bool { return l.FragOff > 0 || l.More }

// Src returns the source address of the layer in frame b.
func (l *IPLayer) Src(b []byte) netip.Addr {
	if l.V6 {
		return netip.AddrFrom16([16]byte(b[l.Off+8 : l.Off+24]))
	}
	return netip.AddrFrom4([4]byte(b[l.Off+12 : l.Off+16]))
}

// Dst returns the destination address of the layer in frame b.
func (l *IPLayer) Dst(b []byte) netip.Addr {
	if l.V6 {
		return netip.AddrFrom16([16]byte(b[l.Off+24 : l.Off+40]))
	}
	return netip.AddrFrom4([4]byte(b[l.Off+16 : l.Off+20]))
}

// Frame is where the layers of one captured frame lie, as offsets into the
// frame: every IP header (tunnels included, RFC 2003, RFC 2784, ERSPAN),
// the innermost transport header and its payload. It aliases nothing.
type Frame struct {
	IPs  [MaxIPLayers]IPLayer
	NIPs int
	// L4 is the offset of the UDP, TCP or ICMP header of the innermost IP
	// layer, -1 when there is none (a non-first fragment, another
	// protocol). Payload and End delimit the transport payload.
	L4, Payload, End int
	// Flow is the innermost 5-tuple (ports zero without a transport
	// header); Transport is decode.TransportUnknown for ICMP and others.
	Flow decode.Flow
	// Seq and Flags are the TCP sequence number and decode.Flag* flags.
	Seq   uint32
	Flags uint8
}

// Inner returns the innermost IP layer (nil when there is none).
func (f *Frame) Inner() *IPLayer {
	if f.NIPs == 0 {
		return nil
	}
	return &f.IPs[f.NIPs-1]
}

// ParseFrame locates the layers of one frame of the given link type. It
// never reads out of bounds; a frame without an IP packet returns ErrNoIP.
func ParseFrame(link uint16, b []byte, f *Frame) error {
	*f = Frame{L4: -1}
	off, etype, ok := linkHeader(link, b)
	if !ok {
		return ErrNoIP
	}
	f.network(b, off, etype, 0)
	if f.NIPs == 0 {
		return ErrNoIP
	}
	return nil
}

// linkHeader returns the offset of the network header and its EtherType
// (0 for "read the IP version").
func linkHeader(link uint16, b []byte) (int, uint16, bool) {
	switch link {
	case linkEthernet:
		return ethernet(b, 0)
	case linkSLL:
		if len(b) < 16 {
			return 0, 0, false
		}
		return 16, be.Uint16(b[14:]), true
	case linkSLL2:
		if len(b) < 20 {
			return 0, 0, false
		}
		return 20, be.Uint16(b[0:]), true
	case linkNull, linkLoop:
		if len(b) < 4 {
			return 0, 0, false
		}
		return 4, 0, true
	case linkRaw, linkRawBSD, linkRawAlt, linkIPv4, linkIPv6:
		return 0, 0, true
	}
	return 0, 0, false
}

// ethernet skips an Ethernet header and its 802.1Q tags at off.
func ethernet(b []byte, off int) (int, uint16, bool) {
	if len(b) < off+14 {
		return 0, 0, false
	}
	etype := be.Uint16(b[off+12:])
	off += 14
	for etype == etherVLAN || etype == etherQinQ || etype == etherQinQOld {
		if len(b) < off+4 {
			return 0, 0, false
		}
		etype = be.Uint16(b[off+2:])
		off += 4
	}
	return off, etype, true
}

// network parses the IP packet at off (etype 0: by version nibble).
func (f *Frame) network(b []byte, off int, etype uint16, depth int) {
	if off >= len(b) || f.NIPs >= MaxIPLayers {
		return
	}
	v := b[off] >> 4
	switch {
	case etype == etherIPv4 || etype == 0 && v == 4:
		f.ipv4(b, off, depth)
	case etype == etherIPv6 || etype == 0 && v == 6:
		f.ipv6(b, off, depth)
	}
}

func (f *Frame) ipv4(b []byte, off, depth int) {
	if len(b) < off+20 || b[off]>>4 != 4 {
		return
	}
	ihl := int(b[off]&0x0F) * 4
	total := int(be.Uint16(b[off+2:]))
	if ihl < 20 || len(b) < off+ihl || total < ihl {
		return
	}
	end := min(off+total, len(b))
	frag := be.Uint16(b[off+6:])
	l := IPLayer{Off: off, Payload: off + ihl, End: end, Proto: b[off+9], Cut: off+total > len(b),
		FragOff: int(frag&0x1FFF) * 8, More: frag&0x2000 != 0, ID: uint32(be.Uint16(b[off+4:]))}
	f.push(b, l, depth)
}

func (f *Frame) ipv6(b []byte, off, depth int) {
	if len(b) < off+40 || b[off]>>4 != 6 {
		return
	}
	end := min(off+40+int(be.Uint16(b[off+4:])), len(b))
	if be.Uint16(b[off+4:]) == 0 {
		end = len(b)
	}
	l := IPLayer{Off: off, V6: true, End: end, Cut: off+40+int(be.Uint16(b[off+4:])) > len(b)}
	next, p := b[off+6], off+40
	for {
		switch next {
		case 0, 43, 60, 135, 139, 140:
			if end < p+8 || end < p+(int(b[p+1])+1)*8 {
				return
			}
			next, p = b[p], p+(int(b[p+1])+1)*8
			continue
		case 51:
			if end < p+8 || end < p+(int(b[p+1])+2)*4 {
				return
			}
			next, p = b[p], p+(int(b[p+1])+2)*4
			continue
		case 44:
			if end < p+8 {
				return
			}
			w := be.Uint16(b[p+2:])
			l.FragOff, l.More, l.ID = int(w&^7), w&1 != 0, be.Uint32(b[p+4:])
			next, p = b[p], p+8
			continue
		}
		break
	}
	l.Payload, l.Proto = p, next
	f.push(b, l, depth)
}

// push records an IP layer and parses what it carries.
func (f *Frame) push(b []byte, l IPLayer, depth int) {
	f.IPs[f.NIPs] = l
	f.NIPs++
	if l.FragOff > 0 {
		f.Flow = decode.Flow{Src: netip.AddrPortFrom(l.Src(b), 0), Dst: netip.AddrPortFrom(l.Dst(b), 0)}
		return
	}
	switch l.Proto {
	case 4, 41:
		if !l.More {
			et := uint16(etherIPv4)
			if l.Proto == 41 {
				et = etherIPv6
			}
			f.network(b[:l.End], l.Payload, et, depth+1)
		}
	case 47:
		if !l.More {
			f.gre(b, l.Payload, l.End, depth+1)
		}
	default:
		f.transport(b, &f.IPs[f.NIPs-1])
	}
}

// gre follows GRE (RFC 2784/2890) and ERSPAN II/III to the inner packet.
func (f *Frame) gre(b []byte, off, end, depth int) {
	if end < off+4 {
		return
	}
	flags, proto := be.Uint16(b[off:]), be.Uint16(b[off+2:])
	off += 4
	for _, bit := range []uint16{0x8000, 0x2000, 0x1000} {
		if flags&bit != 0 {
			off += 4
		}
	}
	if end < off {
		return
	}
	switch proto {
	case etherERSPAN2:
		if flags&0x1000 != 0 {
			off += 8
		}
		f.innerEthernet(b, off, end, depth)
	case etherERSPAN3:
		if end < off+12 {
			return
		}
		n := 12
		if b[off+11]&1 != 0 {
			n += 8
		}
		f.innerEthernet(b, off+n, end, depth)
	case etherTEB:
		f.innerEthernet(b, off, end, depth)
	case etherIPv4, etherIPv6:
		f.network(b[:end], off, proto, depth)
	}
}

func (f *Frame) innerEthernet(b []byte, off, end, depth int) {
	if o, etype, ok := ethernet(b[:end], off); ok {
		f.network(b[:end], o, etype, depth)
	}
}

// transport locates the UDP (RFC 768), TCP (RFC 9293), SCTP (RFC 9260) or
// ICMP header of
// an unfragmented packet or a first fragment.
func (f *Frame) transport(b []byte, l *IPLayer) {
	src, dst, p, end := l.Src(b), l.Dst(b), l.Payload, l.End
	f.Flow = decode.Flow{Src: netip.AddrPortFrom(src, 0), Dst: netip.AddrPortFrom(dst, 0)}
	switch l.Proto {
	case 17:
		if end < p+8 {
			return
		}
		f.L4, f.Payload, f.End = p, p+8, end
		if n := int(be.Uint16(b[p+4:])); n >= 8 && p+n < end && !l.More {
			f.End = p + n
		}
		f.Flow = flowOf(src, dst, b[p:], decode.UDP)
	case 6:
		if end < p+20 || end < p+int(b[p+12]>>4)*4 || b[p+12]>>4 < 5 {
			return
		}
		f.L4, f.Payload, f.End = p, p+int(b[p+12]>>4)*4, end
		f.Flow = flowOf(src, dst, b[p:], decode.TCP)
		f.Seq, f.Flags = be.Uint32(b[p+4:]), tcpFlags(b[p+13])
	case 132:
		if end < p+12 {
			return
		}
		f.L4, f.Payload, f.End = p, p+12, end
		f.Flow = flowOf(src, dst, b[p:], decode.SCTP)
	case 1, 58:
		if end < p+8 {
			return
		}
		f.L4, f.Payload, f.End = p, p+8, end
	}
}

func flowOf(src, dst netip.Addr, h []byte, t decode.Transport) decode.Flow {
	return decode.Flow{Src: netip.AddrPortFrom(src, be.Uint16(h)), Dst: netip.AddrPortFrom(dst, be.Uint16(h[2:])), Transport: t}
}

// tcpFlags maps the TCP flag byte to decode.Flag* bits.
func tcpFlags(x byte) uint8 {
	var f uint8
	if x&0x01 != 0 {
		f |= decode.FlagFIN
	}
	if x&0x02 != 0 {
		f |= decode.FlagSYN
	}
	if x&0x04 != 0 {
		f |= decode.FlagRST
	}
	if x&0x10 != 0 {
		f |= decode.FlagACK
	}
	return f
}

// QuotedFlow returns the 5-tuple of the packet an ICMP or ICMPv6 error in
// f quotes (RFC 792, RFC 4443 §2.4: the invoking packet follows the 8-byte
// ICMP header), and the offset of the quoted IP header.
func QuotedFlow(b []byte, f *Frame) (decode.Flow, int, bool) {
	l := f.Inner()
	if l == nil || f.L4 < 0 || (l.Proto != 1 && l.Proto != 58) || !icmpError(l.Proto, b[f.L4]) {
		return decode.Flow{}, 0, false
	}
	var q Frame
	q.L4 = -1
	off := f.Payload
	if off >= f.End {
		return decode.Flow{}, 0, false
	}
	if b[off]>>4 == 4 {
		q.ipv4(b[:f.End], off, MaxIPLayers)
	} else {
		q.ipv6(b[:f.End], off, MaxIPLayers)
	}
	if q.NIPs == 0 || q.IPs[0].Off != off {
		return decode.Flow{}, 0, false
	}
	fl := q.Flow
	il := &q.IPs[0]
	if (il.Proto == 17 || il.Proto == 6) && il.FragOff == 0 && il.Payload+4 <= f.End {
		t := decode.UDP
		if il.Proto == 6 {
			t = decode.TCP
		}
		fl = flowOf(il.Src(b), il.Dst(b), b[il.Payload:], t)
	}
	return fl, off, true
}

// icmpError reports whether an ICMP type is an error that quotes a packet.
func icmpError(proto, typ uint8) bool {
	if proto == 1 {
		return typ == 3 || typ == 4 || typ == 5 || typ == 11 || typ == 12
	}
	return typ >= 1 && typ <= 4
}
