package ua

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Lync-style offers (MS-REFERENCE.md §2.1-2.3): a multipart/alternative body
// with the ICE draft-06 part for OCS 2007 peers (ms-proxy-2007fallback) and the
// ICE v19 (MS-ICE2) part that current endpoints use.

// MSBoundary is the multipart boundary of the lab's Lync-style bodies.
const MSBoundary = "----=_NextPart_000_icediag_lab"

// MSContentType is the Content-Type of a Lync-style offer.
const MSContentType = `multipart/alternative;boundary="` + MSBoundary + `"`

// MSMultipart renders the two-part offer: the draft-06 form of the same
// candidates first, then the v19 SDP.
func MSMultipart(o Offer, sessionID uint64) []byte {
	var b bytes.Buffer
	part := func(disposition string, body []byte) {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: application/sdp\r\nContent-Transfer-Encoding: 7bit\r\n", MSBoundary)
		fmt.Fprintf(&b, "Content-Disposition: %s\r\n\r\n", disposition)
		b.Write(body)
		b.WriteString("\r\n")
	}
	part("session; handling=optional; ms-proxy-2007fallback", msDraft06(o, sessionID))
	part("session; handling=optional", msV19(o, sessionID))
	fmt.Fprintf(&b, "--%s--\r\n", MSBoundary)
	return b.Bytes()
}

func msHeader(b *bytes.Buffer, o Offer, sessionID uint64) {
	fmt.Fprintf(b, "v=0\r\no=- %d 0 IN IP4 %s\r\ns=session\r\nc=IN IP4 %s\r\nb=CT:99980\r\nt=0 0\r\n", sessionID, o.Addr, o.Addr)
	fmt.Fprintf(b, "m=audio %d RTP/AVP 0 101\r\n", o.Port)
}

// msV19 is the MS-ICE2 part: ice-ufrag/ice-pwd and numbered candidates with
// the upper-case transport tokens of MS-REFERENCE.md §2.3.
func msV19(o Offer, sessionID uint64) []byte {
	var b bytes.Buffer
	msHeader(&b, o, sessionID)
	fmt.Fprintf(&b, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", o.Ufrag, o.Pwd)
	for _, c := range MSCandidates(o.Candidates) {
		fmt.Fprintf(&b, "a=%s:%s\r\n", msCandidateAttr(c), c)
	}
	for _, r := range o.RemoteCandidates {
		fmt.Fprintf(&b, "a=remote-candidates:%s\r\n", r)
	}
	b.WriteString("a=label:main-audio\r\na=sendrecv\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n")
	return b.Bytes()
}

// msDraft06 is the MS-ICE v1 part: per candidate a base64 username fragment
// and password and a "0.nnn" q-value (MS-REFERENCE.md §2.2). The lab's agents
// never run draft-06 checks; the part is there for the form, as Lync's own
// fallback part is for peers that never answer with it.
func msDraft06(o Offer, sessionID uint64) []byte {
	var b bytes.Buffer
	msHeader(&b, o, sessionID)
	for _, c := range o.Candidates {
		f := strings.Fields(c)
		if len(f) < 8 || !strings.EqualFold(f[2], "udp") || strings.Contains(f[4], ":") {
			continue // draft-06 knows UDP over IPv4 only
		}
		q := "0.830"
		if f[7] == "relay" {
			q = "0.410"
		}
		fmt.Fprintf(&b, "a=candidate:%s 1 %s UDP %s %s %s\r\n", b64(32), b64(16), q, f[4], f[5])
	}
	b.WriteString("a=sendrecv\r\na=rtpmap:0 PCMU/8000\r\n")
	return b.Bytes()
}

func b64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)
}

