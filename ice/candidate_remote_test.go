package ice

import (
	"errors"
	"net/netip"
	"reflect"
	"testing"
)

func TestParseRemoteCandidates(t *testing.T) {
	ap := func(s string) netip.Addr { return mustAddr(t, s) }
	tests := []struct {
		in   string
		want []RemoteCandidate
	}{
		{"1 192.0.2.1 5000 2 192.0.2.1 5001", []RemoteCandidate{{1, ap("192.0.2.1"), "", 5000}, {2, ap("192.0.2.1"), "", 5001}}},
		{"a=remote-candidates:1 203.0.113.20 59162", []RemoteCandidate{{1, ap("203.0.113.20"), "", 59162}}},
		{"remote-candidates:1 2001:db8::7 2936  2 2001:db8::7 2937\r\n",
			[]RemoteCandidate{{1, ap("2001:db8::7"), "", 2936}, {2, ap("2001:db8::7"), "", 2937}}},
		{"1 peer.example.net 5000", []RemoteCandidate{{1, netip.Addr{}, "peer.example.net", 5000}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRemoteCandidates(tt.in)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseRemoteCandidates(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseRemoteCandidatesErrors(t *testing.T) {
	tests := []struct {
		in    string
		field int
		err   error
		kept  int // entries decoded before the error
	}{
		{"", 0, ErrMissingField, 0},
		{"1 192.0.2.1", 2, ErrMissingField, 0},
		{"1 192.0.2.1 5000 2 192.0.2.1", 5, ErrMissingField, 1},
		{"0 192.0.2.1 5000", 0, ErrBadNumber, 0},
		{"1 192.0.2.1 70000", 2, ErrBadNumber, 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRemoteCandidates(tt.in)
			var ce *CandidateError
			if !errors.As(err, &ce) || ce.Field != tt.field || !errors.Is(err, tt.err) || len(got) != tt.kept {
				t.Errorf("ParseRemoteCandidates(%q) = %d entries, %v, want %d entries, field %d %v", tt.in, len(got), err, tt.kept, tt.field, tt.err)
			}
		})
	}
}

func TestRemoteCandidateAddrPort(t *testing.T) {
	rs, err := ParseRemoteCandidates("1 192.0.2.1 5000 2 relay.example.net 5001")
	if err != nil {
		t.Fatalf("ParseRemoteCandidates: %v", err)
	}
	if got := rs[0].AddrPort().String(); got != "192.0.2.1:5000" {
		t.Errorf("AddrPort() = %q, want %q", got, "192.0.2.1:5000")
	}
	if rs[1].AddrPort().IsValid() {
		t.Errorf("AddrPort() of host entry = %v, want invalid", rs[1].AddrPort())
	}
}
