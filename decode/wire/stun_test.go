package wire

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"
)

// stunMsg builds a message: type, the header cookie (or not), then raw
// attribute bytes.
func stunMsg(typ uint16, cookie bool, attrs []byte) []byte {
	b := make([]byte, 20, 20+len(attrs))
	binary.BigEndian.PutUint16(b[0:2], typ)
	binary.BigEndian.PutUint16(b[2:4], uint16(len(attrs)))
	if cookie {
		binary.BigEndian.PutUint32(b[4:8], MagicCookie)
	}
	for i := 8; i < 20; i++ {
		b[i] = byte(i)
	}
	return append(b, attrs...)
}

func attr(typ uint16, v ...byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
	return append(b, v...)
}

func TestSTUNDecodeErrors(t *testing.T) {
	many := []byte{}
	for range MaxAttrs + 1 {
		many = append(many, attr(0x0025)...)
	}
	tests := []struct {
		name     string
		in       []byte
		sentinel error
		reason   string
	}{
		{"empty", nil, ErrTruncated, "stun: header truncated"},
		{"short header", make([]byte, 19), ErrTruncated, "stun: header truncated"},
		{"top bits set", append([]byte{0xC0, 0x01, 0, 0}, make([]byte, 16)...), ErrBadValue, "stun: message type invalid"},
		{"length past datagram", append(stunMsg(0x0001, true, nil)[:2], append([]byte{0, 8}, make([]byte, 16)...)...), ErrTruncated, "stun: message length truncated"},
		{"attribute length 0xffff", stunMsg(0x0101, true, []byte{0, 1, 0xff, 0xff, 0, 1, 0x11, 0xfc}), ErrBadLength, "stun: attribute length past end"},
		{"attribute header cut", stunMsg(0x0001, true, []byte{0, 0x25}), ErrTruncated, "stun: attribute header truncated"},
		{"too many attributes", stunMsg(0x0001, true, many), ErrTooMany, "stun: attributes too many"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m STUN
			err := m.Decode(tt.in)
			if !errors.Is(err, tt.sentinel) || Reason(err) != tt.reason {
				t.Errorf("Decode(%x) = %v (%q), want %v (%q)", tt.in, err, Reason(err), tt.sentinel, tt.reason)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Proto != "stun" {
				t.Errorf("Decode(%x) error %T, want *ParseError for stun", tt.in, err)
			}
		})
	}
}

func TestSTUNPaddingFallback(t *testing.T) {
	// USERNAME of 5 bytes, then PRIORITY: unpadded in the MS dialect,
	// padded in RFC 5389; each must walk its own layout.
	unpadded := append(attr(0x0006, 'a', 'b', 'c', 'd', 'e'), attr(0x0024, 0, 0, 0, 7)...)
	padded := append(attr(0x0006, 'a', 'b', 'c', 'd', 'e', 0, 0, 0)[:9], 0, 0, 0)
	binary.BigEndian.PutUint16(padded[2:4], 5)
	padded = append(padded, attr(0x0024, 0, 0, 0, 7)...)
	tests := []struct {
		name         string
		in           []byte
		wantUnpadded bool
	}{
		{"classic unpadded", stunMsg(0x0001, false, unpadded), true},
		{"rfc5389 padded", stunMsg(0x0001, true, padded), false},
		{"rfc5389 cookie but unpadded (MS-ICE2)", stunMsg(0x0001, true, unpadded), true},
		{"classic padded", stunMsg(0x0001, false, padded), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m STUN
			if err := m.Decode(tt.in); err != nil {
				t.Fatalf("Decode(%x) = %v, want nil", tt.in, err)
			}
			if m.Unpadded != tt.wantUnpadded || string(m.Username) != "abcde" || m.Priority != 7 {
				t.Errorf("Decode(%x): Unpadded, Username, Priority = %v, %q, %d; want %v, \"abcde\", 7",
					tt.in, m.Unpadded, m.Username, m.Priority, tt.wantUnpadded)
			}
		})
	}
}

func TestSTUNDecodeResets(t *testing.T) {
	var m STUN
	full := decodeFrame(t, teams, 1245)
	if err := m.Decode(full.Raw); err != nil {
		t.Fatalf("Decode = %v", err)
	}
	if err := m.Decode(stunMsg(0x0001, true, nil)); err != nil {
		t.Fatalf("Decode(empty binding) = %v", err)
	}
	var fresh STUN
	fresh.Decode(stunMsg(0x0001, true, nil))
	m.Attrs, fresh.Attrs = nil, nil
	m.Raw, fresh.Raw = nil, nil
	if m.Realm != nil || m.ErrorCode != 0 || m.Unpadded || m.HasMSMuxSession || m.Dialect != DialectRFC5389 ||
		m.IntegrityOffset != -1 || m.Mapped.IsValid() || m.AlternateServer.IsValid() {
		t.Errorf("Decode after a richer message kept state: %+v", m)
	}
}

