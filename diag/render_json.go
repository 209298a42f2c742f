package diag

import (
	"bufio"
	"encoding/json"
	"io"
	"reflect"
	"sort"
)

// renderJSON writes r as indented JSON, byte for byte what a json.Encoder
// with a two-space indent writes, but one call, finding, flow or timeline
// entry at a time: the report of a long capture is never held as one
// encoded buffer beside the report itself.
func renderJSON(w io.Writer, r *Report) error {
	jw := &jsonWriter{w: bufio.NewWriterSize(w, 64<<10)}
	jw.raw("{\n")
	jw.field("schema", r.Schema)
	jw.field("capture", r.Capture)
	jw.seqField("calls", r.Calls)
	jw.seqField("findings", r.Findings)
	jw.seqField("relays", r.Relays)
	jw.seqField("stun_servers", r.STUNServers)
	jw.seqField("sessions", r.Sessions)
	jw.seqField("allocations", r.Allocations)
	jw.seqField("flows", r.Flows)
	if len(r.Transactions) > 0 {
		jw.seqField("transactions", r.Transactions)
	}
	jw.name("timeline")
	jw.raw("{\n")
	t := &r.Timeline
	jw.indent, jw.first = "    ", true
	jw.seqField("sip", t.SIP)
	if len(t.SIPTruncated) > 0 {
		jw.seqField("sip_truncated", t.SIPTruncated)
	}
	jw.seqField("ice", t.ICE)
	jw.seqField("allocations", t.Allocations)
	jw.seqField("flows", t.Flows)
	jw.raw("\n  }\n}\n")
	if jw.err != nil {
		return jw.err
	}
	return jw.w.Flush()
}

// jsonWriter writes the members of one object, each at indent.
type jsonWriter struct {
	w      *bufio.Writer
	indent string
	first  bool
	err    error
}

func (jw *jsonWriter) raw(s string) {
	if jw.err == nil {
		_, jw.err = jw.w.WriteString(s)
	}
}

// value writes v marshalled at the given depth prefix.
func (jw *jsonWriter) value(v any, prefix string) {
	b, err := json.MarshalIndent(v, prefix, "  ")
	if err != nil {
		jw.err = err
		return
	}
	if jw.err == nil {
		_, jw.err = jw.w.Write(b)
	}
}

// name starts a member: the separator from the previous one and the key.
func (jw *jsonWriter) name(key string) {
	if jw.indent == "" {
		jw.indent, jw.first = "  ", true
	}
	if !jw.first {
		jw.raw(",\n")
	}
	jw.first = false
	k, _ := json.Marshal(key)
	jw.raw(jw.indent + string(k) + ": ")
}

// field writes one member whole.
func (jw *jsonWriter) field(key string, v any) {
	jw.name(key)
	jw.value(v, jw.indent)
}

// seqField writes a slice element by element, or a map with string keys
// entry by entry.
func (jw *jsonWriter) seqField(key string, v any) {
	jw.name(key)
	rv := reflect.ValueOf(v)
	inner := jw.indent + "  "
	switch rv.Kind() {
	case reflect.Slice:
		switch {
		case rv.IsNil():
			jw.raw("null")
		case rv.Len() == 0:
			jw.raw("[]")
		default:
			jw.raw("[\n")
			for i := range rv.Len() {
				if i > 0 {
					jw.raw(",\n")
				}
				jw.raw(inner)
				jw.value(rv.Index(i).Interface(), inner)
			}
			jw.raw("\n" + jw.indent + "]")
		}
	case reflect.Map:
		switch {
		case rv.Type().Key().Kind() != reflect.String:
			jw.value(v, jw.indent)
		case rv.IsNil():
			jw.raw("null")
		case rv.Len() == 0:
			jw.raw("{}")
		default:
			keys := rv.MapKeys()
			// encoding/json orders string keys by their text
			sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
			jw.raw("{\n")
			for i, k := range keys {
				if i > 0 {
					jw.raw(",\n")
				}
				kb, _ := json.Marshal(k.Interface())
				jw.raw(inner + string(kb) + ": ")
				jw.value(rv.MapIndex(k).Interface(), inner)
			}
			jw.raw("\n" + jw.indent + "}")
		}
	default:
		jw.value(v, jw.indent)
	}
}
