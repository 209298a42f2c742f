package msturn

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// TCP frame types: every MS-TURN message over TCP is preceded by a type byte,
// a zero byte and a 16-bit length (MS-REFERENCE.md §1.7).
const (
	FrameControl = 0x02 // a TURN control message follows
	FrameData    = 0x03 // end-to-end data to or from the active destination
)

// MaxFrame bounds one frame's payload.
const MaxFrame = 0xFFFF

// ErrFrame is returned for a TCP frame of an unknown type.
var ErrFrame = errors.New("msturn: TCP frame type is not 0x02 or 0x03")

// Frame renders one TCP frame.
func Frame(typ byte, payload []byte) []byte {
	b := []byte{typ, 0, byte(len(payload) >> 8), byte(len(payload))}
	return append(b, payload...)
}

// ReadFrame reads one TCP frame.
func ReadFrame(r io.Reader) (byte, []byte, error) {
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	if h[0] != FrameControl && h[0] != FrameData || h[1] != 0 {
		return 0, nil, fmt.Errorf("%w: % x", ErrFrame, h[:2])
	}
	b := make([]byte, binary.BigEndian.Uint16(h[2:4]))
	if _, err := io.ReadFull(r, b); err != nil {
		return 0, nil, err
	}
	return h[0], b, nil
}

// Pseudo-TLS hello lengths: the 50-byte ClientHello and the 83-byte record with
// ServerHello and ServerHelloDone ([MS-TURN] pseudo-TLS; MS-REFERENCE.md §1.8).
const (
	ClientHelloLen = 50
	ServerHelloLen = 83
)

// ClientHello returns a pseudo-TLS ClientHello: TLS 1.0, a random, no session,
// one cipher suite TLS_DH_anon_WITH_RC4_128_MD5, null compression.
func ClientHello() []byte {
	b := []byte{0x16, 0x03, 0x01, 0x00, 0x2d, 0x01, 0x00, 0x00, 0x29, 0x03, 0x01}
	b = append(b, random(32)...)
	return append(b, 0x00, 0x00, 0x02, 0x00, 0x18, 0x01, 0x00)
}

// ServerHello returns the pseudo-TLS answer: ServerHello and ServerHelloDone
// in one record.
func ServerHello() []byte {
	b := []byte{0x16, 0x03, 0x01, 0x00, 0x4e, 0x02, 0x00, 0x00, 0x46, 0x03, 0x01}
	b = append(b, random(32)...)
	b = append(b, 0x20)
	b = append(b, random(32)...)
	return append(b, 0x00, 0x18, 0x00, 0x0e, 0x00, 0x00, 0x00)
}

// IsClientHello reports whether b is a pseudo-TLS ClientHello.
func IsClientHello(b []byte) bool {
	return len(b) == ClientHelloLen && bytes.HasPrefix(b, []byte{0x16, 0x03, 0x01, 0x00, 0x2d, 0x01}) &&
		bytes.Equal(b[43:], []byte{0x00, 0x00, 0x02, 0x00, 0x18, 0x01, 0x00})
}

// IsServerHello reports whether b is the pseudo-TLS ServerHello record.
func IsServerHello(b []byte) bool {
	return len(b) == ServerHelloLen && bytes.HasPrefix(b, []byte{0x16, 0x03, 0x01, 0x00, 0x4e, 0x02}) &&
		bytes.Equal(b[76:], []byte{0x00, 0x18, 0x00, 0x0e, 0x00, 0x00, 0x00})
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// NewTxID returns a random 128-bit transaction ID. It never starts with the
// RFC 5389 cookie, so that the message stays legacy MS-TURN on the wire.
func NewTxID() [16]byte {
	var t [16]byte
	for {
		_, _ = rand.Read(t[:])
		if binary.BigEndian.Uint32(t[:4]) != 0x2112A442 {
			return t
		}
	}
}
