package wire

import (
	"crypto/md5"
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/pion/stun/v3"
)

// RFC 5769 §2 test vectors, transcribed from the RFC's hex dumps.
var rfc5769 = []struct {
	name, hex      string
	key            []byte // short-term ice-pwd or long-term MD5 key
	software, user string
	xorMapped      string
	msgName        string
}{
	{
		name: "2.1 sample request",
		hex: "000100582112a442b7e7a701bc34d686fa87dfae" +
			"802200105354554e207465737420636c69656e74" +
			"002400046e0001ff80290008932ff9b151263b36" +
			"000600096576746a3a68367659202020" +
			"000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2" +
			"80280004e57a3bcf",
		key:      []byte("VOkJxbRl1RmTxUk/WvJxBt"),
		software: "STUN test client", user: "evtj:h6vY", msgName: "Binding Request",
	},
	{
		name: "2.2 sample IPv4 response",
		hex: "0101003c2112a442b7e7a701bc34d686fa87dfae" +
			"8022000b7465737420766563746f7220" +
			"002000080001a147e112a643" +
			"000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" +
			"80280004c07d4c96",
		key:      []byte("VOkJxbRl1RmTxUk/WvJxBt"),
		software: "test vector", xorMapped: "192.0.2.1:32853", msgName: "Binding Success Response",
	},
	{
		name: "2.3 sample IPv6 response",
		hex: "010100482112a442b7e7a701bc34d686fa87dfae" +
			"8022000b7465737420766563746f7220" +
			"002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9" +
			"00080014a382954e4be67bf11784c97c8292c275bfe3ed41" +
			"80280004c8fb0b4c",
		key:       []byte("VOkJxbRl1RmTxUk/WvJxBt"),
		software:  "test vector",
		xorMapped: "[2001:db8:1234:5678:11:2233:4455:6677]:32853", msgName: "Binding Success Response",
	},
	{
		name: "2.4 request with long-term authentication",
		hex: "000100602112a44278ad3433c6ad72c029da412e" +
			"00060012e3839ee38388e383aae38383e382afe382b90000" +
			"0015001c662f2f3439396b39353464364f4c33346f4c394653547679363473" + "41" +
			"0014000b6578616d706c652e6f726700" +
			"00080014f67024656dd64a3e02b8e0712e85c9a28ca89666",
		key:  longTermKey("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9", "example.org", "TheMatrIX"),
		user: "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9", msgName: "Binding Request",
	},
}

// longTermKey is MD5(username ":" realm ":" password), RFC 8489 §9.2.2.
func longTermKey(user, realm, pass string) []byte {
	k := md5.Sum([]byte(user + ":" + realm + ":" + pass))
	return k[:]
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func TestRFC5769(t *testing.T) {
	for _, tt := range rfc5769 {
		t.Run(tt.name, func(t *testing.T) {
			var m STUN
			b := mustHex(t, tt.hex)
			if err := m.Decode(b); err != nil {
				t.Fatalf("Decode = %v, want nil", err)
			}
			if m.Name() != tt.msgName || m.Dialect != DialectRFC5389 {
				t.Errorf("Name, Dialect = %q, %v; want %q, rfc5389", m.Name(), m.Dialect, tt.msgName)
			}
			if string(m.Software) != tt.software || strings.TrimRight(string(m.Username), " ") != tt.user {
				t.Errorf("Software, Username = %q, %q; want %q, %q", m.Software, m.Username, tt.software, tt.user)
			}
			if got := addrString(m.XORMapped); got != tt.xorMapped {
				t.Errorf("XORMapped = %q, want %q", got, tt.xorMapped)
			}
			if ok, present := m.VerifyIntegrity(tt.key); !ok || !present {
				t.Errorf("VerifyIntegrity = %v, %v; want true, true", ok, present)
			}
			if ok, _ := m.VerifyIntegrity([]byte("wrong")); ok {
				t.Errorf("VerifyIntegrity(wrong key) = true, want false")
			}
			wantFP := strings.Contains(tt.hex, "80280004")
			if m.HasFingerprint != wantFP || m.FingerprintOK != wantFP || m.FingerprintLegacy {
				t.Errorf("HasFingerprint, FingerprintOK, FingerprintLegacy = %v, %v, %v; want %v, %v, false",
					m.HasFingerprint, m.FingerprintOK, m.FingerprintLegacy, wantFP, wantFP)
			}
			crossCheckPion(t, b, &m)
		})
	}
}

func addrString(a netip.AddrPort) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// crossCheckPion decodes b with pion/stun and compares what both read.
func crossCheckPion(t *testing.T, b []byte, m *STUN) {
	t.Helper()
	p := &stun.Message{Raw: append([]byte(nil), b...)}
	if err := p.Decode(); err != nil {
		t.Fatalf("pion Decode = %v", err)
	}
	if uint16(p.Type.Value()) != m.Type || len(p.Attributes) != len(m.Attrs) {
		t.Errorf("pion type %v with %d attributes, ours %#04x with %d", p.Type, len(p.Attributes), m.Type, len(m.Attrs))
	}
	if string(p.TransactionID[:]) != string(m.TxID[4:]) {
		t.Errorf("pion transaction ID %x, ours %x", p.TransactionID, m.TxID[4:])
	}
	var xa stun.XORMappedAddress
	if err := xa.GetFrom(p); err == nil {
		if got := netip.AddrPortFrom(netip.MustParseAddr(xa.IP.String()), uint16(xa.Port)); got != m.XORMapped {
			t.Errorf("pion XOR-MAPPED-ADDRESS %v, ours %v", got, m.XORMapped)
		}
	}
}

// TestPionAgreesOnCaptures decodes every RFC 5389 message of the WebRTC
// captures with pion/stun too and compares type, attributes and the
// XOR-MAPPED-ADDRESS.
func TestPionAgreesOnCaptures(t *testing.T) {
	for _, name := range []string{"zeek__webrtc-stun.pcap", "zeek-spicy-analyzers__stun-ice-testcall.pcap", "ntop-nDPI__stun_facebook.pcapng"} {
		t.Run(name, func(t *testing.T) {
			n := 0
			for _, d := range loadFixture(t, name) {
				msg, _ := unwrapSTUN(d)
				var m STUN
				if Classify(msg) != ContentSTUN || m.Decode(msg) != nil || m.Dialect != DialectRFC5389 {
					continue
				}
				crossCheckPion(t, msg, &m)
				n++
			}
			if n == 0 {
				t.Errorf("%s: no RFC 5389 message decoded", name)
			}
		})
	}
}
