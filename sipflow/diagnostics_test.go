package sipflow

import (
	"errors"
	"testing"
)

// TestDiagnosticsRegister401 reads the ms-diagnostics headers of the
// sign-in 401 (seed 003): code 1033 is an uncertain table entry.
func TestDiagnosticsRegister401(t *testing.T) {
	m := readLync(t, "register_401")
	ds := m.Diagnostics()
	if len(ds) != 2 {
		t.Fatalf("Diagnostics() = %d, want 2", len(ds))
	}
	d := ds[0]
	if d.Code != 1033 || d.Source != "sip.msxfaq.de" || d.Param("PeerServer") != "nawlync001.msxfaq.de" || d.Param("Domain") != "msxfaq.de" {
		t.Errorf("Diagnostics()[0] = %+v", d)
	}
	if !d.Uncertain || d.Known == "" || d.Component != "SIP stack" || d.IsClient() {
		t.Errorf("Diagnostics()[0] table lookup = %q uncertain %v component %q", d.Known, d.Uncertain, d.Component)
	}
	if ds[1].Header != "ms-diagnostics-public" || ds[1].Source != "" {
		t.Errorf("Diagnostics()[1] = %q source %q, want ms-diagnostics-public without source", ds[1].Header, ds[1].Source)
	}
	if got := m.Values("WWW-Authenticate"); len(got) != 2 || got[1][:7] != "TLS-DSK" {
		t.Errorf("Values(WWW-Authenticate) = %q, want NTLM and TLS-DSK challenges", got)
	}
}

// TestDiagnosticsBye reads the two client-diagnostics forms of a BYE: the
// CallerMediaDebug value and the flattened keys (MS-REFERENCE §3.2).
func TestDiagnosticsBye(t *testing.T) {
	ds := readLync(t, "bye_client_diagnostics").Diagnostics()
	if len(ds) != 2 {
		t.Fatalf("Diagnostics() = %d, want 2", len(ds))
	}
	d := ds[0]
	if d.Code != 25 || !d.IsClient() || d.Uncertain || d.Known == "" || len(d.MediaDebug) != 1 {
		t.Fatalf("Diagnostics()[0] = %+v", d)
	}
	md := d.MediaDebug[0]
	want := MediaDebug{Side: "Caller", Media: "audio", ICEWarn: 0x40003a0, HasICEWarn: true,
		LocalSite: "10.0.1.20:50012", LocalMR: "203.0.113.10:53042", RemoteSite: "192.168.20.5:50040",
		RemoteMR: "198.51.100.200:58236", LocalMRTCPPort: 51724, RemoteMRTCPPort: 58237,
		PortRange: [2]int{50000, 50019}, LocalLocation: 2, RemoteLocation: 2, FederationType: 1, Interfaces: 2}
	if !sameMediaDebug(md, want) {
		t.Errorf("MediaDebug = %+v, want %+v", md, want)
	}
	if len(md.MediaChanBlob) != 9 || md.MediaChanBlob[8] != (Param{"BlobVer", "1"}) {
		t.Errorf("MediaChanBlob = %v", md.MediaChanBlob)
	}
	flat := ds[1].MediaDebug
	if len(flat) != 1 || flat[0].Side != "Caller" || flat[0].Media != "audio" || flat[0].ICEWarn != 0x80012b ||
		flat[0].RemoteLocation != 1 || flat[0].PortRange != [2]int{50000, 50019} || len(flat[0].Other) != 1 {
		t.Errorf("flattened MediaDebug = %+v", flat)
	}
}

func sameMediaDebug(a, b MediaDebug) bool {
	a.MediaChanBlob, a.Other, b.MediaChanBlob, b.Other = nil, nil, nil, nil
	return a.Side == b.Side && a.Media == b.Media && a.ICEWarn == b.ICEWarn && a.HasICEWarn == b.HasICEWarn &&
		a.LocalSite == b.LocalSite && a.LocalMR == b.LocalMR && a.RemoteSite == b.RemoteSite && a.RemoteMR == b.RemoteMR &&
		a.LocalMRTCPPort == b.LocalMRTCPPort && a.RemoteMRTCPPort == b.RemoteMRTCPPort && a.PortRange == b.PortRange &&
		a.LocalLocation == b.LocalLocation && a.RemoteLocation == b.RemoteLocation &&
		a.FederationType == b.FederationType && a.Interfaces == b.Interfaces
}

