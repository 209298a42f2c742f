package redact

import (
	"errors"
	"net/netip"
	"unicode/utf8"

	"github.com/icediag/icediag/decode/wire"
)

// ErrPayloadZeroed reports a frame whose payload the rewriter could not
// parse: its addresses and checksums were rewritten and the payload it
// did not understand was zeroed.
var ErrPayloadZeroed = errors.New("redact: payload not understood, zeroed")

// maxContentDepth bounds relayed payloads nested in TURN payloads, as the
// decoder does.
const maxContentDepth = 3

// PacketStats counts what a PacketRewriter did.
type PacketStats struct {
	// Frames were rewritten; Zeroed had a payload (or part of one) that
	// did not parse and was zeroed; NoIP held no IP packet and were left
	// unchanged.
	Frames, Zeroed, NoIP int
	// IntegrityRecomputed counts MESSAGE-INTEGRITY values recomputed with
	// a pseudonym ice-pwd; IntegrityReplaced those replaced by a
	// pseudonym (long-term TURN credentials, unknown passwords).
	IntegrityRecomputed, IntegrityReplaced int
}

// PacketRewriter rewrites captured frames in place with a Redactor's
// pseudonyms, keeping every length: IP addresses in every IP header
// (tunnels and the packets ICMP errors quote included), IPv4 header, UDP,
// TCP, ICMP and SCTP checksums, SIP and SDP text, STUN/TURN/MS-TURN
// attributes also inside ChannelData, Send/Data indications and MS-TURN
// TCP framing. Prepare, fed the frames first, lets it rewrite TCP streams
// and fragmented datagrams whole, so that a name split across two
// segments or fragments still gets its pseudonym. It is used by one
// goroutine.
type PacketRewriter struct {
	r *Redactor
	// pwds are the known SDP ice-pwds and pseudoPwds their pseudonyms as
	// the SDP text rewriting writes them.
	pwds, pseudoPwds [][]byte
	streams          map[streamKey]*stream
	frags            map[fragID][]*datagram
	txids            map[txID]txID // pseudonym transaction IDs (packet_legacy.go)
	keptTx           map[txID]bool // transactions written with their own ID
	prepared         bool
	frame            Frame
	orig             []byte
	Stats            PacketStats
}

// NewPacketRewriter returns a rewriter that uses r's pseudonyms. pwds are
// the SDP ice-pwds of the capture (RFC 8839 §5.4): a connectivity check
// whose MESSAGE-INTEGRITY verifies with one is signed again with its
// pseudonym, so the redacted capture still verifies.
func (r *Redactor) NewPacketRewriter(pwds []string) *PacketRewriter {
	p := &PacketRewriter{r: r, streams: map[streamKey]*stream{}, frags: map[fragID][]*datagram{}, txids: map[txID]txID{}, keptTx: map[txID]bool{}}
	seen := map[string]bool{}
	for _, pw := range pwds {
		if pw == "" || seen[pw] {
			continue
		}
		seen[pw] = true
		line := r.Text("a=ice-pwd:" + pw + "\r\n")
		p.pwds = append(p.pwds, []byte(pw))
		p.pseudoPwds = append(p.pseudoPwds, []byte(line[len("a=ice-pwd:"):len(line)-2]))
	}
	return p
}

// Packet rewrites one frame of the given link type in place, on its own:
// a TCP segment or an IP fragment is rewritten without the rest of its
// stream or datagram (PacketRewriter does better). It returns
// ErrPayloadZeroed when part of the payload was zeroed and ErrNoIP when
// the frame holds no IP packet (it is then unchanged).
func (r *Redactor) Packet(link uint16, frame []byte) error {
	return r.NewPacketRewriter(nil).Rewrite(link, frame)
}

// InterfaceName returns the pseudonym of a capture interface name (the
// export names interfaces after their input files).
func (p *PacketRewriter) InterfaceName(name string) string { return p.r.FileName(name) }

