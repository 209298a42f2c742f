package decode

import (
	"net/netip"
	"time"

	"github.com/icediag/icediag/decode/wire"
)

// Transport is the transport protocol of a flow.
type Transport uint8

// Transports.
const (
	TransportUnknown Transport = iota
	UDP
	TCP
	SCTP
)

func (t Transport) String() string {
	switch t {
	case UDP:
		return "UDP"
	case TCP:
		return "TCP"
	case SCTP:
		return "SCTP"
	}
	return "?"
}

// Flow is a directed 5-tuple: the source and destination transport addresses
// of one packet and its transport protocol.
type Flow struct {
	Src, Dst  netip.AddrPort
	Transport Transport
}

// Reverse returns the flow in the other direction.
func (f Flow) Reverse() Flow { return Flow{Src: f.Dst, Dst: f.Src, Transport: f.Transport} }

// Kind says what an Event carries.
type Kind uint8

// Event kinds.
const (
	KindNone           Kind = iota
	KindSTUN                // a STUN/TURN/MS-TURN message (Event.STUN)
	KindSIP                 // one complete SIP message (Event.Payload)
	KindRTP                 // an RTP (or SRTP) packet (Event.RTP)
	KindRTCP                // an RTCP (or SRTCP) compound packet (Event.RTCP)
	KindDTLS                // a DTLS record (DTLS-SRTP handshake or data)
	KindTLS                 // a TLS handshake record with a hello (Event.TLS)
	KindPseudoTLS           // the MS-TURN pseudo-TLS ClientHello or ServerHello (MS-TURN §3.1.5 / MS-REFERENCE §1.8)
	KindICMP                // an ICMP error quoting a UDP/TCP packet (Event.ICMP)
	KindTCPControl          // a TCP segment with SYN, FIN or RST (Event.TCPFlags)
	KindData                // relayed bytes icediag could not classify
	KindDNS                 // a DNS query or response over UDP 53 (RFC 1035 §4.1, Payload; dns.go)
	KindTLSCertificate      // a server's TLS 1.0-1.2 Certificate handshake message (RFC 5246 §7.4.2, Payload; tlscert.go)
	numKinds
)

var kindNames = [numKinds]string{"none", "STUN", "SIP", "RTP", "RTCP", "DTLS", "TLS", "pseudo-TLS", "ICMP", "TCP", "data", "DNS", "TLS certificate"}

func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "?"
}

// Via says how a relayed payload travelled between a TURN client and its
// server.
type Via uint8

// Relay containers (RFC 8656 §10-§12, MS-TURN §2.2.1 and §2.2.5, MS-REFERENCE §1.7).
const (
	ViaNone             Via = iota
	ViaSendIndication       // RFC 5766/8656 Send indication, client to server
	ViaDataIndication       // RFC 5766/8656 Data indication, server to client
	ViaChannelData          // RFC 5766/8656 ChannelData
	ViaMSSend               // MS-TURN Send request (0x0004) with DATA
	ViaMSDataIndication     // MS-TURN Data indication (0x0115) with DATA
	ViaMSDataFrame          // MS-TURN TCP end-to-end data frame (type 0x03)
	ViaMuxTURN              // MS multiplexed TURN (0xFF10)
)

var viaNames = [...]string{"", "Send", "Data", "ChannelData", "MS-Send", "MS-Data", "MS-TCP-data", "MS-mux"}

func (v Via) String() string {
	if int(v) < len(viaNames) {
		return viaNames[v]
	}
	return "?"
}

// Relay describes the TURN relay leg a payload travelled through.
type Relay struct {
	Via    Via
	Client netip.AddrPort // the TURN client's transport address as seen in the capture
	Server netip.AddrPort // the TURN server's address
	// Transport of the client-server leg.
	Transport Transport
	// Peer is the address on the far side of the relay (XOR-PEER-ADDRESS,
	// MS DESTINATION/REMOTE-ADDRESS, the peer bound to a channel, or the MS
	// active destination). Invalid when the capture did not show it.
	Peer    netip.AddrPort
	Channel uint16 // ChannelData channel number, 0 otherwise
	ToPeer  bool   // client → peer; false means peer → client
}

// ICMPInfo is an ICMP or ICMPv6 error that quotes a packet of ours.
type ICMPInfo struct {
	V6         bool
	Type, Code uint8
	Quoted     Flow // the quoted packet's flow (as it was sent)
	Reporter   netip.Addr
}

// TCP control flags of a KindTCPControl event.
const (
	FlagFIN = 1 << iota
	FlagSYN
	FlagRST
	FlagACK
)

// FrameRef names one frame of one input file as Wireshark numbers it.
type FrameRef struct {
	File  int    // index into the input files
	Frame uint64 // 1-based frame number within that file
}

// Event is one decoded message. An Event and everything it points to are
// valid only during the handler call that receives it: the decoder reuses
// them for the next message. Keep copies (netip values, strings), never the
// slices.
type Event struct {
	FrameRef
	Time time.Time
	// Flow is the packet's 5-tuple after tunnels were removed. For a relayed
	// message it is the client-server leg; Relay says more.
	Flow  Flow
	Relay *Relay
	Kind  Kind
	// Payload is the message's bytes (the whole STUN message, SIP message,
	// RTP packet, ...).
	Payload []byte
	// Truncated is set when the frame was cut by the snapshot length so the
	// message is incomplete.
	Truncated bool

	STUN     *wire.STUN
	RTP      *wire.RTP
	RTCP     *wire.RTCP
	TLS      *wire.TLSHello
	ICMP     *ICMPInfo
	TCPFlags uint8
	// SNI is the server name a TLS ClientHello asked for, if any.
	SNI []byte
}

// Handler receives events in capture-time order. An event and everything
// it points to (Payload, STUN, RTP, ...) are valid only during the call:
// the decoder reuses its buffers, and payloads may lie in a capture file
// that is unmapped when the run ends. A handler copies what it keeps.
type Handler func(*Event)
