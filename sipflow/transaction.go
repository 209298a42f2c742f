package sipflow

import (
	"strconv"
	"strings"
	"time"
)

// MsgRef identifies one SIP message of a call or transaction by where it
// was seen, with the fields needed to list it.
type MsgRef struct {
	Meta           Meta
	Request        bool
	Method         string // request method, or the CSeq method of a response
	StatusCode     int
	Reason         string
	CSeq           uint32
	Retransmission bool
	HasBody        bool
}

// Transaction is one SIP transaction (RFC 3261 §17): a request, its
// retransmissions and its responses, matched by the top Via branch and the
// CSeq method (§17.2.3), or by Call-ID and CSeq when the branch lacks the
// z9hG4bK magic cookie (RFC 2543 peers). Retransmissions counts repeated
// copies of the request; FinalStatus is 0 while no final response was
// seen. Challenges lists the authentication schemes of 401/407 responses
// (Digest, NTLM, TLS-DSK, Kerberos).
type Transaction struct {
	ID                  string
	Method              string
	CallID              string
	CSeq                uint32
	Branch              string
	FromURI, ToURI      string
	UserAgent           string
	Start               time.Time
	FirstResponse       time.Time
	FinalTime           time.Time
	Requests            int
	Retransmissions     int
	ResponseRetransmits int
	Provisional         []int
	FinalStatus         int
	FinalReason         string
	ToTags              []string
	Challenges          []string
	Diagnostics         []Diagnostic
	Messages            []MsgRef
	seen                map[string]bool // response status + to-tag already seen
}

// ResponseTime returns the time from the first request copy to the first
// final response, 0 when there is none.
func (t *Transaction) ResponseTime() time.Duration {
	if t.FinalTime.IsZero() {
		return 0
	}
	return t.FinalTime.Sub(t.Start)
}

// Answered reports whether the transaction got a final response.
func (t *Transaction) Answered() bool { return t.FinalStatus != 0 }

// transactionKey returns the key matching requests and responses
// (RFC 3261 §17.2.3 / §17.1.3). ACK and CANCEL map to their own method so
// that they form transactions of their own; the caller links ACK to INVITE.
func transactionKey(m *Message) string {
	n, method := m.CSeq()
	if m.Request {
		method = strings.ToUpper(m.Method)
	}
	branch := ""
	if vias := m.Vias(); len(vias) > 0 {
		branch = vias[0].Branch
	}
	if strings.HasPrefix(branch, "z9hG4bK") {
		return branch + "|" + method
	}
	return m.CallID() + "|" + strconv.FormatUint(uint64(n), 10) + "|" + method + "|" + m.From().Tag()
}

func newTransaction(key string, m *Message, meta Meta) *Transaction {
	n, method := m.CSeq()
	t := &Transaction{ID: key, Method: method, CallID: m.CallID(), CSeq: n, Start: meta.Time, seen: map[string]bool{}}
	if vias := m.Vias(); len(vias) > 0 {
		t.Branch = vias[0].Branch
	}
	t.FromURI, t.ToURI = m.From().URI.String(), m.To().URI.String()
	return t
}

// add records a message of the transaction and returns its reference.
func (t *Transaction) add(m *Message, meta Meta) MsgRef {
	ref := newMsgRef(m, meta)
	if m.Request {
		t.addRequest(m, &ref)
	} else {
		t.addResponse(m, meta, &ref)
	}
	if !ref.Retransmission {
		t.Diagnostics = append(t.Diagnostics, m.Diagnostics()...)
	}
	t.Messages = append(t.Messages, ref)
	return ref
}

func newMsgRef(m *Message, meta Meta) MsgRef {
	n, method := m.CSeq()
	ref := MsgRef{Meta: meta, Request: m.Request, Method: method, StatusCode: m.StatusCode, Reason: m.Reason, CSeq: n, HasBody: len(m.Body) > 0}
	if m.Request {
		ref.Method = strings.ToUpper(m.Method)
	}
	return ref
}

func (t *Transaction) addRequest(m *Message, ref *MsgRef) {
	t.Requests++
	if t.Requests > 1 {
		t.Retransmissions++
		ref.Retransmission = true
		return
	}
	t.UserAgent = m.UserAgent()
}

func (t *Transaction) addResponse(m *Message, meta Meta, ref *MsgRef) {
	tag := m.To().Tag()
	key := strconv.Itoa(m.StatusCode) + "|" + tag
	if t.seen[key] {
		t.ResponseRetransmits++
		ref.Retransmission = true
		return
	}
	t.seen[key] = true
	if t.FirstResponse.IsZero() {
		t.FirstResponse = meta.Time
	}
	if tag != "" && !contains(t.ToTags, tag) {
		t.ToTags = append(t.ToTags, tag)
	}
	if m.StatusCode == 401 || m.StatusCode == 407 {
		t.Challenges = appendChallenges(t.Challenges, m)
	}
	if m.StatusCode < 200 {
		t.Provisional = append(t.Provisional, m.StatusCode)
		return
	}
	// The first final response decides; a later 2xx from another fork of
	// an INVITE still counts as answered (RFC 3261 §13.2.2.4).
	if t.FinalStatus == 0 || t.FinalStatus >= 300 && m.StatusCode < 300 {
		if t.FinalStatus == 0 {
			t.FinalTime = meta.Time
		}
		t.FinalStatus, t.FinalReason = m.StatusCode, m.Reason
	}
}

// appendChallenges adds the scheme of each WWW-Authenticate and
// Proxy-Authenticate header (RFC 3261 §20.27, §20.44).
func appendChallenges(out []string, m *Message) []string {
	for _, h := range m.Headers {
		if h.Name != "WWW-Authenticate" && h.Name != "Proxy-Authenticate" {
			continue
		}
		scheme, _, _ := strings.Cut(strings.TrimSpace(h.Value), " ")
		if scheme != "" && !contains(out, scheme) {
			out = append(out, scheme)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