func TestIsSTUN(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want bool
	}{
		{"rfc5389 binding", stunMsg(0x0001, true, nil), true},
		{"classic binding", stunMsg(0x0001, false, attr(0x0003, 0, 0, 0, 0)), true},
		{"classic unknown type", stunMsg(0x0333, false, nil), false},
		{"classic with trailing byte", append(stunMsg(0x0001, false, nil), 0), false},
		{"ms-turn data indication", stunMsg(0x0115, false, attr(0x000F, 0x72, 0xc6, 0x4b, 0xc6)), true},
		{"rtp", append([]byte{0x80, 0x00}, make([]byte, 30)...), false},
		{"short", []byte{0, 1, 0, 0}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsSTUN(tt.in); got != tt.want {
				t.Errorf("IsSTUN(%x) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestSTUNSize(t *testing.T) {
	// RFC 6544 framing of the arkime capture: a TCP STUN stream starts with
	// the message itself; STUNSize gives where the next one starts.
	two := append(stunMsg(0x0001, true, attr(0x0025)), stunMsg(0x0101, true, nil)...)
	n, ok := STUNSize(two)
	if !ok || n != 24 {
		t.Fatalf("STUNSize = %d, %v; want 24, true", n, ok)
	}
	if n2, ok := STUNSize(two[n:]); !ok || n2 != 20 {
		t.Errorf("STUNSize(second) = %d, %v; want 20, true", n2, ok)
	}
	if _, ok := STUNSize(two[:19]); ok {
		t.Errorf("STUNSize(19 bytes) ok, want false")
	}
}

func TestAttrName(t *testing.T) {
	tests := []struct {
		t    uint16
		d    Dialect
		want string
	}{
		{0x0014, DialectMSTURN, "NONCE"},
		{0x0014, DialectRFC5389, "REALM"},
		{0x0015, DialectMSTURN, "REALM"},
		{0x0015, DialectRFC5389, "NONCE"},
		{0x0012, DialectMSTURN, "REMOTE-ADDRESS"},
		{0x0012, DialectRFC5389, "XOR-PEER-ADDRESS"},
		{0x000F, DialectMSTURN, "MAGIC-COOKIE"},
		{0x8070, DialectRFC5389, "MS-IMPLEMENTATION-VERSION"},
		{0x8095, DialectMSTURN, "MULTIPLEXED-TURN-SESSION-ID"},
		{0x7777, DialectRFC5389, ""},
	}
	for _, tt := range tests {
		if got := AttrName(tt.t, tt.d); got != tt.want {
			t.Errorf("AttrName(%#04x, %v) = %q, want %q", tt.t, tt.d, got, tt.want)
		}
	}
}

// TestLegacyFingerprint recomputes the FINGERPRINT of real MS-ICE2 checks
// with the legacy CRC table, as old MS stacks send it, and expects
// FingerprintLegacy wherever the two CRCs differ.
func TestLegacyFingerprint(t *testing.T) {
	differ := 0
	for _, d := range loadFixture(t, teams) {
		var m STUN
		if m.Decode(d.Payload) != nil || !m.HasFingerprint {
			continue
		}
		off := m.Attrs[len(m.Attrs)-1].Offset
		if crc32Legacy(m.Raw[:off]) == crc32.ChecksumIEEE(m.Raw[:off]) {
			continue
		}
		differ++
		b := append([]byte(nil), m.Raw...)
		binary.BigEndian.PutUint32(b[off+4:], crc32Legacy(b[:off])^fingerprintXOR)
		var l STUN
		if err := l.Decode(b); err != nil {
			t.Fatalf("frame %d: Decode = %v", d.Frame, err)
		}
		if !l.FingerprintOK || !l.FingerprintLegacy {
			t.Errorf("frame %d: FingerprintOK, FingerprintLegacy = %v, %v; want true, true", d.Frame, l.FingerprintOK, l.FingerprintLegacy)
		}
		b[off+4] ^= 1
		if l.Decode(b); l.FingerprintOK {
			t.Errorf("frame %d: corrupted FINGERPRINT accepted", d.Frame)
		}
	}
	if differ == 0 {
		t.Fatal("no message whose legacy CRC differs")
	}
}

// crc32Legacy is a bit-by-bit CRC-32 with the one wrong table entry of old
// MS stacks, computed independently of legacyCRCTable.
func crc32Legacy(b []byte) uint32 {
	var table [256]uint32
	for i := range table {
		c := uint32(i)
		for range 8 {
			if c&1 != 0 {
				c = 0xEDB88320 ^ c>>1
			} else {
				c >>= 1
			}
		}
		if c == 0x8bbeb8ea {
			c = 0x08bbe8ea
		}
		table[i] = c
	}
	crc := ^uint32(0)
	for _, x := range b {
		crc = table[byte(crc)^x] ^ crc>>8
	}
	return ^crc
}

// TestDialectIgnoresBytesAfterMessage is the regression test for fuzz input
// f230caee108c5678: a MAGIC-COOKIE attribute after the message end made an
// empty message MS-TURN.
func TestDialectIgnoresBytesAfterMessage(t *testing.T) {
	b := append(stunMsg(0x0001, false, nil), attr(attrMSMagicCookie, 0x72, 0xc6, 0x4b, 0xc6)...)
	var m STUN
	if err := m.Decode(b); err != nil || m.Dialect != DialectClassic || len(m.Attrs) != 0 {
		t.Errorf("Decode(%x) = %v, %v, %d attributes; want nil, classic, 0", b, err, m.Dialect, len(m.Attrs))
	}
}
