package synth

import (
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"math/big"
	"time"
)

// TLS 1.2 constants used by TLSServerFlight (RFC 5246 §7.4, RFC 8422 §5.4,
// RFC 8446 §4.2.3 signature scheme registry).
const (
	tlsHandshake            = 0x16
	tlsVersion12            = 0x0303
	tlsCipherECDHEECDSAGCM  = 0xC02B // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	tlsCurveX25519          = 0x001D
	tlsSigEd25519           = 0x0807
	tlsExtRenegotiationInfo = 0xFF01
	tlsExtExtendedMaster    = 0x0017
	tlsExtECPointFormats    = 0x000B
)

// TLSIdentity is a server certificate chain with its signing key, as an
// inspecting proxy presents it in place of the server a client asked for.
type TLSIdentity struct {
	// Chain holds DER certificates, leaf first.
	Chain [][]byte
	// Key signs the ServerKeyExchange.
	Key ed25519.PrivateKey
}

// NewTLSIdentity returns a deterministic Ed25519 leaf certificate for
// commonName issued by a CA named issuer (RFC 5280 §4.1, RFC 8410 for
// Ed25519 keys), both keys derived from seed and valid from notBefore for
// one year. Ed25519 signatures are deterministic (RFC 8032 §5.1.6), so
// equal inputs give equal bytes.
func NewTLSIdentity(seed, commonName, issuer string, notBefore time.Time) (TLSIdentity, error) {
	caKey := ed25519.NewKeyFromSeed(seed32(seed + "/ca"))
	leafKey := ed25519.NewKeyFromSeed(seed32(seed + "/leaf"))
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: issuer, Organization: []string{"Example Inspection"}},
		NotBefore: notBefore, NotAfter: notBefore.AddDate(1, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(nil, ca, ca, caKey.Public(), caKey)
	if err != nil {
		return TLSIdentity{}, err
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: commonName}, DNSNames: []string{commonName},
		NotBefore: notBefore, NotAfter: notBefore.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(nil, leaf, ca, leafKey.Public(), caKey)
	if err != nil {
		return TLSIdentity{}, err
	}
	return TLSIdentity{Chain: [][]byte{leafDER, caDER}, Key: leafKey}, nil
}

// seed32 returns 32 deterministic bytes derived from s.
func seed32(s string) []byte {
	a, b := NewTxID(s+"/0", false), NewTxID(s+"/1", false)
	return append(a[:], b[:]...)
}

// TLSServerFlight returns what a real TLS 1.2 server (or a TLS-inspecting
// proxy) sends after a ClientHello: one handshake record holding ServerHello
// (RFC 5246 §7.4.1.3) with renegotiation_info, extended_master_secret and
// ec_point_formats extensions, Certificate (§7.4.2), ServerKeyExchange with
// an x25519 share signed by the identity's Ed25519 key over both randoms
// (RFC 8422 §5.4), and ServerHelloDone (§7.4.5). It is the answer an MS
// pseudo-TLS client does not expect (MS-REFERENCE §1.8, §6 pattern 4).
func TLSServerFlight(id TLSIdentity, clientRandom, serverRandom, session [32]byte) []byte {
	var hs []byte
	hs = appendHandshake(hs, 2, serverHello(serverRandom, session))
	hs = appendHandshake(hs, 11, certificateBody(id.Chain))
	hs = appendHandshake(hs, 12, serverKeyExchange(id.Key, clientRandom, serverRandom))
	hs = appendHandshake(hs, 14, nil)
	rec := []byte{tlsHandshake, 0x03, 0x03}
	rec = binary.BigEndian.AppendUint16(rec, uint16(len(hs)))
	return append(rec, hs...)
}

// serverHello returns the ServerHello body.
func serverHello(random, session [32]byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, tlsVersion12)
	b = append(b, random[:]...)
	b = append(b, 32)
	b = append(b, session[:]...)
	b = binary.BigEndian.AppendUint16(b, tlsCipherECDHEECDSAGCM)
	b = append(b, 0)                                      // compression: null
	ext := []byte{0xFF, 0x01, 0x00, 0x01, 0x00}           // renegotiation_info, empty
	ext = append(ext, 0x00, 0x17, 0x00, 0x00)             // extended_master_secret
	ext = append(ext, 0x00, 0x0B, 0x00, 0x02, 0x01, 0x00) // ec_point_formats: uncompressed
	b = binary.BigEndian.AppendUint16(b, uint16(len(ext)))
	return append(b, ext...)
}

// certificateBody returns the Certificate body: a u24 list of u24-prefixed
// DER certificates.
func certificateBody(chain [][]byte) []byte {
	var list []byte
	for _, c := range chain {
		list = appendU24(list, len(c))
		list = append(list, c...)
	}
	return append(appendU24(nil, len(list)), list...)
}

// serverKeyExchange returns an ECDHE ServerKeyExchange body: named curve
// x25519, a fixed public share, and an Ed25519 signature over client
// random, server random and the parameters.
func serverKeyExchange(key ed25519.PrivateKey, clientRandom, serverRandom [32]byte) []byte {
	share := seed32("x25519-share")
	params := []byte{3, byte(tlsCurveX25519 >> 8), byte(tlsCurveX25519 & 0xFF), 32}
	params = append(params, share...)
	signed := append(append(append([]byte(nil), clientRandom[:]...), serverRandom[:]...), params...)
	sig := ed25519.Sign(key, signed)
	b := binary.BigEndian.AppendUint16(params, tlsSigEd25519)
	b = binary.BigEndian.AppendUint16(b, uint16(len(sig)))
	return append(b, sig...)
}

// appendHandshake appends a handshake message: type, u24 length, body.
func appendHandshake(b []byte, typ byte, body []byte) []byte {
	b = append(b, typ)
	b = appendU24(b, len(body))
	return append(b, body...)
}

// appendU24 appends n as a 24-bit big-endian integer.
func appendU24(b []byte, n int) []byte {
	return append(b, byte(n>>16), byte(n>>8), byte(n))
}
