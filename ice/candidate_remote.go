package ice

import (
	"net/netip"
	"strconv"
	"strings"
)

// RemoteCandidate is one entry of an a=remote-candidates attribute
// (RFC 8839 §5.2): the candidate the controlling agent selected for a
// component. Lync sends it in the re-INVITE that ends ICE (MS-REFERENCE
// §2.5), so it names the selected pair without inspecting checks.
type RemoteCandidate struct {
	Component int
	Addr      netip.Addr // invalid when Host is set
	Host      string     // an address that did not parse, kept as text
	Port      uint16
}

// AddrPort returns the entry's transport address (invalid for a Host).
func (r RemoteCandidate) AddrPort() netip.AddrPort {
	if !r.Addr.IsValid() {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(r.Addr, r.Port)
}

// Field names of one remote-candidates triple.
var remoteFieldNames = [...]string{"component", "connection-address", "port"}

// ParseRemoteCandidates decodes an a=remote-candidates value (RFC 8839
// §5.2: component-ID connection-address port, repeated), with or without
// the "a=remote-candidates:" prefix, e.g. "1 192.0.2.1 5000 2 192.0.2.1
// 5001". Errors are *CandidateError values whose Field is the token index.
func ParseRemoteCandidates(value string) ([]RemoteCandidate, error) {
	v := strings.TrimSpace(value)
	v = strings.TrimPrefix(v, "a=")
	v = strings.TrimPrefix(v, "remote-candidates:")
	f := strings.Fields(v)
	if len(f) == 0 {
		return nil, &CandidateError{Name: remoteFieldNames[0], Err: ErrMissingField}
	}
	out := make([]RemoteCandidate, 0, len(f)/3)
	for i := 0; i < len(f); i += 3 {
		r, err := parseRemoteTriple(f, i)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// parseRemoteTriple decodes the triple starting at f[i].
func parseRemoteTriple(f []string, i int) (RemoteCandidate, error) {
	var r RemoteCandidate
	for k := range 3 {
		if i+k >= len(f) {
			return r, fieldErr(f, i+k, remoteFieldNames[k], ErrMissingField)
		}
	}
	var err error
	if r.Component, err = parseComponent(f, i, remoteFieldNames[0]); err != nil {
		return r, err
	}
	if a, err := netip.ParseAddr(f[i+1]); err == nil {
		r.Addr = a
	} else {
		r.Host = f[i+1]
	}
	p, err := strconv.ParseUint(f[i+2], 10, 16)
	if err != nil {
		return r, fieldErr(f, i+2, remoteFieldNames[2], ErrBadNumber)
	}
	r.Port = uint16(p)
	return r, nil
}
