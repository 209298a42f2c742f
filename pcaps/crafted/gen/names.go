package main

import (
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"math/big"
	"net/netip"
	"strings"
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// DNS wire values (RFC 1035 §4.1.1, §3.2.2; RFC 2782; RFC 3596).
const (
	dnsA, dnsAAAA, dnsSRV                 = 1, 28, 33
	rcodeOK, rcodeServFail, rcodeNXDomain = 0, 2, 3
	dnsFlagsQuery                         = 0x0100 // RD
	dnsFlagsResponse                      = 0x8180 // QR, RD, RA
)

// rr is one answer record; its owner name is the question's, written as a
// compression pointer to offset 12 (RFC 1035 §4.1.4).
type rr struct {
	typ  uint16
	ttl  uint32
	data []byte
}

// dnsWireName writes a name as uncompressed labels (RFC 1035 §3.1).
func dnsWireName(name string) []byte {
	var b []byte
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0)
}

// dnsMessage builds a message with one question and the given answers.
func dnsMessage(id, flags uint16, name string, qtype uint16, answers ...rr) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = binary.BigEndian.AppendUint16(b, flags)
	b = binary.BigEndian.AppendUint16(b, 1)
	b = binary.BigEndian.AppendUint16(b, uint16(len(answers)))
	b = append(b, 0, 0, 0, 0)
	b = append(b, dnsWireName(name)...)
	b = binary.BigEndian.AppendUint16(b, qtype)
	b = binary.BigEndian.AppendUint16(b, 1) // IN
	for _, a := range answers {
		b = append(b, 0xC0, 12)
		b = binary.BigEndian.AppendUint16(b, a.typ)
		b = binary.BigEndian.AppendUint16(b, 1)
		b = binary.BigEndian.AppendUint32(b, a.ttl)
		b = binary.BigEndian.AppendUint16(b, uint16(len(a.data)))
		b = append(b, a.data...)
	}
	return b
}

// dnsQuery is a recursive query for name.
func dnsQuery(id uint16, name string, qtype uint16) []byte {
	return dnsMessage(id, dnsFlagsQuery, name, qtype)
}

// dnsAnswer is the response to dnsQuery with rcode and answers.
func dnsAnswer(id uint16, name string, qtype uint16, rcode uint16, answers ...rr) []byte {
	return dnsMessage(id, dnsFlagsResponse|rcode, name, qtype, answers...)
}

// rrA is an A record.
func rrA(addr string) rr {
	a := netip.MustParseAddr(addr).As4()
	return rr{typ: dnsA, ttl: 3600, data: a[:]}
}

// rrSRV is an SRV record (RFC 2782): priority, weight, port, target.
func rrSRV(prio, weight, port uint16, target string) rr {
	b := binary.BigEndian.AppendUint16(nil, prio)
	b = binary.BigEndian.AppendUint16(b, weight)
	b = binary.BigEndian.AppendUint16(b, port)
	return rr{typ: dnsSRV, ttl: 3600, data: append(b, dnsWireName(target)...)}
}

// clientHello returns a TLS 1.2 ClientHello record (RFC 5246 §7.4.1.2)
// with the server_name extension (RFC 6066 §3) naming sni.
func clientHello(random [32]byte, sni string) []byte {
	body := binary.BigEndian.AppendUint16(nil, 0x0303)
	body = append(body, random[:]...)
	body = append(body, 0)                                  // no session ID
	body = append(body, 0x00, 0x04, 0xC0, 0x2B, 0xC0, 0x2F) // ECDHE-ECDSA/RSA-AES128-GCM
	body = append(body, 1, 0)                               // null compression
	name := binary.BigEndian.AppendUint16([]byte{0}, uint16(len(sni)))
	name = append(name, sni...)
	sn := binary.BigEndian.AppendUint16(nil, uint16(len(name)))
	sn = append(sn, name...)
	ext := []byte{0x00, 0x00}
	ext = binary.BigEndian.AppendUint16(ext, uint16(len(sn)))
	ext = append(ext, sn...)
	ext = append(ext, 0x00, 0x0D, 0x00, 0x04, 0x00, 0x02, 0x08, 0x07) // signature_algorithms: ed25519
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)
	return tlsRecord(0x16, 0x0301, handshake(1, body))
}

