package ice

import (
	"bytes"
	"encoding/base64"
	"strconv"
)

// Username is the USERNAME attribute of an ICE connectivity check
// (MS-REFERENCE §2.4). Remote is the ufrag of the agent that receives the
// Binding request and Local that of the agent that sends it (RFC 8445
// §7.2.2: "RFRAG:LFRAG", seen from the sender).
type Username struct {
	// Remote and Local are the ufrags as they appear in SDP. For MS-ICE v1
	// (Form FormDraft6) the wire carries base64-decoded bytes, re-encoded
	// here without padding as draft-06 SDP lines write them.
	Remote, Local string
	// Form is FormRFC5245 for "remote:local", FormMSICE2 when the value
	// itself carried the NUL padding MS-ICE2 stacks append, FormDraft6 for
	// MS-ICE v1 "remote:comp:local:comp".
	Form Form
	// RemoteComponent and LocalComponent are set for MS-ICE v1 only.
	RemoteComponent, LocalComponent int
}

// ParseUsername decodes a connectivity-check USERNAME value. It accepts
// "remote:local" (RFC 8445 §7.2.2, MS-ICE2 with trailing NUL padding
// trimmed) and the MS-ICE v1 form "remote:comp:local:comp" with binary
// (base64-decoded) ufrags and NUL padding (MS-REFERENCE §2.4). It reports
// false for anything else, such as TURN long-term usernames without a
// colon. The result holds copies; it does not alias b.
func ParseUsername(b []byte) (Username, bool) {
	v := bytes.TrimRight(b, "\x00")
	padded := len(v) != len(b)
	if u, ok := parseRFCUsername(v); ok {
		if padded {
			u.Form = FormMSICE2
		}
		return u, true
	}
	return parseV1Username(v)
}

// parseRFCUsername decodes "remote:local" made of printable, non-space
// ASCII other than ':' on both sides.
func parseRFCUsername(v []byte) (Username, bool) {
	i := bytes.IndexByte(v, ':')
	if i <= 0 || i == len(v)-1 {
		return Username{}, false
	}
	r, l := v[:i], v[i+1:]
	if !printableToken(r) || !printableToken(l) {
		return Username{}, false
	}
	return Username{Remote: string(r), Local: string(l), Form: FormRFC5245}, true
}

// printableToken reports whether b is visible ASCII without ':'.
func printableToken(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7F || c == ':' {
			return false
		}
	}
	return true
}

// parseV1Username decodes MS-ICE v1 "R:c:L:c" where R and L are binary.
// The last ":digits" is the local component; the split between R and L is
// the ":digits:" with the same component, preferring equal ufrag lengths
// since the binary ufrags may themselves contain ':' or digits.
func parseV1Username(v []byte) (Username, bool) {
	lc, rest, ok := cutComponent(v)
	if !ok {
		return Username{}, false
	}
	best := -1
	var bestComp, bestEnd int
	for i := 1; i < len(rest); i++ {
		if rest[i] != ':' {
			continue
		}
		n, end, ok := componentAt(rest, i+1)
		if !ok || n != lc || end == len(rest) {
			continue
		}
		if best < 0 || i == len(rest)-end {
			best, bestComp, bestEnd = i, n, end
		}
	}
	if best < 0 {
		return Username{}, false
	}
	enc := base64.RawStdEncoding
	return Username{
		Remote: enc.EncodeToString(rest[:best]), Local: enc.EncodeToString(rest[bestEnd:]),
		Form: FormDraft6, RemoteComponent: bestComp, LocalComponent: lc,
	}, true
}

// cutComponent splits v at its last ':' followed by 1-3 digits to the end.
func cutComponent(v []byte) (int, []byte, bool) {
	i := bytes.LastIndexByte(v, ':')
	if i <= 0 {
		return 0, nil, false
	}
	n, end, ok := componentAt(v, i+1)
	if !ok || end != len(v) {
		return 0, nil, false
	}
	return n, v[:i], true
}

// componentAt reads 1-3 digits at v[i:] followed by ':' or the end of v,
// and returns the number (1-256) and the index after the ':' (or len(v)).
func componentAt(v []byte, i int) (n, end int, ok bool) {
	j := i
	for j < len(v) && j-i < 3 && v[j] >= '0' && v[j] <= '9' {
		j++
	}
	if j == i {
		return 0, 0, false
	}
	n, err := strconv.Atoi(string(v[i:j]))
	if err != nil || n < 1 || n > 256 {
		return 0, 0, false
	}
	if j == len(v) {
		return n, j, true
	}
	if v[j] != ':' {
		return 0, 0, false
	}
	return n, j + 1, true
}
