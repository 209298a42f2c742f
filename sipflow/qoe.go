package sipflow

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// QoEReport is the connectivity content of a Microsoft QoE report, the XML
// body of a SIP SERVICE request with Content-Type application/vq-rtcpxr+xml
// (MS-QoE §2.2.1, root VQReportEvent in namespace ms-rtcp-metrics) or a call
// quality feedback report application/ms-cqf+xml (MS-QoE §2.2.2). Fields
// come from DialogInfo (§2.2.1.4) and one QoEMediaLine per MediaLine
// (§2.2.1.5).
type QoEReport struct {
	Root                            string // "VQReportEvent" or "CallQualityFeedbackReport"
	SessionID                       string
	CallID, FromTag, ToTag          string
	FromURI, ToURI                  string
	Start, End                      string
	Caller                          bool // the reporter was the caller
	LocalUserAgent, RemoteUserAgent string
	Rating                          int // call quality feedback rating, 0 when absent
	Lines                           []QoEMediaLine
}

// QoEMediaLine is one MediaLine of a QoE report (MS-QoE §2.2.1.5-2.2.1.7):
// the label (main-audio, main-video, ...), Connectivity/Ice (FAILED,
// DIRECT, RELAY, HTTP-PROXY), IceWarningFlags (decode with DecodeICEWarn),
// the relay (A/V Edge) addresses, local and remote media addresses, the
// transport (UDP/TCP), the offerer flag and v3:ReflexiveLocalIPAddress, the
// address the media relay saw. Locations holds the location hints of the
// line (RegisteredInside and elements named *Location*), by element name.
type QoEMediaLine struct {
	Label                 string
	Ice                   string
	IceWarningFlags       uint32
	HasIceWarningFlags    bool
	RelayAddresses        []netip.AddrPort
	LocalAddr, RemoteAddr netip.AddrPort
	Transport             string
	Offerer, HasOfferer   bool
	ReflexiveLocalIP      netip.Addr
	Locations             []Param
}

// maxQoEDepth bounds XML nesting; real reports are about eight deep.
const maxQoEDepth = 64

// IsQoEContentType reports whether a SERVICE body of this type is a QoE
// report (MS-QoE §2.2).
func IsQoEContentType(t MediaType) bool {
	return t.Is("application/vq-rtcpxr+xml") || t.Is("application/ms-cqf+xml")
}

// ParseQoE parses a QoE report body. It reads elements by local name, so
// the v2/v3/v4 extension namespaces need no declaration; unknown elements
// are skipped. A body whose root is neither VQReportEvent nor
// CallQualityFeedbackReport gives ErrQoE; malformed XML after the root
// returns the report read so far with the XML error.
func ParseQoE(body []byte) (*QoEReport, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	q := &qoeWalker{r: &QoEReport{}}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return q.result(&ParseError{Field: "QoE XML", Err: errors.Join(ErrQoE, err)})
		}
		if err := q.token(tok); err != nil {
			return q.result(err)
		}
	}
	return q.result(nil)
}

// qoeWalker follows the element path and fills the report.
type qoeWalker struct {
	r    *QoEReport
	path []string
	line *QoEMediaLine
	addr *netip.AddrPort // the LocalAddr/RemoteAddr/RelayAddress being read
	ip   string
	text strings.Builder
}

func (q *qoeWalker) result(err error) (*QoEReport, error) {
	if q.r.Root == "" {
		if err == nil {
			err = &ParseError{Field: "QoE XML", Err: ErrQoE}
		}
		return nil, err
	}
	return q.r, err
}

func (q *qoeWalker) token(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		return q.start(t)
	case xml.EndElement:
		q.end(t.Name.Local)
	case xml.CharData:
		if q.text.Len() < 4096 {
			q.text.Write(t)
		}
	}
	return nil
}

func (q *qoeWalker) start(t xml.StartElement) error {
	if len(q.path) >= maxQoEDepth {
		return &ParseError{Field: "QoE XML", Err: ErrQoE}
	}
	name := t.Name.Local
	if len(q.path) == 0 {
		if name != "VQReportEvent" && name != "CallQualityFeedbackReport" {
			return &ParseError{Field: "QoE XML root " + name, Err: ErrQoE}
		}
		q.r.Root = name
		q.dialogAttrs(t.Attr)
	}
	q.path = append(q.path, name)
	q.text.Reset()
	switch name {
	case "VQSessionReport", "VQSessionIntervalReport":
		if q.r.SessionID == "" {
			q.r.SessionID = attr(t.Attr, "SessionId")
		}
	case "DialogInfo":
		q.dialogAttrs(t.Attr)
	case "MediaLine":
		q.r.Lines = append(q.r.Lines, QoEMediaLine{Label: attr(t.Attr, "Label")})
		q.line = &q.r.Lines[len(q.r.Lines)-1]
	case "LocalAddr", "RemoteAddr", "RelayAddress":
		q.addr, q.ip = new(netip.AddrPort), ""
	}
	return nil
}

