package redact

// URI rewriting: Text rewrites the user and host of every sip:, sips: and
// tel: URI it finds (RFC 3261 §19.1, RFC 3966), learned or not, so that a
// saved report with no capture to learn from is still redacted.

// uriSchemes are the schemes Text recognises, lower case, with the colon.
var uriSchemes = []string{"sip:", "sips:", "tel:"}

// rewriteURI rewrites a URI at b[i:] and returns the length of the part
// it consumed (the scheme, user and host), or 0.
func (r *Redactor) rewriteURI(b []byte, i int) int {
	scheme := ""
	for _, s := range uriSchemes {
		if hasPrefixFold(b[i:], s) {
			scheme = s
			break
		}
	}
	if scheme == "" {
		return 0
	}
	j := i + len(scheme)
	if scheme == "tel:" {
		return len(scheme) + r.rewriteUser(b, j, telEnd(b, j))
	}
	at := userEnd(b, j)
	if at < len(b) && b[at] == '@' && at > j {
		r.rewriteUser(b, j, at)
		j = at + 1
	}
	return j - i + r.rewriteHost(b, j)
}

func hasPrefixFold(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for k := 0; k < len(p); k++ {
		if lower(b[k]) != p[k] {
			return false
		}
	}
	return true
}

// userEnd returns the index of the '@' ending the userinfo at b[j:], or
// of the first byte that cannot be part of it.
func userEnd(b []byte, j int) int {
	for j < len(b) && isUserByte(b[j]) {
		j++
	}
	return j
}

// isUserByte reports the bytes of a SIP userinfo (RFC 3261 §25.1: user
// unreserved, escaped and password characters), without '@'.
func isUserByte(c byte) bool {
	if isWordByte(c) {
		return true
	}
	switch c {
	case '-', '_', '.', '!', '~', '*', '\'', '(', ')', '%', '&', '=', '+', '$', ',', ';', '?', '/', ':':
		return true
	}
	return false
}

// telEnd returns the end of a telephone-subscriber at b[j:]: digits,
// visual separators and '+'.
func telEnd(b []byte, j int) int {
	for j < len(b) && (isHex(b[j]) || b[j] == '+' || b[j] == '-' || b[j] == '.' || b[j] == '(' || b[j] == ')' || b[j] == '*' || b[j] == '#') {
		j++
	}
	return j
}

// rewriteUser replaces b[j:end] (a user part, possibly "user:password")
// by its KindUser pseudonym and returns its length.
func (r *Redactor) rewriteUser(b []byte, j, end int) int {
	if end <= j {
		return 0
	}
	u := string(b[j:end])
	if isIPLiteral(u) {
		r.Bytes(b[j:end])
		return end - j
	}
	if !isVocabulary(u) {
		copy(b[j:end], r.pseudoNoLearn(KindUser, u))
	}
	return end - j
}

// rewriteHost rewrites the host name or IP literal at b[j:] and returns
// its length.
func (r *Redactor) rewriteHost(b []byte, j int) int {
	if j < len(b) && b[j] == '[' {
		return 0 // the IPv6 literal inside is rewritten by the scan
	}
	if j < len(b) && (isHex(b[j]) || b[j] == ':') {
		if n := r.rewrite6(b, j); n > 0 {
			return n
		}
		if n := r.rewriteIP(b, j); n > 0 {
			return n
		}
	}
	end := j
	for end < len(b) && (isWordByte(b[end]) || b[end] == '-' || b[end] == '.') {
		end++
	}
	for end > j && b[end-1] == '.' {
		end--
	}
	h := string(b[j:end])
	if len(h) == 0 || isVocabulary(h) || isIPLiteral(h) {
		return 0
	}
	copy(b[j:end], r.pseudoNoLearn(KindHost, h))
	return end - j
}

// pseudoNoLearn returns the pseudonym of s: the learned one, or one
// derived now (and learned, so that later text agrees).
func (r *Redactor) pseudoNoLearn(k Kind, s string) string {
	if len(s) < minIdent {
		return string(r.shape([]byte(s), "short", false))
	}
	if !learnable(s, k) {
		if isVocabulary(s) {
			return s
		}
		return applyCase(r.pseudonym(k, lowerString(s), 0), s, true)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.learnLocked(k, s)
}

func lowerString(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] = lower(b[i])
	}
	return string(b)
}
