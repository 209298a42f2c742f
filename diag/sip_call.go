package diag

import (
	"fmt"
	"strings"

	"github.com/icediag/icediag/sipflow"
)

// sipCallFailed reports calls whose INVITE got a final 4xx/5xx/6xx and was
// never answered (DIAGNOSES.md "sip-call-failed"). A 487 after the caller's
// CANCEL is the caller hanging up, not a failure.
func sipCallFailed(in *Input) []Finding {
	var out []Finding
	for _, c := range in.Calls {
		if c.FinalStatus < 400 || !c.Answered.IsZero() {
			continue
		}
		if c.FinalStatus == 487 && c.EndMethod == "CANCEL" {
			continue
		}
		resp, ok := finalInviteResponse(c)
		f := Finding{
			Severity: Error,
			CallID:   c.CallID,
			Title: fmt.Sprintf("Call from %s to %s rejected with %d %s", partyName(c.Caller), partyName(c.Callee),
				c.FinalStatus, c.FinalReason),
		}
		var detail strings.Builder
		fmt.Fprintf(&detail, "The INVITE from %s to %s", partyName(c.Caller), partyName(c.Callee))
		if ok {
			fmt.Fprintf(&detail, " was answered with %d %s by %s", c.FinalStatus, c.FinalReason, resp.Meta.Src)
			f.Evidence.add(in.frame(resp))
		} else {
			fmt.Fprintf(&detail, " ended with %d %s", c.FinalStatus, c.FinalReason)
		}
		if c.Attempts > 1 {
			fmt.Fprintf(&detail, " after %d attempts", c.Attempts)
		}
		detail.WriteString(".")
		for _, d := range c.Diagnostics {
			detail.WriteString(" " + describeDiagnostic(d))
		}
		f.Detail = detail.String()
		f.Remedy = statusRemedy(c.FinalStatus, c.Diagnostics)
		out = append(out, f)
	}
	return out
}

// finalInviteResponse finds the final response that decided the call.
func finalInviteResponse(c *sipflow.Call) (sipflow.MsgRef, bool) {
	for i := len(c.Messages) - 1; i >= 0; i-- {
		m := c.Messages[i]
		if !m.Request && m.Method == "INVITE" && m.StatusCode == c.FinalStatus {
			return m, true
		}
	}
	return sipflow.MsgRef{}, false
}

func partyName(p sipflow.Party) string {
	if p.URI == "" {
		return "(unknown)"
	}
	if p.Display != "" {
		return fmt.Sprintf("%q <%s>", p.Display, p.URI)
	}
	return p.URI
}

// describeDiagnostic renders an ms-diagnostics style header in words.
func describeDiagnostic(d sipflow.Diagnostic) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d", d.Header, d.Code)
	if d.SubCode != 0 {
		fmt.Fprintf(&b, ".%d", d.SubCode)
	}
	switch {
	case d.Known != "" && d.Uncertain:
		fmt.Fprintf(&b, " (%s; meaning not confirmed by a primary source)", d.Known)
	case d.Known != "":
		fmt.Fprintf(&b, " (%s)", d.Known)
	case d.Reason != "":
		fmt.Fprintf(&b, " (%s)", d.Reason)
	}
	if d.Source != "" {
		fmt.Fprintf(&b, " from %s", d.Source)
	}
	b.WriteString(".")
	return b.String()
}

// statusRemedy says what to look at for a rejected INVITE.
func statusRemedy(status int, diags []sipflow.Diagnostic) string {
	for _, d := range diags {
		if r := diagnosticRemedy(d.Code); r != "" {
			return r
		}
	}
	switch {
	case status == 401 || status == 407:
		return "The caller could not authenticate. Check the user's credentials and which schemes (NTLM, Kerberos, TLS-DSK) the pool allows; see the sip-auth-failed finding."
	case status == 403:
		return "A server refused the call by policy. Check that the caller is allowed to reach this destination (dial plan, federation and external access policy)."
	case status == 404 || status == 604:
		return "The destination does not exist for the server that answered. Check the dialled address, the user's SIP enablement and the routing of its domain."
	case status == 408 || status == 480:
		return "The destination did not answer in time or is not signed in. If it should be reachable, check the route to its server and that the server is running."
	case status == 486 || status == 600 || status == 603:
		return "The callee was busy or declined; nothing to change in the network."
	case status == 415 || status == 488 || status == 606:
		return "The far end could not accept the offer. Compare codecs, encryption requirements (SRTP) and the SDP format of both sides; see sdp-rejected."
	case status >= 500:
		return "A server failed to process the call. Check the server named in the Via/Server headers and its event log."
	}
	return "Check the server that sent the response and the reason it gives."
}