// Rewrite rewrites one frame in place; see Packet for the errors.
func (p *PacketRewriter) Rewrite(link uint16, b []byte) error {
	if !p.prepared {
		p.finishPrepare()
	}
	f := &p.frame
	if ParseFrame(link, b, f) != nil {
		p.Stats.NoIP++
		return ErrNoIP
	}
	p.Stats.Frames++
	p.orig = append(p.orig[:0], b...)
	zeroed := p.payload(b, f)
	p.addresses(b, f)
	p.checksums(b, f)
	if zeroed {
		p.Stats.Zeroed++
		return ErrPayloadZeroed
	}
	return nil
}

// payload rewrites the innermost transport payload; it reports whether
// something was zeroed.
func (p *PacketRewriter) payload(b []byte, f *Frame) bool {
	l := f.Inner()
	if l.Fragment() {
		return p.fragment(b, f, l)
	}
	if f.L4 < 0 {
		clear(b[l.Payload:l.End])
		return l.End > l.Payload
	}
	data := b[f.Payload:f.End]
	switch l.Proto {
	case 17:
		return !p.datagram(data)
	case 6:
		return p.segment(b, f)
	case 132:
		return p.sctp(data)
	case 1, 58:
		return p.icmp(b, f)
	}
	clear(data)
	return len(data) > 0
}

// datagram rewrites one UDP payload: SIP text or content.
func (p *PacketRewriter) datagram(b []byte) bool {
	if looksLikeText(b) {
		p.r.Bytes(b)
		return true
	}
	return p.content(b, 0)
}

// content rewrites a datagram, stream frame or relayed payload by its
// first byte (RFC 7983): STUN, ChannelData, MS multiplexed TURN, the text
// of RTCP; RTP and DTLS are kept (their payloads are media and keys, not
// names).
// Anything else is zeroed and reported false.
func (p *PacketRewriter) content(b []byte, depth int) bool {
	if len(b) == 0 {
		return true
	}
	if depth >= maxContentDepth {
		clear(b)
		return false
	}
	switch wire.Classify(b) {
	case wire.ContentSTUN:
		if p.rewriteSTUN(b, depth) {
			return true
		}
	case wire.ContentChannelData:
		var cd wire.ChannelData
		if cd.Decode(b) == nil {
			return p.content(cd.Data, depth+1)
		}
	case wire.ContentMuxTURN:
		var mx wire.MuxTURN
		if mx.Decode(b) == nil {
			return p.content(mx.Data, depth+1)
		}
	case wire.ContentRTCP:
		p.rewriteRTCP(b)
		return true
	case wire.ContentRTP, wire.ContentDTLS:
		return true
	default:
		if looksLikeText(b) {
			p.r.Bytes(b)
			return true
		}
	}
	clear(b)
	return false
}

