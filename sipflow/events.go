package sipflow

import (
	"net/netip"
	"strings"

	"github.com/icediag/icediag/decode"
)

// maxErrorFrames is how many failed messages a Capture lists by frame.
const maxErrorFrames = 5

// EventError names a SIP payload that did not parse cleanly: where it was
// seen and the parse error (RFC 3261 §7 grammar, see ParseMessage).
type EventError struct {
	decode.FrameRef
	Err string
}

// Capture is the SIP side of one decoded incident: the Tracker fed with
// every SIP message of the capture files, the counts of requests per method
// and responses per status code (every copy, retransmissions included, as
// a SIP statistics tap counts packets), the messages that did not parse,
// and what each transport address said about itself. Capture embeds the
// Tracker, so Calls and Transactions are available on it directly.
type Capture struct {
	*Tracker
	// Messages counts SIP messages parsed, with or without an error.
	Messages int
	// Requests counts request copies by method as sent (methods are
	// case-sensitive, RFC 3261 §7.1);
	// Responses counts response copies by status code.
	Requests  map[string]int
	Responses map[int]int
	// ParseErrors counts payloads with a parse error, including those
	// whose message was still read and tracked; ErrorFrames lists the
	// first few.
	ParseErrors int
	ErrorFrames []EventError
	hosts       map[netip.AddrPort]*Host
}

// Host is what the messages sent from one transport address say about
// their sender: the software (User-Agent, or Server in responses, RFC 3261
// §20.41, §20.35) and the first host name it used in a Via sent-by or a
// Contact URI (§20.42, §20.10). Empty fields were not seen.
type Host struct {
	Addr      netip.AddrPort
	UserAgent string
	Name      string
}

// NewCapture returns an empty Capture.
func NewCapture() *Capture {
	return &Capture{Tracker: NewTracker(), Requests: map[string]int{}, Responses: map[int]int{},
		hosts: map[netip.AddrPort]*Host{}}
}

// AddEvent parses the SIP message of a KindSIP event and adds it to the
// Tracker; other kinds are ignored. It returns the parse error, if any: a
// message that ParseMessage still returns alongside its error (a malformed
// header value, a truncated body) is tracked all the same. The event is
// not kept.
func (t *Tracker) AddEvent(ev *decode.Event) error {
	_, err := t.addEvent(ev)
	return err
}

func (t *Tracker) addEvent(ev *decode.Event) (*Message, error) {
	if ev == nil || ev.Kind != decode.KindSIP {
		return nil, nil
	}
	m, err := ParseMessage(ev.Payload)
	if m == nil {
		if err == nil {
			err = &ParseError{Field: "message", Err: ErrEmpty}
		}
		return nil, err
	}
	t.Add(m, EventMeta(ev, m))
	return m, err
}

// AddEvent adds one decode event: a KindSIP message is parsed, counted and
// tracked; a parse error is counted and its frame kept among the first
// few, never fatal.
func (c *Capture) AddEvent(ev *decode.Event) {
	m, err := c.Tracker.addEvent(ev)
	if err != nil {
		c.ParseErrors++
		if len(c.ErrorFrames) < maxErrorFrames {
			c.ErrorFrames = append(c.ErrorFrames, EventError{FrameRef: ev.FrameRef, Err: err.Error()})
		}
	}
	if m == nil {
		return
	}
	c.Messages++
	if m.Request {
		method := m.Method
		if _, ok := c.Requests[method]; !ok && len(c.Requests) >= maxMethods {
			method = otherMethod
		}
		c.Requests[method]++
	} else {
		c.Responses[m.StatusCode]++
	}
	c.learnHost(ev.Flow.Src, m)
}

// EventMeta returns where the message of ev was seen. Transport is the
// flow's ("UDP", "TCP", "SCTP"), or "WS"/"WSS" for a stream message whose
// top Via names WebSocket (RFC 7118 §5): the top Via of a request and of
// its responses names the hop they travel on.
func EventMeta(ev *decode.Event, m *Message) Meta {
	meta := Meta{File: ev.File, Frame: ev.Frame, Time: ev.Time, Src: ev.Flow.Src, Dst: ev.Flow.Dst,
		Transport: ev.Flow.Transport.String()}
	if ev.Flow.Transport == decode.TCP && m != nil {
		if vias := m.Vias(); len(vias) > 0 && (vias[0].Transport == "WS" || vias[0].Transport == "WSS") {
			meta.Transport = vias[0].Transport
		}
	}
	return meta
}

// learnHost records what a message says about its sender, from messages
// the sender wrote itself: a request with a single Via (a UAC adds one
// Via, proxies add theirs on top, RFC 3261 §8.1.1.7, §16.6) and a 100
// Trying (never forwarded, §16.7). Forwarded messages keep the headers of
// their origin, so they say nothing about the proxy that sent them.
func (c *Capture) learnHost(src netip.AddrPort, m *Message) {
	own := m.Request && len(m.Values("Via")) == 1 || m.StatusCode == 100
	if !own {
		return
	}
	h := c.hosts[src]
	if h == nil {
		h = &Host{Addr: src}
		c.hosts[src] = h
	}
	if h.UserAgent == "" {
		h.UserAgent = m.UserAgent()
	}
	if h.Name == "" && m.Request {
		h.Name = senderName(m)
	}
}

// senderName returns a host name (not an address literal) the sender of a
// request gave for itself: the sent-by of its Via, else the host of its
// Contact.
func senderName(m *Message) string {
	if vias := m.Vias(); len(vias) > 0 && isHostName(vias[0].Host) {
		return strings.ToLower(vias[0].Host)
	}
	for _, ct := range m.Contacts() {
		if isHostName(ct.URI.Host) {
			return strings.ToLower(ct.URI.Host)
		}
	}
	return ""
}

// isHostName reports whether s is a DNS name rather than an IP literal.
func isHostName(s string) bool {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if s == "" {
		return false
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return false
	}
	return strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
}

// Host returns what is known about the sender at addr; nil when no
// message came from it.
func (c *Capture) Host(addr netip.AddrPort) *Host { return c.hosts[addr] }

// Calls decodes the capture files at paths (see decode.Run) and tracks
// every SIP message in them. The error is decode.Run's: no file could be
// read.
func Calls(paths []string) (*Capture, *decode.Stats, error) {
	c := NewCapture()
	st, err := decode.Run(paths, decode.Options{}, c.AddEvent)
	return c, st, err
}
