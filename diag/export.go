package diag

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/ice"
	"github.com/icediag/icediag/sipflow"
)

// ErrUnknownID is returned by Frames for a Call-ID or ICE session ID the
// analysis does not know; the error text lists the IDs present.
var ErrUnknownID = errors.New("unknown call or session")

// checkMargin widens the time window of a connectivity check's 5-tuple:
// responses arrive after the last request (RFC 8445 §14.3 timers end well
// within it).
const checkMargin = 10 * time.Second

// allocationLead is how long before a call an allocation may have been
// made for it (clients allocate at sign-in and refresh, RFC 8656 §7).
const allocationLead = 10 * time.Minute

// Conn is an unordered 5-tuple: both directions of a UDP flow or a TCP
// connection, the lower address first.
type Conn struct {
	A, B      netip.AddrPort
	Transport decode.Transport
}

// ConnOf returns the Conn of a directed flow.
func ConnOf(f decode.Flow) Conn {
	if f.Src.Compare(f.Dst) > 0 {
		return Conn{A: f.Dst, B: f.Src, Transport: f.Transport}
	}
	return Conn{A: f.Src, B: f.Dst, Transport: f.Transport}
}

// window is a capture-time interval, both ends included.
type window struct{ from, to time.Time }

func (w window) contains(t time.Time) bool { return !t.Before(w.from) && !t.After(w.to) }

func (w *window) widen(o window) {
	if o.from.Before(w.from) {
		w.from = o.from
	}
	if o.to.After(w.to) {
		w.to = o.to
	}
}

// Selection says which frames belong to one call or one SIP-less ICE
// session: the frames of its SIP messages exactly (RFC 3261 messages with
// their frame references), the TCP connections those messages used, and
// the 5-tuples with a time window of its ICE checks (RFC 8445 §7.2), of
// the TURN allocations its candidates came from (RFC 8656 §7, MS-TURN
// §3.2) and of its media flows (RFC 3550), direct and relayed. A TCP
// connection and a fragmented datagram are taken whole once one of their
// frames is selected. Scan applies it to the captures.
type Selection struct {
	// Call is the Call-ID, empty for a SIP-less session; Sessions the ICE
	// session IDs ("s1", ...) the selection covers.
	Call     string
	Sessions []string
	// Allocations are the IDs of the TURN allocations included.
	Allocations []string
	sipFrames   map[decode.FrameRef]bool
	// timeouts is set when a selected check timed out (ice.ResultTimeout):
	// the analysis knows that only because the capture went on.
	timeouts bool
	sipConns map[Conn]bool
	conns    map[Conn]*window
}

// Frames builds the selection of one call (call, a Call-ID or a unique
// prefix of one) or, when call is empty, of one ICE session (session, an
// ID as the report shows it). An unknown ID yields an error wrapping
// ErrUnknownID that lists the IDs present.
func (in *Input) Frames(call, session string) (*Selection, error) {
	s := &Selection{sipFrames: map[decode.FrameRef]bool{}, sipConns: map[Conn]bool{}, conns: map[Conn]*window{}}
	var sessions []*ice.Session
	var win window
	switch {
	case call != "":
		c, err := sipflow.FindCall(in.Calls, call)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %w; %s", ErrUnknownID, sipflow.Printable(call), err, in.idList())
		}
		s.Call = c.CallID
		win = s.addCall(c, in.end())
		sessions = in.sessionsOf(c.CallID)
		s.addSDPMedia(in, c, win)
	case session != "":
		x := in.session(session)
		if x == nil {
			return nil, fmt.Errorf("%w: session %q; %s", ErrUnknownID, sipflow.Printable(session), in.idList())
		}
		sessions = []*ice.Session{x}
		win = window{x.First, x.Last}
	default:
		return nil, fmt.Errorf("%w: no call or session named; %s", ErrUnknownID, in.idList())
	}
	for _, x := range sessions {
		s.Sessions = append(s.Sessions, x.ID)
		s.addSession(x)
		win.widen(window{x.First, x.Last})
	}
	s.addAllocations(in, sessions, win)
	s.addFlows(in, sessions)
	return s, nil
}

// end returns the time of the last event the analysis saw.
func (in *Input) end() time.Time {
	if in.ICE != nil && !in.ICE.End.IsZero() {
		return in.ICE.End
	}
	if in.Stats != nil {
		return in.Stats.Last
	}
	return time.Time{}
}

