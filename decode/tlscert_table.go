package decode

import (
	"crypto/sha256"
	"crypto/x509"
	"net/netip"
	"sort"
	"strings"
	"time"
)

// ServerCertificate is one certificate chain a TLS server presented in the
// clear (RFC 5246 §7.4.2), for one name the client asked for (SNI, RFC 6066
// §3): every connection on which the same server address showed the same
// leaf certificate for the same name counts in it.
type ServerCertificate struct {
	Server netip.AddrPort
	// Client is the client of the first connection.
	Client netip.AddrPort
	// SNI is the server name of the client's ClientHello in lower case,
	// "" when the client sent none or the capture did not show it.
	SNI string
	// Version is the protocol version of the ServerHello (0x0301-0x0303).
	Version uint16
	// Chain holds the certificates that parsed, leaf first.
	Chain []*x509.Certificate
	// Connections counts the handshakes; Seen holds the first few; First
	// and Last are the capture times of the first and the last.
	Connections int
	Seen        []CertSeen
	First, Last time.Time
}

// CertSeen is one handshake that showed a certificate: the frame that
// completed its Certificate message and the client it went to.
type CertSeen struct {
	Frame  FrameRef
	Client netip.AddrPort
}

// certKey names one distinct certificate presentation.
type certKey struct {
	server netip.AddrPort
	sni    string
	leaf   [sha256.Size]byte
}

// addCert records a server certificate chain seen on flow fl (server to
// client) at the current frame.
func (n *Names) addCert(d *Decoder, fl Flow, sni string, version uint16, chain []*x509.Certificate) {
	k := certKey{server: fl.Src, sni: strings.ToLower(sni), leaf: sha256.Sum256(chain[0].Raw)}
	i, ok := n.certIdx[k]
	if !ok {
		if len(n.certs) >= MaxServerCertificates {
			d.problem("tls", "certificate table full, certificates dropped")
			return
		}
		if n.certIdx == nil {
			n.certIdx = map[certKey]int{}
		}
		i = len(n.certs)
		n.certIdx[k] = i
		n.certs = append(n.certs, ServerCertificate{Server: fl.Src, Client: fl.Dst, SNI: k.sni, Version: version,
			Chain: chain, First: d.curTime})
	}
	c := &n.certs[i]
	c.Connections++
	// A reassembler flush may hand over several connections in map order:
	// keep the earliest as the first and the latest as the last.
	if d.curTime.Before(c.First) {
		c.First, c.Client = d.curTime, fl.Dst
	}
	if d.curTime.After(c.Last) {
		c.Last = d.curTime
	}
	if len(c.Seen) < 2*maxNameFrames {
		c.Seen = append(c.Seen, CertSeen{Frame: d.cur, Client: fl.Dst})
	}
}

// ServerCertificates returns the recorded certificates in order of their
// first connection, each with its handshakes in frame order.
func (n *Names) ServerCertificates() []ServerCertificate {
	out := append([]ServerCertificate(nil), n.certs...)
	for i := range out {
		seen := append([]CertSeen(nil), out[i].Seen...)
		sort.Slice(seen, func(a, b int) bool { return refLess(time.Time{}, seen[a].Frame, time.Time{}, seen[b].Frame) })
		out[i].Seen = seen
	}
	sort.SliceStable(out, func(i, j int) bool {
		return refLess(out[i].First, out[i].Seen[0].Frame, out[j].First, out[j].Seen[0].Frame)
	})
	return out
}
