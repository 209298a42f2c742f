package synth

import (
	"encoding/binary"
	"testing"
	"time"
)

// TestRTP checks the fixed RTP header fields (RFC 3550 §5.1).
func TestRTP(t *testing.T) {
	p := RTP(0, 4242, 160000, 0xDEADBEEF, 160)
	if len(p) != 172 || p[0] != 0x80 || p[1] != 0 || binary.BigEndian.Uint16(p[2:]) != 4242 ||
		binary.BigEndian.Uint32(p[4:]) != 160000 || binary.BigEndian.Uint32(p[8:]) != 0xDEADBEEF {
		t.Errorf("RTP(0, 4242, 160000, 0xdeadbeef, 160) = %x", p[:12])
	}
}

// TestRTCPSenderReport walks the compound packet by its length fields and
// checks the NTP timestamp (RFC 3550 §6.4.1).
func TestRTCPSenderReport(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 5, 500000000, time.UTC)
	p := RTCPSenderReport(7, at, 8000, 50, 8000, "alice@example.com")
	var types []byte
	for off := 0; off < len(p); {
		if off+4 > len(p) || p[off]>>6 != 2 {
			t.Fatalf("bad RTCP header at %d in %x", off, p)
		}
		types = append(types, p[off+1])
		off += 4 + 4*int(binary.BigEndian.Uint16(p[off+2:]))
		if off > len(p) {
			t.Fatalf("length overruns packet: %d > %d", off, len(p))
		}
	}
	if string(types) != string([]byte{200, 202}) {
		t.Errorf("packet types = %v, want [200 202]", types)
	}
	if got, want := binary.BigEndian.Uint32(p[8:]), uint32(at.Unix()+2208988800); got != want {
		t.Errorf("NTP seconds = %d, want %d", got, want)
	}
	if got := binary.BigEndian.Uint32(p[12:]); got != 1<<31 {
		t.Errorf("NTP fraction = %#x, want 0x80000000", got)
	}
}
