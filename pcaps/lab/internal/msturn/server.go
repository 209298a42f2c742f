package msturn

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Server is an MS-TURN relay ([MS-TURN] 3.2): Allocate with a 401 challenge,
// Send requests relayed from the allocation's UDP port, Data Indications back,
// Set Active Destination, on UDP ports and on a TCP port with an optional
// pseudo-TLS hello.
type Server struct {
	Listen   netip.Addr `json:"listen"` // address the client ports and relay ports are bound to
	UDPPorts []uint16   `json:"udp_ports"`
	TCPPort  uint16     `json:"tcp_port"` // 0: no TCP
	// Advertise is the relayed address put in MAPPED-ADDRESS; Listen when
	// invalid. A private value models an Edge whose public A/V address is
	// missing from its configuration.
	Advertise netip.Addr        `json:"advertise"`
	PortMin   uint16            `json:"port_min"`
	PortMax   uint16            `json:"port_max"`
	Realm     string            `json:"realm"`
	Users     map[string]string `json:"users"` // username -> password
	Log       func(string)      `json:"-"`
	// DropFirst is how many of each client's first Allocate requests the
	// relay ignores, as an overloaded relay does: the client's
	// retransmissions (RFC 5389 §7.2.1) get the answer.
	DropFirst int `json:"drop_first,omitempty"`

	mu     sync.Mutex
	allocs map[string]*allocation
	seen   map[string]int // Allocate requests per client, for DropFirst
	next   uint16
	nonce  string
}

// allocation is one client's relayed transport address.
type allocation struct {
	relay  *net.UDPConn
	client sender
	active netip.AddrPort
}

// sender answers one client: a UDP address or a framed TCP connection.
type sender interface {
	send(frameType byte, b []byte) error
	key() string
	addr() netip.AddrPort
}

type udpSender struct {
	c    *net.UDPConn
	peer netip.AddrPort
}

func (u udpSender) send(_ byte, b []byte) error {
	_, err := u.c.WriteToUDPAddrPort(b, u.peer)
	return err
}
func (u udpSender) key() string          { return "udp " + u.c.LocalAddr().String() + " " + u.peer.String() }
func (u udpSender) addr() netip.AddrPort { return u.peer }

type tcpSender struct {
	mu   *sync.Mutex
	c    net.Conn
	peer netip.AddrPort
}

func (t tcpSender) send(typ byte, b []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, err := t.c.Write(Frame(typ, b))
	return err
}
func (t tcpSender) key() string          { return "tcp " + t.peer.String() }
func (t tcpSender) addr() netip.AddrPort { return t.peer }

// Serve runs the relay until ctx ends. ready is called once every port is open.
func (s *Server) Serve(ctx context.Context, ready func()) error {
	s.allocs, s.seen = map[string]*allocation{}, map[string]int{}
	s.next = s.PortMin
	s.nonce = fmt.Sprintf("%x", random(16))
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			_ = c.Close()
		}
		s.mu.Lock()
		for _, a := range s.allocs {
			_ = a.relay.Close()
		}
		s.mu.Unlock()
	}()
	for _, p := range s.UDPPorts {
		c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(s.Listen, p)))
		if err != nil {
			return err
		}
		closers = append(closers, c)
		go s.readUDP(c)
	}
	if s.TCPPort != 0 {
		l, err := net.ListenTCP("tcp4", net.TCPAddrFromAddrPort(netip.AddrPortFrom(s.Listen, s.TCPPort)))
		if err != nil {
			return err
		}
		closers = append(closers, l)
		go s.acceptTCP(l)
	}
	ready()
	<-ctx.Done()
	return nil
}

func (s *Server) logf(format string, args ...any) {
	if s.Log != nil {
		s.Log(time.Now().Format("15:04:05.000") + " msturn: " + fmt.Sprintf(format, args...))
	}
}

