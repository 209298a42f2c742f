package sip

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
)

// Proxy is a stateless SIP proxy (RFC 3261 §16.11) with a registrar: it records
// the flow each REGISTER arrived on (RFC 5626 §5) and forwards requests by the
// user part of the Request-URI to that flow, responses by their Via headers.
type Proxy struct {
	Addr netip.Addr // the address the proxy puts in Via and Record-Route
	// Bind is the address it listens on; Addr when invalid. They differ
	// behind a 1:1 NAT that translates Addr to Bind.
	Bind netip.Addr
	Port uint16
	Log  func(string)
	// Ready is called once both listeners are open.
	Ready func()

	mu    sync.Mutex
	users map[string]flow
	tcp   map[netip.AddrPort]net.Conn
	udp   *net.UDPConn
}

type flow struct {
	transport string
	addr      netip.AddrPort
}

// Serve listens on UDP and TCP until ctx ends.
func (p *Proxy) Serve(ctx context.Context) error {
	p.users, p.tcp = map[string]flow{}, map[netip.AddrPort]net.Conn{}
	bind := p.Bind
	if !bind.IsValid() {
		bind = p.Addr
	}
	laddr := &net.UDPAddr{IP: bind.AsSlice(), Port: int(p.Port)}
	u, err := net.ListenUDP("udp4", laddr)
	if err != nil {
		return err
	}
	p.udp = u
	l, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: laddr.IP, Port: laddr.Port})
	if err != nil {
		u.Close()
		return err
	}
	go func() { <-ctx.Done(); u.Close(); l.Close() }()
	go p.acceptTCP(l)
	if p.Ready != nil {
		p.Ready()
	}
	buf := make([]byte, MaxMessage)
	for {
		n, src, err := u.ReadFromUDPAddrPort(buf)
		if err != nil {
			return nil
		}
		if m, err := Parse(buf[:n]); err == nil {
			p.handle(m, flow{UDP, unmap(src)})
		}
	}
}

func (p *Proxy) acceptTCP(l *net.TCPListener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		src := unmap(netip.MustParseAddrPort(c.RemoteAddr().String()))
		p.mu.Lock()
		p.tcp[src] = c
		p.mu.Unlock()
		go p.readTCP(c, src)
	}
}

func (p *Proxy) readTCP(c net.Conn, src netip.AddrPort) {
	defer c.Close()
	r := bufio.NewReaderSize(c, MaxMessage)
	for {
		m, err := ReadMessage(r)
		if err != nil {
			return
		}
		p.handle(m, flow{TCP, src})
	}
}

func (p *Proxy) handle(m *Message, from flow) {
	if m.IsRequest() {
		p.request(m, from)
		return
	}
	p.response(m)
}

func (p *Proxy) request(m *Message, from flow) {
	markReceived(m, from.addr)
	if m.Method == "REGISTER" {
		p.register(m, from)
		return
	}
	mf, _ := strconv.Atoi(m.Get("Max-Forwards"))
	if mf <= 1 && m.Get("Max-Forwards") != "" {
		return
	}
	m.SetFirst("Max-Forwards", strconv.Itoa(max(mf-1, 0)))
	p.mu.Lock()
	target, ok := p.users[URIUser(m.URI)]
	p.mu.Unlock()
	if !ok {
		if m.Method != "ACK" {
			p.reply(m, from, 404, "Not Found")
		}
		return
	}
	if strings.Contains(m.Get("Route"), p.Addr.String()) {
		m.RemoveFirst("Route")
	}
	if m.Method == "INVITE" {
		m.Prepend("Record-Route", fmt.Sprintf("<sip:%s:%d;transport=%s;lr>", p.Addr, p.Port, strings.ToLower(target.transport)))
	}
	m.Prepend("Via", fmt.Sprintf("SIP/2.0/%s %s:%d;branch=%s", target.transport, p.Addr, p.Port, p.branch(m)))
	p.send(m, target)
}

