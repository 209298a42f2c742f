package msturn

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"
)

// ErrAuth is returned when the server rejects the credentials after the
// challenge was answered.
var ErrAuth = errors.New("msturn: Allocate rejected after credentials were sent")

// ErrNoAnswer is returned when a request got no response in time.
var ErrNoAnswer = errors.New("msturn: no response")

// ErrPseudoTLS is returned when the answer to the pseudo-TLS ClientHello is
// not the pseudo-TLS ServerHello (for example a real TLS server).
var ErrPseudoTLS = errors.New("msturn: pseudo-TLS hello not answered by a ServerHello")

// Client is an MS-TURN allocation seen from the client ([MS-TURN] 3.1). It is a
// net.PacketConn: WriteTo sends a Send request (or end-to-end data to the
// active destination over TCP) and ReadFrom returns the DATA of Data
// Indications with their REMOTE-ADDRESS.
type Client struct {
	Relayed netip.AddrPort // MAPPED-ADDRESS of the Allocate response
	Mapped  netip.AddrPort // XOR-MAPPED-ADDRESS: the client's reflexive address

	transport        string
	server           netip.AddrPort
	udp              *net.UDPConn
	tcp              net.Conn
	tcpReader        *bufio.Reader
	user, pass       string
	realm, nonce     string
	key              []byte
	wmu              sync.Mutex
	mu               sync.Mutex
	pending          map[[16]byte]chan *Message
	active           netip.AddrPort
	in               chan packet
	closed           chan struct{}
	closeOnce        sync.Once
	readDeadline     time.Time
	readDeadlineLock sync.Mutex
}

type packet struct {
	data []byte
	from netip.AddrPort
}

// Dial opens the client transport to the server: UDP, or TCP with a pseudo-TLS
// hello first when pseudoTLS is set (MS-REFERENCE.md §1.8).
func Dial(ctx context.Context, transport string, server netip.AddrPort, user, pass string, pseudoTLS bool) (*Client, error) {
	c := &Client{transport: transport, server: server, user: user, pass: pass,
		pending: map[[16]byte]chan *Message{}, in: make(chan packet, 256), closed: make(chan struct{})}
	var d net.Dialer
	switch transport {
	case "udp":
		conn, err := d.DialContext(ctx, "udp4", server.String())
		if err != nil {
			return nil, err
		}
		c.udp = conn.(*net.UDPConn)
		go c.readUDP()
	case "tcp":
		conn, err := d.DialContext(ctx, "tcp4", server.String())
		if err != nil {
			return nil, err
		}
		c.tcp, c.tcpReader = conn, bufio.NewReader(conn)
		if pseudoTLS {
			if err := c.hello(ctx); err != nil {
				conn.Close()
				return nil, err
			}
		}
		go c.readTCP()
	default:
		return nil, fmt.Errorf("msturn: transport %q", transport)
	}
	return c, nil
}

func (c *Client) hello(ctx context.Context) error {
	if dl, ok := ctx.Deadline(); ok {
		_ = c.tcp.SetDeadline(dl)
		defer c.tcp.SetDeadline(time.Time{})
	}
	if _, err := c.tcp.Write(ClientHello()); err != nil {
		return err
	}
	b := make([]byte, ServerHelloLen)
	if _, err := io.ReadFull(c.tcpReader, b); err != nil || !IsServerHello(b) {
		return fmt.Errorf("%w (% x)", ErrPseudoTLS, b[:min(8, len(b))])
	}
	return nil
}

func (c *Client) readUDP() {
	buf := make([]byte, 65536)
	for {
		n, err := c.udp.Read(buf)
		if err != nil {
			c.Close()
			return
		}
		c.control(append([]byte{}, buf[:n]...))
	}
}

func (c *Client) readTCP() {
	for {
		typ, b, err := ReadFrame(c.tcpReader)
		if err != nil {
			c.Close()
			return
		}
		if typ == FrameData {
			c.mu.Lock()
			from := c.active
			c.mu.Unlock()
			c.deliver(packet{b, from})
			continue
		}
		c.control(b)
	}
}

// control dispatches a control message: a response to its request, a Data
// Indication to ReadFrom.
func (c *Client) control(raw []byte) {
	m, err := Decode(raw)
	if err != nil {
		return
	}
	if m.Type == TypeDataIndication {
		rv, _ := m.Get(AttrRemoteAddress)
		data, ok := m.Get(AttrData)
		if from, err := ParseAddress(rv); err == nil && ok {
			c.deliver(packet{data, from})
		}
		return
	}
	c.mu.Lock()
	ch := c.pending[m.TxID]
	delete(c.pending, m.TxID)
	c.mu.Unlock()
	if ch != nil {
		ch <- m
	}
}

func (c *Client) deliver(p packet) {
	select {
	case c.in <- p:
	default: // a full queue drops, as a socket buffer would
	}
}

func (c *Client) write(b []byte, frameType byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.udp != nil {
		_, err := c.udp.Write(b)
		return err
	}
	_, err := c.tcp.Write(Frame(frameType, b))
	return err
}

// transact sends a request and waits for its response, retransmitting over UDP
// at 500 ms doubling (RFC 5389 §7.2.1), seven times in all.
func (c *Client) transact(ctx context.Context, m *Message) (*Message, error) {
	ch := make(chan *Message, 1)
	c.mu.Lock()
	c.pending[m.TxID] = ch
	c.mu.Unlock()
	defer func() { c.mu.Lock(); delete(c.pending, m.TxID); c.mu.Unlock() }()
	raw := m.Encode()
	rto := 500 * time.Millisecond
	for i := 0; i < 7; i++ {
		if i == 0 || c.udp != nil {
			if err := c.write(raw, FrameControl); err != nil {
				return nil, err
			}
		}
		select {
		case r := <-ch:
			return r, nil
		case <-time.After(rto):
			rto *= 2
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %v", ErrNoAnswer, ctx.Err())
		case <-c.closed:
			return nil, fmt.Errorf("%w: connection closed", ErrNoAnswer)
		}
	}
	return nil, ErrNoAnswer
}

