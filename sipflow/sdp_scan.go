package sipflow

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// Line-type order of RFC 8866 §5 for the session part and for a media
// section; a lower rank after a higher one is out of order.
var (
	sdpSessionOrder = map[byte]int{'v': 0, 'o': 1, 's': 2, 'i': 3, 'u': 4, 'e': 5, 'p': 6,
		'c': 7, 'b': 8, 't': 9, 'r': 10, 'z': 11, 'k': 12, 'a': 13, 'm': 14}
	sdpMediaOrder = map[byte]int{'m': 0, 'i': 1, 'c': 2, 'b': 3, 'k': 4, 'a': 5}
)

// sdpScanner is the lenient SDP line sdpScanner used when pion/sdp refuses a
// body: it accepts lines in any order and any media or protocol token,
// and turns each oddity into a located deviation.
type sdpScanner struct {
	desc   sdp.SessionDescription
	origin string
	devs   []string
	media  *sdp.MediaDescription // current section; nil at session level
	rank   int                   // order rank of the previous line
	sdpish bool                  // a v= or m= line was seen
}

// scanSDP scans b line by line (CRLF or LF). ok is false when no line is
// a v= or m= line.
func scanSDP(b []byte) (sc sdpScanner, ok bool) {
	lines := bytes.Split(b, []byte("\n"))
	for len(lines) > 0 && len(bytes.TrimSpace(lines[len(lines)-1])) == 0 {
		lines = lines[:len(lines)-1]
	}
	for i, raw := range lines {
		sc.line(i+1, string(bytes.TrimRight(raw, "\r")))
	}
	if sc.sdpish && sc.origin == "" {
		sc.devs = append(sc.devs, "no o= line")
	}
	sc.desc.Origin = sdp.Origin{}
	return sc, sc.sdpish
}

// devf records a deviation at line n.
func (sc *sdpScanner) devf(n int, format string, args ...any) {
	sc.devs = append(sc.devs, fmt.Sprintf("line %d: ", n)+fmt.Sprintf(format, args...))
}

// line handles one line numbered n.
func (sc *sdpScanner) line(n int, l string) {
	if len(l) < 2 || l[1] != '=' || l[0] < 'a' || l[0] > 'z' {
		sc.devf(n, "not a <type>=<value> line: %.40q", l)
		return
	}
	typ, val := l[0], l[2:]
	sc.checkOrder(n, typ)
	switch typ {
	case 'v':
		sc.sdpish = true
		if n != 1 {
			sc.devf(n, "v= is not the first line")
		}
	case 'o':
		sc.origin = strings.TrimSpace(val)
	case 's':
		sc.desc.SessionName = sdp.SessionName(val)
	case 'c':
		sc.conn(n, val)
	case 'm':
		sc.sdpish = true
		sc.mediaLine(n, val)
	case 'a':
		sc.attribute(val)
	case 'i', 'u', 'e', 'p', 'b', 't', 'r', 'z', 'k':
	default:
		sc.devf(n, "unknown line type %q", string(typ))
	}
}

// checkOrder records a line that breaks the RFC 8866 §5 order.
func (sc *sdpScanner) checkOrder(n int, typ byte) {
	order, where := sdpSessionOrder, "session"
	if sc.media != nil && typ != 'm' {
		order, where = sdpMediaOrder, "media"
	}
	r, known := order[typ]
	if !known {
		if _, sess := sdpSessionOrder[typ]; sess && sc.media != nil {
			sc.devf(n, "%c= inside a media section", typ)
		}
		return
	}
	if typ == 'm' {
		sc.rank = 0
		return
	}
	if r < sc.rank {
		sc.devf(n, "%c= out of RFC 8866 order in the %s section", typ, where)
	}
	sc.rank = r
}

// conn decodes a c= line ("IN IP4 192.0.2.1[/ttl]") leniently.
func (sc *sdpScanner) conn(n int, val string) {
	f := strings.Fields(val)
	if len(f) == 0 {
		sc.devf(n, "empty c= line")
		return
	}
	if len(f) != 3 {
		sc.devf(n, "c= line with %d fields", len(f))
	}
	ci := &sdp.ConnectionInformation{Address: &sdp.Address{Address: f[len(f)-1]}}
	if len(f) == 3 {
		ci.NetworkType, ci.AddressType = f[0], f[1]
	}
	if sc.media != nil {
		sc.media.ConnectionInformation = ci
		return
	}
	sc.desc.ConnectionInformation = ci
}

// mediaLine starts a media section from "media port[/n] proto fmt...".
func (sc *sdpScanner) mediaLine(n int, val string) {
	md := &sdp.MediaDescription{}
	sc.desc.MediaDescriptions = append(sc.desc.MediaDescriptions, md)
	sc.media = md
	f := strings.Fields(val)
	if len(f) < 3 {
		sc.devf(n, "m= line with %d fields", len(f))
	}
	if len(f) > 0 {
		md.MediaName.Media = f[0]
	}
	if len(f) > 1 {
		sc.mediaPort(n, md, f[1])
	}
	if len(f) > 2 {
		md.MediaName.Protos = strings.Split(f[2], "/")
		md.MediaName.Formats = f[3:]
	}
}

// mediaPort decodes "port" or "port/count" of an m= line.
func (sc *sdpScanner) mediaPort(n int, md *sdp.MediaDescription, s string) {
	p, cnt, hasCnt := strings.Cut(s, "/")
	v, err := strconv.Atoi(p)
	if err != nil || v < 0 || v > 65535 {
		sc.devf(n, "bad m= port %q", s)
		return
	}
	md.MediaName.Port.Value = v
	if !hasCnt {
		return
	}
	c, err := strconv.Atoi(cnt)
	if err != nil || c < 1 {
		sc.devf(n, "bad m= port count %q", s)
		return
	}
	md.MediaName.Port.Range = &c
}

// attribute stores "key[:value]" at the current level.
func (sc *sdpScanner) attribute(val string) {
	k, v, _ := strings.Cut(val, ":")
	a := sdp.Attribute{Key: strings.TrimSpace(k), Value: v}
	if sc.media != nil {
		sc.media.Attributes = append(sc.media.Attributes, a)
		return
	}
	sc.desc.Attributes = append(sc.desc.Attributes, a)
}
