package live

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/capfile"
)

// keepRef is an independent statement of the built-in filter, byte by
// byte, for the differential tests: what BuiltinFilter's program must
// keep. A field beyond the frame makes a classic BPF program drop it.
func keepRef(linkType uint16, b []byte) bool {
	if linkType == LinkTypeRaw {
		if len(b) < 1 {
			return false
		}
		switch b[0] >> 4 {
		case 4:
			return keepIPv4(b)
		case 6:
			return keepIPv6(b)
		}
		return false
	}
	if len(b) < 14 {
		return false
	}
	switch binary.BigEndian.Uint16(b[12:]) {
	case 0x8100, 0x88a8:
		return true
	case 0x0800:
		return keepIPv4(b[14:])
	case 0x86dd:
		return keepIPv6(b[14:])
	}
	return false
}

func keepIPv4(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	if binary.BigEndian.Uint16(b[6:])&0x3fff != 0 {
		return true
	}
	if len(b) < 10 {
		return false
	}
	ihl := int(b[0]&0x0f) * 4
	switch b[9] {
	case 17, 132, 4, 41, 47:
		return true
	case 1:
		return len(b) > ihl && (b[ihl] == 3 || b[ihl] == 4 || b[ihl] == 11 || b[ihl] == 12)
	case 6:
		return tcpPortsRef(b, ihl)
	}
	return false
}

func keepIPv6(b []byte) bool {
	if len(b) < 7 {
		return false
	}
	switch b[6] {
	case 17, 44, 132, 4, 41, 47, 0, 43, 60:
		return true
	case 58:
		return len(b) > 40 && b[40] < 128
	case 6:
		return tcpPortsRef(b, 40)
	}
	return false
}

func tcpPortsRef(b []byte, at int) bool {
	if len(b) < at+2 {
		return false
	}
	if interesting(binary.BigEndian.Uint16(b[at:])) {
		return true
	}
	return len(b) >= at+4 && interesting(binary.BigEndian.Uint16(b[at+2:]))
}

func interesting(port uint16) bool {
	switch port {
	case 80, 443, 4434, 8080, 8443:
		return true
	}
	return (port >= 3478 && port <= 3481) || (port >= 5060 && port <= 5099) || (port >= 50000 && port <= 59999)
}

func newVM(t testing.TB, linkType uint16) *bpf.VM {
	t.Helper()
	raw, err := BuiltinFilter(linkType)
	if err != nil {
		t.Fatalf("BuiltinFilter(%d) = %v", linkType, err)
	}
	prog, ok := bpf.Disassemble(raw)
	if !ok {
		t.Fatalf("BuiltinFilter(%d) does not disassemble", linkType)
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatalf("bpf.NewVM(BuiltinFilter(%d)) = %v", linkType, err)
	}
	return vm
}

func vmKeeps(t testing.TB, vm *bpf.VM, b []byte) bool {
	t.Helper()
	n, err := vm.Run(b)
	if err != nil {
		t.Fatalf("vm.Run(% x) = %v", b, err)
	}
	return n > 0
}

// captures returns the public and crafted captures.
func captures(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, dir := range []string{"public", "crafted"} {
		m, _ := filepath.Glob(filepath.Join("..", "..", "pcaps", dir, "*.pcap*"))
		out = append(out, m...)
	}
	if len(out) == 0 {
		t.Fatal("no captures under pcaps/")
	}
	return out
}

// readFrames returns every frame of a capture with its link type.
func readFrames(t *testing.T, path string) []capfile.Packet {
	t.Helper()
	f, err := capfile.Open(path)
	if err != nil {
		t.Fatalf("capfile.Open(%q) = %v", path, err)
	}
	defer f.Close()
	var out []capfile.Packet
	for {
		var p capfile.Packet
		err := f.Next(&p)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			return out // damaged tail: the frames before it still count
		}
		p.Data = append([]byte(nil), p.Data...)
		out = append(out, p)
	}
}

