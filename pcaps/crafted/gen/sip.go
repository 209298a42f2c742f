package main

import (
	"fmt"
	"strings"
)

// sipMsg is one SIP message (RFC 3261 §7): start line, headers in order,
// body. Content-Length (or its compact form l:) is appended from the body.
type sipMsg struct {
	start   string
	headers []string
	body    string
	compact bool // use the compact header form for Content-Length
}

// bytes renders the message with CRLF line ends.
func (m sipMsg) bytes() []byte {
	var b strings.Builder
	b.WriteString(m.start + "\r\n")
	for _, h := range m.headers {
		b.WriteString(h + "\r\n")
	}
	name := "Content-Length: "
	if m.compact {
		name = "l: "
	}
	fmt.Fprintf(&b, "%s%d\r\n\r\n%s", name, len(m.body), m.body)
	return []byte(b.String())
}

// sipCall holds the dialog identifiers of the crafted Lync call.
type sipCall struct {
	transport        string // UDP or TCP (Via transport)
	alice, proxy     string // host:port of the caller and the Front End
	callID, fromTag  string
	toTag, epid      string
	aliceIP, proxyIP string
}

// boundary is the multipart/alternative boundary of the INVITE.
const boundary = "----=_NextPart_000_0001_01DCAA1B.5E7F9C40"

// via returns a Via header for the caller with the given branch suffix.
func (c sipCall) via(branch string) string {
	return fmt.Sprintf("Via: SIP/2.0/%s %s;branch=z9hG4bK%s", c.transport, c.alice, branch)
}

// dialog returns From, To, Call-ID and CSeq; the To tag is omitted for the
// initial INVITE.
func (c sipCall) dialog(cseq int, method string, withToTag bool) []string {
	to := "To: <sip:bob@example.com>"
	if withToTag {
		to += ";tag=" + c.toTag
	}
	return []string{
		fmt.Sprintf(`From: "Alice" <sip:alice@example.com>;tag=%s;epid=%s`, c.fromTag, c.epid),
		to,
		"Call-ID: " + c.callID,
		fmt.Sprintf("CSeq: %d %s", cseq, method),
	}
}

// invite returns the multipart/alternative INVITE (MS-REFERENCE §2.1): an
// ICE draft-06 part marked ms-proxy-2007fallback, then the ICE v19 part.
func (c sipCall) invite() sipMsg { return c.inviteWith(aliceMedia()) }

// inviteWith returns the multipart/alternative INVITE offering ms: the ICE
// draft-06 fallback part describes the first media line only.
func (c sipCall) inviteWith(ms []media) sipMsg {
	part := func(disp, sdp string) string {
		return "--" + boundary + "\r\nContent-Type: application/sdp\r\nContent-Transfer-Encoding: 7bit\r\n" +
			"Content-Disposition: " + disp + "\r\n\r\n" + sdp
	}
	body := part("session; handling=optional; ms-proxy-2007fallback", sdpDraft06("10.0.1.20", ms[:1])) + "\r\n" +
		part("session; handling=optional", sdpV19("10.0.1.20", "10.0.1.20", ms)) + "\r\n--" + boundary + "--\r\n"
	h := []string{c.via("a1f0"), "Max-Forwards: 70"}
	h = append(h, c.dialog(1, "INVITE", false)...)
	h = append(h,
		fmt.Sprintf("Contact: <sip:alice@example.com;opaque=user:epid:%s;gruu>", c.epid),
		"User-Agent: UCCAPI/15.0.4569.1503 OC/15.0.4569.1503 (Microsoft Lync)",
		"Supported: ms-dialog-route-set-update, timer, histinfo, ms-safe-transfer, ms-sender, ms-early-media, 100rel, ms-conf-invite",
		"ms-subnet: 10.0.1.0",
		"ms-endpoint-location-data: NetworkScope;ms-media-location-type=Intranet",
		"Ms-Conversation-ID: AdxQ0ABVYcm0T6h5SMy7p3mDkJ2pAw==",
		"Allow: INVITE, BYE, ACK, CANCEL, INFO, UPDATE, REFER, NOTIFY, BENOTIFY, OPTIONS",
		`Content-Type: multipart/alternative;boundary="`+boundary+`"`)
	return sipMsg{start: "INVITE sip:bob@example.com SIP/2.0", headers: h, body: body}
}

// response returns a response from the Front End to a caller request.
func (c sipCall) response(status, branch string, cseq int, method string, toTag bool, body string) sipMsg {
	h := []string{c.via(branch) + ";received=" + c.aliceIP}
	h = append(h, c.dialog(cseq, method, toTag)...)
	if strings.HasPrefix(status, "18") || strings.HasPrefix(status, "200") && method == "INVITE" {
		h = append(h, "Contact: <sip:bob@example.com;opaque=user:epid:b0b0b0b0b0b0b0b0;gruu>",
			"User-Agent: UCCAPI/15.0.4569.1503 OC/15.0.4569.1503 (Microsoft Lync)")
	}
	if body != "" {
		h = append(h, "Content-Type: application/sdp")
	}
	return sipMsg{start: "SIP/2.0 " + status, headers: h, body: body}
}

// request returns an in-dialog request from the caller.
func (c sipCall) request(method, branch string, cseq int, body string) sipMsg {
	h := []string{c.via(branch), "Max-Forwards: 70"}
	h = append(h, c.dialog(cseq, method, true)...)
	if body != "" {
		h = append(h, fmt.Sprintf("Contact: <sip:alice@example.com;opaque=user:epid:%s;gruu>", c.epid), "Content-Type: application/sdp")
	}
	return sipMsg{start: method + " sip:bob@example.com;opaque=user:epid:b0b0b0b0b0b0b0b0;gruu SIP/2.0", headers: h, body: body}
}

// compactForm rewrites a message's headers into their RFC 3261 §7.3.3 compact
// forms (v:, f:, t:, i:, m:, c:, l:).
func (m sipMsg) compactForm() sipMsg {
	repl := strings.NewReplacer("Via: ", "v: ", "From: ", "f: ", "To: ", "t: ", "Call-ID: ", "i: ", "Contact: ", "m: ", "Content-Type: ", "c: ")
	out := m
	out.headers = nil
	for _, h := range m.headers {
		out.headers = append(out.headers, repl.Replace(h))
	}
	out.compact = true
	return out
}

// callMessages returns the ten messages of the call in order, each with its
// direction (true when sent by the caller): INVITE, 100, 183 with
// candidates, 200, ACK, re-INVITE with a=remote-candidates, 200, ACK, BYE,
// 200.
func (c sipCall) callMessages() ([]sipMsg, []bool) {
	answer := sdpV19("192.168.1.50", "192.168.1.50", bobMedia())
	reinv := sdpV19("10.0.1.20", "203.0.113.10", aliceSelected())
	msgs := []sipMsg{
		c.invite(),
		c.response("100 Trying", "a1f0", 1, "INVITE", false, ""),
		c.response("183 Session Progress", "a1f0", 1, "INVITE", true, answer),
		c.response("200 OK", "a1f0", 1, "INVITE", true, answer),
		c.request("ACK", "a1f1", 1, ""),
		c.request("INVITE", "a1f2", 2, reinv),
		c.response("200 OK", "a1f2", 2, "INVITE", true, answer),
		c.request("ACK", "a1f3", 2, ""),
		c.request("BYE", "a1f4", 3, ""),
		c.response("200 OK", "a1f4", 3, "BYE", true, "").compactForm(),
	}
	return msgs, []bool{true, false, false, false, true, true, false, true, true, false}
}
