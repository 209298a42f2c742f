package sipflow

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"time"
)

// SDPReport is one session description of a call's offer/answer exchanges
// (RFC 3264): its role, the message that carried it, the ICE dialect and
// the media lines of the part an endpoint answers from (PreferredSDP, the
// non-fallback part of a Lync dual-SDP offer, MS-REFERENCE §2.1).
// Alternatives counts the SDP parts of the message when it carried more
// than one. Error is set when the body held no SDP.
type SDPReport struct {
	Role         string        `json:"role"`
	Message      string        `json:"message"`
	CSeq         uint32        `json:"cseq"`
	File         int           `json:"file"`
	Frame        uint64        `json:"frame"`
	ReInvite     bool          `json:"reinvite,omitempty"`
	Alternatives int           `json:"alternatives,omitempty"`
	ICE          string        `json:"ice"`
	Media        []MediaReport `json:"media"`
	Error        string        `json:"error,omitempty"`
}

// MediaReport is one m= line (RFC 8866 §5.14): type, connection address
// and port, protocol, direction and the candidates by type (RFC 8839 §5.1:
// host, srflx, prflx, relay). RemoteCandidates marks a=remote-candidates,
// the selected pair a controlling agent names in its re-INVITE (RFC 5245
// §9.1.2.2, MS-REFERENCE §2.5).
type MediaReport struct {
	Type             string         `json:"type"`
	Addr             string         `json:"addr"`
	Proto            string         `json:"proto"`
	Direction        string         `json:"direction"`
	Candidates       map[string]int `json:"candidates,omitempty"`
	RemoteCandidates bool           `json:"remote_candidates,omitempty"`
}

// DiagnosticReport is one diagnostics header of a call (MS-OCER §2.2.1.1,
// §2.2.1.2): header name, code, reason and source as sent, the meaning
// from the code tables (Known, Uncertain) and the ICE warning bitmaps of
// client media-debug records decoded with MS-REFERENCE §3.4 Table A.
type DiagnosticReport struct {
	Header    string          `json:"header"`
	Code      int             `json:"code"`
	SubCode   int             `json:"subcode,omitempty"`
	Reason    string          `json:"reason,omitempty"`
	Source    string          `json:"source,omitempty"`
	Known     string          `json:"known,omitempty"`
	Uncertain bool            `json:"uncertain,omitempty"`
	ICEWarn   []ICEWarnReport `json:"icewarn,omitempty"`
}

// ICEWarnReport is one ICEWarn value of a media-debug record: the side and
// media it describes, the bitmap in hex and the meaning of each set bit.
type ICEWarnReport struct {
	Side  string   `json:"side,omitempty"`
	Media string   `json:"media,omitempty"`
	Value string   `json:"value"`
	Bits  []string `json:"bits,omitempty"`
}

// sdpReports lists the offers and answers of every exchange, each exchange
// in capture order: one offer per message that carried it (each hop's copy
// of a forwarded request), one answer per answering message.
func sdpReports(c *Call, o ReportOptions) []SDPReport {
	var out []SDPReport
	for _, ex := range c.Exchanges {
		type timed struct {
			at time.Time
			r  SDPReport
		}
		var list []timed
		for _, bodies := range ex.OfferMessages() {
			list = append(list, timed{bodies[0].Msg.Meta.Time, sdpReport("offer", ex, bodies, o)})
		}
		for i := range ex.Answer {
			list = append(list, timed{ex.Answer[i].Msg.Meta.Time, sdpReport("answer", ex, ex.Answer[i:i+1], o)})
		}
		sort.SliceStable(list, func(i, j int) bool { return list[i].at.Before(list[j].at) })
		for _, t := range list {
			out = append(out, t.r)
		}
	}
	return out
}

func sdpReport(role string, ex OfferAnswer, bodies []SDPBody, o ReportOptions) SDPReport {
	ref := bodies[0].Msg
	r := SDPReport{Role: role, Message: MessageLabel(ref), CSeq: ref.CSeq, File: ref.Meta.File, Frame: ref.Meta.Frame,
		ReInvite: ex.ReInvite, ICE: ICEFormNone.String()}
	if len(bodies) > 1 {
		r.Alternatives = len(bodies)
	}
	var parts []*SessionDesc
	for _, b := range bodies {
		if sd, err := ParseSDPPart(b.Body, b.MSFallback); err == nil {
			parts = append(parts, sd)
		}
	}
	sd := PreferredSDP(parts)
	if sd == nil {
		r.Error = ErrNoSDP.Error()
		return r
	}
	r.ICE = sd.ICEForm.String()
	for _, md := range sd.Media {
		r.Media = append(r.Media, mediaReport(md, o))
	}
	return r
}

func mediaReport(md MediaDesc, o ReportOptions) MediaReport {
	r := MediaReport{Type: md.Type, Addr: hostPort(md.ConnAddr, md.Port), Proto: md.Proto, Direction: md.Direction,
		RemoteCandidates: md.RemoteCandidates != ""}
	for _, raw := range md.Candidates {
		typ := "candidate"
		if o.CandidateType != nil {
			typ = o.CandidateType(raw)
		}
		if r.Candidates == nil {
			r.Candidates = map[string]int{}
		}
		r.Candidates[typ]++
	}
	return r
}

func hostPort(addr string, port int) string {
	if addr == "" {
		return ":" + strconv.Itoa(port)
	}
	return net.JoinHostPort(addr, strconv.Itoa(port))
}

// MessageLabel names a message as a ladder or list shows it: the method of
// a request, the status code and reason of a response.
func MessageLabel(ref MsgRef) string {
	if ref.Request {
		return ref.Method
	}
	if ref.Reason == "" {
		return strconv.Itoa(ref.StatusCode)
	}
	return strconv.Itoa(ref.StatusCode) + " " + ref.Reason
}

func diagnosticReport(d Diagnostic) DiagnosticReport {
	r := DiagnosticReport{Header: d.Header, Code: d.Code, SubCode: d.SubCode, Reason: d.Reason, Source: d.Source,
		Known: d.Known, Uncertain: d.Uncertain}
	for _, md := range d.MediaDebug {
		if !md.HasICEWarn {
			continue
		}
		w := ICEWarnReport{Side: md.Side, Media: md.Media, Value: fmt.Sprintf("0x%x", md.ICEWarn)}
		for _, b := range DecodeICEWarn(md.ICEWarn) {
			text := fmt.Sprintf("0x%x %s", b.Bit, b.Meaning)
			if b.Uncertain {
				text += " (uncertain)"
			}
			w.Bits = append(w.Bits, text)
		}
		r.ICEWarn = append(r.ICEWarn, w)
	}
	return r
}
