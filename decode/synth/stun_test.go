package synth

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/pion/stun/v3"
)

// unhex decodes a hex dump with spaces and newlines.
func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex: %v", err)
	}
	return b
}

// TestRFC5769Vectors rebuilds the RFC 5769 §2.1 and §2.4 sample requests
// byte for byte.
func TestRFC5769Vectors(t *testing.T) {
	tests := []struct {
		name  string
		build func() []byte
		want  string
	}{
		{"2.1 short-term request", func() []byte {
			var id [16]byte
			copy(id[4:], unhexS("b7e7a701bc34d686fa87dfae"))
			m := NewMsg(TypeBindingRequest, id, false)
			m.Pad = 0x20
			m.Add(AttrSoftware, []byte("STUN test client"))
			m.Add(AttrPriority, U32(0x6e0001ff))
			m.Add(AttrICEControlled, U64(0x932ff9b151263b36))
			m.Add(AttrUsername, []byte("evtj:h6vY"))
			m.AddIntegrity([]byte("VOkJxbRl1RmTxUk/WvJxBt"))
			return m.AddFingerprint().Bytes()
		}, `00010058 2112a442 b7e7a701 bc34d686 fa87dfae 80220010 5354554e 20746573
			7420636c 69656e74 00240004 6e0001ff 80290008 932ff9b1 51263b36 00060009
			6576746a 3a683676 59202020 00080014 9aeaa70c bfd8cb56 781ef2b5 b2d3f249
			c1b571a2 80280004 e57a3bcf`},
		{"2.4 long-term request", func() []byte {
			var id [16]byte
			copy(id[4:], unhexS("78ad3433c6ad72c029da412e"))
			m := NewMsg(TypeBindingRequest, id, false)
			m.Add(AttrUsername, []byte("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9"))
			m.Add(AttrRFCNonce, []byte("f//499k954d6OL34oL9FSTvy64sA"))
			m.Add(AttrRFCRealm, []byte("example.org"))
			m.AddIntegrity(LongTermKey("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9", "example.org", "TheMatrIX"))
			return m.Bytes()
		}, `00010060 2112a442 78ad3433 c6ad72c0 29da412e 00060012 e3839ee3 8388e383
			aae38383 e382afe3 82b90000 0015001c 662f2f34 39396b39 35346436 4f4c3334
			6f4c3946 53547679 36347341 0014000b 6578616d 706c652e 6f726700 00080014
			f6702465 6dd64a3e 02b8e071 2e85c9a2 8ca89666`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := tt.build(), unhex(t, tt.want)
			if !bytes.Equal(got, want) {
				t.Errorf("Bytes() = %x, want %x", got, want)
			}
		})
	}
}

// unhexS decodes a compact hex string known to be valid.
func unhexS(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}

// TestXORAddrRoundTrip checks RFC 5389 XOR-MAPPED-ADDRESS against pion/stun.
func TestXORAddrRoundTrip(t *testing.T) {
	for _, s := range []string{"198.51.100.7:50001", "[2001:db8::7]:3478", "10.0.1.20:50000", "[2001:db8:1:2::ffff]:65535"} {
		t.Run(s, func(t *testing.T) {
			a := netip.MustParseAddrPort(s)
			raw := NewMsg(TypeBindingSuccess, NewTxID(s, true), false).AddXORAddr(AttrXORMappedAddress, a).AddFingerprint().Bytes()
			m := &stun.Message{Raw: raw}
			if err := m.Decode(); err != nil {
				t.Fatalf("Decode(%x) = %v", raw, err)
			}
			var x stun.XORMappedAddress
			if err := x.GetFrom(m); err != nil {
				t.Fatalf("XORMappedAddress.GetFrom = %v", err)
			}
			got, _ := netip.AddrFromSlice(x.IP)
			if netip.AddrPortFrom(got.Unmap(), uint16(x.Port)) != a {
				t.Errorf("XOR-MAPPED-ADDRESS = %v:%d, want %v", x.IP, x.Port, a)
			}
			if err := stun.Fingerprint.Check(m); err != nil {
				t.Errorf("Fingerprint.Check = %v", err)
			}
		})
	}
}

// TestICECheckPion checks that an MS-ICE2 style Binding request passes
// pion/stun's MESSAGE-INTEGRITY and FINGERPRINT checks and that its legacy
// duplicate differs only in FINGERPRINT.
func TestICECheckPion(t *testing.T) {
	const pwd = "iqMvxVs03gM/jyhb9feLQ466"
	differ := 0
	for i := range 40 {
		build := func() *Msg {
			return NewMsg(TypeBindingRequest, NewTxID(string(rune('a'+i)), true), false).
				Add(AttrUsername, PadNUL("M+7x:Ab1c")).
				Add(AttrPriority, U32(2130706431-uint32(i))).
				Add(AttrICEControlling, U64(0x1122334455667788)).
				Add(AttrUseCandidate, nil).
				Add(AttrCandidateIdentifier, PadNUL("1")).
				Add(AttrMSImplementationVersion, U32(2)).
				AddIntegrity([]byte(pwd))
		}
		good, legacy := build().AddFingerprint().Bytes(), build().AddMSLegacyFingerprint().Bytes()
		m := &stun.Message{Raw: good}
		if err := m.Decode(); err != nil {
			t.Fatalf("Decode = %v", err)
		}
		if err := stun.NewShortTermIntegrity(pwd).Check(m); err != nil {
			t.Errorf("check %d: integrity Check = %v", i, err)
		}
		if err := stun.Fingerprint.Check(m); err != nil {
			t.Errorf("check %d: Fingerprint.Check = %v", i, err)
		}
		if !bytes.Equal(good[:len(good)-4], legacy[:len(legacy)-4]) {
			t.Errorf("check %d: legacy duplicate differs before FINGERPRINT", i)
		}
		if !bytes.Equal(good, legacy) {
			differ++
		}
	}
	// The faulty entry is used for about one message byte in 256, so some
	// but not all of 40 checks of ~100 bytes get a different FINGERPRINT.
	if differ == 0 || differ == 40 {
		t.Errorf("%d of 40 legacy FINGERPRINTs differ, want some but not all", differ)
	}
}

