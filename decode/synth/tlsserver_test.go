package synth

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"
)

// walkFlight splits a TLS handshake record into its messages by type.
func walkFlight(t *testing.T, rec []byte) map[byte][]byte {
	t.Helper()
	if len(rec) < 5 || rec[0] != tlsHandshake || int(binary.BigEndian.Uint16(rec[3:5])) != len(rec)-5 {
		t.Fatalf("record header %x does not frame %d bytes", rec[:min(5, len(rec))], len(rec))
	}
	msgs := map[byte][]byte{}
	var order []byte
	for b := rec[5:]; len(b) > 0; {
		if len(b) < 4 {
			t.Fatalf("truncated handshake header %x", b)
		}
		n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
		if 4+n > len(b) {
			t.Fatalf("handshake type %d of %d bytes overruns record", b[0], n)
		}
		msgs[b[0]], order = b[4:4+n], append(order, b[0])
		b = b[4+n:]
	}
	if !bytes.Equal(order, []byte{2, 11, 12, 14}) {
		t.Fatalf("handshake types = %v, want [2 11 12 14]", order)
	}
	return msgs
}

// TestTLSServerFlight checks the flight an inspecting proxy sends: message
// order, a certificate chain that verifies with the CA, and a
// ServerKeyExchange signature that verifies over both randoms (RFC 8422
// §5.4).
func TestTLSServerFlight(t *testing.T) {
	nb := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	id, err := NewTLSIdentity("proxy", "edge.example.com", "Example Inspection CA", nb)
	if err != nil {
		t.Fatalf("NewTLSIdentity = %v", err)
	}
	var cr, sr, sess [32]byte
	cr[0], sr[0], sess[0] = 1, 2, 3
	msgs := walkFlight(t, TLSServerFlight(id, cr, sr, sess))
	if sh := msgs[2]; len(sh) < 70 || binary.BigEndian.Uint16(sh[0:2]) != tlsVersion12 || !bytes.Equal(sh[2:34], sr[:]) || binary.BigEndian.Uint16(sh[67:69]) != tlsCipherECDHEECDSAGCM {
		t.Errorf("ServerHello = %x, want TLS 1.2, server random, cipher c02b", sh)
	}
	leaf, err := x509.ParseCertificate(id.Chain[0])
	if err != nil {
		t.Fatalf("leaf: %v", err)
	}
	ca, err := x509.ParseCertificate(id.Chain[1])
	if err != nil {
		t.Fatalf("ca: %v", err)
	}
	if err := leaf.CheckSignatureFrom(ca); err != nil || leaf.Subject.CommonName != "edge.example.com" {
		t.Errorf("leaf %q CheckSignatureFrom(CA) = %v, want nil", leaf.Subject.CommonName, err)
	}
	if want := certificateBody(id.Chain); !bytes.Equal(msgs[11], want) {
		t.Errorf("Certificate body differs from the chain")
	}
	ske := msgs[12]
	if len(ske) != 4+32+4+64 {
		t.Fatalf("ServerKeyExchange length = %d, want 104", len(ske))
	}
	signed := append(append(append([]byte(nil), cr[:]...), sr[:]...), ske[:36]...)
	if !ed25519.Verify(leaf.PublicKey.(ed25519.PublicKey), signed, ske[40:]) {
		t.Errorf("ServerKeyExchange signature does not verify with the leaf key")
	}
	if len(msgs[14]) != 0 {
		t.Errorf("ServerHelloDone body = %x, want empty", msgs[14])
	}
	again, _ := NewTLSIdentity("proxy", "edge.example.com", "Example Inspection CA", nb)
	if !bytes.Equal(TLSServerFlight(again, cr, sr, sess), TLSServerFlight(id, cr, sr, sess)) {
		t.Errorf("TLSServerFlight is not deterministic")
	}
}

// TestTCPResetAndRetransmit checks RST and RetransmitSYN sequence numbers
// against the connection state (RFC 9293 §3.4).
func TestTCPResetAndRetransmit(t *testing.T) {
	cli, srv := netip.MustParseAddrPort("10.0.1.20:50003"), netip.MustParseAddrPort("203.0.113.10:443")
	c := NewTCPConn(cli, srv, 1000, 5000)
	syn := c.SYN()
	if re := c.RetransmitSYN(); !bytes.Equal(re, syn) {
		t.Errorf("RetransmitSYN = %x, want the first SYN %x", re, syn)
	}
	c.SYNACK()
	c.ACK(cli)
	c.Send(cli, []byte("hello"))
	tests := []struct {
		name     string
		from     Endpoint
		seq, ack uint32
	}{
		{"server", srv, 5001, 1006},
		{"client", cli, 1006, 5001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg := c.RST(tt.from)[20:]
			seq, ack := binary.BigEndian.Uint32(seg[4:8]), binary.BigEndian.Uint32(seg[8:12])
			if TCPFlags(seg[13]) != RST|ACK || seq != tt.seq || ack != tt.ack {
				t.Errorf("RST(%s) flags %#x seq %d ack %d, want RST|ACK %d %d", tt.name, seg[13], seq, ack, tt.seq, tt.ack)
			}
		})
	}
}

// FuzzTLSServerFlight checks that any identity and randoms give a flight
// whose record and handshake lengths frame it exactly.
func FuzzTLSServerFlight(f *testing.F) {
	f.Add("proxy", "edge.example.com", []byte{1, 2, 3})
	f.Add("", "", []byte{})
	f.Fuzz(func(t *testing.T, seed, cn string, random []byte) {
		id, err := NewTLSIdentity(seed, cn, "CA", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Skip()
		}
		var r [32]byte
		copy(r[:], random)
		walkFlight(t, TLSServerFlight(id, r, r, r))
	})
}