// serverHello13 returns a TLS 1.3 ServerHello record (RFC 8446 §4.1.3)
// selecting TLS 1.3 in supported_versions, with an x25519 key share.
func serverHello13(random, session [32]byte) []byte {
	body := binary.BigEndian.AppendUint16(nil, 0x0303)
	body = append(body, random[:]...)
	body = append(body, 32)
	body = append(body, session[:]...)
	body = append(body, 0x13, 0x01, 0) // TLS_AES_128_GCM_SHA256, null compression
	share := fixed32("tls13/share")
	ext := []byte{0x00, 0x2B, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x24, 0x00, 0x1D, 0x00, 0x20}
	ext = append(ext, share[:]...)
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)
	return tlsRecord(0x16, 0x0303, handshake(2, body))
}

// handshake frames a handshake message: type, u24 length, body.
func handshake(typ byte, body []byte) []byte {
	n := len(body)
	return append([]byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// tlsRecord frames a TLS record (RFC 5246 §6.2.1).
func tlsRecord(typ byte, version uint16, body []byte) []byte {
	b := []byte{typ, byte(version >> 8), byte(version)}
	b = binary.BigEndian.AppendUint16(b, uint16(len(body)))
	return append(b, body...)
}

// splitRecords re-frames the handshake bytes of one record into records
// of at most size bytes of body each (RFC 5246 §6.2.1 fragmentation).
func splitRecords(rec []byte, size int) []byte {
	var out []byte
	for body := rec[5:]; len(body) > 0; {
		n := min(size, len(body))
		out = append(out, tlsRecord(rec[0], binary.BigEndian.Uint16(rec[1:]), body[:n])...)
		body = body[n:]
	}
	return out
}

// certSpec describes a crafted server certificate.
type certSpec struct {
	seed       string
	cn         string
	sans       []string
	notBefore  time.Time
	notAfter   time.Time
	selfSigned bool
}

// identity builds a deterministic chain for spec: an Ed25519 leaf (RFC
// 8410) issued by an Ed25519 CA named after the seed, or signed by itself.
// Ed25519 signatures are deterministic (RFC 8032 §5.1.6), so the same spec
// always gives the same bytes.
func identity(spec certSpec) (synth.TLSIdentity, error) {
	seed := func(s string) []byte { r := fixed32(spec.seed + "/" + s); return r[:] }
	leafKey := ed25519.NewKeyFromSeed(seed("leaf"))
	leaf := &x509.Certificate{SerialNumber: big.NewInt(0x1d0c), Subject: pkix.Name{CommonName: spec.cn, Organization: []string{"Example"}},
		DNSNames: spec.sans, NotBefore: spec.notBefore, NotAfter: spec.notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	if spec.selfSigned {
		der, err := x509.CreateCertificate(nil, leaf, leaf, leafKey.Public(), leafKey)
		return synth.TLSIdentity{Chain: [][]byte{der}, Key: leafKey}, err
	}
	caKey := ed25519.NewKeyFromSeed(seed("ca"))
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Example Issuing CA", Organization: []string{"Example"}},
		NotBefore: start.AddDate(-3, 0, 0), NotAfter: start.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(nil, ca, ca, caKey.Public(), caKey)
	if err != nil {
		return synth.TLSIdentity{}, err
	}
	leafDER, err := x509.CreateCertificate(nil, leaf, ca, leafKey.Public(), caKey)
	return synth.TLSIdentity{Chain: [][]byte{leafDER, caDER}, Key: leafKey}, err
}
