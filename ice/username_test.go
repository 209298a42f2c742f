package ice

import (
	"encoding/base64"
	"testing"
)

// v1Username builds an MS-ICE v1 USERNAME the way OC2007 stacks lay it out
// (MS-REFERENCE §2.4): decoded remote ufrag, ":", component, ":", decoded
// local ufrag, ":", component, then 1-4 NULs.
func v1Username(t *testing.T, remote, local, comp string) []byte {
	t.Helper()
	r, err := base64.RawStdEncoding.DecodeString(remote)
	if err != nil {
		t.Fatalf("decode %q: %v", remote, err)
	}
	l, err := base64.RawStdEncoding.DecodeString(local)
	if err != nil {
		t.Fatalf("decode %q: %v", local, err)
	}
	b := append(append(append([]byte{}, r...), ":"+comp+":"...), l...)
	b = append(b, ":"+comp...)
	pad := 4 - len(b)%4
	return append(b, make([]byte, pad)...)
}

func TestParseUsername(t *testing.T) {
	const ufragA = "d5lFvGToRDKh/UhyFNN9rharqthzUrF2FIRP+boPcnE" // MS-REFERENCE §2.2 line
	const ufragB = "6vKd2zNCBL2m3hRRa5FJ6SUFpTOQaXGVT0hY/7oEh0E"
	tests := []struct {
		name string
		in   []byte
		want Username
		ok   bool
	}{
		{"teams.pcap frame 1407", []byte("+mIv:JFwj"), Username{Remote: "+mIv", Local: "JFwj"}, true},
		{"skype-conference-call frame 1", []byte("gppe:zWyk"), Username{Remote: "gppe", Local: "zWyk"}, true},
		{"stun_google_meet frame 5", []byte("HrRgpad7PfoKaAoKAAiKAiADEA:P8/L"),
			Username{Remote: "HrRgpad7PfoKaAoKAAiKAiADEA", Local: "P8/L"}, true},
		{"zeek webrtc-stun frame 1", []byte("Tw5XmGABTU55u6F2:31e58bb6"), Username{Remote: "Tw5XmGABTU55u6F2", Local: "31e58bb6"}, true},
		{"stun.pcap frame 195 UUID ufrags", []byte("E04D943F-C271-C96A-C27D-DCBD09778680:2040F7EC-3FBF-61F7-1AC2-AAD5D4610A8E"),
			Username{Remote: "E04D943F-C271-C96A-C27D-DCBD09778680", Local: "2040F7EC-3FBF-61F7-1AC2-AAD5D4610A8E"}, true},
		{"MS-ICE2 NUL padding in value", []byte("JFwj:+mIv\x00\x00\x00"), Username{Remote: "JFwj", Local: "+mIv", Form: FormMSICE2}, true},
		{"MS-ICE v1", v1Username(t, ufragA, ufragB, "1"),
			Username{Remote: ufragA, Local: ufragB, Form: FormDraft6, RemoteComponent: 1, LocalComponent: 1}, true},
		{"MS-ICE v1 RTCP", v1Username(t, ufragB, ufragA, "2"),
			Username{Remote: ufragB, Local: ufragA, Form: FormDraft6, RemoteComponent: 2, LocalComponent: 2}, true},
		{"Google legacy, no colon (stun.pcap frame 20)", []byte("CJyN4vgFEga+GskUK20YmdaLlJQbIICjBQ"), Username{}, false},
		{"empty", nil, Username{}, false},
		{"only NULs", []byte{0, 0, 0, 0}, Username{}, false},
		{"empty local", []byte("abcd:"), Username{}, false},
		{"empty remote", []byte(":abcd"), Username{}, false},
		{"two TURN usernames joined (stun.pcap frame 151)", []byte("1643629527:ROULOM3001+t78yIKiyfdE3AVN7akstXw,1643629527:ROULOM3001+t78yIKiyfdE3AVN7akstXw"), Username{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseUsername(tt.in)
			if ok != tt.ok || got != tt.want {
				t.Errorf("ParseUsername(%q) = %+v, %v, want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseUsernameV1BinaryColon(t *testing.T) {
	// A decoded ufrag may contain ":1:" itself; the equal-length split
	// still finds the real separator. "AAA6MToA" decodes to 00 00 3a 31 3a 00.
	const r, l = "AAA6MToA", "QUJDREVG"
	b := v1Username(t, r, l, "1")
	got, ok := ParseUsername(b)
	want := Username{Remote: r, Local: l, Form: FormDraft6, RemoteComponent: 1, LocalComponent: 1}
	if !ok || got != want {
		t.Errorf("ParseUsername(%q) = %+v, %v, want %+v, true", b, got, ok, want)
	}
}