func (s *Server) readUDP(c *net.UDPConn) {
	buf := make([]byte, 65536)
	for {
		n, peer, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		s.handle(append([]byte{}, buf[:n]...), udpSender{c, unmap(peer)})
	}
}

func (s *Server) acceptTCP(l *net.TCPListener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go s.serveTCP(c)
	}
}

// serveTCP answers an optional pseudo-TLS ClientHello, then reads frames.
func (s *Server) serveTCP(c net.Conn) {
	defer c.Close()
	peer := unmap(c.RemoteAddr().(*net.TCPAddr).AddrPort())
	r := bufio.NewReader(c)
	first, err := r.Peek(1)
	if err != nil {
		return
	}
	if first[0] == 0x16 {
		hello := make([]byte, ClientHelloLen)
		if _, err := io.ReadFull(r, hello); err != nil || !IsClientHello(hello) {
			s.logf("%s: not a pseudo-TLS ClientHello", peer)
			return
		}
		if _, err := c.Write(ServerHello()); err != nil {
			return
		}
	}
	snd := tcpSender{&sync.Mutex{}, c, peer}
	defer s.release(snd.key())
	for {
		typ, b, err := ReadFrame(r)
		if err != nil {
			return
		}
		if typ == FrameData {
			s.relayActive(snd.key(), b)
			continue
		}
		s.handle(b, snd)
	}
}

func (s *Server) release(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.allocs[key]; a != nil {
		_ = a.relay.Close()
		delete(s.allocs, key)
	}
}

// handle answers one control message from a client.
func (s *Server) handle(raw []byte, from sender) {
	m, err := Decode(raw)
	if err != nil {
		s.logf("%s: %v", from.addr(), err)
		return
	}
	switch m.Type {
	case TypeAllocateRequest:
		s.allocate(m, raw, from)
	case TypeSendRequest:
		s.sendRequest(m, raw, from)
	case TypeSetActiveDestRequest:
		s.setActive(m, raw, from)
	}
}

// authenticate checks USERNAME, REALM, NONCE and MESSAGE-INTEGRITY and returns
// the key; an error response names why not.
func (s *Server) authenticate(m *Message, raw []byte) ([]byte, int) {
	user, ok := m.Get(AttrUsername)
	if !ok {
		return nil, 401
	}
	pass, known := s.Users[string(user)]
	nonce, _ := m.Get(AttrNonce)
	if string(nonce) != s.nonce {
		return nil, 401
	}
	key := LongTermKey(string(user), s.Realm, pass)
	if !known || !m.CheckIntegrity(raw, key) {
		return nil, 401
	}
	return key, 0
}

func (s *Server) challenge(m *Message, typ uint16, code int, from sender) {
	r := New(typ, m.TxID)
	r.Add(AttrErrorCode, ErrorCode(code, "Unauthorized"))
	r.Add(AttrNonce, []byte(s.nonce))
	r.Add(AttrRealm, []byte(s.Realm))
	_ = from.send(FrameControl, r.Encode())
}

func (s *Server) allocate(m *Message, raw []byte, from sender) {
	if n := s.count(from); n <= s.DropFirst {
		s.logf("%s: Allocate ignored (%d of the first %d)", from.addr(), n, s.DropFirst)
		return
	}
	key, code := s.authenticate(m, raw)
	if code != 0 {
		s.logf("%s: Allocate rejected with %d", from.addr(), code)
		s.challenge(m, TypeAllocateError, code, from)
		return
	}
	a, err := s.allocation(from)
	if err != nil {
		s.logf("%s: %v", from.addr(), err)
		s.challenge(m, TypeAllocateError, 508, from)
		return
	}
	relayed := unmap(a.relay.LocalAddr().(*net.UDPAddr).AddrPort())
	if s.Advertise.IsValid() {
		relayed = netip.AddrPortFrom(s.Advertise, relayed.Port())
	}
	r := New(TypeAllocateResponse, m.TxID)
	r.Add(AttrMappedAddress, Address(relayed))
	r.Add(AttrXORMappedAddress, XORAddress(from.addr(), m.TxID))
	r.Add(AttrLifetime, U32(480))
	r.Add(AttrMSVersion, U32(Version))
	r.AddIntegrity(key)
	s.logf("%s: allocated %s", from.addr(), relayed)
	_ = from.send(FrameControl, r.Encode())
}

