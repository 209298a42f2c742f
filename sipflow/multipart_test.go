package sipflow

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readLync(t testing.TB, name string) *Message {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sip", "lync", name+".sip"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMessage(b)
	if err != nil {
		t.Fatalf("ParseMessage(%s) error %v", name, err)
	}
	return m
}

// TestBodyPartsLyncDualSDP splits the multipart/alternative INVITE of Lync
// (MS-REFERENCE §2.1): the draft-06 part carries ms-proxy-2007fallback.
func TestBodyPartsLyncDualSDP(t *testing.T) {
	m := readLync(t, "invite_dual_sdp")
	parts, err := m.BodyParts()
	if err != nil || len(parts) != 2 {
		t.Fatalf("BodyParts() = %d parts, %v, want 2", len(parts), err)
	}
	tests := []struct {
		fallback bool
		contains string
		path     string
	}{
		{true, "UDP 0.830 10.0.1.20 31848", "1"},
		{false, "typ srflx raddr 10.0.1.20", "2"},
	}
	for i, tt := range tests {
		p := parts[i]
		if p.MSFallback != tt.fallback || !p.Alternative || p.Disposition != "session" || p.Path != tt.path {
			t.Errorf("part %d = fallback %v alternative %v disposition %q path %q, want fallback %v", i, p.MSFallback, p.Alternative, p.Disposition, p.Path, tt.fallback)
		}
		if !p.ContentType.Is("application/sdp") || !bytes.Contains(p.Body, []byte(tt.contains)) {
			t.Errorf("part %d: %s body without %q", i, p.ContentType, tt.contains)
		}
		if bytes.HasSuffix(p.Body, []byte("\r\n\r\n")) || !bytes.HasPrefix(p.Body, []byte("v=0")) {
			t.Errorf("part %d: body not delimited: %q...", i, p.Body[:10])
		}
	}
}

// TestBodyPartsCaptureMixed splits the multipart/mixed INVITE of
// heplify__sip_sctp (SDP plus an ISUP part).
func TestBodyPartsCaptureMixed(t *testing.T) {
	c := loadCapture(t, "heplify__sip_sctp")[0]
	m, err := ParseMessage(c.Payload)
	if err != nil {
		t.Fatalf("ParseMessage error %v", err)
	}
	parts, err := m.BodyParts()
	if err != nil || len(parts) < 2 {
		t.Fatalf("BodyParts() = %d parts, %v, want at least 2", len(parts), err)
	}
	if !parts[0].ContentType.Is("application/sdp") || parts[0].Disposition != "session" || paramValue(parts[0].DispositionParams, "handling") != "required" {
		t.Errorf("part 0 = %s %q %v, want application/sdp session handling=required", parts[0].ContentType, parts[0].Disposition, parts[0].DispositionParams)
	}
	if !bytes.HasPrefix(parts[0].Body, []byte("v=0")) {
		t.Errorf("part 0 body starts %q", parts[0].Body[:8])
	}
	if parts[1].Alternative {
		t.Errorf("part of multipart/mixed marked Alternative")
	}
}

// TestSplitMultipart covers line ends, missing close delimiters, preamble,
// nesting and the depth limit (RFC 2046 §5.1.1).
func TestSplitMultipart(t *testing.T) {
	nested := func(depth int) string {
		body := "Content-Type: text/plain\r\n\r\nleaf"
		for i := depth; i > 0; i-- {
			b := "b" + itoa(i)
			body = "Content-Type: multipart/mixed;boundary=" + b + "\r\n\r\n--" + b + "\r\n" + body + "\r\n--" + b + "--\r\n"
		}
		return body
	}
	tests := []struct {
		name    string
		ct      string
		body    string
		bodies  []string
		wantErr error
	}{
		{"crlf", "multipart/mixed;boundary=X", "--X\r\nContent-Type: a/b\r\n\r\none\r\n--X\r\n\r\ntwo\r\n--X--\r\n", []string{"one", "two"}, nil},
		{"lf", "multipart/mixed; boundary=\"X\"", "--X\nContent-Type: a/b\n\none\n--X\nContent-Type: a/c\n\ntwo\n--X--\n", []string{"one", "two"}, nil},
		{"preamble and epilogue", "multipart/mixed;boundary=X", "preamble\r\n--X\r\n\r\none\r\n--X--\r\nepilogue", []string{"one"}, nil},
		{"no close delimiter", "multipart/mixed;boundary=X", "--X\r\n\r\none\r\n--X\r\n\r\ntwo", []string{"one", "two"}, nil},
		{"boundary inside line", "multipart/mixed;boundary=X", "--X\r\n\r\na--X b\r\n--X--", []string{"a--X b"}, nil},
		{"no boundary", "multipart/mixed", "--X\r\n\r\none", nil, ErrBoundary},
		{"no parts", "multipart/mixed;boundary=Y", "--X\r\n\r\none", nil, ErrNoParts},
		{"nested", "multipart/mixed;boundary=top", "--top\r\n" + nested(2) + "\r\n--top--", []string{"leaf"}, nil},
		{"too deep", "multipart/mixed;boundary=top", "--top\r\n" + nested(MaxMultipartDepth) + "\r\n--top--", nil, ErrMultipartDepth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, err := ParseMediaType(tt.ct)
			if err != nil {
				t.Fatal(err)
			}
			parts, err := SplitMultipart([]byte(tt.body), ct, 1, "")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("SplitMultipart(%q) error %v, want %v", tt.body, err, tt.wantErr)
			}
			var got []string
			for _, p := range parts {
				got = append(got, string(p.Body))
			}
			if strings.Join(got, "|") != strings.Join(tt.bodies, "|") {
				t.Errorf("SplitMultipart(%q) = %q, want %q", tt.body, got, tt.bodies)
			}
		})
	}
}

// FuzzBodyParts checks that the multipart splitter never panics and that
// every part lies inside the body.
func FuzzBodyParts(f *testing.F) {
	f.Add("multipart/alternative;boundary=\"----=_NextPart_000\"", []byte("------=_NextPart_000\r\nContent-Type: application/sdp\r\nContent-Disposition: session; handling=optional; ms-proxy-2007fallback\r\n\r\nv=0\r\n\r\n------=_NextPart_000--\r\n"))
	f.Add("multipart/mixed;boundary=X", []byte("--X\r\nContent-Type: multipart/mixed;boundary=Y\r\n\r\n--Y\r\n\r\nin\r\n--Y--\r\n--X--"))
	for _, name := range []string{"invite_dual_sdp"} {
		m := readLync(f, name)
		f.Add(m.Get("Content-Type"), m.Body)
	}
	c := loadCapture(f, "heplify__sip_sctp")[0]
	if m, err := ParseMessage(c.Payload); err == nil {
		f.Add(m.Get("Content-Type"), m.Body)
	}
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		m := &Message{Headers: []Header{{Name: "Content-Type", Value: ctype}}, Body: body}
		parts, _ := m.BodyParts()
		for _, p := range parts {
			if len(p.Body) > len(body) {
				t.Fatalf("part of %d bytes from a %d-byte body", len(p.Body), len(body))
			}
		}
	})
}
