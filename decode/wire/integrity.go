package wire

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"hash/crc32"
)

// fingerprintXOR is XORed into the CRC-32 of FINGERPRINT (RFC 8489 §14.7).
const fingerprintXOR = 0x5354554E

// legacyCRCTable is the CRC-32 table of older MS stacks, in which entry
// 0x8bbeb8ea reads 0x08bbe8ea (MS-ICE2 3.1.4.8.2, MS-REFERENCE §2.4).
var legacyCRCTable = func() *crc32.Table {
	t := *crc32.IEEETable
	for i, v := range t {
		if v == 0x8bbeb8ea {
			t[i] = 0x08bbe8ea
		}
	}
	return &t
}()

// checkFingerprint compares a FINGERPRINT value with the CRC-32 of msg
// (everything before the attribute), first with the standard table and
// then with the legacy MS table.
func checkFingerprint(msg, v []byte) (ok, legacy bool) {
	if len(v) != 4 {
		return false, false
	}
	want := binary.BigEndian.Uint32(v)
	if crc32.ChecksumIEEE(msg)^fingerprintXOR == want {
		return true, false
	}
	if crc32.Checksum(msg, legacyCRCTable)^fingerprintXOR == want {
		return true, true
	}
	return false, false
}

// VerifyIntegrity checks MESSAGE-INTEGRITY (RFC 8489 §14.5, RFC 5389 §15.4):
// HMAC-SHA1 with key over the message up to the attribute, with the header
// length covering the attribute. key is the ICE password for short-term
// credentials or MD5(username:realm:password) for long-term ones. When that
// fails it also tries the MS-ICE2 form with the header length left as sent
// (MS-REFERENCE §2.4, uncertain). present is false when the message has no
// MESSAGE-INTEGRITY. It may allocate.
func (m *STUN) VerifyIntegrity(key []byte) (ok, present bool) {
	off := m.IntegrityOffset
	if !m.HasIntegrity || off < stunHeaderLen || off+24 > len(m.Raw) {
		return false, m.HasIntegrity
	}
	got := m.Raw[off+4 : off+24]
	mac := hmac.New(sha1.New, key)
	var hdr [4]byte
	copy(hdr[:2], m.Raw[0:2])
	binary.BigEndian.PutUint16(hdr[2:4], uint16(off+24-stunHeaderLen))
	mac.Write(hdr[:])
	mac.Write(m.Raw[4:off])
	if hmac.Equal(mac.Sum(nil), got) {
		return true, true
	}
	mac.Reset()
	mac.Write(m.Raw[:off])
	return hmac.Equal(mac.Sum(nil), got), true
}
