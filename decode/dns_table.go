package decode

import (
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/icediag/icediag/decode/wire"
)

// Bounds of the Names table (docs/limits.md): what does not fit is counted
// as a decode problem.
const (
	// MaxDNSLookups is how many DNS lookups the decoder records.
	MaxDNSLookups = 4096
	// MaxServerCertificates is how many distinct server certificates (per
	// server, name asked for and certificate) it records.
	MaxServerCertificates = 1024
	// maxNameFrames is how many frames an entry keeps from each end.
	maxNameFrames = 5
)

// Names is what the decoder saw of name resolution and server identity:
// DNS lookups over UDP 53 with their answers (RFC 1035), and the server
// certificates of TLS 1.0-1.2 handshakes in the clear (RFC 5246 §7.4.2).
// The rules of DIAGNOSES.md "Names, certificates, DNS" read it. It holds
// copies only. The zero value is empty and ready.
type Names struct {
	lookups []DNSLookup
	open    map[dnsKey]int // index of the lookup a query opened, until answered
	certs   []ServerCertificate
	certIdx map[certKey]int
}

// DNSLookup is one DNS question from a client to a server and what came
// back: the first query and its retransmissions (same ID and question),
// and the response, if any.
type DNSLookup struct {
	Client, Server netip.AddrPort
	ID             uint16
	// Name is the question's name in lower case, without the trailing dot.
	Name string
	Type uint16
	// Queries counts the query transmissions; 0 when the capture holds
	// the response only. Query and QueryTime are the first one.
	Queries   int
	Query     FrameRef
	QueryTime time.Time
	// Answered is set when a response came; Response, ResponseTime,
	// Rcode and Answers describe it.
	Answered     bool
	Response     FrameRef
	ResponseTime time.Time
	Rcode        uint8
	Answers      []DNSRecord
}

type dnsKey struct {
	client, server netip.AddrPort
	id             uint16
	name           string
	qtype          uint16
}

// dnsPort reports whether a UDP flow is DNS by its port (RFC 1035 §4.2.1);
// mDNS (5353) and LLMNR (5355) are not read.
func dnsPort(fl Flow) bool {
	return fl.Transport == UDP && (fl.Src.Port() == 53 || fl.Dst.Port() == 53)
}

// dns decodes a DNS datagram, records it in the Names table and emits it.
func (d *Decoder) dns(fl Flow, b []byte) {
	var m DNSMessage
	if err := m.Decode(b); err != nil {
		d.problem("dns", wire.Reason(err))
		return
	}
	if m.Opcode == 0 && len(m.Questions) > 0 {
		d.stats.Names.addDNS(d, fl, &m)
	}
	d.emit(d.event(fl, nil, KindDNS, b))
}

// addDNS records a standard query or its response.
func (n *Names) addDNS(d *Decoder, fl Flow, m *DNSMessage) {
	q := m.Questions[0]
	k := dnsKey{client: fl.Src, server: fl.Dst, id: m.ID, name: strings.ToLower(q.Name), qtype: q.Type}
	if m.Response {
		k.client, k.server = fl.Dst, fl.Src
	}
	i, ok := n.open[k]
	if !ok {
		if len(n.lookups) >= MaxDNSLookups {
			d.problem("dns", "lookup table full, lookups dropped")
			return
		}
		i = len(n.lookups)
		n.lookups = append(n.lookups, DNSLookup{Client: k.client, Server: k.server, ID: m.ID, Name: k.name, Type: q.Type})
		if !m.Response {
			if n.open == nil {
				n.open = map[dnsKey]int{}
			}
			n.open[k] = i
		}
	}
	l := &n.lookups[i]
	if !m.Response {
		if l.Queries == 0 {
			l.Query, l.QueryTime = d.cur, d.curTime
		}
		l.Queries++
		return
	}
	delete(n.open, k)
	l.Answered, l.Response, l.ResponseTime, l.Rcode = true, d.cur, d.curTime, m.Rcode
	l.Answers = append([]DNSRecord(nil), m.Answers...)
}

// DNSLookups returns the recorded lookups in capture order of their first
// frame (query, or response when no query was seen).
func (n *Names) DNSLookups() []DNSLookup {
	out := append([]DNSLookup(nil), n.lookups...)
	sort.SliceStable(out, func(i, j int) bool {
		ti, fi := out[i].first()
		tj, fj := out[j].first()
		return refLess(ti, fi, tj, fj)
	})
	return out
}

// first is the time and frame a lookup was first seen in.
func (l *DNSLookup) first() (time.Time, FrameRef) {
	if l.Queries > 0 {
		return l.QueryTime, l.Query
	}
	return l.ResponseTime, l.Response
}

// refLess orders frames by capture time, then file and frame.
func refLess(ta time.Time, a FrameRef, tb time.Time, b FrameRef) bool {
	if !ta.Equal(tb) {
		return ta.Before(tb)
	}
	if a.File != b.File {
		return a.File < b.File
	}
	return a.Frame < b.Frame
}