// count counts a client's Allocate requests and returns this one's number.
func (s *Server) count(from sender) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen[from.key()]++
	return s.seen[from.key()]
}

// allocation returns the client's allocation, opening a relay port for a new one.
func (s *Server) allocation(from sender) (*allocation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.allocs[from.key()]; a != nil {
		return a, nil
	}
	for tries := 0; tries <= int(s.PortMax-s.PortMin); tries++ {
		port := s.next
		s.next++
		if s.next > s.PortMax {
			s.next = s.PortMin
		}
		c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(s.Listen, port)))
		if err != nil {
			continue
		}
		a := &allocation{relay: c, client: from}
		s.allocs[from.key()] = a
		go s.readRelay(a)
		return a, nil
	}
	return nil, errors.New("no free relay port")
}

// readRelay forwards what peers send to the relayed address: to the active
// destination over TCP as end-to-end data, otherwise as a Data Indication.
func (s *Server) readRelay(a *allocation) {
	buf := make([]byte, 65536)
	for {
		n, peer, err := a.relay.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		peer = unmap(peer)
		s.mu.Lock()
		active := a.active
		s.mu.Unlock()
		if _, isTCP := a.client.(tcpSender); isTCP && peer == active {
			_ = a.client.send(FrameData, buf[:n])
			continue
		}
		ind := New(TypeDataIndication, NewTxID())
		ind.Add(AttrRemoteAddress, Address(peer))
		ind.Add(AttrData, append([]byte{}, buf[:n]...))
		_ = a.client.send(FrameControl, ind.Encode())
	}
}

func (s *Server) lookup(from sender) *allocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.allocs[from.key()]
}

// sendRequest relays DATA to DESTINATION-ADDRESS; a Send request gets no
// response, and one that fails authentication is dropped (MS-REFERENCE.md §1.2).
func (s *Server) sendRequest(m *Message, raw []byte, from sender) {
	a := s.lookup(from)
	if a == nil {
		return
	}
	if _, code := s.authenticate(m, raw); code != 0 {
		return
	}
	dv, ok1 := m.Get(AttrDestinationAddress)
	data, ok2 := m.Get(AttrData)
	dst, err := ParseAddress(dv)
	if !ok1 || !ok2 || err != nil {
		return
	}
	_, _ = a.relay.WriteToUDPAddrPort(data, dst)
}

func (s *Server) setActive(m *Message, raw []byte, from sender) {
	a := s.lookup(from)
	key, code := s.authenticate(m, raw)
	if a == nil || code != 0 {
		s.challenge(m, TypeSetActiveDestError, 401, from)
		return
	}
	dv, _ := m.Get(AttrDestinationAddress)
	dst, err := ParseAddress(dv)
	if err != nil {
		return
	}
	s.mu.Lock()
	a.active = dst
	s.mu.Unlock()
	r := New(TypeSetActiveDestResponse, m.TxID)
	r.AddIntegrity(key)
	s.logf("%s: active destination %s", from.addr(), dst)
	_ = from.send(FrameControl, r.Encode())
}

// relayActive sends end-to-end data of a TCP client to its active destination.
func (s *Server) relayActive(key string, b []byte) {
	s.mu.Lock()
	a := s.allocs[key]
	var dst netip.AddrPort
	if a != nil {
		dst = a.active
	}
	s.mu.Unlock()
	if a != nil && dst.IsValid() {
		_, _ = a.relay.WriteToUDPAddrPort(b, dst)
	}
}

func unmap(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
