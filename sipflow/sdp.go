package sipflow

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/pion/sdp/v3"
)

// ErrNoSDP reports a body with no SDP line at all: neither "v=" nor "m="
// starts a line (RFC 8866 §5).
var ErrNoSDP = errors.New("sipflow: no SDP lines")

// ICEForm is the ICE dialect of a session description.
type ICEForm uint8

// ICE dialects of an SDP body (MS-REFERENCE §2.1-2.3).
const (
	// ICEFormNone: no candidates and no ICE credentials (plain SIP, or an
	// MSOC 2005 peer without ICE).
	ICEFormNone ICEForm = iota
	// ICEFormRFC5245: RFC 5245 / RFC 8445 candidates, which is ICE v19 /
	// MS-ICE2 for Lync and WebRTC ICE.
	ICEFormRFC5245
	// ICEFormDraft6: ICE draft-06 (MS-ICE v1) candidate lines, the
	// ms-proxy-2007fallback part of a Lync dual-SDP offer.
	ICEFormDraft6
)

// String returns "none", "RFC5245" or "draft-06".
func (f ICEForm) String() string {
	switch f {
	case ICEFormRFC5245:
		return "RFC5245"
	case ICEFormDraft6:
		return "draft-06"
	}
	return "none"
}

// SessionDesc is an SDP body (RFC 8866) reduced to what ICE diagnosis
// needs: per media line, where media should flow and which candidates and
// credentials were offered. It holds copies of the parsed body.
type SessionDesc struct {
	Origin      string // o= value
	SessionName string // s= value
	ConnAddr    string // session-level c= address
	// ICEUfrag and ICEPwd are the session-level credentials (RFC 8839
	// §5.4); MediaDesc holds the effective ones.
	ICEUfrag, ICEPwd string
	Media            []MediaDesc
	ICEForm          ICEForm
	// Fallback marks the part of a multipart offer whose
	// Content-Disposition carried ms-proxy-2007fallback (MS-REFERENCE
	// §2.1); see ParseSDPPart.
	Fallback bool
	// Lenient is set when pion/sdp refused the body and the line sdpScanner
	// parsed it.
	Lenient bool
	// Deviations lists what the strict parser objected to and anything odd
	// ("line 7: ..." where a line is known).
	Deviations []string
}

// MediaDesc is one m= section (RFC 8866 §5.14) with its ICE attributes.
type MediaDesc struct {
	Type  string // m= media: audio, video, image, application, ...
	Label string // a=label (RFC 4574), else Microsoft a=x-source
	Mid   string // a=mid (RFC 5888)
	Port  int
	// NumPorts is the m= port count ("49170/2"); 1 when absent.
	NumPorts int
	Proto    string // e.g. RTP/AVP, RTP/SAVP, TCP/RTP/AVP, UDP/TLS/RTP/SAVPF
	Formats  []string
	ConnAddr string // effective c= address: media level, else session level
	// ICEUfrag and ICEPwd are effective: media level, else session level.
	ICEUfrag, ICEPwd string
	// Candidates are the raw attribute values in order, with their names:
	// "candidate:1 1 UDP 2130706431 10.0.0.1 5000 typ host",
	// "x-candidate-ipv6:3 1 UDP ...", and draft-06 "candidate:" lines.
	// ice.ParseCandidate decodes each.
	Candidates []string
	// RemoteCandidates is the raw a=remote-candidates value (RFC 8839
	// §5.2), Lync's selected pair in the re-INVITE (MS-REFERENCE §2.5).
	RemoteCandidates string
	// RemoteUsername is the draft-06 a=remote-candidate value, which names
	// the selected remote candidate by its username (MS-REFERENCE §2.2).
	RemoteUsername string
	RTCP           string // raw a=rtcp value (RFC 3605)
	RTCPMux        bool   // a=rtcp-mux (RFC 5761)
	SSRCRange      string // Microsoft a=x-ssrc-range, "first-last"
	// Crypto is set by SDES a=crypto (RFC 4568) or Microsoft
	// a=cryptoscale; DTLSFingerprint by a=fingerprint (RFC 8122), media or
	// session level.
	Crypto, DTLSFingerprint bool
	// Direction is sendrecv, sendonly, recvonly or inactive (RFC 8866
	// §6.7): media level, else session level, else sendrecv.
	Direction string
}

// ParseSDP parses an SDP body with pion/sdp and, when that refuses it, with
// a lenient line sdpScanner (Lenient set, the refusal in Deviations). It
// returns an error only when nothing SDP-like is there (ErrNoSDP).
func ParseSDP(b []byte) (*SessionDesc, error) {
	if !looksLikeSDP(b) {
		return nil, ErrNoSDP
	}
	var desc sdp.SessionDescription
	strictErr := strictUnmarshal(&desc, b)
	var devs []string
	var sc sdpScanner
	if strictErr != nil {
		var ok bool
		sc, ok = scanSDP(b)
		if !ok {
			return nil, ErrNoSDP
		}
		desc = sc.desc
		devs = append([]string{fmt.Sprintf("strict parser: %v", strictErr)}, sc.devs...)
	}
	sd := sdpFromPion(&desc)
	if strictErr != nil {
		sd.Origin = sc.origin
	}
	sd.Lenient = strictErr != nil
	sd.Deviations = append(devs, sd.Deviations...)
	return sd, nil
}

// looksLikeSDP reports whether a line of b starts with "v=" or "m=".
func looksLikeSDP(b []byte) bool {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(line) >= 2 && (line[0] == 'v' || line[0] == 'm') && line[1] == '=' {
			return true
		}
	}
	return false
}

// strictUnmarshal runs pion/sdp; a panic inside it on hostile input is
// turned into an error so that the line scanner takes over.
func strictUnmarshal(desc *sdp.SessionDescription, b []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pion/sdp panic: %v", r)
		}
	}()
	return desc.Unmarshal(b)
}

// ParseSDPPart parses one application/sdp part of a multipart offer.
// fallback is whether the part's Content-Disposition carried
// ms-proxy-2007fallback, which marks Lync's ICE draft-06 description; the
// other part is the ICE v19 / MS-ICE2 one (MS-REFERENCE §2.1). A marking
// that contradicts the candidate lines is reported as a deviation; the
// lines decide ICEForm.
func ParseSDPPart(b []byte, fallback bool) (*SessionDesc, error) {
	sd, err := ParseSDP(b)
	if err != nil {
		return nil, err
	}
	sd.Fallback = fallback
	if fallback && sd.ICEForm == ICEFormRFC5245 {
		sd.Deviations = append(sd.Deviations, "part marked ms-proxy-2007fallback carries RFC 5245 candidates")
	}
	if !fallback && sd.ICEForm == ICEFormDraft6 {
		sd.Deviations = append(sd.Deviations, "part without ms-proxy-2007fallback carries ICE draft-06 candidates")
	}
	return sd, nil
}

// PreferredSDP returns the description a modern endpoint answers from: the
// first that is not the ms-proxy-2007fallback part and does not carry
// draft-06 candidates (SIPE's rule, MS-REFERENCE §2.1), else the first. It
// returns nil for no descriptions.
func PreferredSDP(parts []*SessionDesc) *SessionDesc {
	for _, p := range parts {
		if p != nil && !p.Fallback && p.ICEForm != ICEFormDraft6 {
			return p
		}
	}
	for _, p := range parts {
		if p != nil {
			return p
		}
	}
	return nil
}
