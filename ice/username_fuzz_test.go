package ice

import "testing"

func FuzzParseUsername(f *testing.F) {
	for _, s := range []string{"+mIv:JFwj", "gppe:zWyk", "HrRgpad7PfoKaAoKAAiKAiADEA:P8/L",
		"JFwj:+mIv\x00\x00\x00", "CJyN4vgFEga+GskUK20YmdaLlJQbIICjBQ",
		"\x00\x00:1:\x41\x42:1\x00\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in := append([]byte(nil), b...)
		u, ok := ParseUsername(b)
		if string(in) != string(b) {
			t.Fatalf("ParseUsername modified its input")
		}
		if ok && (u.Remote == "" || u.Local == "") {
			t.Fatalf("ParseUsername(%q) = %+v with an empty ufrag", b, u)
		}
		if ok && u.Form == FormDraft6 && (u.LocalComponent < 1 || u.RemoteComponent != u.LocalComponent) {
			t.Fatalf("ParseUsername(%q) = %+v: bad components", b, u)
		}
	})
}
