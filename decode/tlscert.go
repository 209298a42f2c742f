package decode

import (
	"bytes"
	"crypto/x509"
	"strings"

	"github.com/icediag/icediag/decode/wire"
)

// TLS handshake constants (RFC 5246 §7.4, RFC 8446 §4.2.1).
const (
	tlsHandshakeRecord   = 22
	hsClientHello        = 1
	hsServerHello        = 2
	hsCertificate        = 11
	hsServerHelloDone    = 14
	extSupportedVersions = 0x002B
	tls13                = 0x0304
)

// Bounds of the certificate reader: the handshake bytes one direction of a
// connection may buffer before its Certificate message is complete, and the
// certificates one message may carry.
const (
	MaxHandshakeBytes = 64 << 10
	MaxChainLength    = 16
)

var (
	errCertHeader = &wire.ParseError{Proto: "tls", Field: "certificate message header", Offset: 0, Err: wire.ErrTruncated}
	errCertType   = &wire.ParseError{Proto: "tls", Field: "certificate message type", Offset: 0, Err: wire.ErrBadValue}
	errCertLen    = &wire.ParseError{Proto: "tls", Field: "certificate message length", Offset: 1, Err: wire.ErrBadLength}
	errCertList   = &wire.ParseError{Proto: "tls", Field: "certificate list length", Offset: 4, Err: wire.ErrBadLength}
	errCertEntry  = &wire.ParseError{Proto: "tls", Field: "certificate length", Offset: -1, Err: wire.ErrBadLength}
	errCertMany   = &wire.ParseError{Proto: "tls", Field: "certificate list", Offset: 4, Err: wire.ErrTooMany}
)

// CertificateMessage splits a TLS 1.0-1.2 Certificate handshake message
// (RFC 5246 §7.4.2: type 11, u24 length, then a u24-prefixed list of
// u24-prefixed DER certificates, sender's certificate first) into its DER
// certificates. The slices alias msg. An empty list is valid (a client
// without a certificate); more than MaxChainLength entries is an error.
func CertificateMessage(msg []byte) ([][]byte, error) {
	if len(msg) < 7 {
		return nil, errCertHeader
	}
	if msg[0] != hsCertificate {
		return nil, errCertType
	}
	if u24(msg[1:]) != len(msg)-4 {
		return nil, errCertLen
	}
	list := msg[7:]
	if u24(msg[4:]) != len(list) {
		return nil, errCertList
	}
	var out [][]byte
	for len(list) > 0 {
		if len(list) < 3 {
			return nil, errCertEntry
		}
		n := u24(list)
		if n == 0 || n > len(list)-3 {
			return nil, errCertEntry
		}
		if len(out) == MaxChainLength {
			return nil, errCertMany
		}
		out = append(out, list[3:3+n])
		list = list[3+n:]
	}
	return out, nil
}

// ParseCertificateChain parses a Certificate handshake message with
// CertificateMessage and each certificate with crypto/x509 (RFC 5280). The
// certificates own their bytes. It returns the ones that parsed, in order,
// and how many did not; a chain whose first (leaf) certificate does not
// parse is returned empty.
func ParseCertificateChain(msg []byte) (chain []*x509.Certificate, bad int, err error) {
	ders, err := CertificateMessage(msg)
	if err != nil {
		return nil, 0, err
	}
	for i, der := range ders {
		c, perr := x509.ParseCertificate(bytes.Clone(der))
		if perr != nil {
			if i == 0 {
				return nil, len(ders), nil
			}
			bad++
			continue
		}
		chain = append(chain, c)
	}
	return chain, bad, nil
}

func u24(b []byte) int { return int(b[0])<<16 | int(b[1])<<8 | int(b[2]) }

// certReader follows the handshake messages of one direction of a TLS
// connection until the server's certificate is read or the handshake
// leaves the clear (RFC 5246 §7.1 ChangeCipherSpec, or TLS 1.3, RFC 8446
// §2, where the certificate is encrypted). Handshake messages span records
// and records span segments: buf holds the bytes of the message being
// completed, at most MaxHandshakeBytes.
type certReader struct {
	buf     []byte
	done    bool
	sni     string // the ClientHello's server name (client direction)
	version uint16 // the ServerHello's version (server direction); 0 before it
}

// certDone is the reader of a direction that has nothing more to show.
var certDone = certReader{done: true}