// idList names the calls and SIP-less sessions of the analysis.
func (in *Input) idList() string {
	var calls, sess []string
	for _, c := range in.Calls {
		calls = append(calls, strconv.Quote(sipflow.Printable(c.CallID)))
	}
	if in.ICE != nil {
		for _, x := range in.ICE.Sessions {
			if x.CallID == "" {
				sess = append(sess, x.ID)
			}
		}
	}
	return fmt.Sprintf("calls: %s; SIP-less ICE sessions: %s", orNone(calls), orNone(sess))
}

// sessionsOf returns the ICE sessions joined to a call.
func (in *Input) sessionsOf(callID string) []*ice.Session {
	var out []*ice.Session
	if in.ICE == nil {
		return nil
	}
	for _, x := range in.ICE.Sessions {
		if x.CallID == callID {
			out = append(out, x)
		}
	}
	return out
}

// session returns the ICE session with the given ID.
func (in *Input) session(id string) *ice.Session {
	if in.ICE == nil {
		return nil
	}
	for _, x := range in.ICE.Sessions {
		if x.ID == id {
			return x
		}
	}
	return nil
}

// addCall selects the frames of the call's SIP messages and the TCP
// connections they travelled on, and returns the call's time span.
func (s *Selection) addCall(c *sipflow.Call, end time.Time) window {
	w := window{c.Start, c.End}
	if c.End.IsZero() {
		w.to = end
	}
	for _, m := range c.Messages {
		s.sipFrames[decode.FrameRef{File: m.Meta.File, Frame: m.Meta.Frame}] = true
		if t := streamTransport(m.Meta.Transport); t != decode.TransportUnknown {
			s.sipConns[ConnOf(decode.Flow{Src: m.Meta.Src, Dst: m.Meta.Dst, Transport: t})] = true
		}
		w.widen(window{m.Meta.Time, m.Meta.Time})
	}
	return w
}

// streamTransport returns the transport of a SIP message's connection
// (TCP, TLS, WebSocket over TCP; SCTP), TransportUnknown for UDP.
func streamTransport(name string) decode.Transport {
	switch {
	case name == "SCTP":
		return decode.SCTP
	case name == "TCP" || strings.HasPrefix(name, "TLS") || strings.HasPrefix(name, "WS"):
		return decode.TCP
	}
	return decode.TransportUnknown
}

// addConn selects a 5-tuple within a window.
func (s *Selection) addConn(a, b netip.AddrPort, t decode.Transport, w window) {
	if !a.IsValid() || !b.IsValid() || t == decode.TransportUnknown {
		return
	}
	k := ConnOf(decode.Flow{Src: a, Dst: b, Transport: t})
	if old := s.conns[k]; old != nil {
		old.widen(w)
		return
	}
	s.conns[k] = &w
}

// exportTransport maps the model's transport names ("UDP", "TCP-active",
// "TCP pseudo-TLS") to a decode.Transport.
func exportTransport(name string) decode.Transport {
	switch {
	case strings.HasPrefix(name, "UDP"):
		return decode.UDP
	case strings.HasPrefix(name, "TCP"):
		return decode.TCP
	}
	return decode.TransportUnknown
}

// addSession selects the 5-tuples of a session's checks.
func (s *Selection) addSession(x *ice.Session) {
	for _, c := range x.Checks {
		s.addConn(c.Local, c.Remote, exportTransport(c.Transport), window{c.First.Add(-checkMargin), c.Last.Add(checkMargin)})
		s.timeouts = s.timeouts || c.Result == ice.ResultTimeout
	}
}

// KeepEnd adds the frame last, the capture's last frame whose message
// stands alone (a UDP datagram or a TCP SYN, FIN or RST), when a check of
// the selection timed out: the analysis tells a timed-out check from an
// unanswered one by the capture going on past the check (RFC 8445 §14.3),
// so the export keeps the capture's end. It reports whether it added it.
func (s *Selection) KeepEnd(last decode.FrameRef) bool {
	if !s.timeouts || last.Frame == 0 {
		return false
	}
	s.sipFrames[last] = true
	return true
}

// addAllocations selects the client-server 5-tuples of the allocations the
// sessions used: those that produced a candidate or the local address of a
// relayed check, and those a candidate's address asked for around the call
// (failed ones included: they explain a missing relay candidate).
func (s *Selection) addAllocations(in *Input, sessions []*ice.Session, win window) {
	if in.ICE == nil {
		return
	}
	ids, addrs, ips := usedRelays(sessions)
	around := window{win.from.Add(-allocationLead), win.to}
	for _, a := range in.ICE.Allocations {
		used := ids[a.ID] || addrs[a.Relayed] || addrs[a.RelayedIPv6] || addrs[a.Server]
		near := ips[a.Client.Addr()] && around.contains(a.First)
		if !used && !near {
			continue
		}
		s.Allocations = append(s.Allocations, a.ID)
		w := window{a.First.Add(-checkMargin), a.Last.Add(checkMargin)}
		w.widen(window{win.from, win.to.Add(checkMargin)})
		s.addConn(a.Client, a.Server, exportTransport(a.Transport), w)
	}
}

