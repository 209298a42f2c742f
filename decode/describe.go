package decode

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"strconv"
	"strings"
)

// TimeLayout is how icediag prints capture times: UTC with microseconds.
const TimeLayout = "2006-01-02 15:04:05.000000"

// PacketInfo is the description of one event that `icediag packets` prints,
// as text or as one JSON object per line.
type PacketInfo struct {
	File      string `json:"file"`
	Frame     uint64 `json:"frame"`
	Time      string `json:"time"`
	Src       string `json:"src"`
	Dst       string `json:"dst"`
	Transport string `json:"transport"`
	Kind      string `json:"kind"`
	Dialect   string `json:"dialect,omitempty"`
	Type      string `json:"type,omitempty"`
	TxID      string `json:"txid,omitempty"`
	// Relay names the TURN leg a relayed message travelled through.
	Relay *RelayInfo `json:"relay,omitempty"`
	// Attrs are the key attributes, in a fixed order, as name=value.
	Attrs     []string `json:"attrs,omitempty"`
	Truncated bool     `json:"truncated,omitempty"`
}

// RelayInfo describes a relay leg in a PacketInfo.
type RelayInfo struct {
	Via     string `json:"via"`
	Peer    string `json:"peer,omitempty"`
	Channel uint16 `json:"channel,omitempty"`
	ToPeer  bool   `json:"to_peer"`
}

// Describe summarises ev. fileName names the input file it came from.
func Describe(ev *Event, fileName string) PacketInfo {
	p := PacketInfo{
		File:      fileName,
		Frame:     ev.Frame,
		Time:      ev.Time.UTC().Format(TimeLayout),
		Src:       addrString(ev.Flow.Src),
		Dst:       addrString(ev.Flow.Dst),
		Transport: ev.Flow.Transport.String(),
		Kind:      ev.Kind.String(),
		Truncated: ev.Truncated,
	}
	if r := ev.Relay; r != nil {
		p.Relay = &RelayInfo{Via: r.Via.String(), Peer: addrString(r.Peer), Channel: r.Channel, ToPeer: r.ToPeer}
	}
	switch ev.Kind {
	case KindSTUN:
		describeSTUN(&p, ev)
	case KindSIP:
		p.Type = sipStartLine(ev.Payload)
		if cid := sipHeader(ev.Payload, "call-id", "i"); cid != "" {
			p.Attrs = append(p.Attrs, "call-id="+cid)
		}
		if cs := sipHeader(ev.Payload, "cseq", ""); cs != "" {
			p.Attrs = append(p.Attrs, "cseq="+cs)
		}
	case KindRTP:
		r := ev.RTP
		p.Type = "PT " + strconv.Itoa(int(r.PayloadType))
		p.Attrs = append(p.Attrs, "ssrc=0x"+strconv.FormatUint(uint64(r.SSRC), 16), "seq="+strconv.Itoa(int(r.Seq)), "len="+strconv.Itoa(len(ev.Payload)))
	case KindRTCP:
		p.Type = "PT " + strconv.Itoa(int(ev.RTCP.FirstType))
		p.Attrs = append(p.Attrs, "ssrc=0x"+strconv.FormatUint(uint64(ev.RTCP.SSRC), 16), "packets="+strconv.Itoa(ev.RTCP.Count))
	case KindTLS:
		describeTLS(&p, ev)
	case KindPseudoTLS:
		if len(ev.Payload) > 5 && ev.Payload[5] == 1 {
			p.Type = "ClientHello"
		} else {
			p.Type = "ServerHello, ServerHelloDone"
		}
	case KindICMP:
		i := ev.ICMP
		p.Type = "type " + strconv.Itoa(int(i.Type)) + " code " + strconv.Itoa(int(i.Code))
		p.Attrs = append(p.Attrs, "quoted="+addrString(i.Quoted.Src)+"->"+addrString(i.Quoted.Dst)+"/"+i.Quoted.Transport.String())
	case KindTCPControl:
		p.Type = tcpFlagString(ev.TCPFlags)
	case KindDTLS, KindData:
		p.Attrs = append(p.Attrs, "len="+strconv.Itoa(len(ev.Payload)))
	case KindDNS:
		describeDNS(&p, ev)
	case KindTLSCertificate:
		p.Type = "Certificate"
		if chain, bad, err := ParseCertificateChain(ev.Payload); err == nil {
			p.Attrs = append(p.Attrs, "certificates="+strconv.Itoa(len(chain)+bad))
			if len(chain) > 0 {
				p.Attrs = append(p.Attrs, "subject="+chain[0].Subject.CommonName)
			}
		}
	}
	return p
}

