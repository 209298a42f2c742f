package sipflow

import (
	"strconv"
	"strings"
)

// Diagnostic is one ms-diagnostics, ms-diagnostics-public or
// ms-client-diagnostics header (MS-OCER §2.2.1.1, §2.2.1.2; MS-REFERENCE
// §3.1, §3.2): "<code>[.<subcode>];reason="...";source="...";<name>=<value>".
// Params holds every parameter in order, reason and source included.
// Known is the meaning from the code tables, Uncertain marks an
// unconfirmed table entry, Component the server component owning the code
// range. MediaDebug holds the media-debug key/values of client diagnostics.
type Diagnostic struct {
	Header        string
	Code, SubCode int
	Reason        string
	Source        string
	Params        []Param
	Known         string
	Uncertain     bool
	Component     string
	MediaDebug    []MediaDebug
}

// Param returns the value of the named parameter, case-insensitively.
func (d Diagnostic) Param(name string) string { return paramValue(d.Params, name) }

// IsClient reports whether the diagnostic was sent by an endpoint
// (ms-client-diagnostics) rather than a server.
func (d Diagnostic) IsClient() bool { return strings.EqualFold(d.Header, "ms-client-diagnostics") }

// diagnosticHeaders are the header names Diagnostics reads.
var diagnosticHeaders = []string{"ms-diagnostics", "ms-diagnostics-public", "ms-client-diagnostics"}

// ParseDiagnostic parses the value of a diagnostics header; header is its
// name and selects the code table. Spaces after ":" and ";" vary in the
// field and are accepted; a parameter that cannot be read ends the list
// with ErrDiagnostic while the fields read so far are returned.
func ParseDiagnostic(header, value string) (Diagnostic, error) {
	d := Diagnostic{Header: CanonicalName(header)}
	parts, err := splitList(strings.TrimSpace(value), ';')
	if len(parts) == 0 || !parseCode(&d, parts[0]) {
		return d, &ParseError{Field: d.Header, Err: ErrDiagnostic}
	}
	for _, p := range parts[1:] {
		if strings.TrimSpace(p) == "" {
			continue
		}
		param, perr := parseParam(p)
		if perr != nil {
			err = perr
			break
		}
		d.Params = append(d.Params, param)
	}
	d.Reason, d.Source = d.Param("reason"), d.Param("source")
	d.lookup()
	d.MediaDebug = parseMediaDebugParams(d.Params)
	if err != nil {
		return d, &ParseError{Field: d.Header, Err: ErrDiagnostic}
	}
	return d, nil
}

func parseCode(d *Diagnostic, s string) bool {
	code, sub, hasSub := strings.Cut(strings.TrimSpace(s), ".")
	n, err := strconv.Atoi(code)
	if err != nil || n < 0 {
		return false
	}
	d.Code = n
	if hasSub {
		if d.SubCode, err = strconv.Atoi(sub); err != nil {
			return false
		}
	}
	return true
}

func (d *Diagnostic) lookup() {
	var info CodeInfo
	var ok bool
	if d.IsClient() {
		info, ok = LookupClientCode(d.Code)
	} else {
		info, ok = LookupServerCode(d.Code)
		d.Component = ServerComponent(d.Code)
	}
	if ok {
		d.Known, d.Uncertain = info.Text, info.Uncertain
	}
}

// Diagnostics returns every diagnostics header of the message in order.
// Headers whose code cannot be read are skipped; partly readable ones are
// kept.
func (m *Message) Diagnostics() []Diagnostic {
	var out []Diagnostic
	for _, h := range m.Headers {
		if !isDiagnosticHeader(h.Name) {
			continue
		}
		d, err := ParseDiagnostic(h.Name, h.Value)
		if err != nil && d.Code == 0 && len(d.Params) == 0 {
			continue
		}
		out = append(out, d)
	}
	return out
}

func isDiagnosticHeader(name string) bool {
	for _, n := range diagnosticHeaders {
		if strings.EqualFold(name, n) {
			return true
		}
	}
	return false
}
