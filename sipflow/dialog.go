package sipflow

import (
	"bytes"
	"strings"
)

// Party is one side of a call as named in the initial INVITE's From or To
// header (RFC 3261 §8.1.1.2-3): URI, display name, user and domain.
type Party struct {
	URI, Display, User, Domain string
}

func partyOf(n NameAddr) Party {
	return Party{URI: n.URI.String(), Display: n.Display, User: n.URI.User, Domain: n.URI.Domain()}
}

// SDPBody is one session description carried by a call message: its bytes
// (a copy), the message that carried it, and for multipart bodies whether
// it is the ms-proxy-2007fallback (ICE draft-06) alternative
// (MS-REFERENCE §2.1). The SDP package parses Body.
type SDPBody struct {
	Msg         MsgRef
	Body        []byte
	MSFallback  bool
	Alternative bool
	Path        string
}

// OfferAnswer is one SDP offer/answer exchange (RFC 3264, RFC 6337): the
// offer and answer bodies of one request (INVITE, re-INVITE, UPDATE, PRACK)
// and its responses or ACK. Offer holds several bodies when a multipart
// alternative was sent, and one body (or set of alternatives) per hop when
// a proxy forwarded the request with a rewritten SDP (OfferMessages splits
// them); Answer holds one body per answering response (reliable and early
// 18x, 2xx of several forks, each hop's copy when rewritten). ReInvite marks exchanges
// inside an established dialog (the To tag was set); RemoteCandidates
// marks an offer with a=remote-candidates (RFC 5245 §9.1.2.2, the MS
// re-INVITE naming the selected pair, MS-REFERENCE §2.5).
type OfferAnswer struct {
	CSeq             uint32
	Method           string
	FromTag          string // From tag of the request: CSeq spaces are per direction
	ReInvite         bool
	RemoteCandidates bool
	Offer            []SDPBody
	Answer           []SDPBody
}

// sdpBodies returns the SDP parts of a message.
func sdpBodies(m *Message, ref MsgRef) []SDPBody {
	parts, _ := m.BodyParts()
	var out []SDPBody
	for _, p := range parts {
		if !p.ContentType.Is("application/sdp") || len(bytes.TrimSpace(p.Body)) == 0 {
			continue
		}
		out = append(out, SDPBody{Msg: ref, Body: bytes.Clone(p.Body), MSFallback: p.MSFallback, Alternative: p.Alternative, Path: p.Path})
	}
	return out
}

// offerAnswerMethod reports whether requests of this method carry offers
// or answers (RFC 3261 §13, RFC 3262, RFC 3311, RFC 6337).
func offerAnswerMethod(method string) bool {
	switch method {
	case "INVITE", "UPDATE", "PRACK", "ACK":
		return true
	}
	return false
}

// addSDP files the SDP bodies of a call message into the exchanges
// (RFC 3264 §4, RFC 3261 §13.2.1): a request of the offering method (INVITE,
// UPDATE) carries an offer, and so does every copy of it seen at another hop,
// with its body rewritten by a media proxy or not; the first body of an
// exchange without one is its offer (a PRACK's, or a response's when the
// INVITE had none: a late offer, whose copies are offers too); the other
// responses, the ACK and the PRACK carry answers.
func (c *Call) addSDP(m *Message, ref MsgRef) {
	if ref.Retransmission || !offerAnswerMethod(ref.Method) {
		return
	}
	bodies := sdpBodies(m, ref)
	if len(bodies) == 0 {
		return
	}
	method := ref.Method
	if method == "ACK" {
		method = "INVITE"
	}
	fromTag := m.From().Tag()
	ex := c.exchange(ref.CSeq, method, fromTag)
	if ex == nil {
		c.Exchanges = append(c.Exchanges, OfferAnswer{CSeq: ref.CSeq, Method: method, FromTag: fromTag,
			ReInvite: m.Request && method == "INVITE" && m.To().Tag() != ""})
		ex = &c.Exchanges[len(c.Exchanges)-1]
	}
	if carriesOffer(ex, m, ref) {
		ex.addOffer(bodies)
		return
	}
	for _, b := range bodies {
		if !hasBody(ex.Answer, b, ref.StatusCode) {
			ex.Answer = append(ex.Answer, b)
		}
	}
}

// carriesOffer reports whether the SDP of m is (a copy of) the exchange's
// offer rather than an answer to it.
func carriesOffer(ex *OfferAnswer, m *Message, ref MsgRef) bool {
	switch {
	case ref.Method == "ACK":
		return false
	case len(ex.Offer) == 0:
		return true
	case m.Request:
		return ref.Method != "PRACK"
	}
	return !ex.Offer[0].Msg.Request // a late offer seen at another hop
}

// addOffer adds the bodies of one message to the offer unless the same
// bytes are there already (the same message captured at several hops).
func (ex *OfferAnswer) addOffer(bodies []SDPBody) {
	for _, b := range ex.Offer {
		if bytes.Equal(b.Body, bodies[0].Body) {
			return
		}
	}
	ex.Offer = append(ex.Offer, bodies...)
	for _, b := range bodies {
		ex.RemoteCandidates = ex.RemoteCandidates || bytes.Contains(b.Body, []byte("a=remote-candidates"))
	}
}

// OfferMessages splits the offer bodies by the message that carried them:
// one group per hop copy, each holding the alternatives of one multipart
// body.
func (ex OfferAnswer) OfferMessages() [][]SDPBody {
	var out [][]SDPBody
	for i, b := range ex.Offer {
		if i > 0 && sameMessage(ex.Offer[i-1].Msg, b.Msg) {
			out[len(out)-1] = append(out[len(out)-1], b)
			continue
		}
		out = append(out, []SDPBody{b})
	}
	return out
}

func sameMessage(a, b MsgRef) bool {
	return a.Meta.File == b.Meta.File && a.Meta.Frame == b.Meta.Frame && a.Meta.Time.Equal(b.Meta.Time)
}

// hasBody reports whether list holds the same bytes carried by a message
// with the same status code: one message captured at several hops.
func hasBody(list []SDPBody, b SDPBody, status int) bool {
	for _, x := range list {
		if x.Msg.StatusCode == status && bytes.Equal(x.Body, b.Body) {
			return true
		}
	}
	return false
}

func (c *Call) exchange(cseq uint32, method, fromTag string) *OfferAnswer {
	for i := len(c.Exchanges) - 1; i >= 0; i-- {
		e := &c.Exchanges[i]
		if e.CSeq == cseq && e.Method == method && e.FromTag == fromTag {
			return e
		}
	}
	return nil
}

// endedBy tells which side sent a request of the dialog by its From tag.
func (c *Call) endedBy(m *Message) string {
	tag := m.From().Tag()
	switch {
	case tag != "" && tag == c.callerTag:
		return "caller"
	case tag != "" && contains(c.ToTags, tag):
		return "callee"
	}
	if strings.EqualFold(m.From().URI.String(), c.Caller.URI) {
		return "caller"
	}
	return ""
}
