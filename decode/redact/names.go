package redact

import (
	"strconv"
	"strings"
)

// pseudonym derives the pseudonym of a learned identifier (lower-cased
// for the folded kinds); n > 0 asks for another one after a collision.
func (r *Redactor) pseudonym(k Kind, s string, n int) string {
	domain := "ident" + strconv.Itoa(int(k)) + "/" + strconv.Itoa(n)
	switch k {
	case KindHost:
		return r.hostPseudonym(s, n)
	case KindToken:
		return string(r.secretText([]byte(s), domain))
	}
	return string(r.shape([]byte(s), domain, true))
}

// shape maps each letter to a keyed letter of the same case and each
// digit to a keyed digit, keeping every other byte; with printable set,
// bytes outside printable ASCII become letters (a display name in UTF-8
// stays printable and keeps its length in bytes).
func (r *Redactor) shape(s []byte, domain string, printable bool) []byte {
	rnd := r.stream(domain, s, len(s))
	out := make([]byte, len(s))
	for i, c := range s {
		out[i] = shapeByte(c, rnd[i], printable)
	}
	return out
}

func shapeByte(c, rnd byte, printable bool) byte {
	switch {
	case c >= 'a' && c <= 'z':
		return 'a' + rnd%26
	case c >= 'A' && c <= 'Z':
		return 'A' + rnd%26
	case isDigit(c):
		return '0' + rnd%10
	case printable && (c < 0x20 || c >= 0x7F):
		return 'a' + rnd%26
	}
	return c
}

// secretText maps a textual secret: hex stays hex of the same case,
// anything else keeps its letters, digits and punctuation classes (base64
// stays base64, a token stays a token).
func (r *Redactor) secretText(s []byte, domain string) []byte {
	rnd := r.stream(domain, s, len(s))
	out := make([]byte, len(s))
	hex := isHexString(s)
	for i, c := range s {
		switch {
		case hex && c >= 'a' && c <= 'f':
			out[i] = "0123456789abcdef"[rnd[i]%16]
		case hex && c >= 'A' && c <= 'F', hex && isDigit(c) && upperHex(s):
			out[i] = "0123456789ABCDEF"[rnd[i]%16]
		case hex && isDigit(c):
			out[i] = "0123456789abcdef"[rnd[i]%16]
		default:
			out[i] = shapeByte(c, rnd[i], false)
		}
	}
	return out
}

// isHexString reports text of hex digits (with ':' or '-' separators, as
// in fingerprints and GUIDs) that has at least one digit.
func isHexString(s []byte) bool {
	digits := 0
	for _, c := range s {
		switch {
		case isHex(c):
			digits++
		case c == ':' || c == '-':
		default:
			return false
		}
	}
	return digits > 0
}

func upperHex(s []byte) bool {
	for _, c := range s {
		if c >= 'A' && c <= 'F' {
			return true
		}
	}
	return false
}

// Secret returns a same-length pseudonym for an opaque secret (nonce,
// MESSAGE-INTEGRITY, token). Printable text keeps its character classes
// (hex stays hex, base64 stays base64); binary values become keyed random
// bytes. The same secret always gets the same pseudonym.
func (r *Redactor) Secret(b []byte) []byte {
	if len(b) == 0 {
		return []byte{}
	}
	if isPrintable(b) {
		return r.secretText(b, "ident"+strconv.Itoa(int(KindToken))+"/0")
	}
	return r.stream("secret", b, len(b))
}

func isPrintable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7F {
			return false
		}
	}
	return true
}

// publicSuffixes are the top-level and second-level suffixes a host
// pseudonym keeps: the generic TLDs and the country codes a support
// ticket is likely to show. Anything else is mapped like any label.
var publicSuffixes = map[string]bool{
	"com": true, "net": true, "org": true, "edu": true, "gov": true, "mil": true, "int": true,
	"info": true, "biz": true, "io": true, "eu": true, "us": true, "uk": true, "de": true,
	"fr": true, "nl": true, "ch": true, "at": true, "be": true, "it": true, "es": true,
	"se": true, "no": true, "dk": true, "fi": true, "pl": true, "cz": true, "ca": true,
	"au": true, "nz": true, "jp": true, "cn": true, "in": true, "br": true, "ru": true,
	"local": true, "lan": true, "corp": true, "internal": true, "invalid": true, "example": true,
	"test": true, "localdomain": true, "arpa": true,
}

// secondLevel are labels kept in front of a two-letter country code
// (co.uk, com.au, ac.jp, ...).
var secondLevel = map[string]bool{"co": true, "com": true, "org": true, "net": true, "ac": true, "gov": true, "edu": true, "ne": true, "or": true}

// hostWords are labels that name a role, not a company, and are kept so
// that a redacted host stays readable (sip.<x>.com, lyncdiscover.<x>.com).
var hostWords = map[string]bool{
	"sip": true, "sipfed": true, "sipinternal": true, "sipexternal": true, "lyncdiscover": true,
	"lyncdiscoverinternal": true, "edge": true, "av": true, "webconf": true, "meet": true,
	"dialin": true, "pool": true, "www": true, "turn": true, "stun": true, "online": true,
	"lync": true, "skype": true, "teams": true, "microsoft": true, "office365": true,
	"lync2013": true, "fe": true, "access": true, "proxy": true, "relay": true, "media": true,
}

// hostPseudonym maps each label of a host name, keeping the public suffix
// and the role words; the label left of the suffix (the registered name)
// starts with "anon" when it has at least eight characters, so a reader
// sees that the name is a pseudonym.
func (r *Redactor) hostPseudonym(s string, n int) string {
	labels := strings.Split(s, ".")
	keep := suffixLabels(labels)
	out := make([]string, len(labels))
	for i, l := range labels {
		switch {
		case i >= len(labels)-keep, hostWords[l] && i < len(labels)-keep-1, l == "":
			out[i] = l
		default:
			out[i] = string(r.shape([]byte(l), "label/"+strconv.Itoa(n), false))
			if i == len(labels)-keep-1 && len(l) >= 8 && keep > 0 {
				out[i] = "anon" + out[i][4:]
			}
		}
	}
	return strings.Join(out, ".")
}

// suffixLabels returns how many trailing labels are a public suffix.
func suffixLabels(labels []string) int {
	n := len(labels)
	if n < 2 || !publicSuffixes[labels[n-1]] {
		return 0
	}
	if n >= 3 && len(labels[n-1]) == 2 && secondLevel[labels[n-2]] {
		return 2
	}
	return 1
}

// FileName returns the pseudonym of an input file name or path: the
// directories and the base name are mapped like display names, the
// extensions (".pcap", ".pcapng.gz", ...), "." and ".." are kept, so a
// name that held a customer's name no longer does and the format is
// still visible.
func (r *Redactor) FileName(name string) string {
	if name == "" {
		return name
	}
	parts := strings.Split(name, "/")
	for i, p := range parts {
		if p == "" || p == "." || p == ".." {
			continue
		}
		base, ext := splitExt(p)
		parts[i] = string(r.shape([]byte(base), "file", true)) + ext
	}
	return strings.Join(parts, "/")
}

// splitExt splits the trailing extensions of a file name: each dot-suffix
// of at most seven letters and digits.
func splitExt(p string) (string, string) {
	i := len(p)
	for {
		j := strings.LastIndexByte(p[:i], '.')
		if j <= 0 || i-j-1 == 0 || i-j-1 > 7 || !hasLetterOrDigit(p[j+1:i]) || strings.ContainsAny(p[j+1:i], " -_") {
			return p[:i], p[i:]
		}
		i = j
	}
}
