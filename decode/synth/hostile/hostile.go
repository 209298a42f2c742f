// Package hostile builds captures that attack a packet analyser: floods,
// lying lengths, endless folding, nesting, fragments that never complete,
// damaged capture files, a gzip bomb and time going backwards. Each capture
// is deterministic and small to store, however much work it asks for.
package hostile

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// Capture is one hostile capture file.
type Capture struct {
	Name string // file name, with the extension its format calls for
	What string // what it attacks
	Data []byte
}

var (
	start  = time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)
	client = netip.MustParseAddrPort("10.0.1.20:50000")
	server = netip.MustParseAddrPort("203.0.113.10:5061")
	turn   = netip.MustParseAddrPort("203.0.113.10:3478")
	sipUDP = netip.MustParseAddrPort("203.0.113.20:5060")
)

// All returns every hostile capture.
func All() []Capture {
	return []Capture{
		synFlood(), tcpOverlap(), sipContentLength(), sipFolding(), stunLengths(),
		turnNesting(), fragments(), pcapPastEOF(), pcapngLyingLengths(), gzipBomb(), timeBackwards(),
		sipCallFlood(),
	}
}

func eth(ip []byte) []byte { return synth.Ethernet(synth.DocMAC, synth.DocMAC, nil, ip) }

func pcap(frames []synth.Frame) []byte {
	var b bytes.Buffer
	if err := synth.WritePcap(&b, synth.LinkTypeEthernet, frames); err != nil {
		panic(err) // only on programming errors: the frames are ours
	}
	return b.Bytes()
}

// frames turns IP packets into Ethernet frames step apart in time.
func frames(step time.Duration, ips ...[]byte) []synth.Frame {
	out := make([]synth.Frame, len(ips))
	for i, ip := range ips {
		out[i] = synth.Frame{Time: start.Add(time.Duration(i) * step), Data: eth(ip)}
	}
	return out
}

// synFlood: 30,000 half-open connections toward the SIP/TLS port, with a
// real SIP message over UDP in the middle that must still be decoded.
func synFlood() Capture {
	var ips [][]byte
	for i := 0; i < 30000; i++ {
		src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 51, 100, byte(i % 250)}), uint16(1024+i))
		ips = append(ips, synth.TCP(src, server, uint32(i)*7919, 0, synth.SYN, nil))
		if i == 15000 {
			ips = append(ips, synth.UDP(client, sipUDP, []byte(sipRequest("OPTIONS", "flood-survivor", 0))))
		}
	}
	return Capture{"syn-flood.pcap", "30,000 SYNs to one port from distinct sources", pcap(frames(50*time.Microsecond, ips...))}
}

func sipRequest(method, callID string, bodyLen int) string {
	return fmt.Sprintf("%s sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.1.20:50000;branch=z9hG4bK%s\r\n"+
		"From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: %s\r\nCSeq: 1 %s\r\n"+
		"Content-Length: %d\r\n\r\n", method, callID, callID, method, bodyLen)
}

// tcpOverlap: a SIP stream whose segments overlap with different contents,
// repeat, and jump far out of the window.
func tcpOverlap() Capture {
	c := synth.NewTCPConn(client, server, 1000, 5000)
	var ips [][]byte
	ips = append(ips, c.Handshake()...)
	msg := []byte(sipRequest("REGISTER", "overlap", 0))
	seq := uint32(1001)
	ips = append(ips, synth.TCP(client, server, seq, 5001, synth.ACK|synth.PSH, msg[:60]))
	bad := bytes.Repeat([]byte{'X'}, 80)
	ips = append(ips, synth.TCP(client, server, seq+30, 5001, synth.ACK|synth.PSH, bad))               // overlaps with other bytes
	ips = append(ips, synth.TCP(client, server, seq+30, 5001, synth.ACK|synth.PSH, msg[30:]))          // the real rest
	ips = append(ips, synth.TCP(client, server, seq+1<<30, 5001, synth.ACK|synth.PSH, msg))            // out of window
	ips = append(ips, synth.TCP(client, server, seq-1<<20, 5001, synth.ACK|synth.PSH, msg))            // far behind
	ips = append(ips, synth.TCP(client, server, seq+uint32(len(msg)), 5001, synth.ACK|synth.PSH, msg)) // next message
	return Capture{"tcp-overlap.pcap", "overlapping, repeated and out-of-window TCP segments", pcap(frames(time.Millisecond, ips...))}
}