// looksLikeText reports a payload of printable text lines (SIP, SDP,
// HTTP): its first 64 bytes are printable ASCII, tabs, line ends or UTF-8
// (RFC 3629; SIP display names and reason phrases are UTF-8, RFC 3261
// §25.1).
func looksLikeText(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	for i := 0; i < min(len(b), 64); {
		c := b[i]
		if c < 0x80 {
			if c < 0x20 && c != '\r' && c != '\n' && c != '\t' || c == 0x7F {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return false
		}
		i += n
	}
	return true
}

// sctp rewrites the user data of SCTP DATA chunks (RFC 9260 §3.3.1) as
// text; other chunks are kept.
func (p *PacketRewriter) sctp(b []byte) bool {
	for off := 0; off+4 <= len(b); {
		n := int(be.Uint16(b[off+2:]))
		if n < 4 || off+n > len(b) {
			break
		}
		if b[off] == 0 && n > 16 {
			p.datagram(b[off+16 : off+n])
		}
		off += (n + 3) &^ 3
	}
	return true
}

// icmp rewrites the packet an ICMP error quotes: its IP addresses and
// header checksum; the quoted transport payload past its first 8 bytes is
// zeroed. Other ICMP messages (echo) keep their payload.
func (p *PacketRewriter) icmp(b []byte, f *Frame) bool {
	l0 := f.Inner()
	if l0.Proto == 1 && b[f.L4] == 5 { // redirect: the gateway address (RFC 792)
		a := p.r.Addr(netip.AddrFrom4([4]byte(b[f.L4+4:]))).As4()
		copy(b[f.L4+4:], a[:])
	}
	if l0.Proto == 58 && b[f.L4] >= 133 && b[f.L4] <= 137 { // neighbor discovery (RFC 4861 §4): addresses
		clear(b[f.Payload:f.End])
		return true
	}
	_, off, ok := QuotedFlow(b, f)
	if !ok {
		return false
	}
	var q Frame
	q.L4 = -1
	if b[off]>>4 == 4 {
		q.ipv4(b[:f.End], off, MaxIPLayers)
	} else {
		q.ipv6(b[:f.End], off, MaxIPLayers)
	}
	if q.NIPs == 0 {
		return false
	}
	l := &q.IPs[0]
	p.ipAddrs(b, l)
	if start := l.Payload + 8; start < l.End && l.FragOff == 0 {
		clear(b[start:l.End])
	}
	return false
}

// addresses rewrites the addresses of every IP header and the IPv4
// header checksums.
func (p *PacketRewriter) addresses(b []byte, f *Frame) {
	for i := 0; i < f.NIPs; i++ {
		p.ipAddrs(b, &f.IPs[i])
	}
}

// ipAddrs rewrites one IP header's addresses (and its checksum, IPv4).
func (p *PacketRewriter) ipAddrs(b []byte, l *IPLayer) {
	if l.V6 {
		s := p.r.Addr(netip.AddrFrom16([16]byte(b[l.Off+8:]))).As16()
		d := p.r.Addr(netip.AddrFrom16([16]byte(b[l.Off+24:]))).As16()
		copy(b[l.Off+8:], s[:])
		copy(b[l.Off+24:], d[:])
		return
	}
	s := p.r.Addr(netip.AddrFrom4([4]byte(b[l.Off+12:]))).As4()
	d := p.r.Addr(netip.AddrFrom4([4]byte(b[l.Off+16:]))).As4()
	copy(b[l.Off+12:], s[:])
	copy(b[l.Off+16:], d[:])
	if hl := int(b[l.Off]&0x0F) * 4; l.Off+hl <= len(b) {
		ipv4HeaderChecksum(b[l.Off : l.Off+hl])
	}
}

// checksumField returns the offset of the checksum in a UDP, TCP, ICMP or
// ICMPv6 header, -1 for other protocols.
func checksumField(proto uint8) int {
	switch proto {
	case 17:
		return 6
	case 6:
		return 16
	case 1, 58:
		return 2
	}
	return -1
}

// checksums updates the UDP, TCP, ICMP or SCTP checksum of the innermost
// packet for the changes Rewrite made (RFC 1624), so a checksum that was
// right stays right and one that was wrong stays wrong.
func (p *PacketRewriter) checksums(b []byte, f *Frame) {
	l := f.Inner()
	if f.L4 < 0 || (l.FragOff > 0) {
		return
	}
	if l.Proto == 132 {
		if !l.Cut && !l.More {
			sctpChecksum(b[f.L4:l.End])
		}
		return
	}
	at := checksumField(l.Proto)
	if at < 0 || f.L4+at+2 > len(b) {
		return
	}
	cs := be.Uint16(b[f.L4+at:])
	if l.Proto == 17 && cs == 0 && !l.V6 {
		return // no UDP checksum (RFC 768)
	}
	var d delta
	if l.Proto != 1 { // the pseudo-header holds the addresses (RFC 768, RFC 9293, RFC 8200 §8.1)
		if l.V6 {
			d.add(p.orig[l.Off+8:l.Off+40], b[l.Off+8:l.Off+40])
		} else {
			d.add(p.orig[l.Off+12:l.Off+20], b[l.Off+12:l.Off+20])
		}
	}
	if l.More {
		d = p.fragDelta(d, b, f, l)
	} else {
		d.add(p.orig[f.L4:l.End], b[f.L4:l.End])
	}
	if d.old == d.new {
		return
	}
	cs = d.apply(cs)
	if cs == 0 && l.Proto == 17 {
		cs = 0xFFFF
	}
	be.PutUint16(b[f.L4+at:], cs)
}