// TestBuiltinFilterMatchesReference runs the kernel program in the BPF
// virtual machine on every frame of every Ethernet and raw-IP capture and
// compares its verdict with keepRef.
func TestBuiltinFilterMatchesReference(t *testing.T) {
	vms := map[uint16]*bpf.VM{LinkTypeEthernet: newVM(t, LinkTypeEthernet), LinkTypeRaw: newVM(t, LinkTypeRaw)}
	checked := 0
	for _, path := range captures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			for _, p := range readFrames(t, path) {
				vm, ok := vms[p.LinkType]
				if !ok {
					continue
				}
				checked++
				if got, want := vmKeeps(t, vm, p.Data), keepRef(p.LinkType, p.Data); got != want {
					t.Errorf("frame %d: filter keeps = %v, want %v", p.Frame, got, want)
				}
			}
		})
	}
	if checked < 1000 {
		t.Errorf("checked %d frames, want at least 1000", checked)
	}
}

// TestBuiltinFilterKeepsWhatIcediagDecodes decodes captures whole and
// with only the frames the filter keeps: every SIP, STUN, RTP, RTCP, DTLS,
// TLS and ICMP event must survive.
func TestBuiltinFilterKeepsWhatIcediagDecodes(t *testing.T) {
	// heplify__sip_ipv4_tcp_fragmented.pcap carries SIP on TCP 6060, a
	// port outside the built-in set.
	skip := map[string]bool{"heplify__sip_ipv4_tcp_fragmented.pcap": true}
	vms := map[uint16]*bpf.VM{LinkTypeEthernet: newVM(t, LinkTypeEthernet), LinkTypeRaw: newVM(t, LinkTypeRaw)}
	for _, path := range captures(t) {
		name := filepath.Base(path)
		frames := readFrames(t, path)
		if skip[name] || len(frames) == 0 || vms[frames[0].LinkType] == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			var kept []capfile.Packet
			for _, p := range frames {
				if vm := vms[p.LinkType]; vm == nil || vmKeeps(t, vm, p.Data) {
					kept = append(kept, p)
				}
			}
			all, filtered := decodeCounts(frames), decodeCounts(kept)
			for _, k := range []decode.Kind{decode.KindSIP, decode.KindSTUN, decode.KindRTP, decode.KindRTCP,
				decode.KindDTLS, decode.KindTLS, decode.KindPseudoTLS, decode.KindICMP} {
				if all.EventCount(k) != filtered.EventCount(k) {
					t.Errorf("%s events: %d with the filter, %d without", k, filtered.EventCount(k), all.EventCount(k))
				}
			}
			t.Logf("kept %d of %d frames", len(kept), len(frames))
		})
	}
}

func decodeCounts(frames []capfile.Packet) *decode.Stats {
	d := decode.New(func(*decode.Event) {}, decode.Options{})
	for i := range frames {
		d.Decode(0, &frames[i])
	}
	d.Finish()
	return d.Stats()
}

