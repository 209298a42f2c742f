//go:build linux && !libpcap

package live

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/capfile"
)

func TestOpenMissingInterface(t *testing.T) {
	_, err := Open("icediag-no-such0", Options{})
	if !errors.Is(err, ErrNoInterface) {
		t.Fatalf("Open(missing) = %v, want ErrNoInterface", err)
	}
}

func TestOpenRefusesFilterExpression(t *testing.T) {
	_, err := Open("lo", Options{Filter: "udp port 5060"})
	if !errors.Is(err, ErrFilterUnsupported) {
		t.Fatalf("Open(lo, filter) = %v, want ErrFilterUnsupported", err)
	}
}

// TestLoopbackCapture captures on lo with the kernel filter: a UDP
// datagram sent to 127.0.0.1 is read once, with its kernel timestamp,
// so is the ICMP port unreachable quoting it, and TCP to a port outside
// the built-in set is filtered out.
func TestLoopbackCapture(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_NET_RAW)")
	}
	src, err := Open("lo", Options{PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open(lo) = %v", err)
	}
	defer src.Close()
	if lt := src.Info().LinkType; lt != LinkTypeEthernet {
		t.Errorf("lo link type = %d, want %d", lt, LinkTypeEthernet)
	}
	payload := []byte("icediag live capture test " + time.Now().String())
	sendUDP(t, payload)
	// a source port outside the kept ranges (ephemeral ports may fall in
	// 50000-59999)
	dialer := net.Dialer{Timeout: 100 * time.Millisecond, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40123}}
	if c, err := dialer.Dial("tcp", "127.0.0.1:9"); err == nil {
		c.Close()
	}
	before := time.Now()
	seen, icmp, tcp9 := 0, 0, 0
	var p capfile.Packet
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); {
		err := src.ReadPacket(&p)
		if errors.Is(err, ErrTimeout) {
			continue
		}
		if err != nil {
			t.Fatalf("ReadPacket = %v", err)
		}
		if bytes.Contains(p.Data, payload) && len(p.Data) > 23 && p.Data[23] == 1 {
			icmp++
		}
		if bytes.Contains(p.Data, payload) && len(p.Data) > 23 && p.Data[23] == 17 {
			seen++
			if d := before.Sub(p.Timestamp); d < -time.Second || d > 5*time.Second {
				t.Errorf("timestamp %v is %v away from the send time", p.Timestamp, d)
			}
			if p.Length != p.CaptureLength || p.CaptureLength != len(p.Data) {
				t.Errorf("lengths %d/%d/%d, want equal", p.Length, p.CaptureLength, len(p.Data))
			}
		}
		if len(p.Data) >= 38 && p.Data[23] == 6 && (binary.BigEndian.Uint16(p.Data[34:]) == 9 || binary.BigEndian.Uint16(p.Data[36:]) == 9) {
			tcp9++
		}
	}
	if seen != 1 {
		t.Errorf("test datagram captured %d times, want once", seen)
	}
	if icmp != 1 {
		t.Errorf("ICMP error quoting the datagram captured %d times, want once", icmp)
	}
	if tcp9 != 0 {
		t.Errorf("captured %d TCP port 9 frames, want the filter to drop them", tcp9)
	}
	st, err := src.Stats()
	if err != nil || st.Received < 1 {
		t.Errorf("Stats() = %+v, %v, want at least 1 received", st, err)
	}
}

func sendUDP(t *testing.T, payload []byte) {
	t.Helper()
	c, err := net.Dial("udp", "127.0.0.1:5999")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(payload); err != nil {
		t.Fatal(err)
	}
}

func TestListInterfacesHasLoopback(t *testing.T) {
	ifs, err := ListInterfaces()
	if err != nil {
		t.Fatalf("ListInterfaces() = %v", err)
	}
	for _, in := range ifs {
		if in.Name == "lo" {
			if in.LinkType != LinkTypeEthernet {
				t.Errorf("lo link type = %d, want 1", in.LinkType)
			}
			return
		}
	}
	t.Errorf("ListInterfaces() = %+v, want lo among them", ifs)
}
