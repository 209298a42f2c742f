package sipflow

import (
	"fmt"
	"strings"

	"github.com/pion/sdp/v3"
)

// sdpCandidateKeys are the attribute names whose values are candidate lines:
// RFC 8839 §5.1 a=candidate (also ICE draft-06) and Microsoft
// a=x-candidate-ipv6 (MS-REFERENCE §2.3).
var sdpCandidateKeys = [...]string{"candidate", "x-candidate-ipv6"}

// sdpDirections are the RFC 8866 §6.7 direction attributes.
var sdpDirections = [...]string{"sendrecv", "sendonly", "recvonly", "inactive"}

// sdpFromPion reduces a parsed description (from pion/sdp or the sdpScanner) to
// a SessionDesc; it records oddities in Deviations.
func sdpFromPion(d *sdp.SessionDescription) *SessionDesc {
	sd := &SessionDesc{Origin: d.Origin.String(), SessionName: string(d.SessionName)}
	sd.ConnAddr = sdpConnAddr(d.ConnectionInformation)
	sd.ICEUfrag, _ = sdpAttr(d.Attributes, "ice-ufrag")
	sd.ICEPwd, _ = sdpAttr(d.Attributes, "ice-pwd")
	sessCands := sdpCandidates(d.Attributes)
	if len(sessCands) > 0 {
		sd.Deviations = append(sd.Deviations, fmt.Sprintf("%d candidate lines at session level, applied to every media line", len(sessCands)))
	}
	for _, md := range d.MediaDescriptions {
		if md == nil {
			continue
		}
		m := sdpMediaFrom(md, sd, d.Attributes)
		m.Candidates = append(m.Candidates, sessCands...)
		sd.Media = append(sd.Media, m)
	}
	sd.ICEForm = sd.detectICEForm()
	return sd
}

// sdpMediaFrom builds one MediaDesc with session-level defaults.
func sdpMediaFrom(md *sdp.MediaDescription, sd *SessionDesc, sess []sdp.Attribute) MediaDesc {
	m := MediaDesc{
		Type:     md.MediaName.Media,
		Port:     md.MediaName.Port.Value,
		NumPorts: 1,
		Proto:    strings.Join(md.MediaName.Protos, "/"),
		Formats:  append([]string(nil), md.MediaName.Formats...),
		ConnAddr: sdpConnAddr(md.ConnectionInformation),
	}
	if md.MediaName.Port.Range != nil {
		m.NumPorts = *md.MediaName.Port.Range
	}
	if m.ConnAddr == "" {
		m.ConnAddr = sd.ConnAddr
	}
	a := md.Attributes
	m.Label = sdpFirstOf(a, "label", "x-source")
	m.Mid, _ = sdpAttr(a, "mid")
	m.ICEUfrag = sdpOrDefault(a, "ice-ufrag", sd.ICEUfrag)
	m.ICEPwd = sdpOrDefault(a, "ice-pwd", sd.ICEPwd)
	m.Candidates = sdpCandidates(a)
	m.RemoteCandidates, _ = sdpAttr(a, "remote-candidates")
	m.RemoteUsername, _ = sdpAttr(a, "remote-candidate")
	m.RTCP, _ = sdpAttr(a, "rtcp")
	m.RTCPMux = sdpHas(a, "rtcp-mux")
	m.SSRCRange, _ = sdpAttr(a, "x-ssrc-range")
	m.Crypto = sdpHas(a, "crypto") || sdpHas(a, "cryptoscale") || sdpHas(sess, "crypto")
	m.DTLSFingerprint = sdpHas(a, "fingerprint") || sdpHas(sess, "fingerprint")
	m.Direction = sdpDirection(a, sess)
	return m
}

// sdpConnAddr returns the address of a c= line without TTL or range.
func sdpConnAddr(c *sdp.ConnectionInformation) string {
	if c == nil || c.Address == nil {
		return ""
	}
	addr, _, _ := strings.Cut(c.Address.Address, "/")
	return addr
}

// sdpAttr returns the value of the first attribute named key.
func sdpAttr(as []sdp.Attribute, key string) (string, bool) {
	for _, a := range as {
		if a.Key == key {
			return strings.TrimSpace(a.Value), true
		}
	}
	return "", false
}

// sdpHas reports whether an attribute named key is present.
func sdpHas(as []sdp.Attribute, key string) bool {
	_, ok := sdpAttr(as, key)
	return ok
}

// sdpFirstOf returns the value of the first key present, in key order.
func sdpFirstOf(as []sdp.Attribute, keys ...string) string {
	for _, k := range keys {
		if v, ok := sdpAttr(as, k); ok {
			return v
		}
	}
	return ""
}

// sdpOrDefault returns the media-level value of key, else def.
func sdpOrDefault(as []sdp.Attribute, key, def string) string {
	if v, ok := sdpAttr(as, key); ok {
		return v
	}
	return def
}

// sdpCandidates returns the candidate attributes as "name:value", in order.
func sdpCandidates(as []sdp.Attribute) []string {
	var out []string
	for _, a := range as {
		for _, k := range sdpCandidateKeys {
			if a.Key == k {
				out = append(out, k+":"+strings.TrimSpace(a.Value))
			}
		}
	}
	return out
}

// sdpDirection returns the media-level direction, else the session-level
// one, else sendrecv (RFC 8866 §6.7).
func sdpDirection(media, sess []sdp.Attribute) string {
	for _, as := range [...][]sdp.Attribute{media, sess} {
		for _, a := range as {
			for _, d := range sdpDirections {
				if a.Key == d {
					return d
				}
			}
		}
	}
	return "sendrecv"
}

// sdpCandidateForm classifies one raw candidate by SIPE's rule
// (MS-REFERENCE §2.2): a seventh field "typ" means RFC 5245, seven or more
// fields without it mean ICE draft-06; ok is false for shorter lines.
func sdpCandidateForm(raw string) (form ICEForm, ok bool) {
	_, v, _ := strings.Cut(raw, ":")
	f := strings.Fields(v)
	if len(f) < 7 {
		return ICEFormNone, false
	}
	if f[6] == "typ" {
		return ICEFormRFC5245, true
	}
	return ICEFormDraft6, true
}

// detectICEForm derives ICEForm from the candidate lines, falling back to
// the presence of ice-ufrag (trickle ICE offers carry no candidates), and
// records mixed or unreadable candidate lines.
func (sd *SessionDesc) detectICEForm() ICEForm {
	seen := [3]bool{}
	for i, m := range sd.Media {
		for _, c := range m.Candidates {
			f, ok := sdpCandidateForm(c)
			if !ok {
				sd.Deviations = append(sd.Deviations, fmt.Sprintf("media %d: short candidate line %q", i+1, c))
				continue
			}
			seen[f] = true
		}
	}
	switch {
	case seen[ICEFormRFC5245] && seen[ICEFormDraft6]:
		sd.Deviations = append(sd.Deviations, "both RFC 5245 and draft-06 candidate lines")
		return ICEFormRFC5245
	case seen[ICEFormRFC5245]:
		return ICEFormRFC5245
	case seen[ICEFormDraft6]:
		return ICEFormDraft6
	}
	if sd.ICEUfrag != "" {
		return ICEFormRFC5245
	}
	for _, m := range sd.Media {
		if m.ICEUfrag != "" {
			return ICEFormRFC5245
		}
	}
	return ICEFormNone
}
