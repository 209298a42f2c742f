package decode

import "bytes"

// Limits of SIP framing on streams.
const (
	maxSIPStartLine = 16 << 10 // bytes looked at to find a request or status line
	maxSIPHeader    = 64 << 10 // a header block larger than this is not SIP
	maxSIPBody      = 1 << 20  // Content-Length values above this are refused
)

var sipVersion = []byte("SIP/2.0")

// looksLikeSIP reports whether b starts with a SIP request line
// ("METHOD uri SIP/2.0") or status line ("SIP/2.0 NNN ...") of RFC 3261
// §7.1/§7.2. It looks at content only, never at ports.
func looksLikeSIP(b []byte) bool {
	if len(b) == 0 || !(b[0] >= 'A' && b[0] <= 'Z' || b[0] >= 'a' && b[0] <= 'z') {
		return false // every method and "SIP/2.0" start with a letter
	}
	if len(b) > maxSIPStartLine {
		b = b[:maxSIPStartLine]
	}
	end := bytes.IndexByte(b, '\n')
	if end < 0 {
		return false
	}
	line := bytes.TrimRight(b[:end], "\r")
	if bytes.HasPrefix(line, sipVersion) {
		return len(line) >= 11 && line[7] == ' ' && isDigit(line[8]) && isDigit(line[9]) && isDigit(line[10])
	}
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return false
	}
	for _, c := range line[:sp] {
		if !(c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return bytes.HasSuffix(line, []byte(" SIP/2.0"))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// sipMessageSize returns the size of the SIP message at the start of b
// (header block plus Content-Length body, RFC 3261 §18.3) once its header
// block is complete, or ok=false while it is not. Like the other framings'
// size functions it does not check that the body has arrived. bad is set when b cannot be SIP framing: no end
// of headers within maxSIPHeader, or an unusable Content-Length.
func sipMessageSize(b []byte) (n int, ok, bad bool) {
	hdrEnd, sepLen := headerEnd(b)
	if hdrEnd < 0 {
		return 0, false, len(b) > maxSIPHeader
	}
	clen, found, valid := contentLength(b[:hdrEnd])
	if !valid {
		return 0, false, true
	}
	if !found {
		clen = 0 // mandatory on streams; treat its absence as an empty body
	}
	return hdrEnd + sepLen + clen, true, false
}

// headerEnd finds the empty line ending the header block: CRLFCRLF, or
// LFLF from sloppy implementations.
func headerEnd(b []byte) (int, int) {
	if len(b) > maxSIPHeader+4 {
		b = b[:maxSIPHeader+4]
	}
	if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
		if j := bytes.Index(b[:i], []byte("\n\n")); j >= 0 {
			return j, 2
		}
		return i, 4
	}
	if j := bytes.Index(b, []byte("\n\n")); j >= 0 {
		return j, 2
	}
	return -1, 0
}

// contentLength finds Content-Length (or its compact form "l") in a header
// block. valid is false when the value is not a number in range.
func contentLength(hdr []byte) (n int, found, valid bool) {
	for len(hdr) > 0 {
		nl := bytes.IndexByte(hdr, '\n')
		line := hdr
		if nl >= 0 {
			line, hdr = hdr[:nl], hdr[nl+1:]
		} else {
			hdr = nil
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		name := bytes.TrimRight(line[:colon], " \t")
		if !(bytes.EqualFold(name, []byte("Content-Length")) || bytes.EqualFold(name, []byte("l"))) {
			continue
		}
		v := bytes.TrimSpace(line[colon+1:])
		if len(v) == 0 || len(v) > 9 {
			return 0, true, false
		}
		n = 0
		for _, c := range v {
			if !isDigit(c) {
				return 0, true, false
			}
			n = n*10 + int(c-'0')
		}
		if n > maxSIPBody {
			return 0, true, false
		}
		return n, true, true
	}
	return 0, false, true
}

// sipResync returns the offset of the next line in b that starts a SIP
// message, or -1. Used after a gap in a stream or a framing error.
func sipResync(b []byte) int {
	for i := 0; i < len(b); {
		nl := bytes.IndexByte(b[i:], '\n')
		if nl < 0 {
			return -1
		}
		i += nl + 1
		if looksLikeSIP(b[i:]) {
			return i
		}
	}
	return -1
}
