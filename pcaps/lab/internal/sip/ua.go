package sip

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// ErrTimeout is returned when the expected message did not arrive in time.
var ErrTimeout = errors.New("sip: no answer in time")

// UA is the user agent side of a call (RFC 3261 §8, §12-13, §15).
type UA struct {
	User, Domain string
	Conn         *Conn
	Agent        string // User-Agent header
	// OfferType is the Content-Type of INVITE bodies: application/sdp when
	// empty, or a Lync-style multipart/alternative.
	OfferType string
	// Reoffer, when set, answers an in-dialog re-INVITE that arrives while
	// waiting for the BYE: it returns the 200's SDP.
	Reoffer func(*Message) []byte
	contact string
	cseq    int
}

// Dialog is an established INVITE dialog (RFC 3261 §12).
type Dialog struct {
	CallID              string
	LocalURI, RemoteURI string
	LocalTag, RemoteTag string
	RemoteTarget        string
	RouteSet            []string
	cseq                int
}

// NewUA prepares a user agent on an open flow.
func NewUA(user, domain, agent string, c *Conn, proxy netip.AddrPort) *UA {
	ua := &UA{User: user, Domain: domain, Conn: c, Agent: agent}
	local := c.LocalAddr(proxy)
	ua.contact = fmt.Sprintf("<sip:%s@%s;transport=%s>", user, local, strings.ToLower(c.Transport))
	return ua
}

func token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (ua *UA) aor() string { return fmt.Sprintf("sip:%s@%s", ua.User, ua.Domain) }

func (ua *UA) newRequest(method, uri, callID, from, to string, cseq int) *Message {
	m := &Message{Method: method, URI: uri}
	local := ua.Conn.LocalAddr(ua.Conn.proxy)
	m.Add("Via", fmt.Sprintf("SIP/2.0/%s %s;branch=z9hG4bK%s;rport", ua.Conn.Transport, local, token(8)))
	m.Add("Max-Forwards", "70")
	m.Add("From", from)
	m.Add("To", to)
	m.Add("Call-ID", callID)
	m.Add("CSeq", fmt.Sprintf("%d %s", cseq, method))
	m.Add("Contact", ua.contact)
	m.Add("User-Agent", ua.Agent)
	return m
}

// Register binds the user's address of record to this flow (RFC 3261 §10).
func (ua *UA) Register(ctx context.Context) error {
	ua.cseq++
	aor := "<" + ua.aor() + ">"
	m := ua.newRequest("REGISTER", "sip:"+ua.Domain, token(12)+"@"+ua.Domain, aor+";tag="+token(4), aor, ua.cseq)
	m.Add("Expires", "300")
	if err := ua.Conn.Send(m); err != nil {
		return err
	}
	r, err := ua.await(ctx, func(r *Message) bool { return !r.IsRequest() && r.Status >= 200 })
	if err != nil {
		return err
	}
	if r.Status != 200 {
		return fmt.Errorf("sip: REGISTER answered %d %s", r.Status, r.Reason)
	}
	return nil
}

// Invite sends an INVITE with an SDP offer and waits for the final response;
// on 2xx it sends the ACK (RFC 3261 §13.2.2.4) and returns the dialog and answer.
func (ua *UA) Invite(ctx context.Context, callee, callID string, offer []byte, onProvisional func(*Message)) (*Dialog, []byte, error) {
	d := &Dialog{CallID: callID, LocalURI: ua.aor(), RemoteURI: fmt.Sprintf("sip:%s@%s", callee, ua.Domain), LocalTag: token(4), cseq: 1}
	m := ua.newRequest("INVITE", d.RemoteURI, callID, "<"+d.LocalURI+">;tag="+d.LocalTag, "<"+d.RemoteURI+">", d.cseq)
	m.Add("Content-Type", ua.offerType())
	m.Body = offer
	if err := ua.Conn.Send(m); err != nil {
		return nil, nil, err
	}
	for {
		r, err := ua.await(ctx, func(r *Message) bool { return !r.IsRequest() && r.Get("Call-ID") == callID })
		if err != nil {
			return nil, nil, err
		}
		if r.Status < 200 {
			if onProvisional != nil {
				onProvisional(r)
			}
			continue
		}
		if r.Status >= 300 {
			return nil, nil, fmt.Errorf("sip: INVITE answered %d %s", r.Status, r.Reason)
		}
		d.fromResponse(r)
		return d, r.Body, ua.Conn.Send(ua.inDialog(d, "ACK", d.cseq))
	}
}

func (d *Dialog) fromResponse(r *Message) {
	d.RemoteTag = Param(r.Get("To"), "tag")
	d.RemoteTarget = strings.Trim(strings.SplitN(r.Get("Contact"), ";expires", 2)[0], "<>")
	rr := r.All("Record-Route")
	for i := len(rr) - 1; i >= 0; i-- {
		d.RouteSet = append(d.RouteSet, rr[i])
	}
}

func (ua *UA) inDialog(d *Dialog, method string, cseq int) *Message {
	m := ua.newRequest(method, d.RemoteTarget, d.CallID, "<"+d.LocalURI+">;tag="+d.LocalTag,
		"<"+d.RemoteURI+">;tag="+d.RemoteTag, cseq)
	for _, r := range d.RouteSet {
		m.Add("Route", r)
	}
	return m
}

