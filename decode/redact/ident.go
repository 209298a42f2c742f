package redact

import (
	"sort"
	"strings"
)

// Kind is the kind of a learned identifier; it decides the shape of the
// pseudonym (docs/redaction.md).
type Kind uint8

// Identifier kinds.
const (
	// KindUser is the user part of a SIP URI (RFC 3261 §19.1.1), a TURN
	// or STUN USERNAME part, an SDP o= user name: letters stay letters,
	// digits digits, the rest is kept.
	KindUser Kind = iota + 1
	// KindHost is a host or domain name (RFC 1123 §2.1): same labels and
	// label lengths, the public suffix (com, net, co.uk, ...) kept.
	KindHost
	// KindDisplay is a display name (RFC 3261 §25.1 display-name):
	// printable ASCII of the same length.
	KindDisplay
	// KindToken is an opaque value: Call-ID, tag, branch, ice-ufrag,
	// ice-pwd, nonce, realm, authentication data, SDP keys. Hex stays hex
	// of the same case, base64 stays base64, matched case-sensitively.
	KindToken
)

// minIdent is the shortest identifier Learn keeps: shorter ones would
// match too much text.
const minIdent = 3

// minDigits is the shortest all-digit identifier Learn keeps: shorter
// numbers are ports, status codes and counts.
const minDigits = 6

// maxRetries bounds the search for an unused pseudonym; an identifier
// with very few possible shapes ("a-b") may share its pseudonym with
// another one after that.
const maxRetries = 32

// identEntry is one learned identifier.
type identEntry struct {
	orig, pseudo string
	fold         bool // matched case-insensitively, case pattern copied
}

// identTable holds the learned identifiers, indexed by the lower-cased
// first minIdent bytes, longest first.
type identTable struct {
	byKey  map[string]*identEntry // by lower-cased (fold) or exact original
	index  map[string][]*identEntry
	pseudo map[string]string // pseudonym -> original, to keep the map injective
}

func (t *identTable) init() {
	t.byKey, t.index, t.pseudo = map[string]*identEntry{}, map[string][]*identEntry{}, map[string]string{}
}

// learnable reports whether s may be learned as an identifier of kind k.
func learnable(s string, k Kind) bool {
	if len(s) < minIdent || len(s) > 1024 {
		return false
	}
	if allDigits(s) && (len(s) < minDigits || k == KindHost) {
		return false
	}
	if isVocabulary(s) {
		return false
	}
	if k != KindToken && !hasLetterOrDigit(s) {
		return false
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// hasLetterOrDigit reports an ASCII letter or digit or a non-ASCII
// (UTF-8) byte.
func hasLetterOrDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isWordByte(s[i]) || s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// LearnString learns one identifier of kind k, so that Text replaces it
// wherever it appears as a whole word. Identifiers shorter than three
// bytes, numbers shorter than six digits, IP literals and protocol
// vocabulary are ignored; so is the punctuation around s. It returns s
// with the learned part replaced by its pseudonym (s itself when nothing
// was learned).
func (r *Redactor) LearnString(k Kind, s string) string {
	core := trimToWord(s)
	if !learnable(core, k) || isIPLiteral(core) {
		return s
	}
	r.mu.Lock()
	p := r.learnLocked(k, core)
	r.mu.Unlock()
	i := strings.Index(s, core)
	return s[:i] + p + s[i+len(core):]
}

func (r *Redactor) learnLocked(k Kind, s string) string {
	t := &r.idents
	fold := k != KindToken
	key := s
	if fold {
		key = lowerString(s)
	}
	if e, ok := t.byKey[key]; ok {
		return applyCase(e.pseudo, s, e.fold)
	}
	p := r.pseudonym(k, key, 0)
	for n := 1; n <= maxRetries; n++ {
		if o, taken := t.pseudo[p]; !taken || o == key {
			break
		}
		p = r.pseudonym(k, key, n)
	}
	e := &identEntry{orig: key, pseudo: p, fold: fold}
	t.byKey[key] = e
	t.pseudo[p] = key
	ik := lowerString(key[:minIdent])
	list := append(append([]*identEntry(nil), t.index[ik]...), e)
	sort.SliceStable(list, func(i, j int) bool { return len(list[i].orig) > len(list[j].orig) })
	t.index[ik] = list
	return applyCase(p, s, fold)
}

// trimToWord trims the bytes around s that are neither letters, digits
// nor UTF-8: Text matches identifiers between word boundaries, so an
// identifier starts and ends with a letter or digit.
func trimToWord(s string) string {
	edge := func(c byte) bool { return isWordByte(c) || c >= 0x80 }
	for len(s) > 0 && !edge(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && !edge(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// applyCase copies the letter case of model onto the letters of p.
func applyCase(p, model string, fold bool) string {
	if !fold || len(p) != len(model) {
		return p
	}
	b := []byte(p)
	for i := range b {
		c := model[i]
		switch {
		case c >= 'A' && c <= 'Z' && b[i] >= 'a' && b[i] <= 'z':
			b[i] -= 'a' - 'A'
		case c >= 'a' && c <= 'z' && b[i] >= 'A' && b[i] <= 'Z':
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}

// rewriteIdent replaces the longest learned identifier at b[i:] that ends
// at a word boundary.
func (r *Redactor) rewriteIdent(b []byte, i int) int {
	if len(b)-i < minIdent {
		return 0
	}
	var k [minIdent]byte
	for j := range k {
		k[j] = lower(b[i+j])
	}
	r.mu.Lock()
	list := r.idents.index[string(k[:])]
	r.mu.Unlock()
	for _, e := range list {
		n := len(e.orig)
		if i+n > len(b) || i+n < len(b) && isWordByte(b[i+n]) && isWordByte(b[i+n-1]) {
			continue
		}
		m := b[i : i+n]
		if e.fold && lowerString(string(m)) != e.orig || !e.fold && string(m) != e.orig {
			continue
		}
		copy(m, applyCase(e.pseudo, string(m), e.fold))
		return n
	}
	return 0
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