// branch derives the proxy's branch from the incoming one, so that a stateless
// proxy gives retransmissions and the ACK of a non-2xx the same branch
// (RFC 3261 §16.11).
func (p *Proxy) branch(m *Message) string {
	h := sha1.Sum([]byte(Param(m.Get("Via"), "branch") + m.Method))
	return "z9hG4bK" + hex.EncodeToString(h[:8])
}

func (p *Proxy) register(m *Message, from flow) {
	p.mu.Lock()
	p.users[URIUser(m.Get("To"))] = from
	p.mu.Unlock()
	p.logf("registered %s at %s/%s", URIUser(m.Get("To")), from.transport, from.addr)
	r := Response(m, 200, "OK")
	if c := m.Get("Contact"); c != "" {
		r.Add("Contact", c+";expires=300")
	}
	p.send(r, from)
}

func (p *Proxy) reply(m *Message, to flow, code int, reason string) {
	p.send(Response(m, code, reason), to)
}

func (p *Proxy) response(m *Message) {
	top := m.RemoveFirst("Via")
	if !strings.Contains(top, p.Addr.String()) {
		m.Prepend("Via", top) // not ours: this message was sent to us by mistake
		return
	}
	next, ok := viaFlow(m.Get("Via"))
	if !ok {
		return
	}
	p.send(m, next)
}

func (p *Proxy) send(m *Message, to flow) {
	if to.transport == UDP {
		_, _ = p.udp.WriteToUDPAddrPort(m.Bytes(), to.addr)
		return
	}
	p.mu.Lock()
	c := p.tcp[to.addr]
	p.mu.Unlock()
	if c == nil {
		p.logf("no TCP connection to %s", to.addr)
		return
	}
	_, _ = c.Write(m.Bytes())
}

func (p *Proxy) logf(format string, args ...any) {
	if p.Log != nil {
		p.Log(fmt.Sprintf(format, args...))
	}
}

// markReceived adds received and rport to the top Via (RFC 3261 §18.2.1, RFC 3581 §4).
func markReceived(m *Message, src netip.AddrPort) {
	via := m.Get("Via")
	if via == "" {
		return
	}
	via = strings.Replace(via, ";rport;", ";", 1)
	via = strings.TrimSuffix(via, ";rport")
	m.SetFirst("Via", fmt.Sprintf("%s;received=%s;rport=%d", via, src.Addr(), src.Port()))
}

// viaFlow returns where a response goes from a Via value: received and rport
// if present, else the sent-by (RFC 3261 §18.2.2, RFC 3581 §4).
func viaFlow(via string) (flow, bool) {
	proto, rest, ok := strings.Cut(via, " ")
	if !ok {
		return flow{}, false
	}
	transport := proto[strings.LastIndexByte(proto, '/')+1:]
	sentBy, _, _ := strings.Cut(strings.TrimSpace(rest), ";")
	ap, err := netip.ParseAddrPort(sentBy)
	if err != nil {
		return flow{}, false
	}
	if r, err := netip.ParseAddr(Param(via, "received")); err == nil {
		ap = netip.AddrPortFrom(r, ap.Port())
	}
	if port, err := strconv.ParseUint(Param(via, "rport"), 10, 16); err == nil {
		ap = netip.AddrPortFrom(ap.Addr(), uint16(port))
	}
	return flow{strings.ToUpper(transport), ap}, true
}

func unmap(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// Response builds a response to a request (RFC 3261 §8.2.6): Via, From, To,
// Call-ID and CSeq copied.
func Response(req *Message, code int, reason string) *Message {
	r := &Message{Status: code, Reason: reason}
	for _, h := range req.Headers {
		switch canonical(h.Name) {
		case "via", "from", "to", "call-id", "cseq", "record-route":
			r.Add(h.Name, h.Value)
		}
	}
	return r
}
