package redact

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"hash/crc32"
	"net/netip"

	"github.com/icediag/icediag/decode/wire"
)

// STUN, TURN and MS-TURN attribute types the rewriter changes (RFC 8489
// §14, RFC 8656 §18, RFC 5780 §7, RFC 3489 §11.2, MS-TURN §2.2.2).
const (
	atMapped          = 0x0001
	atResponseAddress = 0x0002
	atSourceAddress   = 0x0004
	atChangedAddress  = 0x0005
	atUsername        = 0x0006
	atIntegrity       = 0x0008
	atErrorCode       = 0x0009
	atReflectedFrom   = 0x000B
	atMSAlternate     = 0x000E
	atMSDestination   = 0x0011 // MS DESTINATION-ADDRESS
	atPeer            = 0x0012 // RFC XOR-PEER-ADDRESS, MS REMOTE-ADDRESS
	atData            = 0x0013
	atRealm           = 0x0014 // MS: NONCE
	atNonce           = 0x0015 // MS: REALM
	atXORRelayed      = 0x0016
	atIntegritySHA256 = 0x001C
	atXORMapped       = 0x0020
	atMSXORMapped     = 0x8020
	atSoftware        = 0x8022
	atAlternateServer = 0x8023
	atFingerprint     = 0x8028
	atResponseOrigin  = 0x802B
	atOtherAddress    = 0x802C
	atMSAltHostName   = 0x8032
	fingerprintXOR    = 0x5354554E
	stunHeader        = 20
)

// legacyCRC is the CRC-32 table of older MS stacks, whose entry 0x8bbeb8ea
// reads 0x08bbe8ea (MS-ICE2 §3.1.4.8.2, MS-REFERENCE §2.4).
var legacyCRC = func() *crc32.Table {
	t := *crc32.IEEETable
	for i, v := range t {
		if v == 0x8bbeb8ea {
			t[i] = 0x08bbe8ea
		}
	}
	return &t
}()

// integrityForm is how a MESSAGE-INTEGRITY verified: the RFC 8489 §14.5
// form (header length covering the attribute) or the MS-ICE2 form (header
// as sent, MS-REFERENCE §2.4).
type integrityForm uint8

const (
	formNone integrityForm = iota
	formRFC
	formMS
)

// rewriteSTUN rewrites one STUN, TURN or MS-TURN message in place (b is
// exactly the message): addresses get their pseudonyms (XOR addresses
// re-XORed with the header, RFC 8489 §14.2), USERNAME, REALM, NONCE,
// SOFTWARE and reason phrases their text pseudonyms, relayed DATA is
// rewritten as content, MESSAGE-INTEGRITY is recomputed with the
// pseudonym ice-pwd when the original verified with a known ice-pwd
// (otherwise replaced by a pseudonym), and FINGERPRINT is recomputed
// (RFC 8489 §14.7). It returns false when the message does not parse.
func (p *PacketRewriter) rewriteSTUN(b []byte, depth int) bool {
	var m wire.STUN
	if m.Decode(b) != nil {
		return false
	}
	key, form := p.verifiedKey(&m)
	fpOK, fpLegacy := m.HasFingerprint && (m.FingerprintOK || m.FingerprintLegacy), m.FingerprintLegacy
	fp := fingerprintOffset(&m)
	origDiffers := fp >= 0 && legacyDiffers(b[:fp])
	var xor [16]byte
	copy(xor[:], b[4:20])
	ms := m.Dialect == wire.DialectMSTURN
	for _, a := range m.Attrs {
		p.rewriteAttr(a.Type, a.Value, xor, ms, depth)
	}
	for _, a := range m.Attrs {
		switch a.Type {
		case atIntegrity:
			p.rewriteIntegrity(b, a.Offset, a.Value, key, form)
		case atIntegritySHA256:
			copy(a.Value, p.r.Secret(a.Value))
		case atFingerprint:
			p.rewriteFingerprint(b, a.Offset, a.Value, fpOK, fpLegacy)
		}
	}
	p.keepLegacyDistinct(b, &m, origDiffers, key, form)
	return true
}

// rewriteAttr rewrites one attribute value in place.
func (p *PacketRewriter) rewriteAttr(t uint16, v []byte, xor [16]byte, ms bool, depth int) {
	switch t {
	case atMapped, atResponseAddress, atSourceAddress, atChangedAddress, atReflectedFrom,
		atMSAlternate, atMSDestination, atAlternateServer, atResponseOrigin, atOtherAddress:
		p.plainAddr(v)
	case atPeer:
		if ms {
			p.plainAddr(v)
		} else {
			p.xorAddr(v, xor)
		}
	case atXORMapped, atMSXORMapped, atXORRelayed:
		p.xorAddr(v, xor)
	case atUsername:
		p.username(v)
	case atRealm, atNonce:
		p.text(v)
	case atSoftware, atMSAltHostName:
		p.text(v)
	case atErrorCode:
		if len(v) > 4 {
			p.text(v[4:])
		}
	case atData:
		p.content(v, depth+1)
	}
}

// text rewrites a printable value with the redactor's text pseudonyms and
// a binary one with a secret pseudonym.
func (p *PacketRewriter) text(v []byte) {
	if len(v) == 0 {
		return
	}
	if isPrintable(v) {
		p.r.Bytes(v)
		return
	}
	copy(v, p.r.Secret(v))
}

