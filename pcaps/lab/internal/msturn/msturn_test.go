package msturn

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"
)

// libniceCookie is the MAGIC-COOKIE attribute as libnice's OC2007 mode and the
// turner library write it (MS-REFERENCE.md §1.2): 00 0f 00 04 72 c6 4b c6.
const libniceCookie = "000f000472c64bc6"

func TestEncodeStartsWithCookie(t *testing.T) {
	m := New(TypeAllocateRequest, [16]byte{1})
	m.Add(AttrMSVersion, U32(Version))
	b := m.Encode()
	if got := hex.EncodeToString(b[20:28]); got != libniceCookie {
		t.Errorf("Encode() first attribute = %s, want %s", got, libniceCookie)
	}
	if !Is(b) {
		t.Errorf("Is(%x) = false, want true", b)
	}
}

func TestDecode(t *testing.T) {
	txid := NewTxID()
	unpadded := New(TypeDataIndication, txid)
	unpadded.Add(AttrRemoteAddress, Address(netip.MustParseAddrPort("198.51.100.12:41000")))
	unpadded.Add(AttrData, []byte{1, 2, 3}) // 3 bytes: not padded
	unpadded.Add(AttrRealm, []byte("lab.example"))
	raw := unpadded.Encode()
	padded := append(append([]byte{}, raw[:20]...), 0, 0x0F, 0, 4, 0x72, 0xC6, 0x4B, 0xC6, 0, 0x13, 0, 1, 9, 0, 0, 0)
	padded[3] = 16
	rfc := append([]byte{0, 1, 0, 0, 0x21, 0x12, 0xA4, 0x42}, make([]byte, 12)...)
	tests := []struct {
		name  string
		in    []byte
		typ   uint16
		attrs int
		err   error
	}{
		{"unpadded data indication", raw, TypeDataIndication, 4, nil},
		{"padded", padded, 0x0115, 2, nil},
		{"RFC 5389 binding without cookie attribute", rfc, 0, 0, ErrNoCookie},
		{"truncated", raw[:len(raw)-2], 0, 0, ErrShort},
		{"short", raw[:10], 0, 0, ErrShort},
		{"top bits", append([]byte{0x80}, raw[1:]...), 0, 0, ErrTopBits},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Decode(%x) error = %v, want %v", tt.in, err, tt.err)
			}
			if err == nil && (m.Type != tt.typ || len(m.Attrs) != tt.attrs) {
				t.Errorf("Decode(%x) = type %#04x with %d attributes, want %#04x with %d", tt.in, m.Type, len(m.Attrs), tt.typ, tt.attrs)
			}
		})
	}
}

func TestIntegrityAndAddresses(t *testing.T) {
	key := LongTermKey("alice", "lab.example", "lab-secret")
	m := New(TypeAllocateResponse, NewTxID())
	ap := netip.MustParseAddrPort("198.51.100.11:40001")
	m.Add(AttrXORMappedAddress, XORAddress(ap, m.TxID))
	m.AddIntegrity(key)
	raw := m.Encode()
	d, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !d.CheckIntegrity(raw, key) {
		t.Error("CheckIntegrity(own message, key) = false, want true")
	}
	if d.CheckIntegrity(raw, LongTermKey("alice", "lab.example", "wrong")) {
		t.Error("CheckIntegrity(own message, wrong key) = true, want false")
	}
	xv, _ := d.Get(AttrXORMappedAddress)
	if got, err := ParseXORAddress(xv, d.TxID); err != nil || got != ap {
		t.Errorf("ParseXORAddress(XORAddress(%s)) = %s, %v", ap, got, err)
	}
}

func TestHellos(t *testing.T) {
	if c := ClientHello(); !IsClientHello(c) || IsServerHello(c) {
		t.Errorf("ClientHello() = %x is not recognised", c)
	}
	if s := ServerHello(); !IsServerHello(s) || IsClientHello(s) {
		t.Errorf("ServerHello() = %x is not recognised", s)
	}
}

