package wire

import "encoding/binary"

// ChannelData is a TURN ChannelData message (RFC 8656 §12.4, RFC 5766
// §11.4). Data aliases the decoded buffer until the next Decode.
type ChannelData struct {
	Channel uint16 // 0x4000-0x7FFF
	Length  uint16 // length of Data, without padding
	Data    []byte
}

var (
	errCDHeader  = perr("channeldata", "header", 0, ErrTruncated)
	errCDChannel = perr("channeldata", "channel number", 0, ErrBadValue)
	errCDLength  = perr("channeldata", "length", 2, ErrBadLength)
)

// Decode parses a ChannelData message. The channel must be 0x4000-0x7FFF
// (RFC 5766 §11; RFC 8656 narrows it to 0x4FFF). Bytes after the data, such
// as padding, are ignored.
func (c *ChannelData) Decode(b []byte) error {
	*c = ChannelData{}
	if len(b) < 4 {
		return errCDHeader
	}
	ch := binary.BigEndian.Uint16(b[0:2])
	if ch < 0x4000 || ch > 0x7FFF {
		return errCDChannel
	}
	n := binary.BigEndian.Uint16(b[2:4])
	if int(n) > len(b)-4 {
		return errCDLength
	}
	c.Channel, c.Length, c.Data = ch, n, b[4:4+int(n)]
	return nil
}

// ChannelDataSize returns the size of the ChannelData message at the start
// of b once its header is complete: 4 plus the length, rounded up to a
// multiple of 4 on streams (RFC 5766 §11.5, RFC 8656 §12.5).
func ChannelDataSize(b []byte, stream bool) (int, bool) {
	if len(b) < 4 || b[0]&0xC0 != 0x40 {
		return 0, false
	}
	n := 4 + int(binary.BigEndian.Uint16(b[2:4]))
	if stream {
		n = (n + 3) &^ 3
	}
	return n, true
}

// MuxTURN is an MS multiplexed TURN packet: channel 0xFF10, a length
// counting the bytes after it, an 8-byte MTURN session ID, then data
// (MS-TURN "Multiplexed TURN messages", MS-REFERENCE §1.7). Data aliases the
// decoded buffer until the next Decode.
type MuxTURN struct {
	SessionID uint64
	Data      []byte
}

// MuxTURNChannel is the channel number of MS multiplexed TURN packets.
const MuxTURNChannel = 0xFF10

var (
	errMuxHeader  = perr("mux-turn", "header", 0, ErrTruncated)
	errMuxChannel = perr("mux-turn", "channel", 0, ErrBadValue)
	errMuxLength  = perr("mux-turn", "length", 2, ErrBadLength)
)

// Decode parses an MS multiplexed TURN packet.
func (x *MuxTURN) Decode(b []byte) error {
	*x = MuxTURN{}
	if len(b) < 12 {
		return errMuxHeader
	}
	if binary.BigEndian.Uint16(b[0:2]) != MuxTURNChannel {
		return errMuxChannel
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	if n < 8 || n > len(b)-4 {
		return errMuxLength
	}
	x.SessionID = binary.BigEndian.Uint64(b[4:12])
	x.Data = b[12 : 4+n]
	return nil
}

// MS-TURN TCP frame types (MS-REFERENCE §1.7).
const (
	MSFrameControl = 0x02 // a TURN control message follows
	MSFrameData    = 0x03 // end-to-end data (RTP/RTCP) follows
)

// MSFrame is one MS-TURN TCP frame: type (0x02 control, 0x03 data), 0x00,
// a 16-bit length, then the payload (MS-TURN 2.1, MS-REFERENCE §1.7).
// Payload aliases the decoded buffer until the next Decode.
type MSFrame struct {
	Type    uint8
	Length  uint16
	Payload []byte
}

var (
	errMSFrameHeader = perr("ms-tcp-frame", "header", 0, ErrTruncated)
	errMSFrameType   = perr("ms-tcp-frame", "type", 0, ErrBadValue)
	errMSFrameLength = perr("ms-tcp-frame", "length", 2, ErrBadLength)
)

// MSFrameSize returns 4 plus the frame length when b starts with a complete
// MS-TURN TCP frame header of type 0x02 or 0x03.
func MSFrameSize(b []byte) (int, bool) {
	if len(b) < 4 || (b[0] != MSFrameControl && b[0] != MSFrameData) || b[1] != 0 {
		return 0, false
	}
	return 4 + int(binary.BigEndian.Uint16(b[2:4])), true
}

// Decode parses one MS-TURN TCP frame; bytes after it are ignored.
func (f *MSFrame) Decode(b []byte) error {
	*f = MSFrame{}
	if len(b) < 4 {
		return errMSFrameHeader
	}
	if (b[0] != MSFrameControl && b[0] != MSFrameData) || b[1] != 0 {
		return errMSFrameType
	}
	n := binary.BigEndian.Uint16(b[2:4])
	if int(n) > len(b)-4 {
		return errMSFrameLength
	}
	f.Type, f.Length, f.Payload = b[0], n, b[4:4+int(n)]
	return nil
}

// RFC4571Size returns 2 plus the 16-bit length prefix of RFC 4571 framing
// (used by ICE-TCP, RFC 6544 §3) when b holds the prefix.
func RFC4571Size(b []byte) (int, bool) {
	if len(b) < 2 {
		return 0, false
	}
	return 2 + int(binary.BigEndian.Uint16(b[0:2])), true
}