// TestBuiltinFilterFrames checks hand-picked frames at the edges of each
// rule.
func TestBuiltinFilterFrames(t *testing.T) {
	eth := func(etype uint16, ip []byte) []byte {
		b := make([]byte, 14, 14+len(ip))
		binary.BigEndian.PutUint16(b[12:], etype)
		return append(b, ip...)
	}
	v4 := func(proto byte, flags uint16, l4 []byte) []byte {
		b := make([]byte, 20, 20+len(l4))
		b[0], b[9] = 0x45, proto
		binary.BigEndian.PutUint16(b[6:], flags)
		return append(b, l4...)
	}
	v6 := func(next byte, l4 []byte) []byte {
		b := make([]byte, 40, 40+len(l4))
		b[0], b[6] = 0x60, next
		return append(b, l4...)
	}
	ports := func(src, dst uint16) []byte {
		b := make([]byte, 20)
		binary.BigEndian.PutUint16(b, src)
		binary.BigEndian.PutUint16(b[2:], dst)
		return b
	}
	tests := []struct {
		name string
		lt   uint16
		b    []byte
		want bool
	}{
		{"udp", 1, eth(0x0800, v4(17, 0, ports(1, 2))), true},
		{"tcp 5061 dst", 1, eth(0x0800, v4(6, 0, ports(40000, 5061))), true},
		{"tcp 443 src", 1, eth(0x0800, v4(6, 0, ports(443, 40000))), true},
		{"tcp 3481", 1, eth(0x0800, v4(6, 0, ports(1, 3481))), true},
		{"tcp 3482", 1, eth(0x0800, v4(6, 0, ports(1, 3482))), false},
		{"tcp 49999", 1, eth(0x0800, v4(6, 0, ports(49999, 1))), false},
		{"tcp 50000", 1, eth(0x0800, v4(6, 0, ports(50000, 1))), true},
		{"tcp 59999", 1, eth(0x0800, v4(6, 0, ports(1, 59999))), true},
		{"tcp 60000", 1, eth(0x0800, v4(6, 0, ports(1, 60000))), false},
		{"tcp 80", 1, eth(0x0800, v4(6, 0, ports(80, 33000))), true},
		{"tcp 5099", 1, eth(0x0800, v4(6, 0, ports(33000, 5099))), true},
		{"tcp 5100", 1, eth(0x0800, v4(6, 0, ports(33000, 5100))), false},
		{"tcp 6060", 1, eth(0x0800, v4(6, 0, ports(6060, 33000))), false},
		{"v4 more fragments", 1, eth(0x0800, v4(6, 0x2000, ports(6060, 6060))), true},
		{"v4 later fragment", 1, eth(0x0800, v4(6, 0x0010, nil)), true},
		{"v4 don't fragment", 1, eth(0x0800, v4(6, 0x4000, ports(6060, 6060))), false},
		{"icmp unreachable", 1, eth(0x0800, v4(1, 0, []byte{3, 3})), true},
		{"icmp echo", 1, eth(0x0800, v4(1, 0, []byte{8, 0})), false},
		{"gre", 1, eth(0x0800, v4(47, 0, nil)), true},
		{"igmp", 1, eth(0x0800, v4(2, 0, nil)), false},
		{"v6 udp", 1, eth(0x86dd, v6(17, ports(1, 2))), true},
		{"v6 fragment", 1, eth(0x86dd, v6(44, nil)), true},
		{"v6 tcp 5060", 1, eth(0x86dd, v6(6, ports(5060, 1))), true},
		{"v6 tcp 22", 1, eth(0x86dd, v6(6, ports(22, 50))), false},
		{"icmpv6 packet too big", 1, eth(0x86dd, v6(58, []byte{2, 0})), true},
		{"icmpv6 neighbour solicitation", 1, eth(0x86dd, v6(58, []byte{135, 0})), false},
		{"arp", 1, eth(0x0806, make([]byte, 28)), false},
		{"vlan", 1, eth(0x8100, make([]byte, 30)), true},
		{"runt", 1, []byte{1, 2, 3}, false},
		{"raw v4 udp", 101, v4(17, 0, ports(1, 2)), true},
		{"raw v6 tcp 22", 101, v6(6, ports(22, 1)), false},
		{"raw garbage", 101, []byte{0x10}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vm := newVM(t, tt.lt)
			if got := vmKeeps(t, vm, tt.b); got != tt.want {
				t.Errorf("filter(%x) = %v, want %v", tt.b, got, tt.want)
			}
			if got := keepRef(tt.lt, tt.b); got != tt.want {
				t.Errorf("keepRef(%x) = %v, want %v", tt.b, got, tt.want)
			}
		})
	}
}

func TestBuiltinFilterLinkTypes(t *testing.T) {
	for _, lt := range []uint16{0, 113, 276} {
		if _, err := BuiltinFilter(lt); !errors.Is(err, ErrLinkType) {
			t.Errorf("BuiltinFilter(%d) = %v, want ErrLinkType", lt, err)
		}
	}
}

// FuzzBuiltinFilter compares the kernel program with keepRef on any
// frame; seeds are frames of the public captures.
func FuzzBuiltinFilter(f *testing.F) {
	for _, name := range []string{"sngrep__aaa.pcap", "ntop-nDPI__teams.pcap", "ntop-nDPI__stun_signal.pcapng"} {
		path := filepath.Join("..", "..", "pcaps", "public", name)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		file, err := capfile.Open(path)
		if err != nil {
			f.Fatal(err)
		}
		var p capfile.Packet
		for i := 0; i < 40 && file.Next(&p) == nil; i++ {
			f.Add(p.LinkType == LinkTypeRaw, append([]byte(nil), p.Data...))
		}
		file.Close()
	}
	eth, raw := newVM(f, LinkTypeEthernet), newVM(f, LinkTypeRaw)
	f.Fuzz(func(t *testing.T, isRaw bool, b []byte) {
		vm, lt := eth, uint16(LinkTypeEthernet)
		if isRaw {
			vm, lt = raw, LinkTypeRaw
		}
		if got, want := vmKeeps(t, vm, b), keepRef(lt, b); got != want {
			t.Errorf("filter(%x) = %v, want %v", b, got, want)
		}
	})
}