// username rewrites a USERNAME: an ICE "remote:local" value (RFC 8445
// §7.2.2, MS-ICE2 with NUL padding, MS-REFERENCE §2.4) ufrag by ufrag, so
// each gets the pseudonym its SDP a=ice-ufrag line gets; anything else as
// text or as a secret.
func (p *PacketRewriter) username(v []byte) {
	t := bytes.TrimRight(v, "\x00")
	if len(t) == 0 || !isPrintable(t) {
		p.text(v)
		return
	}
	for len(t) > 0 {
		i := bytes.IndexByte(t, ':')
		if i < 0 {
			i = len(t)
		}
		if part := string(t[:i]); isPrintable(t[:i]) && learnable(part, KindToken) {
			copy(t[:i], p.r.LearnString(KindToken, part)) // ufrags an MS-ICE2 padding kept from Learn
		} else {
			p.r.Bytes(t[:i])
		}
		t = t[min(i+1, len(t)):]
	}
}

// plainAddr rewrites a MAPPED-ADDRESS-style value (RFC 8489 §14.1).
func (p *PacketRewriter) plainAddr(v []byte) {
	switch {
	case len(v) >= 8 && v[1] == 1:
		a := p.r.Addr(netip.AddrFrom4([4]byte(v[4:8]))).As4()
		copy(v[4:8], a[:])
	case len(v) >= 20 && v[1] == 2:
		a := p.r.Addr(netip.AddrFrom16([16]byte(v[4:20]))).As16()
		copy(v[4:20], a[:])
	}
}

// xorAddr rewrites an XOR-MAPPED-ADDRESS-style value: XOR with header
// bytes 4..19 (the cookie and transaction ID, or the MS 128-bit ID),
// replace, XOR again (RFC 8489 §14.2, MS-REFERENCE §1.5).
func (p *PacketRewriter) xorAddr(v []byte, xor [16]byte) {
	n := 0
	switch {
	case len(v) >= 8 && v[1] == 1:
		n = 4
	case len(v) >= 20 && v[1] == 2:
		n = 16
	default:
		return
	}
	var raw [16]byte
	for i := 0; i < n; i++ {
		raw[i] = v[4+i] ^ xor[i]
	}
	var out [16]byte
	if n == 4 {
		a := p.r.Addr(netip.AddrFrom4([4]byte(raw[:4]))).As4()
		copy(out[:], a[:])
	} else {
		out = p.r.Addr(netip.AddrFrom16(raw)).As16()
	}
	for i := 0; i < n; i++ {
		v[4+i] = out[i] ^ xor[i]
	}
}

// verifiedKey returns the pseudonym ice-pwd and form when the message's
// MESSAGE-INTEGRITY verifies with one of the known SDP ice-pwds.
func (p *PacketRewriter) verifiedKey(m *wire.STUN) ([]byte, integrityForm) {
	off := m.IntegrityOffset
	if !m.HasIntegrity || off < stunHeader || off+24 > len(m.Raw) {
		return nil, formNone
	}
	for i, pwd := range p.pwds {
		for _, form := range []integrityForm{formRFC, formMS} {
			if hmac.Equal(integrity(m.Raw, off, pwd, form), m.Raw[off+4:off+24]) {
				return p.pseudoPwds[i], form
			}
		}
	}
	return nil, formNone
}

// integrity computes the HMAC-SHA1 of MESSAGE-INTEGRITY at offset off of
// msg in the given form (RFC 8489 §14.5; MS-REFERENCE §2.4).
func integrity(msg []byte, off int, key []byte, form integrityForm) []byte {
	mac := hmac.New(sha1.New, key)
	if form == formMS {
		mac.Write(msg[:off])
		return mac.Sum(nil)
	}
	var hdr [4]byte
	copy(hdr[:2], msg[0:2])
	binary.BigEndian.PutUint16(hdr[2:], uint16(off+24-stunHeader))
	mac.Write(hdr[:])
	mac.Write(msg[4:off])
	return mac.Sum(nil)
}

// rewriteIntegrity recomputes MESSAGE-INTEGRITY over the rewritten message
// with the pseudonym key, or replaces it with a pseudonym when no known
// key verified it.
func (p *PacketRewriter) rewriteIntegrity(b []byte, off int, v []byte, key []byte, form integrityForm) {
	if form != formNone && len(v) == 20 && off+24 <= len(b) {
		copy(v, integrity(b, off, key, form))
		p.Stats.IntegrityRecomputed++
		return
	}
	copy(v, p.r.Secret(v))
	p.Stats.IntegrityReplaced++
}

// rewriteFingerprint recomputes FINGERPRINT (CRC-32 of the message before
// it XOR 0x5354554e, RFC 8489 §14.7) with the table the original used; a
// FINGERPRINT that did not verify is replaced by a pseudonym.
func (p *PacketRewriter) rewriteFingerprint(b []byte, off int, v []byte, ok, legacy bool) {
	if len(v) != 4 || off > len(b) {
		return
	}
	if !ok {
		copy(v, p.r.Secret(v))
		return
	}
	t := crc32.IEEETable
	if legacy {
		t = legacyCRC
	}
	binary.BigEndian.PutUint32(v, crc32.Checksum(b[:off], t)^fingerprintXOR)
}
