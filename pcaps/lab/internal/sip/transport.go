package sip

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// Transport names as they appear in a Via header (RFC 3261 §18).
const (
	UDP = "UDP"
	TCP = "TCP"
)

// Conn is a user agent's signalling flow to its proxy: one UDP socket or one TCP
// connection, as RFC 5626 §4 keeps for NAT traversal.
type Conn struct {
	Transport string
	Local     netip.AddrPort
	proxy     netip.AddrPort
	udp       *net.UDPConn
	tcp       net.Conn
	wmu       sync.Mutex
	In        chan *Message
}

// Dial opens the flow from local port localPort to the proxy and starts reading.
func Dial(ctx context.Context, transport string, localPort int, proxy netip.AddrPort) (*Conn, error) {
	c := &Conn{Transport: strings.ToUpper(transport), proxy: proxy, In: make(chan *Message, 16)}
	switch c.Transport {
	case UDP:
		u, err := net.ListenUDP("udp4", &net.UDPAddr{Port: localPort})
		if err != nil {
			return nil, err
		}
		c.udp = u
		go c.readUDP()
	case TCP:
		d := net.Dialer{LocalAddr: &net.TCPAddr{Port: localPort}}
		t, err := d.DialContext(ctx, "tcp4", proxy.String())
		if err != nil {
			return nil, err
		}
		c.tcp = t
		go c.readTCP()
	default:
		return nil, fmt.Errorf("sip: unknown transport %q", transport)
	}
	return c, nil
}

// LocalAddr returns the address the flow is bound to, once the route is known.
func (c *Conn) LocalAddr(dst netip.AddrPort) netip.AddrPort {
	if c.tcp != nil {
		return netip.MustParseAddrPort(c.tcp.LocalAddr().String())
	}
	probe, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(dst))
	if err != nil {
		return netip.AddrPort{}
	}
	defer probe.Close()
	ip := probe.LocalAddr().(*net.UDPAddr).AddrPort().Addr()
	return netip.AddrPortFrom(ip.Unmap(), c.udp.LocalAddr().(*net.UDPAddr).AddrPort().Port())
}

// Send writes a message to the proxy.
func (c *Conn) Send(m *Message) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.udp != nil {
		_, err := c.udp.WriteToUDPAddrPort(m.Bytes(), c.proxy)
		return err
	}
	_, err := c.tcp.Write(m.Bytes())
	return err
}

// Close ends the flow; the In channel is closed by the reader.
func (c *Conn) Close() error {
	if c.udp != nil {
		return c.udp.Close()
	}
	return c.tcp.Close()
}

func (c *Conn) readUDP() {
	defer close(c.In)
	buf := make([]byte, MaxMessage)
	for {
		n, _, err := c.udp.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		if m, err := Parse(buf[:n]); err == nil {
			c.In <- m
		}
	}
}

func (c *Conn) readTCP() {
	defer close(c.In)
	r := bufio.NewReaderSize(c.tcp, MaxMessage)
	for {
		m, err := ReadMessage(r)
		if err != nil {
			return
		}
		c.In <- m
	}
}