func (q *qoeWalker) dialogAttrs(attrs []xml.Attr) {
	set := func(dst *string, name string) {
		if v := attr(attrs, name); v != "" {
			*dst = v
		}
	}
	set(&q.r.CallID, "CallId")
	set(&q.r.FromTag, "FromTag")
	set(&q.r.ToTag, "ToTag")
	set(&q.r.Start, "Start")
	set(&q.r.End, "End")
}

func attr(attrs []xml.Attr, name string) string {
	for _, a := range attrs {
		if a.Name.Local == name {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

func (q *qoeWalker) end(name string) {
	text := strings.TrimSpace(q.text.String())
	q.text.Reset()
	parent := ""
	if len(q.path) >= 2 {
		parent = q.path[len(q.path)-2]
	}
	if len(q.path) > 0 {
		q.path = q.path[:len(q.path)-1]
	}
	switch {
	case parent == "DialogInfo" || parent == "CallQualityFeedbackReport":
		q.dialogField(name, text)
	case q.addr != nil && (name == "IPAddr" || name == "Port"):
		q.addrField(name, text)
	case name == "LocalAddr" || name == "RemoteAddr" || name == "RelayAddress":
		q.closeAddr(name)
	case q.line != nil:
		q.lineField(name, parent, text)
	}
	if name == "MediaLine" {
		q.line = nil
	}
}

func (q *qoeWalker) dialogField(name, text string) {
	switch name {
	case "CallId":
		q.r.CallID = text
	case "FromURI":
		q.r.FromURI = text
	case "ToURI":
		q.r.ToURI = text
	case "Caller":
		q.r.Caller = strings.EqualFold(text, "true")
	case "LocalUserAgent":
		q.r.LocalUserAgent = text
	case "RemoteUserAgent":
		q.r.RemoteUserAgent = text
	case "Rating":
		q.r.Rating, _ = strconv.Atoi(text)
	}
}

func (q *qoeWalker) addrField(name, text string) {
	if name == "IPAddr" {
		q.ip = text
		return
	}
	ip, err := netip.ParseAddr(q.ip)
	port, perr := strconv.ParseUint(text, 10, 16)
	if err == nil && perr == nil {
		*q.addr = netip.AddrPortFrom(ip, uint16(port))
	}
}

func (q *qoeWalker) closeAddr(name string) {
	if q.addr == nil {
		return // an end tag without its start (lenient decoding)
	}
	a := *q.addr
	if !a.IsValid() {
		if ip, err := netip.ParseAddr(q.ip); err == nil {
			a = netip.AddrPortFrom(ip, 0)
		}
	}
	q.addr = nil
	if q.line == nil || !a.IsValid() {
		return
	}
	switch name {
	case "LocalAddr":
		q.line.LocalAddr = a
	case "RemoteAddr":
		q.line.RemoteAddr = a
	case "RelayAddress":
		q.line.RelayAddresses = append(q.line.RelayAddresses, a)
	}
}

func (q *qoeWalker) lineField(name, parent, text string) {
	l := q.line
	switch {
	case parent == "Connectivity" && name == "Ice":
		l.Ice = strings.ToUpper(text)
	case name == "IceWarningFlags":
		l.IceWarningFlags, l.HasIceWarningFlags = parseHex32(text)
	case parent == "Description" && name == "Transport":
		l.Transport = strings.ToUpper(text)
	case parent == "Description" && name == "Offerer":
		l.Offerer, l.HasOfferer = strings.EqualFold(text, "true"), true
	case name == "ReflexiveLocalIPAddress":
		l.ReflexiveLocalIP, _ = netip.ParseAddr(text)
	case name == "RegisteredInside" || strings.Contains(name, "Location"):
		l.Locations = append(l.Locations, Param{Name: name, Value: text})
	}
}

// QoE returns the QoE report of a SERVICE request, nil when the message
// carries none.
func (m *Message) QoE() *QoEReport {
	if !m.Request || !strings.EqualFold(m.Method, "SERVICE") {
		return nil
	}
	parts, _ := m.BodyParts()
	for _, p := range parts {
		if IsQoEContentType(p.ContentType) {
			if r, err := ParseQoE(p.Body); r != nil && err == nil {
				return r
			}
		}
	}
	return nil
}
