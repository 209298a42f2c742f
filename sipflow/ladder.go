package sipflow

import (
	"errors"
	"net/netip"
	"strings"
	"time"
)

// Errors of FindCall.
var (
	ErrNoCall        = errors.New("no call with that Call-ID")
	ErrAmbiguousCall = errors.New("Call-ID prefix matches several calls")
)

// Ladder is the message sequence of one call (RFC 3261 §24 draws its
// examples this way): one column per transport address taking part, in
// order of first appearance, and one row per message copy in capture order.
type Ladder struct {
	CallID  string
	Start   time.Time
	Columns []Host
	Rows    []LadderRow
}

// LadderRow is one message of a Ladder. From and To index Columns. Offset
// is the time since the call's first message. SDP is "offer" or "answer"
// when the message (or another copy of it) carried a session description
// of an offer/answer exchange (RFC 3264), "body" for any other body, ""
// for none. Retransmission marks a repeated copy of a request or
// response (RFC 3261 §17).
type LadderRow struct {
	Offset         time.Duration
	File           int
	Frame          uint64
	From, To       int
	Label          string
	CSeq           uint32
	Method         string
	Transport      string
	Retransmission bool
	SDP            string
}

// FindCall returns the call whose Call-ID is id or, failing that, the only
// call whose Call-ID starts with id.
func FindCall(calls []*Call, id string) (*Call, error) {
	for _, c := range calls {
		if c.CallID == id {
			return c, nil
		}
	}
	var match *Call
	for _, c := range calls {
		if id == "" || !strings.HasPrefix(c.CallID, id) {
			continue
		}
		if match != nil {
			return nil, ErrAmbiguousCall
		}
		match = c
	}
	if match == nil {
		return nil, ErrNoCall
	}
	return match, nil
}

// Ladder returns the ladder of a call of the capture.
func (c *Capture) Ladder(call *Call) *Ladder {
	l := &Ladder{CallID: call.CallID}
	if len(call.Messages) > 0 {
		l.Start = call.Messages[0].Meta.Time
	}
	roles := sdpRoles(call)
	cols := map[netip.AddrPort]int{}
	for _, m := range call.Messages {
		row := LadderRow{Offset: m.Meta.Time.Sub(l.Start), File: m.Meta.File, Frame: m.Meta.Frame,
			From: l.column(cols, c, m.Meta.Src), To: l.column(cols, c, m.Meta.Dst), Label: MessageLabel(m),
			CSeq: m.CSeq, Method: m.Method, Transport: m.Meta.Transport, Retransmission: m.Retransmission}
		if m.HasBody {
			row.SDP = roles[roleKeyOf(m)]
			if row.SDP == "" {
				row.SDP = "body"
			}
		}
		l.Rows = append(l.Rows, row)
	}
	return l
}

// column returns the column of addr, adding it on first sight.
func (l *Ladder) column(cols map[netip.AddrPort]int, c *Capture, addr netip.AddrPort) int {
	if i, ok := cols[addr]; ok {
		return i
	}
	h := Host{Addr: addr}
	if known := c.Host(addr); known != nil {
		h = *known
	}
	cols[addr] = len(l.Columns)
	l.Columns = append(l.Columns, h)
	return cols[addr]
}

// roleKey identifies the copies of one message: every hop and every
// retransmission of it share method, CSeq and status.
type roleKey struct {
	request bool
	method  string
	cseq    uint32
	status  int
}

func roleKeyOf(m MsgRef) roleKey { return roleKey{m.Request, m.Method, m.CSeq, m.StatusCode} }

// sdpRoles maps the messages of the call's offer/answer exchanges to
// "offer" or "answer".
func sdpRoles(call *Call) map[roleKey]string {
	roles := map[roleKey]string{}
	for _, ex := range call.Exchanges {
		for _, b := range ex.Offer {
			roles[roleKeyOf(b.Msg)] = "offer"
		}
		for _, b := range ex.Answer {
			if _, ok := roles[roleKeyOf(b.Msg)]; !ok {
				roles[roleKeyOf(b.Msg)] = "answer"
			}
		}
	}
	return roles
}
