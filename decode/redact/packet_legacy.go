package redact

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"

	"github.com/icediag/icediag/decode/wire"
)

// MS-ICE2 legacy FINGERPRINT duplicates (MS-REFERENCE §2.4; MS-ICE2
// §3.1.4.8.2). An MS-ICE2 agent sends each check twice, once with the RFC
// 8489 §14.7 FINGERPRINT and once with the CRC-32 of a table whose entry
// 0x8bbeb8ea reads 0x08bbe8ea. The two values differ only when the CRC
// uses that entry, which depends on the message bytes: redacted bytes
// may never reach it, and the legacy copy would then read as a
// retransmission of the standard one. When the original's two CRCs
// differ and the rewritten message's do not, the rewriter gives the
// transaction a keyed pseudonym ID (the cookie kept) under which they
// differ again, and maps every later message of the transaction (copies,
// retransmissions, the response) to the same ID; a transaction one of
// whose messages was already written with its own ID keeps it. Transaction IDs name
// nothing, and no report shows them.

// maxTxTries bounds the search for a pseudonym transaction ID; each try
// succeeds with the chance that a CRC of the message uses one table entry
// (about 1 - (255/256)^len).
const maxTxTries = 256

// txID is the 96-bit transaction ID after the cookie (RFC 8489 §5).
type txID [12]byte

// legacyDiffers reports whether the legacy and the standard CRC-32 of msg
// differ.
func legacyDiffers(msg []byte) bool {
	return crc32.Checksum(msg, legacyCRC) != crc32.ChecksumIEEE(msg)
}

// isRequest reports the request class (RFC 8489 §5: C1 and C0 zero).
func isRequest(b []byte) bool { return b[0]&0x01 == 0 && b[1]&0x10 == 0 }

// fingerprintOffset returns the offset of the FINGERPRINT attribute, or -1.
func fingerprintOffset(m *wire.STUN) int {
	for _, a := range m.Attrs {
		if a.Type == atFingerprint {
			return a.Offset
		}
	}
	return -1
}

// keepLegacyDistinct runs after a message was rewritten: it moves the
// message to its transaction's pseudonym ID, or picks one when the
// message's legacy FINGERPRINT would no longer differ from the standard
// one (origDiffers is the test on the original bytes). m is the decoded
// original (its attribute offsets hold), b the rewritten message.
func (p *PacketRewriter) keepLegacyDistinct(b []byte, m *wire.STUN, origDiffers bool, key []byte, form integrityForm) {
	if len(b) < stunHeader || binary.BigEndian.Uint32(b[4:]) != wire.MagicCookie {
		return
	}
	var id txID
	copy(id[:], b[8:stunHeader])
	if to, ok := p.txids[id]; ok {
		p.setTxID(b, m, to, key, form)
		return
	}
	fp := fingerprintOffset(m)
	if p.keptTx[id] || !origDiffers || fp < 0 || !isRequest(b) || legacyDiffers(b[:fp]) {
		p.keptTx[id] = true // written with its own ID: every message of it keeps it
		return
	}
	trial := bytes.Clone(b)
	for n := 0; n < maxTxTries; n++ {
		var to txID
		copy(to[:], p.r.stream("txid", append(id[:], byte(n), byte(n>>8)), len(to)))
		copy(trial, b)
		p.setTxID(trial, m, to, key, form)
		if legacyDiffers(trial[:fp]) {
			p.txids[id] = to
			copy(b, trial)
			return
		}
	}
}

// setTxID gives a rewritten message another transaction ID: the XORed
// IPv6 addresses (XORed with the ID, RFC 8489 §14.2) are XORed again, and
// MESSAGE-INTEGRITY, when it was signed again, and FINGERPRINT are
// recomputed.
func (p *PacketRewriter) setTxID(b []byte, m *wire.STUN, to txID, key []byte, form integrityForm) {
	var diff txID
	for i := range diff {
		diff[i] = b[8+i] ^ to[i]
	}
	ms := m.Dialect == wire.DialectMSTURN
	for _, a := range m.Attrs {
		switch a.Type {
		case atXORMapped, atMSXORMapped, atXORRelayed, atPeer:
			if a.Type == atPeer && ms || len(a.Value) < 20 || a.Value[1] != 2 {
				continue
			}
			for i := range diff {
				b[a.Offset+4+8+i] ^= diff[i] // address bytes 4..15 XOR the ID
			}
		}
	}
	copy(b[8:stunHeader], to[:])
	legacy := m.FingerprintLegacy
	for _, a := range m.Attrs {
		switch {
		case a.Type == atIntegrity && form != formNone && len(a.Value) == 20 && a.Offset+24 <= len(b):
			copy(b[a.Offset+4:a.Offset+24], integrity(b, a.Offset, key, form))
		case a.Type == atFingerprint && len(a.Value) == 4 && (m.FingerprintOK || legacy):
			t := crc32.IEEETable
			if legacy {
				t = legacyCRC
			}
			binary.BigEndian.PutUint32(b[a.Offset+4:], crc32.Checksum(b[:a.Offset], t)^fingerprintXOR)
		}
	}
}
