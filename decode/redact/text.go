package redact

import (
	"net/netip"
)

// Text rewrites every IP literal (v4, v6 incl. bracketed and with port),
// every SIP or tel URI and every learned identifier in s by its
// pseudonym; the result has the same length in bytes as s.
func (r *Redactor) Text(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	r.Bytes(b)
	return string(b)
}

// Bytes is Text for a byte slice, in place (same length).
func (r *Redactor) Bytes(b []byte) {
	for i := 0; i < len(b); {
		if n := r.rewriteAt(b, i); n > 0 {
			i += n
			continue
		}
		i++
	}
}

// rewriteAt rewrites the literal, URI or identifier that starts at b[i]
// and returns its length, or 0 when nothing starts there.
func (r *Redactor) rewriteAt(b []byte, i int) int {
	c := b[i]
	if !wordStart(b, i) {
		return 0
	}
	if isHex(c) || c == ':' {
		if n := r.rewriteIP(b, i); n > 0 {
			return n
		}
	}
	if n := r.rewriteURI(b, i); n > 0 {
		return n
	}
	return r.rewriteIdent(b, i)
}

// branchCookie starts every RFC 3261 branch (§8.1.1.7); the value after
// it is learned without it.
const branchCookie = "z9hG4bK"

// wordStart reports whether a token may start at b[i]: at the start of
// the text, after a byte that is no letter or digit, after the branch
// cookie that starts a word, or after a %-escape (RFC 3986 §2.1: an
// escaped '@' or ':' in the headers of a URI, "%40192.0.2.1").
func wordStart(b []byte, i int) bool {
	if i == 0 || !isWordByte(b[i-1]) {
		return true
	}
	if i >= 3 && b[i-3] == '%' && isHex(b[i-2]) && isHex(b[i-1]) {
		return true
	}
	k := i - len(branchCookie)
	return k >= 0 && string(b[k:i]) == branchCookie && (k == 0 || !isWordByte(b[k-1]))
}

// isWordByte reports letters and digits: a token never starts or ends
// next to one.
func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// rewriteIP rewrites an IPv4 or IPv6 literal at b[i]; a literal must not
// follow a '.', nor an IPv6 one a ':' (it would be part of a longer dotted
// or colon run).
func (r *Redactor) rewriteIP(b []byte, i int) int {
	if i > 0 && b[i-1] == '.' {
		return 0
	}
	if i == 0 || b[i-1] != ':' {
		if n := r.rewrite6(b, i); n > 0 {
			return n
		}
	}
	if isDigit(b[i]) {
		return r.rewrite4(b, i)
	}
	return 0
}

// scan4 reads a dotted quad at b[i:]: four decimal octets of one to three
// digits (leading zeros allowed) not followed by a digit or by a dot and a
// digit. It returns the octets, each one's width and the length.
func scan4(b []byte, i int) (a [4]byte, w [4]int, n int, ok bool) {
	j := i
	for k := 0; k < 4; k++ {
		if k > 0 {
			if j >= len(b) || b[j] != '.' {
				return a, w, 0, false
			}
			j++
		}
		v, start := 0, j
		for j < len(b) && isDigit(b[j]) && j-start < 3 {
			v = v*10 + int(b[j]-'0')
			j++
		}
		if j == start || v > 255 {
			return a, w, 0, false
		}
		a[k], w[k] = byte(v), j-start
	}
	if j < len(b) && (isWordByte(b[j]) || b[j] == '.' && j+1 < len(b) && isDigit(b[j+1])) {
		return a, w, 0, false
	}
	return a, w, j - i, true
}

// rewrite4 rewrites a dotted quad at b[i:], keeping each octet's width.
func (r *Redactor) rewrite4(b []byte, i int) int {
	a, w, n, ok := scan4(b, i)
	if !ok {
		return 0
	}
	p := r.Addr(netip.AddrFrom4(a)).As4()
	put4(b[i:i+n], p, w)
	return n
}

// put4 writes a dotted quad with the given octet widths (zero-padded).
func put4(dst []byte, a [4]byte, w [4]int) {
	j := 0
	for k := 0; k < 4; k++ {
		if k > 0 {
			dst[j] = '.'
			j++
		}
		putDec(dst[j:j+w[k]], int(a[k]))
		j += w[k]
	}
}

// putDec writes v right-aligned and zero-padded into dst.
func putDec(dst []byte, v int) {
	for k := len(dst) - 1; k >= 0; k-- {
		dst[k] = byte('0' + v%10)
		v /= 10
	}
}
