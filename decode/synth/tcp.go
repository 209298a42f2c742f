package synth

import (
	"encoding/binary"
	"net/netip"
)

// TCPFlags is the TCP control-bit field (RFC 9293 §3.1).
type TCPFlags uint8

// TCP control bits (RFC 9293 §3.1).
const (
	FIN TCPFlags = 0x01
	SYN TCPFlags = 0x02
	RST TCPFlags = 0x04
	PSH TCPFlags = 0x08
	ACK TCPFlags = 0x10
)

// tcpWindow is the advertised receive window of every built segment.
const tcpWindow = 64240

// DefaultMSS is the maximum segment size announced in SYNs and used by
// TCPConn.Send to cut payload that no explicit segment size covers.
const DefaultMSS = 1460

// TCP returns an IPv4 or IPv6 packet (no link header) carrying one TCP
// segment (RFC 9293 §3.1) with a correct checksum. Segments with SYN set carry
// an MSS option of DefaultMSS; IPv4 packets have Don't Fragment set. It
// returns nil when src and dst are of different address families.
func TCP(src, dst netip.AddrPort, seq, ack uint32, flags TCPFlags, payload []byte) []byte {
	hlen := 20
	if flags&SYN != 0 {
		hlen = 24
	}
	seg := make([]byte, hlen+len(payload))
	binary.BigEndian.PutUint16(seg[0:2], src.Port())
	binary.BigEndian.PutUint16(seg[2:4], dst.Port())
	binary.BigEndian.PutUint32(seg[4:8], seq)
	if flags&ACK != 0 {
		binary.BigEndian.PutUint32(seg[8:12], ack)
	}
	seg[12] = byte(hlen/4) << 4
	seg[13] = byte(flags)
	binary.BigEndian.PutUint16(seg[14:16], tcpWindow)
	if flags&SYN != 0 {
		seg[20], seg[21] = 2, 4 // kind MSS, length 4 (RFC 9293 §3.2)
		binary.BigEndian.PutUint16(seg[22:24], DefaultMSS)
	}
	copy(seg[hlen:], payload)
	return ipPacket(src.Addr(), dst.Addr(), ProtoTCP, seg, 16, 0x4000)
}

// TCPConn builds the segments of one TCP connection between a client and a
// server, tracking both sequence spaces so that every segment carries the
// right sequence and acknowledgement numbers (RFC 9293 §3.4). It is not safe
// for concurrent use.
type TCPConn struct {
	Client, Server Endpoint
	cliNext        uint32 // next sequence number the client sends
	srvNext        uint32 // next sequence number the server sends
}

// NewTCPConn returns a connection whose client and server use the given
// initial sequence numbers.
func NewTCPConn(client, server Endpoint, clientISN, serverISN uint32) *TCPConn {
	return &TCPConn{Client: client, Server: server, cliNext: clientISN, srvNext: serverISN}
}

// SYN returns the client's SYN.
func (c *TCPConn) SYN() []byte {
	p := TCP(c.Client, c.Server, c.cliNext, 0, SYN, nil)
	c.cliNext++
	return p
}

// SYNACK returns the server's SYN-ACK.
func (c *TCPConn) SYNACK() []byte {
	p := TCP(c.Server, c.Client, c.srvNext, c.cliNext, SYN|ACK, nil)
	c.srvNext++
	return p
}

// ACK returns a bare acknowledgement sent by from of everything the other
// side has sent so far.
func (c *TCPConn) ACK(from Endpoint) []byte {
	return c.segment(from, ACK, nil)
}

// Handshake returns SYN, SYN-ACK and ACK.
func (c *TCPConn) Handshake() [][]byte {
	return [][]byte{c.SYN(), c.SYNACK(), c.ACK(c.Client)}
}

// Send returns the PSH/ACK segments that carry payload from one side. Each
// segmentSizes entry, in order, sets the size of the next segment (so one
// message can be split across segments; to pack several messages into one
// segment, concatenate them). Payload left after the listed sizes is cut in
// DefaultMSS pieces. Non-positive sizes are ignored.
func (c *TCPConn) Send(from Endpoint, payload []byte, segmentSizes ...int) [][]byte {
	var out [][]byte
	for len(payload) > 0 {
		n := DefaultMSS
		for len(segmentSizes) > 0 {
			s := segmentSizes[0]
			segmentSizes = segmentSizes[1:]
			if s > 0 {
				n = s
				break
			}
		}
		n = min(n, len(payload))
		out = append(out, c.segment(from, PSH|ACK, payload[:n]))
		payload = payload[n:]
	}
	return out
}

// FIN returns a FIN/ACK sent by from; the FIN takes one sequence number.
func (c *TCPConn) FIN(from Endpoint) []byte {
	return c.segment(from, FIN|ACK, nil)
}

// segment builds one segment from the given side and advances its sequence
// space by the payload length (plus one for FIN).
func (c *TCPConn) segment(from Endpoint, flags TCPFlags, payload []byte) []byte {
	adv := uint32(len(payload))
	if flags&FIN != 0 {
		adv++
	}
	if from == c.Server {
		p := TCP(c.Server, c.Client, c.srvNext, c.cliNext, flags, payload)
		c.srvNext += adv
		return p
	}
	p := TCP(c.Client, c.Server, c.cliNext, c.srvNext, flags, payload)
	c.cliNext += adv
	return p
}
