package diag

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/icediag/icediag/decode/redact"
)

// marker is what the filler writes into string field number n: a SIP URI
// with a display name, an address and a Call-ID-like token, everything a
// capture could put into a report.
func marker(n int) string {
	return fmt.Sprintf(`"Contoso User%d" <sip:user%d@host%d.contoso.com> %s`, n, n, n, markerAddr(n))
}

func markerAddr(n int) string { return fmt.Sprintf("10.1.%d.%d", n%200, n%250+1) }

// fill sets every exported string, address and container of v to marker
// values, recording the string fields by path.
func fill(v reflect.Value, path string, n *int, kept map[string]string) {
	switch v.Kind() {
	case reflect.String:
		*n++
		v.SetString(marker(*n))
		if keptFields[lastField(path)] {
			kept[path] = v.String()
		}
	case reflect.Struct:
		switch v.Type() {
		case addrType:
			v.Set(reflect.ValueOf(netip.MustParseAddr("192.168.77.7")))
			return
		case addrPortType:
			v.Set(reflect.ValueOf(netip.MustParseAddrPort("192.168.77.7:5061")))
			return
		case prefixType:
			v.Set(reflect.ValueOf(netip.MustParsePrefix("192.168.77.0/24")))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), path+"."+v.Type().Field(i).Name, n, kept)
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), path, n, kept)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := 0; i < 2; i++ {
			fill(v.Index(i), fmt.Sprintf("%s[%d]", path, i), n, kept)
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			fill(v.Index(i), fmt.Sprintf("%s[%d]", path, i), n, kept)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fill(k, path+"{key}", n, kept)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, path+"{}", n, kept)
		m.SetMapIndex(k, e)
		v.Set(m)
	}
}

func lastField(path string) string {
	return path[strings.LastIndexByte(path, '.')+1:]
}

// collect lists every string and address of v by path.
func collect(v reflect.Value, path string, out map[string]string) {
	switch v.Kind() {
	case reflect.String:
		out[path] = v.String()
	case reflect.Struct:
		if v.Type() == addrType || v.Type() == addrPortType || v.Type() == prefixType {
			out[path] = fmt.Sprint(v.Interface())
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				collect(v.Field(i), path+"."+v.Type().Field(i).Name, out)
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			collect(v.Elem(), path, out)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			collect(v.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			collect(it.Key(), path+"{key}", out)
			collect(it.Value(), path+"{}", out)
		}
	}
}

// TestRedactReachesEveryField fills every field of a Report, redacts it
// and checks that no marker survives outside the kept fields (finding ids,
// severities, schema): a string field added to the report later fails
// this test if Redact does not reach it.
func TestRedactReachesEveryField(t *testing.T) {
	var r Report
	n := 0
	kept := map[string]string{}
	fill(reflect.ValueOf(&r).Elem(), "Report", &n, kept)
	Redact(&r, redact.New([]byte("marker")))
	got := map[string]string{}
	collect(reflect.ValueOf(&r).Elem(), "Report", got)
	if len(got) < n/2 {
		t.Fatalf("Redact left %d strings of the %d filled", len(got), n)
	}
	for path, s := range got {
		if want, ok := kept[path]; ok {
			if s != want {
				t.Errorf("%s = %q after Redact, want %q kept", path, s, want)
			}
			continue
		}
		var n int
		fmt.Sscanf(s[strings.Index(s, "User")+4:], "%d", &n)
		for _, leak := range []string{"contoso", "Contoso", fmt.Sprintf("user%d@", n), fmt.Sprintf("host%d.", n), " " + markerAddr(n) + "|", "192.168.77.7"} {
			if strings.Contains(s+"|", leak) {
				t.Errorf("%s = %q after Redact, still holds %q", path, s, leak)
			}
		}
	}
}
