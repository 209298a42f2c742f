package diag

import (
	"fmt"
	"strings"

	"github.com/icediag/icediag/sipflow"
)

// sdpRejected reports SDP bodies that a strict parser refuses (analysed with
// the lenient scanner instead), and 488 answers carrying the Lync codes for
// encryption mismatch (52017) or an unsupported description (52063)
// (DIAGNOSES.md "sdp-rejected").
func sdpRejected(in *Input) []Finding {
	var out []Finding
	for _, c := range in.Calls {
		for _, x := range c.Exchanges {
			for _, body := range append(append([]sipflow.SDPBody(nil), x.Offer...), x.Answer...) {
				sd, err := sipflow.ParseSDPPart(body.Body, body.MSFallback)
				if err != nil || !sd.Lenient {
					continue
				}
				f := Finding{
					Severity: Warning,
					CallID:   c.CallID,
					Title:    fmt.Sprintf("SDP in %s from %s is not valid RFC 8866 SDP", msgName(body.Msg), body.Msg.Meta.Src),
					Detail: "A strict SDP parser refuses this body; icediag read it with a lenient line scanner. " +
						"Strict endpoints may reject it the same way. Objections: " + strings.Join(sd.Deviations, "; ") + ".",
					Remedy: "Check the device that wrote this SDP (SBC, gateway, SIP ALG rewriting bodies) and fix or disable the rewriting.",
				}
				f.Evidence.add(in.frame(body.Msg))
				out = append(out, f)
			}
		}
		for _, d := range c.Diagnostics {
			if c.FinalStatus != 488 || (d.Code != 52017 && d.Code != 52063) {
				continue
			}
			f := Finding{
				Severity: Warning,
				CallID:   c.CallID,
				Title:    fmt.Sprintf("Offer refused with 488: %s %d %s", d.Header, d.Code, codeText(d)),
				Detail:   describeDiagnostic(d),
				Remedy:   "Align the encryption settings of both sides (SRTP required / supported / not supported) and the SDP flavour the gateway or SBC offers.",
			}
			if m, ok := finalInviteResponse(c); ok {
				f.Evidence.add(in.frame(m))
			}
			out = append(out, f)
		}
	}
	return out
}

func msgName(m sipflow.MsgRef) string {
	if m.Request {
		return m.Method
	}
	return fmt.Sprintf("%d (%s)", m.StatusCode, m.Method)
}
