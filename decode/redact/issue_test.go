package redact

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/wire"
)

// Regression tests of the export redaction, named after the bug.

// TestTextSIPURIHostAddress: an address right after "sip:", after the
// branch cookie, or after a %-escaped '@' (lines of
// heplify__sip_ipv4_tcp_fragmented, suricata-verify__sip_compact_form and
// sngrep__aaa in pcaps/public) survived Text.
func TestTextSIPURIHostAddress(t *testing.T) {
	r := New([]byte("issue"))
	r.LearnSIP([]byte("INVITE sip:1@x SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.9.8:5060;branch=z9hG4bKnp104984053-44ce4a41192.168.1.2;rport\r\n\r\n"))
	for _, tc := range []struct{ in, gone string }{
		{"Contact: <sip:10.0.2.20:5060>", "10.0.2.20"},
		{"Contact: <sip:10.0.2.20>;expires=3600", "10.0.2.20"},
		{"Via: SIP/2.0/UDP 192.168.9.8:5060;branch=z9hG4bKnp104984053-44ce4a41192.168.1.2;rport", "192.168.1.2"},
		{"Refer-To: <sip:43953496@151.177.68.17:5260?Replaces=bf3880-0-16e4-5af571fa%40101.231.48.19%3Bto-tag%3D1>", "101.231.48.19"},
	} {
		got := r.Text(tc.in)
		if strings.Contains(got, tc.gone) || len(got) != len(tc.in) {
			t.Errorf("Text(%q) = %q, want %q replaced and the length kept", tc.in, got, tc.gone)
		}
	}
	if got := r.Text("z9hG4bK776asdhds"); got != "z9hG4bK776asdhds" {
		t.Errorf("Text(%q) = %q: an unlearned branch changed", "z9hG4bK776asdhds", got)
	}
}

// TestLearnPaddedMSICE2Username: Learn skipped a USERNAME with the
// MS-ICE2 NUL padding (MS-REFERENCE §2.4), so its ufrags survived Text.
func TestLearnPaddedMSICE2Username(t *testing.T) {
	msg := stunMessage(0x0001, [12]byte{1, 2, 3}, attr(0x0006, []byte("Qw3rT:Zx9vB\x00")))
	var m wire.STUN
	if err := m.Decode(msg); err != nil {
		t.Fatal(err)
	}
	r := New([]byte("issue"))
	r.Learn(&decode.Event{Kind: decode.KindSTUN, STUN: &m})
	for _, ufrag := range []string{"Qw3rT", "Zx9vB"} {
		if got := r.Text("a=ice-ufrag:" + ufrag); strings.Contains(got, ufrag) {
			t.Errorf("Text(a=ice-ufrag:%s) = %q after learning the padded USERNAME", ufrag, got)
		}
	}
}

// TestLearnDisplayNameUnbalancedQuotes: the From header of
// suricata-verify__sip_compact_form.pcap (`f: \"arik\" <sip:...>`) was not
// learned, so the SIP message kept the name the report replaced.
func TestLearnDisplayNameUnbalancedQuotes(t *testing.T) {
	msg := "INVITE sip:97239287044@voip.brujula.net SIP/2.0\r\nf: \\\"arik\\\" <sip:816666@voip.brurjula.net>;tag=6433ef9\r\nl: 0\r\n\r\n"
	r := New([]byte("issue"))
	r.LearnSIP([]byte(msg))
	got := r.Text(msg)
	for _, s := range []string{"arik", "6433ef9"} {
		if strings.Contains(got, s) {
			t.Errorf("Text(%q) = %q, still holds %q", msg, got, s)
		}
	}
	report := New([]byte("issue"))
	report.LearnString(KindDisplay, "arik") // as the report's party learns it
	if want := report.Text("arik"); !strings.Contains(got, `\"`+want+`\"`) {
		t.Errorf("Text(%q) = %q, want the report's pseudonym %s", msg, got, want)
	}
}

// TestRewriteWebSocketMasked: a client's masked SIP frames (RFC 6455
// §5.3) were not unmasked, so their text kept every name.
func TestRewriteWebSocketMasked(t *testing.T) {
	sip := "REGISTER sip:sip.contoso.com SIP/2.0\r\nFrom: <sip:alice@contoso.com>;tag=abc123\r\nContact: <sip:alice@10.1.2.3:5060;transport=ws>\r\n\r\n"
	key := []byte{0x37, 0xfa, 0x21, 0x3d}
	payload := []byte(sip)
	wsMask(payload, key)
	frame := append([]byte{0x81, 0x80 | 126, 0, byte(len(payload))}, key...)
	frame = append(frame, payload...)
	head := "GET / HTTP/1.1\r\nHost: sip.contoso.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n"
	stream := append([]byte(head), frame...)
	r := New([]byte("issue"))
	r.LearnSIP([]byte(sip))
	p := r.NewPacketRewriter(nil)
	if n := p.rewriteStream(stream, nil); n != len(stream) {
		t.Fatalf("rewriteStream zeroed from %d of %d", n, len(stream))
	}
	out := stream[len(head):]
	if !bytes.Equal(out[:8], frame[:8]) {
		t.Errorf("frame header and key = % x, want % x", out[:8], frame[:8])
	}
	got := bytes.Clone(out[8:])
	wsMask(got, key)
	if want := r.Text(sip); string(got) != want {
		t.Errorf("unmasked payload = %q, want %q", got, want)
	}
	if strings.Contains(string(stream[:len(head)]), "contoso") {
		t.Errorf("HTTP head = %q, still names the domain", stream[:len(head)])
	}
}