// TestLegacyTable checks that the legacy CRC table has exactly the one typo.
func TestLegacyTable(t *testing.T) {
	diff := 0
	for i := range legacyTable {
		if legacyTable[i] != stdTable()[i] {
			diff++
			if legacyTable[i] != 0x08BBE8EA {
				t.Errorf("legacyTable[%d] = %#x, want 0x08bbe8ea", i, legacyTable[i])
			}
		}
	}
	if diff != 1 {
		t.Errorf("legacy table differs in %d entries, want 1", diff)
	}
}

// TestMSTURNLayout checks the MS-TURN dialect: MAGIC-COOKIE first, no
// padding, the 0x8020 XOR with the first txid bytes, plain MAPPED-ADDRESS.
func TestMSTURNLayout(t *testing.T) {
	id := [16]byte{0x01, 0x02, 0x03, 0x04, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	raw := NewMsg(TypeAllocateSuccess, id, true).
		Add(AttrMSRealm, []byte("SIP Communications Service")).
		AddXORAddr(AttrMSXORMappedAddress, netip.MustParseAddrPort("198.51.100.7:50000")).
		AddAddr(AttrMappedAddress, netip.MustParseAddrPort("203.0.113.10:52000")).
		Bytes()
	want := unhex(t, `0103 003e 0102030405060708090a0b0c0d0e0f10
		000f 0004 72c64bc6
		0015 001a 53495020436f6d6d756e69636174696f6e732053657276696365
		8020 0008 0001 c252 c7316703
		0001 0008 0001 cb20 cb00710a`)
	if !bytes.Equal(raw, want) {
		t.Errorf("Bytes() = %x, want %x", raw, want)
	}
	if got := int(binary.BigEndian.Uint16(raw[2:4])); got != len(raw)-20 {
		t.Errorf("length field = %d, want %d", got, len(raw)-20)
	}
}

// TestErrorCode checks the ERROR-CODE class/number split.
func TestErrorCode(t *testing.T) {
	raw := NewMsg(TypeAllocateError, NewTxID("e", true), false).AddErrorCode(401, "Unauthorized").Bytes()
	m := &stun.Message{Raw: raw}
	if err := m.Decode(); err != nil {
		t.Fatalf("Decode = %v", err)
	}
	var ec stun.ErrorCodeAttribute
	if err := ec.GetFrom(m); err != nil {
		t.Fatalf("ErrorCode.GetFrom = %v", err)
	}
	if ec.Code != 401 || string(ec.Reason) != "Unauthorized" {
		t.Errorf("ERROR-CODE = %d %q, want 401 %q", ec.Code, ec.Reason, "Unauthorized")
	}
}

// FuzzMsg builds RFC 5389 messages from arbitrary attribute values and checks
// that pion/stun accepts them with valid integrity and fingerprint, and that
// MS-TURN messages walk unpadded to exactly their length.
func FuzzMsg(f *testing.F) {
	f.Add(uint16(AttrUsername), []byte("M+7x:Ab1c"), []byte("pwd"))
	f.Add(uint16(AttrData), []byte{0x80, 0, 1, 2, 3}, []byte{})
	f.Add(uint16(AttrSoftware), []byte{}, []byte("k"))
	f.Fuzz(func(t *testing.T, typ uint16, val, key []byte) {
		if typ == AttrMessageIntegrity || typ == AttrFingerprint || len(val) > 60000 {
			return
		}
		raw := NewMsg(TypeBindingRequest, NewTxID(string(val), false), false).Add(typ, val).AddIntegrity(key).AddFingerprint().Bytes()
		m := &stun.Message{Raw: raw}
		if err := m.Decode(); err != nil {
			t.Fatalf("Decode(%x) = %v", raw, err)
		}
		if err := stun.Fingerprint.Check(m); err != nil {
			t.Errorf("Fingerprint.Check = %v", err)
		}
		if err := stun.NewShortTermIntegrity(string(key)).Check(m); err != nil {
			t.Errorf("integrity Check = %v", err)
		}
		ms := NewMsg(TypeMSSendRequest, NewTxID(string(key), false), true).Add(typ, val).Add(AttrData, key).Bytes()
		off, n := 20, 0
		for off+4 <= len(ms) {
			off += 4 + int(binary.BigEndian.Uint16(ms[off+2:]))
			n++
		}
		if off != len(ms) || n != 3 || int(binary.BigEndian.Uint16(ms[2:])) != len(ms)-20 {
			t.Errorf("MS walk ended at %d of %d after %d attributes", off, len(ms), n)
		}
	})
}
