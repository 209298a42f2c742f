package redact

import (
	"bytes"
	"strings"
)

// LearnSDP learns the identifiers of the SDP lines in body (RFC 8866 §5),
// wherever they are (a multipart body holds several descriptions): the o=
// user name, a=ice-ufrag and a=ice-pwd (RFC 8839 §5.4), the a=crypto key
// (RFC 4568 §9.2), the a=fingerprint (RFC 8122 §5), the ssrc cname (RFC
// 5576), the k= key and the credentials of MS ICE draft-06 candidate
// lines (MS-REFERENCE §2.2).
func (r *Redactor) LearnSDP(body []byte) {
	for _, l := range bytes.Split(body, []byte("\n")) {
		line := strings.TrimSpace(string(l))
		if len(line) < 3 || line[1] != '=' {
			continue
		}
		r.learnSDPLine(line[0], line[2:])
	}
}

func (r *Redactor) learnSDPLine(typ byte, v string) {
	switch typ {
	case 'o':
		if f := strings.Fields(v); len(f) > 0 && f[0] != "-" {
			r.LearnString(KindUser, f[0])
		}
	case 'k':
		_, key, _ := strings.Cut(v, ":")
		r.LearnString(KindToken, key)
	case 'a':
		name, val, _ := strings.Cut(v, ":")
		r.learnSDPAttr(strings.ToLower(name), val)
	}
}

func (r *Redactor) learnSDPAttr(name, val string) {
	f := strings.Fields(val)
	switch name {
	case "ice-ufrag", "ice-pwd", "x-ice-ufrag", "x-ice-pwd", "remote-candidate":
		r.LearnString(KindToken, val)
	case "fingerprint":
		if len(f) == 2 {
			r.LearnString(KindToken, f[1])
		}
	case "crypto":
		for _, p := range f {
			if key, ok := strings.CutPrefix(p, "inline:"); ok {
				key, _, _ = strings.Cut(key, "|")
				r.LearnString(KindToken, key)
			}
		}
	case "ssrc":
		for _, p := range f {
			if c, ok := strings.CutPrefix(p, "cname:"); ok {
				r.LearnString(KindToken, c)
			}
		}
	case "candidate", "x-candidate":
		// draft-06: <ufrag> <component> <password> <transport> <q> <ip> <port>;
		// RFC 5245 lines have "typ" as the eighth field.
		if len(f) >= 7 && (len(f) < 8 || f[6] != "typ") {
			r.LearnString(KindToken, f[0])
			r.LearnString(KindToken, f[2])
		}
	case "remote-candidates":
	}
}

// xmlNames are the XML elements and attributes whose text names a user,
// a machine, a network or a dialog in QoE reports (MS-QoE §2.2.1.2,
// §2.2.1.6) and other SIP XML bodies.
var xmlNames = map[string]Kind{
	"name": KindHost, "fromuri": KindToken, "touri": KindToken, "callid": KindToken,
	"conferenceid": KindToken, "sessionid": KindToken, "macaddress": KindToken, "macaddr": KindToken, "subnet": KindToken,
	"bssid": KindToken, "ssid": KindDisplay, "wifissid": KindDisplay, "networkname": KindDisplay,
	"fqdn": KindHost, "computername": KindHost, "localsite": KindToken, "remotesite": KindToken,
	"entity": KindToken, "uri": KindToken, "display-text": KindDisplay, "epid": KindToken,
	"localid": KindToken, "remoteid": KindToken, "deviceid": KindToken,
}

// LearnXML learns the text of the xmlNames elements and attributes of an
// XML body; URIs in it are learned by LearnSIP's URI scan.
func (r *Redactor) LearnXML(body []byte) {
	s := string(body)
	for off := 0; off < len(s); {
		lt := strings.IndexByte(s[off:], '<')
		if lt < 0 {
			return
		}
		off += lt + 1
		gt := strings.IndexByte(s[off:], '>')
		if gt < 0 {
			return
		}
		tag := s[off : off+gt]
		off += gt + 1
		if tag == "" || tag[0] == '/' || tag[0] == '?' || tag[0] == '!' {
			continue
		}
		fields := strings.Fields(tag)
		if len(fields) == 0 {
			continue
		}
		r.learnXMLAttrs(tag)
		name := localName(fields[0])
		k, ok := xmlNames[strings.ToLower(name)]
		if !ok || strings.HasSuffix(tag, "/") {
			continue
		}
		end := strings.IndexByte(s[off:], '<')
		if end < 0 {
			return
		}
		r.learnXMLText(k, strings.TrimSpace(s[off:off+end]))
	}
}

func (r *Redactor) learnXMLText(k Kind, text string) {
	if text == "" || isIPLiteral(text) || strings.HasPrefix(text, "sip:") {
		return
	}
	r.learnValue(k, text)
}

// learnXMLAttrs learns name="value" attributes of a start tag.
func (r *Redactor) learnXMLAttrs(tag string) {
	for _, f := range strings.Fields(tag) {
		name, val, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		if k, want := xmlNames[strings.ToLower(localName(name))]; want {
			r.learnXMLText(k, strings.Trim(val, `"'/`))
		}
	}
}

func localName(n string) string {
	if i := strings.LastIndexByte(n, ':'); i >= 0 {
		return n[i+1:]
	}
	return n
}