// describeDNS names a DNS message: query or response, its first question
// and, for a response, the code and the number of answers (RFC 1035 §4.1).
func describeDNS(p *PacketInfo, ev *Event) {
	var m DNSMessage
	if err := m.Decode(ev.Payload); err != nil {
		p.Type = "malformed"
		return
	}
	p.Type = "query"
	if m.Response {
		p.Type = "response " + DNSRcodeName(m.Rcode)
		p.Attrs = append(p.Attrs, "answers="+strconv.Itoa(len(m.Answers)))
	}
	if len(m.Questions) > 0 {
		q := m.Questions[0]
		p.Attrs = append(p.Attrs, "name="+q.Name, "qtype="+DNSTypeName(q.Type))
	}
}

func describeSTUN(p *PacketInfo, ev *Event) {
	m := ev.STUN
	p.Dialect = m.Dialect.String()
	p.Type = m.Name()
	p.TxID = string(m.AppendTxID(nil))
	add := func(k, v string) { p.Attrs = append(p.Attrs, k+"="+v) }
	if len(m.Username) > 0 {
		add("user", quoteBytes(bytes.TrimRight(m.Username, "\x00")))
	}
	if m.ErrorCode != 0 {
		add("error", strconv.Itoa(int(m.ErrorCode))+" "+quoteBytes(m.ErrorReason))
	}
	for _, a := range []struct {
		name string
		v    netip.AddrPort
	}{
		{"xor-mapped", m.XORMapped}, {"mapped", m.Mapped}, {"relayed", m.XORRelayed},
		{"peer", m.XORPeer}, {"destination", m.Destination}, {"remote", m.RemoteAddress},
		{"alternate", m.AlternateServer}, {"alt-mapped", m.MSAltMapped},
	} {
		if a.v.IsValid() {
			add(a.name, a.v.String())
		}
	}
	if m.HasPriority {
		add("priority", strconv.FormatUint(uint64(m.Priority), 10))
	}
	if m.UseCandidate {
		add("use-candidate", "yes")
	}
	if m.Controlling {
		add("role", "controlling")
	} else if m.Controlled {
		add("role", "controlled")
	}
	if m.HasLifetime {
		add("lifetime", strconv.FormatUint(uint64(m.Lifetime), 10))
	}
	if m.ChannelNumber != 0 {
		add("channel", "0x"+strconv.FormatUint(uint64(m.ChannelNumber), 16))
	}
	if m.HasMSVersion {
		add("ms-version", strconv.FormatUint(uint64(m.MSVersion), 10))
	}
	if m.HasMSImplVersion {
		add("ms-impl-version", strconv.FormatUint(uint64(m.MSImplVersion), 10))
	}
	if len(m.MSCandidateID) > 0 {
		add("candidate-id", quoteBytes(bytes.TrimRight(m.MSCandidateID, "\x00")))
	}
	if m.HasMSMuxSession {
		add("mux-session", "0x"+strconv.FormatUint(m.MSMuxSessionID, 16))
	}
	if m.HasData {
		add("data", strconv.Itoa(len(m.Data)))
	}
	if m.FingerprintLegacy {
		add("fingerprint", "ms-legacy")
	} else if m.HasFingerprint && !m.FingerprintOK {
		add("fingerprint", "bad")
	}
}

