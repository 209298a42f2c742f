package diag

import (
	"fmt"
	"strings"

	"github.com/icediag/icediag/ice"
	"github.com/icediag/icediag/sipflow"
)

// Verdicts of a client claim set against the packets.
const (
	verdictAgrees     = "agrees"
	verdictContradict = "contradicts"
	verdictNotVisible = "not visible here"
)

// claim is one statement of an endpoint and what the capture says to it.
type claim struct{ what, verdict, why string }

func (c claim) String() string {
	if c.why == "" {
		return fmt.Sprintf("%s: %s.", c.what, c.verdict)
	}
	return fmt.Sprintf("%s: %s (%s).", c.what, c.verdict, c.why)
}

// clientReportedDiagnostics decodes every ms-client-diagnostics header of
// a call (code, ICEWarn bits of Table A, MediaDebug relays and port range)
// and every QoE connectivity line, and sets each claim against the packets:
// agrees, contradicts, or not visible here (DIAGNOSES.md
// "client-reported-diagnostics", MS-REFERENCE §3.2-3.4, MS-QoE §2.2.1.7).
func clientReportedDiagnostics(in *Input) []Finding {
	var out []Finding
	for _, c := range in.Calls {
		for _, t := range c.Transactions {
			for _, d := range t.Diagnostics {
				if d.IsClient() {
					out = append(out, clientDiagFinding(in, c, t, d))
				}
			}
		}
		for _, q := range c.QoE {
			if f, ok := qoeFinding(in, c, q); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

func clientDiagFinding(in *Input, c *sipflow.Call, t *sipflow.Transaction, d sipflow.Diagnostic) Finding {
	f := Finding{CallID: c.CallID, Severity: clientSeverity(d)}
	f.Title = fmt.Sprintf("%s %d on %s: %s", d.Header, d.Code, t.Method, codeText(d))
	claims := codeClaims(in, c, d.Code)
	for _, md := range d.MediaDebug {
		claims = append(claims, mediaDebugClaims(in, c, md)...)
	}
	var b strings.Builder
	b.WriteString(describeDiagnostic(d) + " ")
	for _, cl := range claims {
		b.WriteString(cl.String() + " ")
	}
	f.Detail = strings.TrimSpace(b.String())
	f.Remedy = "Follow the findings above whose evidence agrees with the client's report; claims the capture cannot see need a capture at the reporting endpoint or its Edge."
	f.MSEquivalent = fmt.Sprintf("ms-client-diagnostics %d", d.Code)
	if m, ok := diagMessage(t); ok {
		f.Evidence.add(in.frame(m))
	}
	return f
}

// clientSeverity is the severity "as reported": error for connectivity
// failures 21-25, warning when ICEWarn bits are set, info otherwise.
func clientSeverity(d sipflow.Diagnostic) Severity {
	if d.Code >= 21 && d.Code <= 25 {
		return Error
	}
	for _, md := range d.MediaDebug {
		if md.ICEWarn != 0 {
			return Warning
		}
	}
	return Info
}

// diagMessage finds the message of a transaction that carried the
// header: the request for BYE/CANCEL and other requests without final
// failure, else the final response.
func diagMessage(t *sipflow.Transaction) (sipflow.MsgRef, bool) {
	for _, m := range t.Messages {
		if !m.Request && m.StatusCode == t.FinalStatus && t.FinalStatus >= 300 {
			return m, true
		}
	}
	for _, m := range t.Messages {
		if m.Request {
			return m, true
		}
	}
	return sipflow.MsgRef{}, false
}

// codeClaims sets a connectivity code 21-25 against the locations and the
// ICE outcome the capture shows.
func codeClaims(in *Input, c *sipflow.Call, code int) []claim {
	if code < 21 || code > 25 {
		return nil
	}
	var sessions []*ice.Session
	for _, s := range in.ICE.Sessions {
		if s.CallID == c.CallID {
			sessions = append(sessions, s)
		}
	}
	if len(sessions) == 0 {
		return []claim{{fmt.Sprintf("code %d (%s)", code, codeReason(code)), verdictNotVisible, "no ICE session of this call in the capture"}}
	}
	ends := in.Net.endsOf(sessions[0], c)
	loc := claim{what: fmt.Sprintf("endpoint locations of code %d", code), verdict: verdictAgrees,
		why: "the capture places them as " + ends.describe()}
	if ends.Code() != code {
		loc.verdict = verdictContradict
		loc.why += fmt.Sprintf(", which is code %d; name the internal networks with --internal if private addresses of remote users made the difference", ends.Code())
	}
	fail := claim{what: "media connectivity failed", verdict: verdictNotVisible, why: "no checks seen"}
	for _, s := range sessions {
		switch s.Outcome {
		case ice.OutcomeSucceeded:
			fail = claim{"media connectivity failed", verdictContradict, fmt.Sprintf("a check of %s succeeded", mediaName(s))}
		case ice.OutcomeFailed:
			if fail.verdict != verdictContradict {
				fail = claim{"media connectivity failed", verdictAgrees, fmt.Sprintf("every check of %s failed", mediaName(s))}
			}
		}
	}
	return []claim{loc, fail}
}

// mediaDebugClaims checks the ICEWarn bits, the relays and the port range
// of one MediaDebug record.
func mediaDebugClaims(in *Input, c *sipflow.Call, md sipflow.MediaDebug) []claim {
	var out []claim
	for _, bit := range sipflow.DecodeICEWarn(md.ICEWarn) {
		out = append(out, in.iceWarnClaim(c, bit))
	}
	for _, mr := range []string{md.LocalMR, md.RemoteMR} {
		if mr != "" {
			out = append(out, in.relayClaim(mr))
		}
	}
	if md.PortRange[1] > 0 {
		out = append(out, in.portRangeClaim(c, md.PortRange))
	}
	return out
}