func (ua *UA) offerType() string {
	if ua.OfferType == "" {
		return "application/sdp"
	}
	return ua.OfferType
}

// Reinvite sends an in-dialog INVITE with a new offer, waits for its final
// response and acknowledges a 2xx (RFC 3261 §14.1). It returns the answer.
func (ua *UA) Reinvite(ctx context.Context, d *Dialog, offer []byte) ([]byte, error) {
	d.cseq++
	m := ua.inDialog(d, "INVITE", d.cseq)
	m.Add("Content-Type", ua.offerType())
	m.Body = offer
	if err := ua.Conn.Send(m); err != nil {
		return nil, err
	}
	cseq := fmt.Sprintf("%d INVITE", d.cseq)
	r, err := ua.await(ctx, func(r *Message) bool {
		return !r.IsRequest() && r.Status >= 200 && r.Get("Call-ID") == d.CallID && r.Get("CSeq") == cseq
	})
	if err != nil {
		return nil, err
	}
	if r.Status >= 300 {
		return nil, fmt.Errorf("sip: re-INVITE answered %d %s", r.Status, r.Reason)
	}
	return r.Body, ua.Conn.Send(ua.inDialog(d, "ACK", d.cseq))
}

// Bye ends the dialog and waits for its 200 (RFC 3261 §15.1). extra headers
// (ms-client-diagnostics) follow the Reason.
func (ua *UA) Bye(ctx context.Context, d *Dialog, reason string, extra ...Header) error {
	d.cseq++
	m := ua.inDialog(d, "BYE", d.cseq)
	if reason != "" {
		m.Add("Reason", reason)
	}
	for _, h := range extra {
		m.Add(h.Name, h.Value)
	}
	if err := ua.Conn.Send(m); err != nil {
		return err
	}
	_, err := ua.await(ctx, func(r *Message) bool {
		return !r.IsRequest() && r.Get("Call-ID") == d.CallID && strings.HasSuffix(r.Get("CSeq"), "BYE")
	})
	return err
}

// AwaitInvite waits for an INVITE and returns it.
func (ua *UA) AwaitInvite(ctx context.Context) (*Message, error) {
	return ua.await(ctx, func(m *Message) bool { return m.Method == "INVITE" })
}

// Answer sends 100, 180 and then a 200 with the SDP answer to an INVITE, and
// waits for the ACK (RFC 3261 §13.3). prepare runs between 180 and 200.
func (ua *UA) Answer(ctx context.Context, inv *Message, prepare func() ([]byte, error)) (*Dialog, error) {
	d := &Dialog{CallID: inv.Get("Call-ID"), LocalTag: token(4)}
	d.RemoteURI = strings.Trim(strings.SplitN(inv.Get("From"), ";", 2)[0], "<>")
	d.LocalURI = strings.Trim(strings.SplitN(inv.Get("To"), ";", 2)[0], "<>")
	d.RemoteTag = Param(inv.Get("From"), "tag")
	d.RemoteTarget = strings.Trim(inv.Get("Contact"), "<>")
	d.RouteSet = inv.All("Record-Route")
	if err := ua.Conn.Send(Response(inv, 100, "Trying")); err != nil {
		return nil, err
	}
	if err := ua.Conn.Send(ua.tagged(inv, d, 180, "Ringing")); err != nil {
		return nil, err
	}
	body, err := prepare()
	if err != nil {
		return nil, err
	}
	ok := ua.tagged(inv, d, 200, "OK")
	ok.Add("Contact", ua.contact)
	ok.Add("Content-Type", "application/sdp")
	ok.Body = body
	if err := ua.Conn.Send(ok); err != nil {
		return nil, err
	}
	_, err = ua.await(ctx, func(m *Message) bool { return m.Method == "ACK" && m.Get("Call-ID") == d.CallID })
	return d, err
}

func (ua *UA) tagged(inv *Message, d *Dialog, code int, reason string) *Message {
	r := Response(inv, code, reason)
	r.SetFirst("To", inv.Get("To")+";tag="+d.LocalTag)
	return r
}

// AwaitBye waits for the peer's BYE and answers it with 200. A re-INVITE on
// the way is answered with Reoffer's SDP when it is set.
func (ua *UA) AwaitBye(ctx context.Context, d *Dialog) error {
	for {
		m, err := ua.await(ctx, func(m *Message) bool {
			return (m.Method == "BYE" || m.Method == "INVITE" && ua.Reoffer != nil) && m.Get("Call-ID") == d.CallID
		})
		if err != nil {
			return err
		}
		if m.Method == "BYE" {
			return ua.Conn.Send(Response(m, 200, "OK"))
		}
		ok := Response(m, 200, "OK")
		ok.Add("Contact", ua.contact)
		ok.Add("Content-Type", "application/sdp")
		ok.Body = ua.Reoffer(m)
		if err := ua.Conn.Send(ok); err != nil {
			return err
		}
	}
}

// await returns the first incoming message that match accepts; others are dropped.
func (ua *UA) await(ctx context.Context, match func(*Message) bool) (*Message, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %v", ErrTimeout, ctx.Err())
		case m, ok := <-ua.Conn.In:
			if !ok {
				return nil, errors.New("sip: flow closed")
			}
			if match(m) {
				return m, nil
			}
		}
	}
}
