package ice

import (
	"net/netip"
	"sort"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/wire"
)

// STUNServer is a server that answered (or was asked) Binding requests
// without USERNAME (RFC 8489 §3): what an agent does to learn its
// server-reflexive candidates (RFC 8445 §5.1.1.2).
type STUNServer struct {
	Addr            netip.AddrPort `json:"addr"`
	Transport       string         `json:"transport"`
	Requests        int            `json:"requests"`
	Retransmissions int            `json:"retransmissions"`
	Answered        int            `json:"answered"`
	Errors          int            `json:"errors"`
	Unanswered      int            `json:"unanswered"`
	TimedOut        int            `json:"timed_out"`
	// RTT is the smallest round-trip time seen.
	RTT   time.Duration `json:"rtt,omitempty"`
	First time.Time     `json:"first"`
	Last  time.Time     `json:"last"`
	// Mappings lists each client address with the reflexive address the
	// server reported for it (XOR-MAPPED-ADDRESS or MAPPED-ADDRESS).
	Mappings []Mapping `json:"mappings"`
}

// Mapping is one client address and the reflexive address a server saw.
type Mapping struct {
	Client netip.AddrPort `json:"client"`
	Mapped netip.AddrPort `json:"mapped"`
}

// stunQuery is one Binding transaction toward a STUN server.
type stunQuery struct {
	server    *STUNServer
	client    netip.AddrPort
	last      time.Time
	answered  bool
	errorCode uint16
}

// serverQuery records a Binding request without an ICE USERNAME.
func (b *Builder) serverQuery(ev *decode.Event) {
	m := ev.STUN
	if q := b.queries[m.TxID]; q != nil {
		q.server.Retransmissions++
		q.last = ev.Time
		return
	}
	if len(b.queries) >= b.opts.Limits.MaxQueries {
		b.drop(dropQuery)
		return
	}
	_, client, addr, _ := b.checkPath(ev, true)
	s := b.servers[addr]
	if s == nil {
		s = &STUNServer{Addr: addr, Transport: ev.Flow.Transport.String(), First: ev.Time}
		b.servers[addr] = s
		b.serverOrder = append(b.serverOrder, s)
	}
	s.Requests++
	s.Last = ev.Time
	b.queries[m.TxID] = &stunQuery{server: s, client: client, last: ev.Time}
}

// serverAnswer records the first response to a query.
func (b *Builder) serverAnswer(q *stunQuery, ev *decode.Event) {
	if q.answered {
		return
	}
	q.answered = true
	s := q.server
	s.Last = ev.Time
	if rtt := ev.Time.Sub(q.last); s.RTT == 0 || rtt < s.RTT {
		s.RTT = rtt
	}
	if ev.STUN.Class == wire.ClassError {
		s.Errors++
		q.errorCode = ev.STUN.ErrorCode
		return
	}
	s.Answered++
	mp := Mapping{Client: q.client, Mapped: mappedOf(ev.STUN)}
	for _, x := range s.Mappings {
		if x == mp {
			return
		}
	}
	s.Mappings = append(s.Mappings, mp)
}

// finishServers counts unanswered queries and orders servers by first
// request.
func (b *Builder) finishServers() []*STUNServer {
	for _, q := range b.queries {
		if q.answered {
			continue
		}
		if b.resultAtEnd(q.last) == ResultUnanswered {
			q.server.Unanswered++
		} else {
			q.server.TimedOut++
		}
	}
	out := append([]*STUNServer{}, b.serverOrder...)
	for _, s := range out {
		sortMappings(s.Mappings)
	}
	return out
}

// sortMappings orders a server's mappings by client address.
func sortMappings(ms []Mapping) {
	sort.Slice(ms, func(i, j int) bool { return ms[i].Client.String() < ms[j].Client.String() })
}

// reflexive reports whether a STUN server reported addr as a mapped
// address.
func (b *Builder) reflexive(addr netip.AddrPort) bool {
	for _, s := range b.serverOrder {
		for _, m := range s.Mappings {
			if m.Mapped == addr {
				return true
			}
		}
	}
	return false
}
