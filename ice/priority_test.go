package ice

import "testing"

func TestSplitPriority(t *testing.T) {
	// Values from RFC 8445 §5.1.2.1 / RFC 5245 §15.1 examples, the
	// MS-REFERENCE §2.3 priority table (Lync fixtures), and PRIORITY
	// attributes of checks in ntop-nDPI__teams.pcap (testdata/README.md).
	tests := []struct {
		p    uint32
		want PriorityParts
	}{
		{2130706431, PriorityParts{126, 65535, 1}}, // host UDP (RFC, Lync)
		{1694498815, PriorityParts{100, 65535, 1}}, // RFC 5245 srflx example
		{1684797951, PriorityParts{100, 27641, 1}}, // Lync TCP-ACT srflx
		{184547839, PriorityParts{10, 65529, 1}},   // Lync UDP relay (the table says 11; 0x0AFFF9FF is 10)
		{174847999, PriorityParts{10, 27639, 1}},   // Lync TCP-ACT relay
		{174455807, PriorityParts{10, 26107, 1}},   // Lync TCP-PASS relay
		{33553407, PriorityParts{1, 65531, 1}},     // Lync x-candidate-ipv6 host
		{1862270719, PriorityParts{110, 65534, 1}}, // Teams check, prflx comp 1
		{1862270462, PriorityParts{110, 65533, 2}}, // Teams check, prflx comp 2
		{659134, PriorityParts{0, 2574, 66}},       // X-Lite RTCP host: pre-RFC priorities, component term is not the line's 2
		{2122260223, PriorityParts{126, 32542, 1}}, // Chrome host (heplify websocket)
		{1518280447, PriorityParts{90, 32542, 1}},  // Chrome TCP host: type preference 90
	}
	for _, tt := range tests {
		got := SplitPriority(tt.p)
		if got != tt.want {
			t.Errorf("SplitPriority(%d) = %+v, want %+v", tt.p, got, tt.want)
		}
		if back := got.Priority(); back != tt.p {
			t.Errorf("SplitPriority(%d).Priority() = %d, want %d", tt.p, back, tt.p)
		}
	}
}