// sipContentLength: Content-Length of 2^31, -1 and 10^12 over TCP and UDP.
func sipContentLength() Capture {
	c := synth.NewTCPConn(client, server, 1, 1)
	var ips [][]byte
	ips = append(ips, c.Handshake()...)
	for _, cl := range []string{"2147483648", "-1", "1000000000000", "4294967296"} {
		m := strings.Replace(sipRequest("INVITE", "cl-"+cl, 0), "Content-Length: 0", "Content-Length: "+cl, 1) + "v=0\r\n"
		ips = append(ips, c.Send(client, []byte(m))...)
		ips = append(ips, synth.UDP(client, sipUDP, []byte(m)))
	}
	ips = append(ips, c.Send(client, []byte(sipRequest("BYE", "after-lengths", 0)))...)
	return Capture{"sip-content-length.pcap", "SIP Content-Length 2^31, negative and huge", pcap(frames(time.Millisecond, ips...))}
}

// sipFolding: a header folded over a megabyte of continuation lines on TCP,
// and over a whole 64 KB datagram on UDP.
func sipFolding() Capture {
	fold := strings.Repeat("\r\n x", 350000)
	m := "INVITE sip:bob@example.com SIP/2.0\r\nSubject: a" + fold + "\r\nCall-ID: fold\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
	c := synth.NewTCPConn(client, server, 1, 1)
	var ips [][]byte
	ips = append(ips, c.Handshake()...)
	ips = append(ips, c.Send(client, []byte(m))...)
	ips = append(ips, c.Send(client, []byte(sipRequest("BYE", "after-fold", 0)))...)
	udp := "OPTIONS sip:bob@example.com SIP/2.0\r\nSubject: a" + strings.Repeat("\r\n x", 16000) + "\r\nCall-ID: fold-udp\r\nCSeq: 1 OPTIONS\r\n\r\n"
	for _, f := range synth.Fragment(synth.UDP(client, sipUDP, []byte(udp)), 1500) {
		ips = append(ips, f)
	}
	return Capture{"sip-folding.pcap", "a SIP header folded over 1 MB (TCP) and 64 KB (UDP fragments)", pcap(frames(time.Millisecond, ips...))}
}

// stunLengths: attribute lengths past the message, 0xFFFF, and 200
// attributes in one message.
func stunLengths() Capture {
	var ips [][]byte
	txid := synth.NewTxID("hostile", true)
	m := synth.NewMsg(0x0001, txid, false).Add(0x0006, []byte("ab:cd")).Bytes()
	past := append([]byte(nil), m...)
	binary.BigEndian.PutUint16(past[22:], 0x0400) // USERNAME length far past the end
	ips = append(ips, synth.UDP(client, turn, past))
	ffff := append([]byte(nil), m...)
	binary.BigEndian.PutUint16(ffff[22:], 0xFFFF)
	ips = append(ips, synth.UDP(client, turn, ffff))
	many := synth.NewMsg(0x0001, txid, false)
	for i := 0; i < 200; i++ {
		many.Add(0x8022, []byte("x"))
	}
	ips = append(ips, synth.UDP(client, turn, many.Bytes()))
	ips = append(ips, synth.UDP(client, turn, m)) // a good one after them
	return Capture{"stun-lengths.pcap", "STUN attribute lengths past the message, 0xFFFF, 200 attributes", pcap(frames(time.Millisecond, ips...))}
}

// turnNesting: Send indications nested ten deep.
func turnNesting() Capture {
	peer := netip.MustParseAddrPort("198.51.100.7:50010")
	inner := synth.NewMsg(0x0001, synth.NewTxID("core", true), false).Add(0x0006, []byte("a:b")).Bytes()
	for i := 0; i < 10; i++ {
		inner = synth.NewMsg(0x0016, synth.NewTxID(fmt.Sprint("level", i), true), false).
			AddXORAddr(0x0012, peer).Add(0x0013, inner).Bytes()
	}
	return Capture{"turn-nesting.pcap", "TURN Send indications nested ten deep", pcap(frames(time.Millisecond, synth.UDP(client, turn, inner)))}
}

// fragments: 5,000 datagrams whose last fragment never comes, overlapping
// fragments, and a chain past 64 KiB.
func fragments() Capture {
	var ips [][]byte
	for i := 0; i < 5000; i++ {
		body := bytes.Repeat([]byte{byte(i)}, 3000)
		src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), 50000)
		fs := synth.Fragment(synth.UDP(src, sipUDP, body), 1500)
		ips = append(ips, fs[:len(fs)-1]...) // the last one never arrives
	}
	fs := synth.Fragment(synth.UDP(client, sipUDP, []byte(sipRequest("OPTIONS", "overlap-frag", 0)+strings.Repeat("a", 3000))), 1500)
	// a copy of the second fragment moved 8 bytes earlier, with other
	// contents: it overlaps the first fragment's tail
	lap := append([]byte(nil), fs[1]...)
	off := binary.BigEndian.Uint16(lap[6:])
	binary.BigEndian.PutUint16(lap[6:], off-1)
	for i := 28; i < len(lap); i++ {
		lap[i] = 'Z'
	}
	ips = append(ips, fs[0], lap, fs[1])
	big := make([]byte, 20)
	copy(big, fs[0][:20])
	binary.BigEndian.PutUint16(big[6:], 0x2000|0x1FFF) // MF, offset 65528
	binary.BigEndian.PutUint16(big[2:], 20+1480)
	ips = append(ips, append(big, make([]byte, 1480)...))
	return Capture{"fragments.pcap", "5,000 incomplete datagrams, overlapping fragments, a chain past 64 KiB", pcap(frames(100*time.Microsecond, ips...))}
}

