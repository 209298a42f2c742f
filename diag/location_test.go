package diag

import (
	"net/netip"
	"testing"
)

// TestEndsCode checks the ms-client-diagnostics code for each combination
// of locations (MS-REFERENCE §3.2).
func TestEndsCode(t *testing.T) {
	for _, tc := range []struct {
		a, b Location
		fed  bool
		want int
	}{
		{LocInternal, LocInternal, false, 22},
		{LocInternal, LocRemote, false, 23},
		{LocRemote, LocInternal, true, 23},
		{LocRemote, LocRemote, false, 24},
		{LocInternal, LocInternal, true, 25},
		{LocUnknown, LocInternal, false, 21},
	} {
		e := Ends{Loc: [2]Location{tc.a, tc.b}, Federated: tc.fed}
		if got := e.Code(); got != tc.want {
			t.Errorf("Ends{%s, %s, federated %v}.Code() = %d, want %d", tc.a, tc.b, tc.fed, got, tc.want)
		}
	}
}

// TestLocate checks the address classes of DIAGNOSES.md "Terms", with and
// without user-named networks and edges.
func TestLocate(t *testing.T) {
	named, err := ParseNetwork([]string{"10.0.0.0/8"}, []string{"203.0.113.10:443"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		n    *Network
		addr string
		want Location
	}{
		{&Network{}, "10.0.1.20", LocInternal},
		{&Network{}, "100.64.3.4", LocInternal},
		{&Network{}, "fd00::1", LocInternal},
		{&Network{}, "192.0.2.50", LocRemote},
		{&Network{}, "127.0.0.1", LocUnknown},
		{named, "10.0.1.20", LocInternal},
		{named, "192.168.1.50", LocRemote},
		{named, "203.0.113.10", LocEdge},
	} {
		if got := tc.n.Locate(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("Locate(%q) = %s, want %s", tc.addr, got, tc.want)
		}
	}
}

// TestParseNetworkErrors checks that bad flag values are refused.
func TestParseNetworkErrors(t *testing.T) {
	for _, tc := range []struct{ internal, edge []string }{
		{[]string{"10.0.0.0"}, nil},
		{nil, []string{"edge.example.com"}},
		{[]string{"10.0.0.0/33"}, nil},
	} {
		if _, err := ParseNetwork(tc.internal, tc.edge); err == nil {
			t.Errorf("ParseNetwork(%q, %q) = nil error, want one", tc.internal, tc.edge)
		}
	}
}

// TestFederated checks the domain comparison of From and To.
func TestFederated(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"sip:alice@example.com", "sip:bob@example.com", false},
		{"sip:alice@example.com", "sip:bob@partner.example.net;user=phone", true},
		{"sip:alice@EXAMPLE.com", "sip:bob@example.com", false},
		{"", "sip:bob@example.com", false},
	} {
		if got := uriDomain(tc.a) != "" && uriDomain(tc.b) != "" && uriDomain(tc.a) != uriDomain(tc.b); got != tc.want {
			t.Errorf("federated(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// FuzzParseNetwork feeds arbitrary --internal and --edge values.
func FuzzParseNetwork(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8", "203.0.113.10:443", "[2001:db8::1]:3478", "fd00::/8", "x"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, internal, edge string) {
		n, err := ParseNetwork([]string{internal}, []string{edge})
		if err != nil {
			return
		}
		for _, e := range n.Edges {
			if n.Locate(e) != LocEdge {
				t.Errorf("Locate(%s) of a named edge = %s", e, n.Locate(e))
			}
		}
	})
}