// TestParseDiagnostic covers codes, subcodes, spacing and broken values.
func TestParseDiagnostic(t *testing.T) {
	tests := []struct {
		header, value string
		code, sub     int
		reason        string
		uncertain     bool
		err           error
	}{
		{"ms-diagnostics", `1034;reason="Previous hop federated peer did not report diagnostic information";Domain="fabrikam.com";PeerServer="sip.fabrikam.com";source="edge.contoso.com"`, 1034, 0, "Previous hop federated peer did not report diagnostic information", false, nil},
		{"ms-diagnostics", `7008.2; reason="Error parsing SDP"`, 7008, 2, "Error parsing SDP", false, nil},
		{"ms-client-diagnostics", `51004; reason="Action initiated by user"`, 51004, 0, "Action initiated by user", true, nil},
		{"MS-CLIENT-DIAGNOSTICS", `52063;reason="Unsupported session description"`, 52063, 0, "Unsupported session description", false, nil},
		{"ms-diagnostics", `4005;reason="Destination URI either not enabled for SIP or does not exist";;`, 4005, 0, "Destination URI either not enabled for SIP or does not exist", false, nil},
		{"ms-diagnostics", `abc;reason="x"`, 0, 0, "", false, ErrDiagnostic},
		{"ms-diagnostics", `1000;reason="unterminated`, 1000, 0, `"unterminated`, false, ErrDiagnostic},
		{"ms-diagnostics", `1000;=x;reason="after"`, 1000, 0, "", false, ErrDiagnostic},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			d, err := ParseDiagnostic(tt.header, tt.value)
			if !errors.Is(err, tt.err) {
				t.Fatalf("ParseDiagnostic(%q) error %v, want %v", tt.value, err, tt.err)
			}
			if d.Code != tt.code || d.SubCode != tt.sub || d.Reason != tt.reason || d.Uncertain != tt.uncertain {
				t.Errorf("ParseDiagnostic(%q) = %d.%d %q uncertain %v, want %d.%d %q %v", tt.value, d.Code, d.SubCode, d.Reason, d.Uncertain, tt.code, tt.sub, tt.reason, tt.uncertain)
			}
		})
	}
}

// TestDecodeICEWarn checks the worked examples of MS-REFERENCE §3.4.
func TestDecodeICEWarn(t *testing.T) {
	tests := []struct {
		v    uint32
		bits []uint32
	}{
		{0x40003a0, []uint32{0x20, 0x80, 0x100, 0x200, 0x4000000}},
		{0x4000320, []uint32{0x20, 0x100, 0x200, 0x4000000}},
		{0x80012b, []uint32{0x1, 0x2, 0x8, 0x20, 0x100, 0x800000}},
		{0x80000, []uint32{0x80000}},
		{0x8000100, []uint32{0x100, 0x8000000}}, // the top bit that some decoders drop
		{0, nil},
	}
	for _, tt := range tests {
		got := DecodeICEWarn(tt.v)
		if len(got) != len(tt.bits) {
			t.Errorf("DecodeICEWarn(%#x) = %v, want bits %#x", tt.v, got, tt.bits)
			continue
		}
		for i, b := range got {
			if b.Bit != tt.bits[i] || b.Meaning == "" || b.Uncertain {
				t.Errorf("DecodeICEWarn(%#x)[%d] = %+v, want bit %#x", tt.v, i, b, tt.bits[i])
			}
		}
	}
	if got := DecodeICEWarn(0x800); len(got) != 1 || !got[0].Uncertain {
		t.Errorf("DecodeICEWarn(0x800) = %v, want one uncertain bit", got)
	}
	if got := DecodeICEWarn(0x10000000); len(got) != 1 || got[0].Meaning != "unknown bit" {
		t.Errorf("DecodeICEWarn(0x10000000) = %v, want unknown bit", got)
	}
	if got := DecodeICEWarnQoE(0x3a0); len(got) != 4 || got[0].Meaning != "Shared secret with TURN failed" || got[1].Meaning != "unknown bit" {
		t.Errorf("DecodeICEWarnQoE(0x3a0) = %v, want table B with unknown bits", got)
	}
}

// FuzzParseDiagnostic checks that ParseDiagnostic never panics.
func FuzzParseDiagnostic(f *testing.F) {
	for _, name := range []string{"register_401", "bye_client_diagnostics", "200_client_diagnostics_51007"} {
		for _, h := range readLync(f, name).Headers {
			if isDiagnosticHeader(h.Name) {
				f.Add(h.Name, h.Value)
			}
		}
	}
	f.Add("ms-client-diagnostics", `24;CalleeMediaDebug="audio:ICEWarn=0x1,video:ICEWarn=zz,PortRange=:"`)
	f.Fuzz(func(t *testing.T, header, value string) {
		d, _ := ParseDiagnostic(header, value)
		for _, md := range d.MediaDebug {
			_ = DecodeICEWarn(md.ICEWarn)
		}
	})
}
