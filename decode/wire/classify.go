package wire

import "encoding/binary"

// Content is the kind of payload a datagram (or the start of a stream)
// carries, decided from its bytes alone as in RFC 7983 §7. Ports never decide.
type Content uint8

// Content kinds.
const (
	ContentUnknown     Content = iota
	ContentSTUN                // STUN/TURN/MS-TURN message (RFC 8489, MS-TURN 2.2)
	ContentChannelData         // TURN ChannelData (RFC 8656 §12.4)
	ContentMuxTURN             // MS multiplexed TURN, channel 0xFF10 (MS-TURN, MS-REFERENCE §1.7)
	ContentDTLS                // DTLS record (RFC 9147)
	ContentRTP                 // RTP (RFC 3550)
	ContentRTCP                // RTCP multiplexed with RTP (RFC 5761 §4)
	ContentZRTP                // ZRTP (RFC 6189 §5)
	ContentTLS                 // TLS record (RFC 8446 §5.1)
	ContentPseudoTLS           // MS-TURN pseudo-TLS hello (MS-REFERENCE §1.8)
)

var contentNames = [...]string{
	ContentUnknown:     "unknown",
	ContentSTUN:        "stun",
	ContentChannelData: "channeldata",
	ContentMuxTURN:     "mux-turn",
	ContentDTLS:        "dtls",
	ContentRTP:         "rtp",
	ContentRTCP:        "rtcp",
	ContentZRTP:        "zrtp",
	ContentTLS:         "tls",
	ContentPseudoTLS:   "pseudo-tls",
}

// String returns the lower-case name of c.
func (c Content) String() string {
	if int(c) < len(contentNames) {
		return contentNames[c]
	}
	return "unknown"
}

// zrtpMagic is the ZRTP magic cookie at offset 4 (RFC 6189 §5).
const zrtpMagic = 0x5a525450

// Classify tells what a datagram carries from its first bytes, following
// the RFC 7983 §7 first-byte ranges: 0-3 STUN (confirmed with IsSTUN),
// 16-19 ZRTP, 20-63 DTLS (or TLS when the version byte says so), 64-79
// TURN ChannelData, 128-191 RTP or RTCP (split by payload type as in RFC 5761
// §4). 0xFF10 is MS multiplexed TURN (MS-REFERENCE §1.7). It never allocates.
func Classify(b []byte) Content {
	if len(b) == 0 {
		return ContentUnknown
	}
	switch first := b[0]; {
	case first <= 3:
		if IsSTUN(b) {
			return ContentSTUN
		}
	case first >= 16 && first <= 19:
		if len(b) >= 8 && binary.BigEndian.Uint32(b[4:8]) == zrtpMagic {
			return ContentZRTP
		}
	case first >= 20 && first <= 63:
		return classifyRecord(b)
	case first >= 64 && first <= 79:
		if isChannelData(b) {
			return ContentChannelData
		}
	case first >= 128 && first <= 191:
		return classifyRTP(b)
	case first == 0xFF:
		if len(b) >= 12 && b[1] == 0x10 {
			return ContentMuxTURN
		}
	}
	return ContentUnknown
}

// classifyRecord splits DTLS (version bytes 0xFEXX) from TLS (0x03XX) and
// recognises the MS pseudo-TLS hellos.
func classifyRecord(b []byte) Content {
	if len(b) < 3 {
		return ContentUnknown
	}
	switch b[1] {
	case 0xFE:
		return ContentDTLS
	case 0x03:
		if IsPseudoTLSClientHello(b) || IsPseudoTLSServerHello(b) {
			return ContentPseudoTLS
		}
		return ContentTLS
	}
	return ContentUnknown
}

// isChannelData checks that the ChannelData length matches the datagram,
// allowing up to 3 bytes of padding (RFC 8656 §12.5).
func isChannelData(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	extra := len(b) - 4 - n
	return extra >= 0 && extra <= 3
}

// classifyRTP splits RTP from RTCP by the second byte: 192-223 is RTCP
// (RFC 5761 §4), anything else with version 2 is RTP.
func classifyRTP(b []byte) Content {
	if len(b) < 4 {
		return ContentUnknown
	}
	if b[1] >= 192 && b[1] <= 223 {
		if len(b) >= 8 {
			return ContentRTCP
		}
		return ContentUnknown
	}
	if len(b) >= 12 {
		return ContentRTP
	}
	return ContentUnknown
}
