package main

import (
	"fmt"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/redact"
	"github.com/icediag/icediag/diag"
)

// redaction is the --redact state of one export: the redactor that
// learns the capture's identifiers during the analysis, and the packet
// rewriter that applies its pseudonyms to the exported frames.
type redaction struct {
	r  *redact.Redactor
	pw *redact.PacketRewriter
}

// learn feeds one analysis event to the redactor.
func (x *redaction) learn(ev *decode.Event) { x.r.Learn(ev) }

// rewriter returns the frame rewriter, which re-signs connectivity checks
// with the pseudonyms of the SDP ice-pwds the analysis found.
func (x *redaction) rewriter(in *diag.Input) diag.Rewriter {
	var pwds []string
	if in.ICE != nil {
		for _, s := range in.ICE.Sessions {
			for _, side := range s.Sides {
				if side != nil {
					pwds = append(pwds, side.Pwd)
				}
			}
		}
	}
	x.pw = x.r.NewPacketRewriter(pwds)
	return x.pw
}

// summary says what the rewriter did.
func (x *redaction) summary() string {
	if x.pw == nil {
		return ""
	}
	st := x.pw.Stats
	s := fmt.Sprintf("; redacted: %d MESSAGE-INTEGRITY re-signed, %d replaced", st.IntegrityRecomputed, st.IntegrityReplaced)
	if st.Zeroed > 0 {
		s += fmt.Sprintf("; %d frames had a payload that could not be parsed and was zeroed", st.Zeroed)
	}
	if st.NoIP > 0 {
		s += fmt.Sprintf("; %d frames without IP were left as they were", st.NoIP)
	}
	return s
}
