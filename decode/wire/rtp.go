package wire

import "encoding/binary"

// RTP is a decoded RTP fixed header (RFC 3550 §5.1) with its CSRC list and
// header extension skipped; HeaderLen is where the payload starts.
type RTP struct {
	Version, PayloadType, CSRCCount uint8
	Marker, Padding, Extension      bool
	Seq                             uint16
	Timestamp, SSRC                 uint32
	HeaderLen                       int
}

var (
	errRTPHeader    = perr("rtp", "header", 0, ErrTruncated)
	errRTPVersion   = perr("rtp", "version", 0, ErrBadValue)
	errRTPCSRC      = perr("rtp", "csrc list", 12, ErrTruncated)
	errRTPExtension = perr("rtp", "header extension", -1, ErrBadLength)
	errRTPPadding   = perr("rtp", "padding", -1, ErrBadLength)
)

// Decode parses the RTP header of b. It checks the version (2), the CSRC
// list, the extension length (RFC 3550 §5.3.1) and the padding count.
func (r *RTP) Decode(b []byte) error {
	*r = RTP{}
	if len(b) < 12 {
		return errRTPHeader
	}
	r.Version = b[0] >> 6
	if r.Version != 2 {
		return errRTPVersion
	}
	r.Padding, r.Extension = b[0]&0x20 != 0, b[0]&0x10 != 0
	r.CSRCCount = b[0] & 0x0F
	r.Marker, r.PayloadType = b[1]&0x80 != 0, b[1]&0x7F
	r.Seq = binary.BigEndian.Uint16(b[2:4])
	r.Timestamp = binary.BigEndian.Uint32(b[4:8])
	r.SSRC = binary.BigEndian.Uint32(b[8:12])
	return r.headerLen(b)
}

// headerLen sets HeaderLen after the CSRC list and extension and checks the
// padding count against what remains.
func (r *RTP) headerLen(b []byte) error {
	n := 12 + 4*int(r.CSRCCount)
	if n > len(b) {
		return errRTPCSRC
	}
	if r.Extension {
		if n+4 > len(b) {
			return errRTPExtension
		}
		n += 4 + 4*int(binary.BigEndian.Uint16(b[n+2:n+4]))
		if n > len(b) {
			return errRTPExtension
		}
	}
	r.HeaderLen = n
	if r.Padding {
		if n == len(b) {
			return errRTPPadding
		}
		if p := int(b[len(b)-1]); p == 0 || p > len(b)-n {
			return errRTPPadding
		}
	}
	return nil
}

// RTCP summarises a compound RTCP packet (RFC 3550 §6.1): the number of
// packets, the type of the first one, the SSRC of the first sender and the
// types of the first eight packets. Trailing counts bytes after the last
// packet too short to be a header (some stacks pad datagrams); they are
// tolerated as tshark does.
type RTCP struct {
	Count     int
	FirstType uint8
	SSRC      uint32
	Types     [8]uint8
	Trailing  int
}

var (
	errRTCPHeader  = perr("rtcp", "header", -1, ErrTruncated)
	errRTCPVersion = perr("rtcp", "version", -1, ErrBadValue)
	errRTCPType    = perr("rtcp", "packet type", -1, ErrBadValue)
	errRTCPLength  = perr("rtcp", "length", -1, ErrBadLength)
)

// Decode walks a compound RTCP packet. Every packet must have version 2, a
// type of 192-223 (RFC 5761 §4) and a length that fits.
func (r *RTCP) Decode(b []byte) error {
	*r = RTCP{}
	for off := 0; off < len(b); {
		if r.Count > 0 && len(b)-off < 4 {
			r.Trailing = len(b) - off
			break
		}
		n, err := rtcpPacketLen(b[off:])
		if err != nil {
			return err
		}
		if r.Count < len(r.Types) {
			r.Types[r.Count] = b[off+1]
		}
		if r.Count == 0 {
			r.FirstType = b[1]
			if n >= 8 {
				r.SSRC = binary.BigEndian.Uint32(b[4:8])
			}
		}
		r.Count++
		off += n
	}
	if r.Count == 0 {
		return errRTCPHeader
	}
	return nil
}

// rtcpPacketLen checks one RTCP header and returns the packet size.
func rtcpPacketLen(b []byte) (int, error) {
	if len(b) < 4 {
		return 0, errRTCPHeader
	}
	if b[0]>>6 != 2 {
		return 0, errRTCPVersion
	}
	if b[1] < 192 || b[1] > 223 {
		return 0, errRTCPType
	}
	n := 4 * (1 + int(binary.BigEndian.Uint16(b[2:4])))
	if n > len(b) {
		return 0, errRTCPLength
	}
	return n, nil
}
