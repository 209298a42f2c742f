package sipflow

import (
	"errors"
	"net/netip"
	"testing"
)

// TestParseQoEService reads the QoE report of a SERVICE request
// (MS-QoE §2.2.1; MS-REFERENCE §4).
func TestParseQoEService(t *testing.T) {
	m := readLync(t, "service_qoe")
	r := m.QoE()
	if r == nil {
		t.Fatal("QoE() = nil, want a report")
	}
	if r.Root != "VQReportEvent" || r.CallID != "0f1e2d3c4b5a69788796a5b4c3d2e1f0" || r.FromURI != "sip:alice@contoso.com" ||
		r.ToURI != "sip:bob@fabrikam.com" || r.FromTag != "4c1f6e2a1d" || !r.Caller || r.RemoteUserAgent == "" {
		t.Errorf("QoE() dialog = %+v", r)
	}
	if len(r.Lines) != 2 {
		t.Fatalf("QoE() lines = %d, want 2", len(r.Lines))
	}
	a := r.Lines[0]
	relays := []netip.AddrPort{netip.MustParseAddrPort("203.0.113.10:53042"), netip.MustParseAddrPort("203.0.113.10:51724")}
	if a.Label != "main-audio" || a.Ice != "FAILED" || a.IceWarningFlags != 0x40003a0 || !a.HasIceWarningFlags ||
		a.Transport != "UDP" || !a.Offerer || !a.HasOfferer || len(a.RelayAddresses) != 2 ||
		a.RelayAddresses[0] != relays[0] || a.RelayAddresses[1] != relays[1] {
		t.Errorf("audio line = %+v", a)
	}
	if a.LocalAddr != netip.MustParseAddrPort("10.0.1.20:50012") || a.RemoteAddr != netip.MustParseAddrPort("192.168.20.5:50040") ||
		a.ReflexiveLocalIP != netip.MustParseAddr("198.51.100.7") {
		t.Errorf("audio addresses = %v %v %v", a.LocalAddr, a.RemoteAddr, a.ReflexiveLocalIP)
	}
	if len(a.Locations) != 1 || a.Locations[0] != (Param{"RegisteredInside", "true"}) {
		t.Errorf("audio Locations = %v", a.Locations)
	}
	if v := r.Lines[1]; v.Ice != "RELAY" || v.Transport != "TCP" || !v.HasIceWarningFlags || v.IceWarningFlags != 0 || len(v.RelayAddresses) != 0 {
		t.Errorf("video line = %+v", v)
	}
}

// TestParseQoE covers the feedback report and bodies that are not reports.
func TestParseQoE(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		callID string
		rating int
		err    error
	}{
		{"feedback", `<CallQualityFeedbackReport xmlns="ms-cqf" CallId="abc" FromTag="1" ToTag="2"><ReportingUserURI>sip:a@b</ReportingUserURI><Rating>2</Rating></CallQualityFeedbackReport>`, "abc", 2, nil},
		{"wrong root", `<provisionGroupList/>`, "", 0, ErrQoE},
		{"empty", ``, "", 0, ErrQoE},
		{"truncated", `<VQReportEvent><VQSessionReport><DialogInfo CallId="x"><FromURI>sip:a`, "x", 0, ErrQoE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseQoE([]byte(tt.body))
			if !errors.Is(err, tt.err) {
				t.Fatalf("ParseQoE(%q) error %v, want %v", tt.body, err, tt.err)
			}
			got := ""
			if r != nil {
				got = r.CallID
				if r.Rating != tt.rating {
					t.Errorf("ParseQoE(%q).Rating = %d, want %d", tt.body, r.Rating, tt.rating)
				}
			}
			if got != tt.callID {
				t.Errorf("ParseQoE(%q).CallID = %q, want %q", tt.body, got, tt.callID)
			}
		})
	}
}

// FuzzParseQoE checks that ParseQoE never panics.
func FuzzParseQoE(f *testing.F) {
	f.Add(readLync(f, "service_qoe").Body)
	f.Add([]byte(`<CallQualityFeedbackReport CallId="a"><Rating>5</Rating></CallQualityFeedbackReport>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, _ := ParseQoE(body)
		if r != nil {
			for _, l := range r.Lines {
				_ = DecodeICEWarn(l.IceWarningFlags)
			}
		}
	})
}
