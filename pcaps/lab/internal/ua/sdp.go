package ua

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// Offer is the part of an SDP body (RFC 4566) the lab's user agents exchange:
// one audio stream with ICE credentials and candidates (RFC 8839 §5).
type Offer struct {
	Addr       string // connection address (c=)
	Port       int    // m= port of the default candidate
	Ufrag, Pwd string
	Candidates []string // a=candidate values without the "candidate:" prefix
	// RemoteCandidates are MS a=remote-candidates values (MS-REFERENCE.md §2.3).
	RemoteCandidates []string
}

// ErrNoICE is returned for an SDP body without ice-ufrag, ice-pwd or candidates.
var ErrNoICE = errors.New("sdp: no ICE attributes")

// Marshal renders the offer as an SDP body with PCMU audio.
func (o Offer) Marshal(sessionID uint64) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "v=0\r\no=- %d 1 IN IP4 %s\r\ns=icediag lab call\r\n", sessionID, o.Addr)
	fmt.Fprintf(&b, "c=IN IP4 %s\r\nt=0 0\r\n", o.Addr)
	fmt.Fprintf(&b, "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n", o.Port)
	fmt.Fprintf(&b, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", o.Ufrag, o.Pwd)
	for _, c := range o.Candidates {
		fmt.Fprintf(&b, "a=candidate:%s\r\n", c)
	}
	b.WriteString("a=sendrecv\r\n")
	return b.Bytes()
}

// ParseOffer reads the ICE attributes of an SDP body, at session or media level.
func ParseOffer(body []byte) (Offer, error) {
	var o Offer
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "c=IN IP4 "):
			o.Addr = strings.TrimPrefix(line, "c=IN IP4 ")
		case strings.HasPrefix(line, "m=audio "):
			_, _ = fmt.Sscanf(line, "m=audio %d", &o.Port)
		case strings.HasPrefix(line, "a=ice-ufrag:"):
			o.Ufrag = strings.TrimPrefix(line, "a=ice-ufrag:")
		case strings.HasPrefix(line, "a=ice-pwd:"):
			o.Pwd = strings.TrimPrefix(line, "a=ice-pwd:")
		case strings.HasPrefix(line, "a=candidate:"):
			o.Candidates = append(o.Candidates, strings.TrimPrefix(line, "a=candidate:"))
		case strings.HasPrefix(line, "a=x-candidate-ipv6:"): // MS-REFERENCE.md §2.3
			o.Candidates = append(o.Candidates, strings.TrimPrefix(line, "a=x-candidate-ipv6:"))
		}
	}
	if o.Ufrag == "" || o.Pwd == "" {
		return o, ErrNoICE
	}
	return o, nil
}