// MSCandidates turns pion's candidate lines (RFC 8839 §5.1 with extensions)
// into MS-ICE2 lines: foundations numbered 1, 2, … in order of appearance,
// transports UDP, TCP-ACT or TCP-PASS, and no extension attributes.
func MSCandidates(lines []string) []string {
	found := map[string]int{}
	var out []string
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 8 || f[6] != "typ" {
			continue
		}
		if _, ok := found[f[0]]; !ok {
			found[f[0]] = len(found) + 1
		}
		transport := strings.ToUpper(f[2])
		var rel []string
		for i := 8; i+1 < len(f); i += 2 {
			switch f[i] {
			case "raddr", "rport":
				rel = append(rel, f[i], f[i+1])
			case "tcptype":
				transport = map[string]string{"active": "TCP-ACT", "passive": "TCP-PASS"}[f[i+1]]
			}
		}
		if transport == "" {
			continue // simultaneous-open TCP has no MS form
		}
		prio := f[3]
		if strings.Contains(f[4], ":") && f[7] == "host" {
			prio = msIPv6HostPriority
		}
		line := fmt.Sprintf("%d %s %s %s %s %s typ %s", found[f[0]], f[1], transport, prio, f[4], f[5], f[7])
		if len(rel) > 0 {
			line += " " + strings.Join(rel, " ")
		}
		out = append(out, line)
	}
	return out
}

// activeTCPPriority is the priority pion/ice gives the active TCP host
// candidates it makes when it connects to a peer's passive candidate.
const activeTCPPriority = "1675624447"

// withActiveTCP adds, after each passive TCP host candidate, the active
// candidate of the same address (RFC 6544 §4.5: port 9). pion/ice makes its
// active candidates only when it connects and does not list them, but
// connects actively to every passive candidate of the peer; Lync offers
// both, as TCP-ACT and TCP-PASS lines.
func withActiveTCP(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, l)
		f := strings.Fields(l)
		if len(f) < 10 || !strings.EqualFold(f[2], "tcp") || f[7] != "host" || !slices.Contains(f[8:], "passive") {
			continue
		}
		out = append(out, fmt.Sprintf("%sa %s tcp %s %s 9 typ host tcptype active", f[0], f[1], activeTCPPriority, f[4]))
	}
	return out
}

// msIPv6HostPriority is the priority Lync gives an IPv6 host candidate: type
// preference 1 (MS-REFERENCE.md §2.3).
const msIPv6HostPriority = "33553407"

// msCandidateAttr is the SDP attribute of an MS-ICE2 candidate line:
// x-candidate-ipv6 for an IPv6 address, candidate otherwise
// (MS-REFERENCE.md §2.3).
func msCandidateAttr(line string) string {
	if f := strings.Fields(line); len(f) > 4 && strings.Contains(f[4], ":") {
		return "x-candidate-ipv6"
	}
	return "candidate"
}

// FromMSCandidate turns an MS-ICE2 candidate line back into the RFC 8839 /
// RFC 6544 form pion/ice reads: lower-case transport, TCP-ACT and TCP-PASS as
// "tcp … tcptype active|passive".
func FromMSCandidate(line string) string {
	f := strings.Fields(line)
	if len(f) < 8 {
		return line
	}
	tcptype := ""
	switch strings.ToUpper(f[2]) {
	case "TCP-ACT":
		f[2], tcptype = "tcp", "active"
	case "TCP-PASS":
		f[2], tcptype = "tcp", "passive"
	default:
		f[2] = strings.ToLower(f[2])
	}
	out := strings.Join(f, " ")
	if tcptype != "" {
		out += " tcptype " + tcptype
	}
	return out
}

// V19Part returns the MS-ICE2 part of a multipart/alternative body: the
// application/sdp part without ms-proxy-2007fallback, as SIPE picks it
// (MS-REFERENCE.md §2.1). A body that is not multipart is returned as is.
func V19Part(contentType string, body []byte) []byte {
	i := strings.Index(contentType, "boundary=")
	if !strings.HasPrefix(strings.ToLower(contentType), "multipart/") || i < 0 {
		return body
	}
	boundary := strings.Trim(strings.TrimSpace(strings.SplitN(contentType[i+len("boundary="):], ";", 2)[0]), `"`)
	for _, p := range bytes.Split(body, []byte("--"+boundary)) {
		head, sdp, ok := bytes.Cut(p, []byte("\r\n\r\n"))
		if !ok || bytes.Contains(head, []byte("ms-proxy-2007fallback")) || !bytes.Contains(head, []byte("application/sdp")) {
			continue
		}
		return sdp
	}
	return nil
}

// RemoteCandidatesLine renders a=remote-candidates for component 1
// (MS-REFERENCE.md §2.3): the remote candidate of the selected pair.
func RemoteCandidatesLine(addr string, port int) string {
	return "1 " + addr + " " + strconv.Itoa(port)
}
