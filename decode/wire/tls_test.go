package wire

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
)

// pseudoTLSClient and pseudoTLSServer build the MS-TURN pseudo-TLS hellos
// from the layout in MS-REFERENCE §1.8 with a given random value.
func pseudoTLSClient(random byte) []byte {
	b := append([]byte{}, pseudoClientPrefix...)
	for range 32 {
		b = append(b, random)
	}
	return append(b, pseudoClientTail...)
}

func pseudoTLSServer(random byte) []byte {
	b := append([]byte{}, pseudoServerPrefix...)
	for range 32 {
		b = append(b, random)
	}
	b = append(b, 0x20)
	for range 32 {
		b = append(b, random^0xff)
	}
	return append(b, pseudoServerTail...)
}

func TestPseudoTLS(t *testing.T) {
	c, s := pseudoTLSClient(0x5a), pseudoTLSServer(0x33)
	tests := []struct {
		name           string
		in             []byte
		client, server bool
	}{
		{"client hello", c, true, false},
		{"server hello", s, false, true},
		{"client hello then frame", append(append([]byte{}, c...), 0x02, 0, 0, 0), true, false},
		{"client cut", c[:49], false, false},
		{"client two suites", append(append(append([]byte{}, c[:43]...), 0, 0, 4, 0, 0x18), c[47:]...), false, false},
		{"server no session id", append(append(append([]byte{}, s[:43]...), 0x00), s[44:]...), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsPseudoTLSClientHello(tt.in); got != tt.client {
				t.Errorf("IsPseudoTLSClientHello(%x) = %v, want %v", tt.in, got, tt.client)
			}
			if got := IsPseudoTLSServerHello(tt.in); got != tt.server {
				t.Errorf("IsPseudoTLSServerHello(%x) = %v, want %v", tt.in, got, tt.server)
			}
		})
	}
	var h TLSHello
	if err := h.Decode(c); err != nil || !h.PseudoTLS || h.NumCipherSuites != 1 || h.HelloVersion != 0x0301 || h.SNI != nil {
		t.Errorf("Decode(pseudo client) = %v, %+v; want pseudo-TLS, 1 suite, TLS 1.0, no SNI", err, h)
	}
	if err := h.Decode(s); err != nil || !h.PseudoTLS || h.CipherSuite != 0x0018 || h.HasCertificate {
		t.Errorf("Decode(pseudo server) = %v, %+v; want pseudo-TLS, cipher 0x0018, no certificate", err, h)
	}
	if Classify(c) != ContentPseudoTLS || Classify(s) != ContentPseudoTLS {
		t.Errorf("Classify(pseudo hellos) = %v, %v; want pseudo-tls", Classify(c), Classify(s))
	}
}

// TestTLSHelloMatchesTshark decodes the TLS hellos of the Teams capture
// whose record starts the segment and compares them with tshark.
func TestTLSHelloMatchesTshark(t *testing.T) {
	const name = "ntop-nDPI__teams.pcap.tls"
	rows := loadTshark(t, name)
	checked := map[uint8]int{}
	for _, d := range loadFixture(t, name) {
		row := rows[d.Frame]
		n, ok := TLSRecordSize(d.Payload)
		if row == nil || !ok || n > len(d.Payload) || d.Payload[5] > 2 {
			continue // the hello is reassembled from several segments
		}
		var h TLSHello
		if err := h.Decode(d.Payload); err != nil {
			t.Errorf("frame %d: Decode = %v", d.Frame, err)
			continue
		}
		checked[h.HandshakeType]++
		t.Run(fmt.Sprint(d.Frame), func(t *testing.T) { checkTLS(t, &h, row) })
	}
	// The capture's ServerHellos all span several segments; the pseudo-TLS
	// test covers ServerHello decoding.
	if checked[tlsClientHello] == 0 {
		t.Errorf("checked %v hellos, want client hellos", checked)
	}
}

func checkTLS(t *testing.T, h *TLSHello, row map[string]string) {
	t.Helper()
	if got := fmt.Sprintf("0x%04x", h.RecordVersion); got != first(row["tls.record.version"]) {
		t.Errorf("RecordVersion = %s, want %s", got, first(row["tls.record.version"]))
	}
	if got := fmt.Sprintf("0x%04x", h.HelloVersion); got != first(row["tls.handshake.version"]) {
		t.Errorf("HelloVersion = %s, want %s", got, first(row["tls.handshake.version"]))
	}
	if h.HandshakeType == tlsClientHello {
		if string(h.SNI) != row["tls.handshake.extensions_server_name"] {
			t.Errorf("SNI = %q, want %q", h.SNI, row["tls.handshake.extensions_server_name"])
		}
		n, _ := strconv.Atoi(row["tls.handshake.cipher_suites_length"])
		if h.NumCipherSuites != n/2 {
			t.Errorf("NumCipherSuites = %d, want %d", h.NumCipherSuites, n/2)
		}
		return
	}
	if got := fmt.Sprintf("0x%04x", h.CipherSuite); got != row["tls.handshake.ciphersuite"] {
		t.Errorf("CipherSuite = %s, want %s", got, row["tls.handshake.ciphersuite"])
	}
}

func TestTLSHelloDecodeErrors(t *testing.T) {
	c := pseudoTLSClient(1)
	tests := []struct {
		name string
		in   []byte
		err  error
	}{
		{"short", []byte{0x16, 3, 1}, ErrTruncated},
		{"not handshake", []byte{0x17, 3, 3, 0, 1, 0}, ErrBadValue},
		{"not a hello", []byte{0x16, 3, 3, 0, 4, 11, 0, 0, 0}, ErrBadValue},
		{"hello cut", c[:30], ErrTruncated},
		{"handshake header cut", []byte{0x16, 3, 1, 0, 2, 1, 0}, ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h TLSHello
			if err := h.Decode(tt.in); !errors.Is(err, tt.err) {
				t.Errorf("Decode(%x) = %v, want %v", tt.in, err, tt.err)
			}
		})
	}
}
