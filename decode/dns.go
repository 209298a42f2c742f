package decode

import (
	"net/netip"
	"strconv"

	"github.com/icediag/icediag/decode/wire"
)

// DNS constants (RFC 1035 §3.2.2, §4.1.1; RFC 3596 §2.1 AAAA; RFC 2782 SRV;
// RFC 6891 §6.1.2 OPT).
const (
	DNSTypeA     = 1
	DNSTypeNS    = 2
	DNSTypeCNAME = 5
	DNSTypeSOA   = 6
	DNSTypePTR   = 12
	DNSTypeAAAA  = 28
	DNSTypeSRV   = 33
	DNSTypeOPT   = 41

	DNSRcodeNoError  = 0
	DNSRcodeServFail = 2
	DNSRcodeNXDomain = 3
	DNSRcodeRefused  = 5
)

// Bounds of the DNS decoder: a message holds at most this many questions and
// answers that are kept (more are skipped, not an error), a name at most
// 255 bytes in wire form (RFC 1035 §2.3.4) and at most maxDNSJumps
// compression pointers.
const (
	MaxDNSQuestions = 4
	MaxDNSAnswers   = 32
	maxDNSName      = 255
	maxDNSJumps     = 32
	dnsHeaderLen    = 12
)

// DNSQuestion is one entry of the question section (RFC 1035 §4.1.2).
type DNSQuestion struct {
	Name  string // presentation form without the trailing dot, as on the wire
	Type  uint16
	Class uint16
}

// DNSRecord is one resource record of the answer section (RFC 1035 §4.1.3)
// with the RDATA of the types the rules read: Addr for A and AAAA, Target
// for CNAME, NS and PTR, and Target, Port, Priority and Weight for SRV
// (RFC 2782).
type DNSRecord struct {
	Name     string
	Type     uint16
	Class    uint16
	TTL      uint32
	Addr     netip.Addr
	Target   string
	Port     uint16
	Priority uint16
	Weight   uint16
}

// DNSMessage is a decoded DNS message (RFC 1035 §4.1). Decode fills it with
// copies: nothing aliases the decoded bytes, so a DNSMessage may be kept.
type DNSMessage struct {
	ID        uint16
	Response  bool
	Opcode    uint8
	Rcode     uint8 // the 4-bit header RCODE (RFC 1035 §4.1.1)
	Truncated bool  // the TC bit: the answer did not fit the datagram
	Questions []DNSQuestion
	Answers   []DNSRecord
	// QDCount and ANCount are the header counts; Questions and Answers
	// hold at most MaxDNSQuestions and MaxDNSAnswers of them.
	QDCount, ANCount uint16
}

var (
	errDNSHeader = &wire.ParseError{Proto: "dns", Field: "header", Offset: 0, Err: wire.ErrTruncated}
	errDNSName   = &wire.ParseError{Proto: "dns", Field: "name", Offset: -1, Err: wire.ErrTruncated}
	errDNSLabel  = &wire.ParseError{Proto: "dns", Field: "label type", Offset: -1, Err: wire.ErrBadValue}
	errDNSLong   = &wire.ParseError{Proto: "dns", Field: "name length", Offset: -1, Err: wire.ErrBadLength}
	errDNSPtr    = &wire.ParseError{Proto: "dns", Field: "compression pointer", Offset: -1, Err: wire.ErrBadValue}
	errDNSQType  = &wire.ParseError{Proto: "dns", Field: "question", Offset: -1, Err: wire.ErrTruncated}
	errDNSRR     = &wire.ParseError{Proto: "dns", Field: "record header", Offset: -1, Err: wire.ErrTruncated}
	errDNSRData  = &wire.ParseError{Proto: "dns", Field: "rdata length", Offset: -1, Err: wire.ErrBadLength}
	errDNSRDType = &wire.ParseError{Proto: "dns", Field: "rdata", Offset: -1, Err: wire.ErrBadValue}
)

// Decode parses a DNS message (RFC 1035 §4.1): the header, the questions
// and the answer section; the authority and additional sections are not
// read. It resets every field first. A message whose header counts promise
// more than the bytes hold is an error; questions and answers past the
// bounds are skipped.
func (m *DNSMessage) Decode(b []byte) error {
	*m = DNSMessage{Questions: m.Questions[:0], Answers: m.Answers[:0]}
	if len(b) < dnsHeaderLen {
		return errDNSHeader
	}
	m.ID = be.Uint16(b)
	flags := be.Uint16(b[2:])
	m.Response = flags&0x8000 != 0
	m.Opcode = uint8(flags>>11) & 0x0F
	m.Truncated = flags&0x0200 != 0
	m.Rcode = uint8(flags & 0x0F)
	m.QDCount, m.ANCount = be.Uint16(b[4:]), be.Uint16(b[6:])
	off := dnsHeaderLen
	for i := 0; i < int(m.QDCount); i++ {
		q, next, err := dnsQuestion(b, off)
		if err != nil {
			return err
		}
		if len(m.Questions) < MaxDNSQuestions {
			m.Questions = append(m.Questions, q)
		}
		off = next
	}
	for i := 0; i < int(m.ANCount); i++ {
		r, next, err := dnsRecord(b, off, len(m.Answers) < MaxDNSAnswers)
		if err != nil {
			if m.Truncated {
				return nil // TC set: a cut answer section is what the flag says
			}
			return err
		}
		if len(m.Answers) < MaxDNSAnswers {
			m.Answers = append(m.Answers, r)
		}
		off = next
	}
	return nil
}

// dnsQuestion reads one question at off.
func dnsQuestion(b []byte, off int) (DNSQuestion, int, error) {
	name, off, err := dnsName(b, off)
	if err != nil {
		return DNSQuestion{}, 0, err
	}
	if len(b)-off < 4 {
		return DNSQuestion{}, 0, errDNSQType
	}
	return DNSQuestion{Name: name, Type: be.Uint16(b[off:]), Class: be.Uint16(b[off+2:])}, off + 4, nil
}

