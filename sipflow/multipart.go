package sipflow

import (
	"bytes"
	"strings"
)

// BodyPart is one leaf body of a SIP message (RFC 3261 §7.4, RFC 5621):
// the whole body of a single-part message, or one part of a multipart body
// after nested multiparts have been split. MSFallback marks the part whose
// Content-Disposition carries ms-proxy-2007fallback, the ICE draft-06 offer
// of Lync's dual-SDP INVITE (MS-REFERENCE §2.1). Alternative is true for a
// part of a multipart/alternative body. Body aliases the message body.
type BodyPart struct {
	ContentType       MediaType
	Disposition       string
	DispositionParams []Param
	MSFallback        bool
	Alternative       bool
	Headers           []Header
	Body              []byte
	// Path numbers the part inside nested multiparts, "1", "2", "2.1"; ""
	// for a single-part body.
	Path string
}

// MaxMultipartDepth bounds the nesting of multipart bodies that BodyParts
// splits.
const MaxMultipartDepth = 4

// BodyParts returns the leaf body parts of the message: none for an empty
// body, the body itself for a single-part body, every part (depth first)
// for a multipart body (RFC 2046 §5.1). Parts found before an error are
// returned with it.
func (m *Message) BodyParts() ([]BodyPart, error) {
	if len(m.Body) == 0 {
		return nil, nil
	}
	part := BodyPart{ContentType: m.ContentType(), Headers: m.Headers, Body: m.Body}
	setDisposition(&part, m.Get("Content-Disposition"))
	if part.ContentType.Type != "multipart" {
		return []BodyPart{part}, nil
	}
	return SplitMultipart(m.Body, part.ContentType, 1, "")
}

// SplitMultipart splits a multipart body of type ct (RFC 2046 §5.1.1) and
// recursively its nested multipart parts up to MaxMultipartDepth; depth is
// the nesting level of body (1 for a message body) and path the Path prefix.
// Delimiters may end in CRLF or LF; a missing close delimiter is tolerated.
func SplitMultipart(body []byte, ct MediaType, depth int, path string) ([]BodyPart, error) {
	if depth > MaxMultipartDepth {
		return nil, &ParseError{Field: "multipart " + path, Err: ErrMultipartDepth}
	}
	boundary := ct.Param("boundary")
	if boundary == "" {
		return nil, &ParseError{Field: "Content-Type", Err: ErrBoundary}
	}
	raw := splitBoundary(body, []byte("--"+boundary))
	if len(raw) == 0 {
		return nil, &ParseError{Field: "multipart " + path, Err: ErrNoParts}
	}
	var out []BodyPart
	for i, r := range raw {
		p := parsePart(r)
		p.Path = strings.TrimPrefix(path+"."+itoa(i+1), ".")
		p.Alternative = ct.Subtype == "alternative"
		if p.ContentType.Type != "multipart" {
			out = append(out, p)
			continue
		}
		nested, err := SplitMultipart(p.Body, p.ContentType, depth+1, p.Path)
		out = append(out, nested...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// splitBoundary returns the raw parts between delimiter lines.
func splitBoundary(body, dash []byte) [][]byte {
	pos := indexAtLineStart(body, dash, 0)
	var parts [][]byte
	for pos >= 0 {
		after := pos + len(dash)
		if bytes.HasPrefix(body[after:], []byte("--")) {
			break // close delimiter
		}
		nl := bytes.IndexByte(body[after:], '\n')
		if nl < 0 {
			break
		}
		start := after + nl + 1
		next := indexAtLineStart(body, dash, start)
		end := next
		if next < 0 {
			end = len(body)
		}
		parts = append(parts, trimLineEnd(body[start:end], next >= 0))
		pos = next
	}
	return parts
}

// indexAtLineStart finds dash at offset 0 or right after a '\n', from off.
func indexAtLineStart(b, dash []byte, off int) int {
	for off <= len(b) {
		i := bytes.Index(b[off:], dash)
		if i < 0 {
			return -1
		}
		at := off + i
		if at == 0 || b[at-1] == '\n' {
			return at
		}
		off = at + 1
	}
	return -1
}

// trimLineEnd removes the line end that belongs to the next delimiter.
func trimLineEnd(b []byte, delimited bool) []byte {
	if !delimited {
		return b
	}
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}

// parsePart splits a raw part into MIME headers and body (RFC 2045 §3).
// Without a Content-Type the part is text/plain (RFC 2046 §5.1).
func parsePart(raw []byte) BodyPart {
	var p BodyPart
	lines, bodyStart, complete := splitLines(raw, 0)
	var hm Message
	if err := hm.parseHeaderLines(lines); err == nil && complete {
		p.Headers, p.Body = hm.Headers, raw[bodyStart:]
	} else {
		p.Body = raw
	}
	p.ContentType = MediaType{Type: "text", Subtype: "plain"}
	if ct, err := ParseMediaType(hm.Get("Content-Type")); err == nil {
		p.ContentType = ct
	}
	setDisposition(&p, hm.Get("Content-Disposition"))
	return p
}

// setDisposition parses a Content-Disposition value (RFC 3261 §20.11):
// disposition type and parameters; ms-proxy-2007fallback sets MSFallback.
func setDisposition(p *BodyPart, v string) {
	if v == "" {
		return
	}
	typ, params, _ := strings.Cut(v, ";")
	p.Disposition = strings.ToLower(strings.TrimSpace(typ))
	if strings.TrimSpace(params) != "" {
		p.DispositionParams, _ = parseParams(";" + params)
	}
	for _, prm := range p.DispositionParams {
		if strings.EqualFold(prm.Name, "ms-proxy-2007fallback") {
			p.MSFallback = true
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
