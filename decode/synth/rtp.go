package synth

import (
	"encoding/binary"
	"time"
)

// RTP returns an RTP packet (RFC 3550 §5.1): version 2, no padding,
// extension or CSRCs, marker clear, then payloadLen bytes of deterministic
// filler derived from seq.
func RTP(pt uint8, seq uint16, ts, ssrc uint32, payloadLen int) []byte {
	b := make([]byte, 12+max(payloadLen, 0))
	b[0] = 0x80
	b[1] = pt & 0x7F
	binary.BigEndian.PutUint16(b[2:4], seq)
	binary.BigEndian.PutUint32(b[4:8], ts)
	binary.BigEndian.PutUint32(b[8:12], ssrc)
	for i := 12; i < len(b); i++ {
		b[i] = byte(int(seq) + i*7)
	}
	return b
}

// ntpEpochOffset is the number of seconds from 1900-01-01 to 1970-01-01.
const ntpEpochOffset = 2208988800

// RTCPSenderReport returns a compound RTCP packet (RFC 3550 §6.1): a Sender
// Report with no report blocks (§6.4.1) carrying the NTP time of ntp, the RTP
// timestamp and the sender's packet and octet counts, then an SDES packet
// with a CNAME item (§6.5).
func RTCPSenderReport(ssrc uint32, ntp time.Time, rtpTS, packets, octets uint32, cname string) []byte {
	b := []byte{0x80, 200, 0, 6}
	b = binary.BigEndian.AppendUint32(b, ssrc)
	secs := uint64(ntp.Unix() + ntpEpochOffset)
	frac := uint64(ntp.Nanosecond()) << 32 / 1e9
	b = binary.BigEndian.AppendUint64(b, secs<<32|frac)
	b = binary.BigEndian.AppendUint32(b, rtpTS)
	b = binary.BigEndian.AppendUint32(b, packets)
	b = binary.BigEndian.AppendUint32(b, octets)
	return append(b, sdesCNAME(ssrc, cname)...)
}

// sdesCNAME returns an SDES packet with one chunk holding a CNAME item.
func sdesCNAME(ssrc uint32, cname string) []byte {
	cname = cname[:min(len(cname), 255)]
	chunk := binary.BigEndian.AppendUint32(nil, ssrc)
	chunk = append(chunk, 1, byte(len(cname)))
	chunk = append(chunk, cname...)
	chunk = append(chunk, 0) // END item
	for len(chunk)%4 != 0 {
		chunk = append(chunk, 0)
	}
	b := []byte{0x81, 202}
	b = binary.BigEndian.AppendUint16(b, uint16(len(chunk)/4))
	return append(b, chunk...)
}