func describeTLS(p *PacketInfo, ev *Event) {
	h := ev.TLS
	if h.IsAlert {
		p.Type = "Alert"
		p.Attrs = append(p.Attrs, "level="+strconv.Itoa(int(h.AlertLevel)), "description="+strconv.Itoa(int(h.AlertDescription)))
		return
	}
	switch h.HandshakeType {
	case 1:
		p.Type = "ClientHello"
	case 2:
		p.Type = "ServerHello"
	default:
		p.Type = "handshake " + strconv.Itoa(int(h.HandshakeType))
	}
	if len(h.SNI) > 0 {
		p.Attrs = append(p.Attrs, "sni="+quoteBytes(h.SNI))
	}
	if h.HandshakeType == 2 {
		p.Attrs = append(p.Attrs, "cipher=0x"+hex.EncodeToString([]byte{byte(h.CipherSuite >> 8), byte(h.CipherSuite)}))
		if h.HasCertificate {
			p.Attrs = append(p.Attrs, "certificate=yes")
		}
	}
}

// Line renders p as the text line `icediag packets` prints.
func (p PacketInfo) Line(withFile bool) string {
	var b bytes.Buffer
	if withFile {
		b.WriteString(p.File)
		b.WriteByte(':')
	}
	b.WriteString(strconv.FormatUint(p.Frame, 10))
	b.WriteString("  ")
	b.WriteString(p.Time)
	b.WriteString("  ")
	b.WriteString(p.Src)
	b.WriteString(" -> ")
	b.WriteString(p.Dst)
	b.WriteString("  ")
	b.WriteString(p.Transport)
	b.WriteString("  ")
	b.WriteString(p.Kind)
	if p.Dialect != "" {
		b.WriteString("/" + p.Dialect)
	}
	if p.Type != "" {
		b.WriteString("  " + p.Type)
	}
	if p.TxID != "" {
		b.WriteString("  id=" + p.TxID)
	}
	if r := p.Relay; r != nil {
		b.WriteString("  [via " + r.Via)
		if r.Peer != "" {
			if r.ToPeer {
				b.WriteString(" to " + r.Peer)
			} else {
				b.WriteString(" from " + r.Peer)
			}
		}
		if r.Channel != 0 {
			b.WriteString(" ch 0x" + strconv.FormatUint(uint64(r.Channel), 16))
		}
		b.WriteString("]")
	}
	for _, a := range p.Attrs {
		b.WriteString("  " + a)
	}
	if p.Truncated {
		b.WriteString("  (truncated)")
	}
	return b.String()
}

func addrString(a netip.AddrPort) string {
	if !a.IsValid() {
		return ""
	}
	if a.Port() == 0 {
		return a.Addr().String()
	}
	return a.String()
}

// quoteBytes quotes capture bytes so that control characters and binary
// values cannot disturb a terminal or a log line.
func quoteBytes(b []byte) string { return strconv.Quote(string(b)) }

func tcpFlagString(f uint8) string {
	var parts []string
	for _, x := range []struct {
		bit  uint8
		name string
	}{{FlagSYN, "SYN"}, {FlagFIN, "FIN"}, {FlagRST, "RST"}, {FlagACK, "ACK"}} {
		if f&x.bit != 0 {
			parts = append(parts, x.name)
		}
	}
	return strings.Join(parts, ",")
}

// sipStartLine returns the first line of a SIP message, quoted-safe.
func sipStartLine(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return safeText(bytes.TrimRight(b, "\r"))
}

// sipHeader returns the first value of a header (full or compact name) of a
// SIP message, for display only. sipflow does the real parsing.
func sipHeader(msg []byte, full, compact string) string {
	hdrEnd, _ := headerEnd(msg)
	if hdrEnd < 0 {
		hdrEnd = len(msg)
	}
	lines := bytes.Split(msg[:hdrEnd], []byte("\n"))
	for _, l := range lines[1:] {
		c := bytes.IndexByte(l, ':')
		if c <= 0 {
			continue
		}
		name := bytes.TrimSpace(l[:c])
		if bytes.EqualFold(name, []byte(full)) || (compact != "" && bytes.EqualFold(name, []byte(compact))) {
			return safeText(bytes.TrimSpace(l[c+1:]))
		}
	}
	return ""
}

func safeText(b []byte) string {
	if isText(b) {
		return string(b)
	}
	q := strconv.Quote(string(b))
	return q[1 : len(q)-1]
}
