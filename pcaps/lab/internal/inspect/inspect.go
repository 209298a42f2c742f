// Package inspect is the lab's TLS-inspecting proxy: a Go crypto/tls server
// on the A/V Edge's TCP 443, as a firewall or proxy that terminates TLS puts
// itself in front of the relay (MS-REFERENCE.md §6 pattern 4). It answers
// every ClientHello as a TLS server does: with its own ServerHello and
// certificate when it shares a cipher suite with the client, with a fatal
// handshake_failure alert when it does not. The MS-TURN pseudo-TLS hello
// offers only TLS_DH_anon_WITH_RC4_128_MD5 (MS-REFERENCE.md §1.8), which no
// TLS server offers, so the pseudo-TLS client gets the alert.
package inspect

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"time"
)

// handshakeTimeout bounds one client's handshake.
const handshakeTimeout = 5 * time.Second

// Server is the proxy's TLS listener.
type Server struct {
	Listen netip.AddrPort
	// Name is the certificate's subject and only DNS name.
	Name string
	// Log receives one line per connection: its handshake outcome.
	Log func(string)
}

// Serve listens until ctx ends; ready is called once the listener is open.
func (s *Server) Serve(ctx context.Context, ready func()) error {
	cert, err := SelfSigned(s.Name, time.Now())
	if err != nil {
		return err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS10}
	l, err := net.ListenTCP("tcp4", net.TCPAddrFromAddrPort(s.Listen))
	if err != nil {
		return err
	}
	go func() { <-ctx.Done(); l.Close() }()
	ready()
	for {
		c, err := l.Accept()
		if err != nil {
			return nil
		}
		go s.serve(tls.Server(c, cfg))
	}
}

// serve runs the handshake and closes the connection: the proxy never
// forwards anything, since the lab's clients speak pseudo-TLS only.
func (s *Server) serve(c *tls.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(handshakeTimeout))
	err := c.Handshake()
	if s.Log == nil {
		return
	}
	if err != nil {
		s.Log(fmt.Sprintf("%s: TLS handshake failed: %v", c.RemoteAddr(), err))
		return
	}
	s.Log(fmt.Sprintf("%s: TLS handshake done, %s", c.RemoteAddr(), tls.CipherSuiteName(c.ConnectionState().CipherSuite)))
}

// SelfSigned makes an ECDSA P-256 certificate for name, valid for a day
// from now (RFC 5280 §4.1).
func SelfSigned(name string, now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: name, Organization: []string{"icediag lab inspecting proxy"}},
		DNSNames: []string{name}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