// Allocate runs the Allocate exchange: a first request without credentials,
// the 401 challenge with NONCE and REALM, then the request with USERNAME,
// REALM, NONCE and MESSAGE-INTEGRITY ([MS-TURN] 3.1.4, 3.2.5).
func (c *Client) Allocate(ctx context.Context) error {
	req := New(TypeAllocateRequest, NewTxID())
	req.Add(AttrMSVersion, U32(Version))
	r, err := c.transact(ctx, req)
	if err != nil {
		return err
	}
	if r.Type == TypeAllocateError && r.Code() == 401 {
		realm, _ := r.Get(AttrRealm)
		nonce, _ := r.Get(AttrNonce)
		c.realm, c.nonce = string(realm), string(nonce)
		c.key = LongTermKey(c.user, c.realm, c.pass)
		req = c.authenticated(TypeAllocateRequest, func(m *Message) { m.Add(AttrMSVersion, U32(Version)) })
		if r, err = c.transact(ctx, req); err != nil {
			return err
		}
	}
	if r.Type == TypeAllocateError {
		return fmt.Errorf("%w: %d", ErrAuth, r.Code())
	}
	if r.Type != TypeAllocateResponse {
		return fmt.Errorf("msturn: Allocate answered with type %#04x", r.Type)
	}
	mv, _ := r.Get(AttrMappedAddress)
	xv, _ := r.Get(AttrXORMappedAddress)
	if c.Relayed, err = ParseAddress(mv); err != nil {
		return err
	}
	c.Mapped, _ = ParseXORAddress(xv, r.TxID)
	return nil
}

// authenticated builds a request with the credentials: USERNAME, REALM, NONCE,
// the attributes add puts in, then MESSAGE-INTEGRITY.
func (c *Client) authenticated(typ uint16, add func(*Message)) *Message {
	m := New(typ, NewTxID())
	m.Add(AttrUsername, []byte(c.user))
	m.Add(AttrRealm, []byte(c.realm))
	m.Add(AttrNonce, []byte(c.nonce))
	add(m)
	m.AddIntegrity(c.key)
	return m
}

// SetActiveDestination names the peer that data goes to without Send
// requests over TCP ([MS-TURN] 3.1.6).
func (c *Client) SetActiveDestination(ctx context.Context, dst netip.AddrPort) error {
	req := c.authenticated(TypeSetActiveDestRequest, func(m *Message) { m.Add(AttrDestinationAddress, Address(dst)) })
	r, err := c.transact(ctx, req)
	if err != nil {
		return err
	}
	if r.Type != TypeSetActiveDestResponse {
		return fmt.Errorf("msturn: Set Active Destination answered %#04x %d", r.Type, r.Code())
	}
	c.mu.Lock()
	c.active = dst
	c.mu.Unlock()
	return nil
}

// WriteTo relays b to addr: over TCP to the active destination as end-to-end
// data, otherwise in a Send request with DESTINATION-ADDRESS and DATA.
func (c *Client) WriteTo(b []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return 0, fmt.Errorf("msturn: WriteTo %T", addr)
	}
	dst := unmap(ua.AddrPort())
	c.mu.Lock()
	active := c.active
	c.mu.Unlock()
	if c.tcp != nil && dst == active {
		return len(b), c.write(b, FrameData)
	}
	m := c.authenticated(TypeSendRequest, func(m *Message) {
		m.Add(AttrDestinationAddress, Address(dst))
		m.Add(AttrData, b)
	})
	return len(b), c.write(m.Encode(), FrameControl)
}

// ReadFrom returns the next relayed datagram and its peer.
func (c *Client) ReadFrom(b []byte) (int, net.Addr, error) {
	c.readDeadlineLock.Lock()
	dl := c.readDeadline
	c.readDeadlineLock.Unlock()
	var timeout <-chan time.Time
	if !dl.IsZero() {
		t := time.NewTimer(time.Until(dl))
		defer t.Stop()
		timeout = t.C
	}
	select {
	case p := <-c.in:
		return copy(b, p.data), net.UDPAddrFromAddrPort(p.from), nil
	case <-timeout:
		return 0, nil, os.ErrDeadlineExceeded
	case <-c.closed:
		return 0, nil, net.ErrClosed
	}
}

// Close ends the client transport.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		if c.udp != nil {
			_ = c.udp.Close()
		}
		if c.tcp != nil {
			_ = c.tcp.Close()
		}
	})
	return nil
}

// LocalAddr is the relayed address, the candidate's own address.
func (c *Client) LocalAddr() net.Addr { return net.UDPAddrFromAddrPort(c.Relayed) }

// SetDeadline sets the read deadline.
func (c *Client) SetDeadline(t time.Time) error { return c.SetReadDeadline(t) }

// SetReadDeadline bounds ReadFrom.
func (c *Client) SetReadDeadline(t time.Time) error {
	c.readDeadlineLock.Lock()
	c.readDeadline = t
	c.readDeadlineLock.Unlock()
	return nil
}

// SetWriteDeadline is accepted and ignored: writes do not block.
func (c *Client) SetWriteDeadline(time.Time) error { return nil }

// Transport is "udp" or "tcp", the client leg's transport.
func (c *Client) Transport() string { return c.transport }