// usedRelays collects from sessions the allocation IDs of relay
// candidates, the local addresses of checks and the IP addresses of every
// candidate (host, reflexive, base). A relayed check's ends include the
// relayed address or, for an allocation the capture did not see made, the
// TURN server.
func usedRelays(sessions []*ice.Session) (ids map[string]bool, addrs map[netip.AddrPort]bool, ips map[netip.Addr]bool) {
	ids, addrs, ips = map[string]bool{}, map[netip.AddrPort]bool{}, map[netip.Addr]bool{}
	for _, x := range sessions {
		for _, side := range x.Sides {
			for _, c := range side.Candidates {
				if c.Allocation != "" {
					ids[c.Allocation] = true
				}
				if c.Type != "relay" {
					ips[c.Addr.Addr()] = true
				}
				if c.Base.IsValid() {
					ips[c.Base.Addr()] = true
				}
			}
		}
		for _, c := range x.Checks {
			addrs[c.Local] = true
			if c.Via != "" { // a relayed check names the relay on one end
				addrs[c.Remote] = true
			}
		}
	}
	return ids, addrs, ips
}

// addFlows selects the media flows of the sessions: direct ones by their
// 5-tuple, relayed ones by the client-server leg and the relay-peer leg.
func (s *Selection) addFlows(in *Input, sessions []*ice.Session) {
	if in.ICE == nil {
		return
	}
	ids := map[string]bool{}
	for _, x := range sessions {
		ids[x.ID] = true
	}
	for _, f := range in.ICE.Flows {
		if f.Session != "" && ids[f.Session] {
			s.addFlow(f)
		}
	}
}

// addFlow selects one media flow.
func (s *Selection) addFlow(f *ice.MediaFlow) {
	w := window{f.First, f.Last}
	t := exportTransport(f.Transport)
	if !f.Server.IsValid() {
		s.addConn(f.Src, f.Dst, t, w)
		return
	}
	s.addConn(f.Src, f.Server, t, w) // one of Src and Dst is the TURN client
	s.addConn(f.Dst, f.Server, t, w)
}

// addSDPMedia selects, for a call, the media flows that no ICE session
// claims and whose source or destination is an address its SDP offered
// (RFC 4566 c= and m= port, and the next port for RTCP, RFC 3550 §11).
func (s *Selection) addSDPMedia(in *Input, c *sipflow.Call, win window) {
	if in.ICE == nil {
		return
	}
	addrs := map[netip.AddrPort]bool{}
	for _, ex := range c.Exchanges {
		for _, body := range append(append([]sipflow.SDPBody(nil), ex.Offer...), ex.Answer...) {
			sdpAddrs(body.Body, addrs)
		}
	}
	for _, f := range in.ICE.Flows {
		if f.Session == "" && (addrs[f.Src] || addrs[f.Dst]) && f.Last.After(win.from) {
			s.addFlow(f)
		}
	}
}

// sdpAddrs adds the media addresses of an SDP body to addrs.
func sdpAddrs(body []byte, addrs map[netip.AddrPort]bool) {
	d, err := sipflow.ParseSDP(body)
	if err != nil {
		return
	}
	for _, m := range d.Media {
		ip, err := netip.ParseAddr(m.ConnAddr)
		if err != nil || m.Port <= 0 || m.Port > 65534 {
			continue
		}
		addrs[netip.AddrPortFrom(ip, uint16(m.Port))] = true
		addrs[netip.AddrPortFrom(ip, uint16(m.Port+1))] = true
	}
}

// String describes the selection for messages: the call or sessions and
// the allocations.
func (s *Selection) String() string {
	var b strings.Builder
	if s.Call != "" {
		fmt.Fprintf(&b, "call %s", sipflow.Printable(s.Call))
	}
	if len(s.Sessions) > 0 {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "ICE sessions %s", strings.Join(s.Sessions, " "))
	}
	if len(s.Allocations) > 0 {
		sort.Strings(s.Allocations)
		fmt.Fprintf(&b, ", allocations %s", strings.Join(s.Allocations, " "))
	}
	return b.String()
}