// pcapPastEOF: a pcap whose third record claims more bytes than the file has.
func pcapPastEOF() Capture {
	b := pcap(frames(time.Millisecond,
		synth.UDP(client, sipUDP, []byte(sipRequest("OPTIONS", "eof-1", 0))),
		synth.UDP(client, sipUDP, []byte(sipRequest("OPTIONS", "eof-2", 0))),
		synth.UDP(client, sipUDP, []byte(sipRequest("OPTIONS", "eof-3", 0)))))
	// records: 24-byte file header, then 16-byte record headers
	off := 24
	for i := 0; i < 2; i++ {
		off += 16 + int(binary.LittleEndian.Uint32(b[off+8:]))
	}
	binary.LittleEndian.PutUint32(b[off+8:], 1<<20)
	binary.LittleEndian.PutUint32(b[off+12:], 1<<20)
	return Capture{"pcap-past-eof.pcap", "a pcap record length past the end of the file", b}
}

// pcapngLyingLengths: a pcapng whose second packet block states a total
// length that disagrees with its trailing copy.
func pcapngLyingLengths() Capture {
	var b bytes.Buffer
	sec := synth.Section{Interfaces: []synth.Interface{{Name: "eth0", LinkType: synth.LinkTypeEthernet}}}
	for i, ip := range [][]byte{
		synth.UDP(client, sipUDP, []byte(sipRequest("OPTIONS", "ng-1", 0))),
		synth.UDP(client, sipUDP, []byte(sipRequest("OPTIONS", "ng-2", 0))),
		synth.UDP(client, sipUDP, []byte(sipRequest("OPTIONS", "ng-3", 0))),
	} {
		sec.Frames = append(sec.Frames, synth.Frame{Time: start.Add(time.Duration(i) * time.Millisecond), Data: eth(ip)})
	}
	if err := synth.WritePcapNG(&b, sec); err != nil {
		panic(err)
	}
	data := b.Bytes()
	// walk blocks to the second Enhanced Packet Block and make it lie
	off, epb := 0, 0
	for off+8 <= len(data) {
		typ := binary.LittleEndian.Uint32(data[off:])
		n := int(binary.LittleEndian.Uint32(data[off+4:]))
		if typ == 6 {
			epb++
			if epb == 2 {
				binary.LittleEndian.PutUint32(data[off+4:], uint32(n+4096))
				break
			}
		}
		off += n
	}
	return Capture{"pcapng-lying-lengths.pcapng", "a pcapng block length that disagrees with its trailing copy", data}
}

// gzipBomb: a pcap header followed by 64 MiB of zeros, gzip-compressed to
// about 64 KB.
func gzipBomb() Capture {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	hdr := pcap(nil)
	zw.Write(hdr)
	zero := make([]byte, 1<<20)
	for i := 0; i < 64; i++ {
		zw.Write(zero)
	}
	zw.Close()
	return Capture{"gzip-bomb.pcap.gz", "gzip that expands a thousandfold into zeros", b.Bytes()}
}

// timeBackwards: a SIP dialog whose timestamps jump back an hour and forth.
func timeBackwards() Capture {
	msgs := []string{sipRequest("INVITE", "backwards", 0), sipRequest("ACK", "backwards", 0), sipRequest("BYE", "backwards", 0)}
	var fs []synth.Frame
	offsets := []time.Duration{0, -time.Hour, 2 * time.Second}
	for i, m := range msgs {
		fs = append(fs, synth.Frame{Time: start.Add(offsets[i]), Data: eth(synth.UDP(client, sipUDP, []byte(m)))})
	}
	return Capture{"time-backwards.pcap", "timestamps that go back an hour", pcap(fs)}
}

// sipCallFlood: 50,000 INVITEs with distinct Call-IDs, never answered.
func sipCallFlood() Capture {
	var ips [][]byte
	for i := 0; i < 50000; i++ {
		ips = append(ips, synth.UDP(client, sipUDP, []byte(sipRequest("INVITE", fmt.Sprintf("flood-%d", i), 0))))
	}
	return Capture{"sip-call-flood.pcap", "50,000 INVITEs with distinct Call-IDs", pcap(frames(20*time.Microsecond, ips...))}
}