// dnsRecord reads one resource record at off; with keep false only its
// extent is checked.
func dnsRecord(b []byte, off int, keep bool) (DNSRecord, int, error) {
	name, off, err := dnsName(b, off)
	if err != nil {
		return DNSRecord{}, 0, err
	}
	if len(b)-off < 10 {
		return DNSRecord{}, 0, errDNSRR
	}
	r := DNSRecord{Name: name, Type: be.Uint16(b[off:]), Class: be.Uint16(b[off+2:]), TTL: be.Uint32(b[off+4:])}
	n := int(be.Uint16(b[off+8:]))
	off += 10
	if n > len(b)-off {
		return DNSRecord{}, 0, errDNSRData
	}
	if keep {
		if err := r.rdata(b, off, n); err != nil {
			return DNSRecord{}, 0, err
		}
	}
	return r, off + n, nil
}

// rdata decodes the RDATA of the types DNSRecord keeps; b is the whole
// message, as names in RDATA may point into it (RFC 1035 §4.1.4).
func (r *DNSRecord) rdata(b []byte, off, n int) error {
	rd := b[off : off+n]
	switch r.Type {
	case DNSTypeA, DNSTypeAAAA:
		a, ok := netip.AddrFromSlice(rd)
		if !ok || (r.Type == DNSTypeA) != a.Is4() {
			return errDNSRDType
		}
		r.Addr = a
	case DNSTypeCNAME, DNSTypeNS, DNSTypePTR:
		t, end, err := dnsName(b[:off+n], off)
		if err != nil {
			return err
		}
		if end != off+n {
			return errDNSRDType
		}
		r.Target = t
	case DNSTypeSRV:
		if n < 7 {
			return errDNSRDType
		}
		r.Priority, r.Weight, r.Port = be.Uint16(rd), be.Uint16(rd[2:]), be.Uint16(rd[4:])
		t, end, err := dnsName(b[:off+n], off+6)
		if err != nil {
			return err
		}
		if end != off+n {
			return errDNSRDType
		}
		r.Target = t
	}
	return nil
}

// dnsName reads a domain name at off (RFC 1035 §3.1, §4.1.4) and returns it
// in presentation form without the trailing dot ("" for the root) and the
// offset after its wire form. Compression pointers must point strictly
// before the label that holds them, so that every chain ends; bytes outside
// printable ASCII and dots inside labels are escaped as \DDD.
func dnsName(b []byte, off int) (string, int, error) {
	var buf [4 * maxDNSName]byte
	out := buf[:0]
	end, jumps, wireLen := -1, 0, 0
	for {
		if off >= len(b) {
			return "", 0, errDNSName
		}
		c := int(b[off])
		switch c & 0xC0 {
		case 0x00:
		case 0xC0:
			if off+1 >= len(b) {
				return "", 0, errDNSName
			}
			ptr := (c&0x3F)<<8 | int(b[off+1])
			if ptr >= off || jumps >= maxDNSJumps {
				return "", 0, errDNSPtr
			}
			if end < 0 {
				end = off + 2
			}
			jumps++
			off = ptr
			continue
		default:
			return "", 0, errDNSLabel // 0x40 extended, 0x80 reserved (RFC 6891 §5)
		}
		if c == 0 {
			if end < 0 {
				end = off + 1
			}
			return string(out), end, nil
		}
		wireLen += 1 + c
		if wireLen+1 > maxDNSName {
			return "", 0, errDNSLong
		}
		if off+1+c > len(b) {
			return "", 0, errDNSName
		}
		if len(out) > 0 {
			out = append(out, '.')
		}
		out = appendLabel(out, b[off+1:off+1+c])
		off += 1 + c
	}
}

// appendLabel appends a label in presentation form (RFC 4343 §2.1 escapes).
func appendLabel(out, label []byte) []byte {
	for _, ch := range label {
		if ch <= ' ' || ch > '~' || ch == '.' || ch == '\\' {
			out = append(out, '\\')
			if ch < 100 {
				out = append(out, '0')
			}
			if ch < 10 {
				out = append(out, '0')
			}
			out = strconv.AppendUint(out, uint64(ch), 10)
			continue
		}
		out = append(out, ch)
	}
	return out
}

// DNSTypeName returns the mnemonic of a record type (RFC 1035 §3.2.2, RFC
// 3596, RFC 2782), or TYPEnnn (RFC 3597 §5).
func DNSTypeName(t uint16) string {
	switch t {
	case DNSTypeA:
		return "A"
	case DNSTypeNS:
		return "NS"
	case DNSTypeCNAME:
		return "CNAME"
	case DNSTypeSOA:
		return "SOA"
	case DNSTypePTR:
		return "PTR"
	case DNSTypeAAAA:
		return "AAAA"
	case DNSTypeSRV:
		return "SRV"
	case DNSTypeOPT:
		return "OPT"
	}
	return "TYPE" + strconv.Itoa(int(t))
}

// DNSRcodeName returns the mnemonic of a response code (RFC 1035 §4.1.1,
// RFC 6895 §2.3), or RCODEnn.
func DNSRcodeName(rc uint8) string {
	switch rc {
	case DNSRcodeNoError:
		return "NOERROR"
	case 1:
		return "FORMERR"
	case DNSRcodeServFail:
		return "SERVFAIL"
	case DNSRcodeNXDomain:
		return "NXDOMAIN"
	case 4:
		return "NOTIMP"
	case DNSRcodeRefused:
		return "REFUSED"
	}
	return "RCODE" + strconv.Itoa(int(rc))
}
