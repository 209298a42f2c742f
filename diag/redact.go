package diag

import (
	"net/netip"
	"reflect"
	"strings"

	"github.com/icediag/icediag/decode/redact"
)

// Redact rewrites every string of r that came from the capture by its
// pseudonym (docs/redaction.md): addresses, Call-IDs, URIs, users, display
// names, hosts, ICE credentials, finding texts and evidence, ladder
// labels, diagnostics text and the input file names (extension kept).
// Finding ids, severities and the schema are kept, so are ports, times
// and counts.
//
// It first learns what the report itself names (LearnReport), then walks
// every field by reflection: each string goes through rd.Text, each
// netip.Addr, netip.AddrPort and netip.Prefix through rd.Addr, map keys
// included. A field added to Report later is redacted without a change
// here.
func Redact(r *Report, rd *redact.Redactor) {
	if r == nil || rd == nil {
		return
	}
	LearnReport(r, rd)
	files := fileNames(r, rd)
	w := redactWalker{rd: rd, files: files}
	w.walk(reflect.ValueOf(r).Elem())
}

// keptFields are the fields whose values are icediag's own vocabulary
// and must survive redaction unchanged: finding ids and severities, the
// schema version, and the ids icediag gives sessions and allocations.
var keptFields = map[string]bool{"ID": true, "Severity": true, "Schema": true}

// redactWalker rewrites the strings and addresses of a value in place.
type redactWalker struct {
	rd    *redact.Redactor
	files *strings.Replacer
}

var (
	addrType     = reflect.TypeOf(netip.Addr{})
	addrPortType = reflect.TypeOf(netip.AddrPort{})
	prefixType   = reflect.TypeOf(netip.Prefix{})
)

func (w redactWalker) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(w.text(v.String()))
		}
	case reflect.Struct:
		w.walkStruct(v)
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			w.walkElem(v)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			w.walk(v.Index(i))
		}
	case reflect.Map:
		w.walkMap(v)
	}
}

// walkElem redacts what a pointer or interface holds.
func (w redactWalker) walkElem(v reflect.Value) {
	if v.Kind() == reflect.Pointer {
		w.walk(v.Elem())
		return
	}
	c := reflect.New(v.Elem().Type()).Elem() // interface contents are not settable: copy
	c.Set(v.Elem())
	w.walk(c)
	if v.CanSet() {
		v.Set(c)
	}
}

func (w redactWalker) walkStruct(v reflect.Value) {
	switch v.Type() {
	case addrType:
		w.set(v, reflect.ValueOf(w.rd.Addr(v.Interface().(netip.Addr))))
		return
	case addrPortType:
		w.set(v, reflect.ValueOf(w.rd.AddrPort(v.Interface().(netip.AddrPort))))
		return
	case prefixType:
		w.set(v, reflect.ValueOf(w.rd.Prefix(v.Interface().(netip.Prefix))))
		return
	}
	t := v.Type()
	for i := 0; i < v.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || keptFields[f.Name] {
			continue
		}
		w.walk(v.Field(i))
	}
}

func (w redactWalker) set(v, x reflect.Value) {
	if v.CanSet() {
		v.Set(x)
	}
}

// walkMap rebuilds a map with redacted keys and values.
func (w redactWalker) walkMap(v reflect.Value) {
	if v.IsNil() || !v.CanSet() {
		return
	}
	out := reflect.MakeMapWithSize(v.Type(), v.Len())
	it := v.MapRange()
	for it.Next() {
		k := reflect.New(v.Type().Key()).Elem()
		k.Set(it.Key())
		w.walk(k)
		e := reflect.New(v.Type().Elem()).Elem()
		e.Set(it.Value())
		w.walk(e)
		out.SetMapIndex(k, e)
	}
	v.Set(out)
}

// text redacts one string: input file names first, then rd.Text.
func (w redactWalker) text(s string) string {
	if w.files != nil {
		s = w.files.Replace(s)
	}
	return w.rd.Text(s)
}

// fileNames returns a replacer of every input file name (as the report
// names it, path or base name) by its pseudonym.
func fileNames(r *Report, rd *redact.Redactor) *strings.Replacer {
	var pairs []string
	seen := map[string]bool{}
	add := func(n string) {
		if len(n) >= 3 && !seen[n] {
			seen[n] = true
			pairs = append(pairs, n, rd.FileName(n))
		}
	}
	for _, f := range r.Capture.Files {
		add(f.Name)
		if i := strings.LastIndexByte(f.Name, '/'); i >= 0 {
			add(f.Name[i+1:])
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	return strings.NewReplacer(pairs...)
}

// LearnReport teaches rd the identifiers a report names in its own
// structured fields: Call-IDs, the parties' URIs and display names, ICE
// ufrags. `icediag render --redact` has no capture to learn from; these
// and every IP literal and SIP URI are what it redacts.
func LearnReport(r *Report, rd *redact.Redactor) {
	for _, c := range r.Calls {
		learnCallID(rd, c.CallID)
		learnParty(rd, c.From)
		learnParty(rd, c.To)
	}
	for id := range r.Timeline.SIP {
		learnCallID(rd, id)
	}
	for _, f := range r.Findings {
		learnCallID(rd, f.CallID)
	}
	for _, s := range r.Sessions {
		rd.LearnString(redact.KindToken, s.Ufrag[0])
		rd.LearnString(redact.KindToken, s.Ufrag[1])
	}
	for _, d := range r.Timeline.ICE {
		learnCallID(rd, d.CallID)
		rd.LearnString(redact.KindToken, d.Sides[0].Ufrag)
		rd.LearnString(redact.KindToken, d.Sides[1].Ufrag)
	}
}

func learnCallID(rd *redact.Redactor, id string) {
	if id == "" {
		return
	}
	rd.LearnHeader("Call-ID", id)
}

// learnParty learns a party as partyName writes it: "\"Display\" <uri>"
// or the bare URI.
func learnParty(rd *redact.Redactor, p string) {
	if p == "" || p == "(unknown)" {
		return
	}
	rd.LearnHeader("From", p)
}