// certRecord feeds one framed TLS record of the stream to its reader.
func (sd *streamDir) certRecord(rec []byte) {
	r := sd.cert
	if r != nil && r.done {
		return
	}
	switch {
	case len(rec) < 5:
		return
	case rec[0] != tlsHandshakeRecord: // ChangeCipherSpec, alert, application data
		sd.cert = &certDone
		return
	}
	if r == nil {
		r = &certReader{}
		sd.cert = r
	}
	body := rec[5:]
	if len(r.buf)+len(body) > MaxHandshakeBytes {
		sd.s.d.problem("tls", "handshake larger than 64 KiB before the certificate, not read")
		sd.cert = &certDone
		return
	}
	r.buf = append(r.buf, body...)
	sd.certMessages(r)
}

// certMessages handles the complete handshake messages at the front of the
// reader's buffer.
func (sd *streamDir) certMessages(r *certReader) {
	used := 0
	for !r.done && len(r.buf)-used >= 4 {
		n := u24(r.buf[used+1:])
		if 4+n > len(r.buf)-used {
			break
		}
		sd.certMessage(r, r.buf[used:used+4+n])
		used += 4 + n
	}
	if r.done {
		r.buf = nil
		return
	}
	r.buf = r.buf[:copy(r.buf, r.buf[used:])]
}

// certMessage handles one handshake message.
func (sd *streamDir) certMessage(r *certReader, msg []byte) {
	switch msg[0] {
	case hsClientHello:
		r.sni, r.done = clientHelloSNI(msg), true
	case hsServerHello:
		v, encrypted := serverHelloVersion(msg[4:])
		r.version, r.done = v, encrypted
	case hsCertificate:
		if r.version != 0 { // a server's certificate follows its ServerHello
			sd.serverCertificate(r, msg)
		}
		r.done = true
	case hsServerHelloDone:
		r.done = true
	}
}

// clientHelloSNI returns the server name of a ClientHello message (RFC
// 6066 §3), read with the hello decoder of decode/wire.
func clientHelloSNI(msg []byte) string {
	if len(msg) > 0xFFFF {
		return ""
	}
	rec := make([]byte, 0, 5+len(msg))
	rec = append(rec, tlsHandshakeRecord, 3, 1, byte(len(msg)>>8), byte(len(msg)))
	rec = append(rec, msg...)
	var h wire.TLSHello
	if h.Decode(rec) != nil {
		return ""
	}
	return strings.ToLower(string(h.SNI))
}

// serverHelloVersion returns the version a ServerHello body selects and
// whether it is TLS 1.3 (the supported_versions extension, RFC 8446
// §4.2.1), after which the certificate is encrypted.
func serverHelloVersion(b []byte) (uint16, bool) {
	if len(b) < 35 {
		return 0, false
	}
	v := be.Uint16(b)
	p := 35 + int(b[34]) + 3 // session ID, cipher suite, compression
	if p+2 > len(b) {
		return v, false
	}
	ext := b[p+2 : p+2+min(int(be.Uint16(b[p:])), len(b)-p-2)]
	for len(ext) >= 4 {
		t, n := be.Uint16(ext), int(be.Uint16(ext[2:]))
		if 4+n > len(ext) {
			break
		}
		if t == extSupportedVersions && n == 2 {
			sel := be.Uint16(ext[4:])
			return sel, sel >= tls13 || sel>>8 == 0x7F // 0x7Fxx: TLS 1.3 drafts
		}
		ext = ext[4+n:]
	}
	return v, false
}

// serverCertificate records and emits a server's Certificate message.
func (sd *streamDir) serverCertificate(r *certReader, msg []byte) {
	d := sd.s.d
	chain, bad, err := ParseCertificateChain(msg)
	if err != nil {
		d.problem("tls", wire.Reason(err))
		return
	}
	if bad > 0 || len(chain) == 0 && len(msg) > 7 {
		d.problem("tls", "certificate does not parse (X.509)")
	}
	if len(chain) > 0 {
		sni := ""
		if o := sd.other(); o.cert != nil {
			sni = o.cert.sni
		}
		d.stats.Names.addCert(d, sd.flow, sni, r.version, chain)
	}
	d.emit(d.event(sd.flow, nil, KindTLSCertificate, msg))
}

// other returns the opposite direction of the connection.
func (sd *streamDir) other() *streamDir { return &sd.s.dirs[1-sd.side()] }