// TestRelay runs a server on loopback and a client over UDP and over TCP with
// pseudo-TLS: 401 challenge then success, a Send request reaching a peer, the
// peer's answer coming back as a Data Indication, end-to-end data after Set
// Active Destination, and wrong credentials rejected.
func TestRelay(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lo := netip.MustParseAddr("127.0.0.1")
	s := &Server{Listen: lo, UDPPorts: []uint16{0}, Realm: "lab.example", Users: map[string]string{"alice": "pw"},
		PortMin: 52000, PortMax: 52010}
	udpPort, tcpPort := freePort(t, "udp"), freePort(t, "tcp")
	s.UDPPorts, s.TCPPort = []uint16{udpPort}, tcpPort
	ready := make(chan struct{})
	go func() { _ = s.Serve(ctx, func() { close(ready) }) }()
	<-ready
	peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	for _, tr := range []struct {
		transport string
		port      uint16
	}{{"udp", udpPort}, {"tcp", tcpPort}} {
		t.Run(tr.transport, func(t *testing.T) {
			c, err := Dial(ctx, tr.transport, netip.AddrPortFrom(lo, tr.port), "alice", "pw", tr.transport == "tcp")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Allocate(ctx); err != nil {
				t.Fatalf("Allocate() = %v", err)
			}
			roundTrip(t, c, peer, "send request")
			if err := c.SetActiveDestination(ctx, unmap(peer.LocalAddr().(*net.UDPAddr).AddrPort())); err != nil {
				t.Fatalf("SetActiveDestination() = %v", err)
			}
			roundTrip(t, c, peer, "active destination")
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		c, err := Dial(ctx, "udp", netip.AddrPortFrom(lo, udpPort), "alice", "wrong", false)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Allocate(ctx); !errors.Is(err, ErrAuth) {
			t.Errorf("Allocate() with a wrong password = %v, want %v", err, ErrAuth)
		}
	})
}

func roundTrip(t *testing.T, c *Client, peer *net.UDPConn, what string) {
	t.Helper()
	msg := []byte(what)
	if _, err := c.WriteTo(msg, peer.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	_ = peer.SetReadDeadline(time.Now().Add(3 * time.Second))
	n, from, err := peer.ReadFromUDPAddrPort(buf)
	if err != nil || !bytes.Equal(buf[:n], msg) || from.Port() != c.Relayed.Port() {
		t.Fatalf("%s: peer got %q from %s, %v; want %q from %s", what, buf[:n], from, err, msg, c.Relayed)
	}
	if _, err := peer.WriteToUDPAddrPort([]byte("answer"), from); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	n, src, err := c.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "answer" || src.String() != peer.LocalAddr().String() {
		t.Fatalf("%s: ReadFrom() = %q from %v, %v; want %q from %s", what, buf[:n], src, err, "answer", peer.LocalAddr())
	}
}

func freePort(t *testing.T, network string) uint16 {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return uint16(c.LocalAddr().(*net.UDPAddr).Port)
	}
	l, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port)
}

func FuzzDecode(f *testing.F) {
	m := New(TypeDataIndication, NewTxID())
	m.Add(AttrRemoteAddress, Address(netip.MustParseAddrPort("198.51.100.12:41000")))
	m.Add(AttrData, []byte{0x80, 0, 0, 1, 2})
	m.AddIntegrity([]byte("k"))
	f.Add(m.Encode())
	f.Add(ClientHello())
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Decode(b)
		if err != nil {
			return
		}
		_ = d.Code()
		_ = d.CheckIntegrity(b, []byte("k"))
		for _, a := range d.Attrs {
			_, _ = ParseAddress(a.Value)
			_, _ = ParseXORAddress(a.Value, d.TxID)
		}
		if again, err := Decode(d.Encode()); err != nil || again.Type != d.Type || len(again.Attrs) != len(d.Attrs) {
			t.Fatalf("Decode(Encode(%x)) = %v, %v", b, again, err)
		}
	})
}