// TestRewriteStreamChannelDataAndUTF8: two streams of pcaps/ were zeroed
// after their first message: ChannelData followed by more data on a TURN
// TCP connection (lab/turn-tcp443, frames 203 and 205 of alice-lan.pcap)
// and a SIP response whose display name is UTF-8
// (heplify__sip_ipv4_tcp_fragmented).
func TestRewriteStreamChannelDataAndUTF8(t *testing.T) {
	cd, err := hex.DecodeString("400000700001005c2112a4421a453fd3c951704f4d5affbe0006002172796a706e444b49736756474b76596e3a4b624c754d514c557941765172614242000000802a0008e53a4aa646f5ce2a002400046e0001ff00080014c0909f2e175c64df91ce93e990449361b671c46f802800047ec561ac")
	if err != nil {
		t.Fatal(err)
	}
	utf := []byte("SIP/2.0 100 Trying\r\nFrom: \"\xd0\x9f\xd1\x81\xd0\xba\xd0\xbe\xd0\xb2-5\" <sip:540454@maxus.lan>;tag=2B29D9ejt7t8Q\r\nContent-Length: 0\r\n\r\n")
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"channeldata", append(bytes.Clone(cd), cd...)},
		{"utf-8 sip", append(bytes.Clone(utf), utf...)},
	} {
		r := New([]byte("issue"))
		b := bytes.Clone(tc.b)
		if n := r.NewPacketRewriter(nil).rewriteStream(b, nil); n != len(b) || bytes.Count(b, []byte{0, 0, 0, 0, 0, 0, 0, 0}) > bytes.Count(tc.b, []byte{0, 0, 0, 0, 0, 0, 0, 0}) {
			t.Errorf("%s: rewriteStream = %d of %d, zeroed % x", tc.name, n, len(b), b)
		}
	}
	if looksLikeText([]byte{0x80, 0x00, 0x12, 0x34, 0x56}) || looksLikeText([]byte("ab\xff\xfecd")) {
		t.Errorf("looksLikeText accepts binary data")
	}
}

// TestLegacyFingerprintStaysDistinct: the MS-ICE2 legacy FINGERPRINT copy
// of a check (MS-REFERENCE §2.4) was rewritten equal to the standard copy
// when the rewritten bytes never used the one legacy table entry, and the
// analysis then read it as a retransmission.
func TestLegacyFingerprintStaysDistinct(t *testing.T) {
	r := New([]byte("issue"))
	r.LearnString(KindToken, "Qw3rT")
	r.LearnString(KindToken, "Zx9vB")
	p := r.NewPacketRewriter(nil)
	tested, remapped := 0, 0
	for i := 0; tested < 40 && i < 4000; i++ {
		id := [12]byte{byte(i), byte(i >> 8), 7}
		body := stunMessage(0x0001, id, attr(0x0006, []byte("Qw3rT:Zx9vB\x00")), attr(0x8028, make([]byte, 4)))
		fp := len(body) - 8
		if !legacyDiffers(body[:fp]) {
			continue
		}
		tested++
		std, legacy := bytes.Clone(body), bytes.Clone(body)
		binary.BigEndian.PutUint32(std[fp+4:], crc32.ChecksumIEEE(body[:fp])^fingerprintXOR)
		binary.BigEndian.PutUint32(legacy[fp+4:], crc32.Checksum(body[:fp], legacyCRC)^fingerprintXOR)
		if !p.rewriteSTUN(std, 0) || !p.rewriteSTUN(legacy, 0) {
			t.Fatalf("rewriteSTUN failed on % x", body)
		}
		var a, b wire.STUN
		if a.Decode(std) != nil || b.Decode(legacy) != nil {
			t.Fatalf("rewritten copies do not decode")
		}
		if !a.FingerprintOK || a.FingerprintLegacy || !b.FingerprintOK || !b.FingerprintLegacy || a.TxID != b.TxID {
			t.Errorf("txid %x: standard copy ok=%v legacy=%v, legacy copy ok=%v legacy=%v, same ID %v",
				id, a.FingerprintOK, a.FingerprintLegacy, b.FingerprintOK, b.FingerprintLegacy, a.TxID == b.TxID)
		}
		if !bytes.Equal(std[8:20], id[:]) {
			remapped++
		}
	}
	if tested < 40 || remapped == 0 {
		t.Fatalf("tested %d messages, %d needed another transaction ID: the test does not reach the case", tested, remapped)
	}
}

// stunMessage builds a STUN message with the RFC 8489 cookie.
func stunMessage(typ uint16, id [12]byte, attrs ...[]byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, typ)
	n := 0
	for _, a := range attrs {
		n += len(a)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	b = binary.BigEndian.AppendUint32(b, wire.MagicCookie)
	b = append(b, id[:]...)
	for _, a := range attrs {
		b = append(b, a...)
	}
	return b
}

// attr encodes one attribute, padded to four bytes.
func attr(typ uint16, v []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
	b = append(b, v...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}
