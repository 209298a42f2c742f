package wire

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// expectedDecodeErrors lists the frames whose STUN message is malformed on
// purpose, with the reason Decode must give.
var expectedDecodeErrors = map[string]map[int]string{
	"zeek-spicy-analyzers__stun-attribute-length-ffff.pcap": {2: "stun: attribute length past end"},
	"zeek-spicy-analyzers__stun-malformed-error.pcap":       {2: "stun: attribute length past end"},
}

// unwrapSTUN returns the STUN message of a datagram: the payload itself, or
// the content of a ChannelData or MS multiplexed TURN packet, or a message
// framed on TCP (RFC 4571 or MS-TURN 0x02/0x03 framing). channel is the
// ChannelData/MuxTURN channel, 0 if none.
func unwrapSTUN(d datagram) (msg []byte, channel uint16) {
	p := d.Payload
	switch Classify(p) {
	case ContentChannelData:
		var cd ChannelData
		if cd.Decode(p) == nil {
			return cd.Data, cd.Channel
		}
	case ContentMuxTURN:
		var mx MuxTURN
		if mx.Decode(p) == nil {
			return mx.Data, MuxTURNChannel
		}
	}
	if d.Proto == "tcp" && !IsSTUN(p) {
		if n, ok := RFC4571Size(p); ok && n <= len(p) && IsSTUN(p[2:n]) {
			return p[2:n], 0
		}
		var f MSFrame
		if f.Decode(p) == nil {
			return f.Payload, 0
		}
	}
	return p, 0
}

// addrLists returns the IPv4 addresses, IPv6 addresses and ports of the
// address attributes of m in wire order, as tshark lists them.
func addrLists(m *STUN) (v4, v6, ports []string) {
	for _, a := range m.Attrs {
		ap, ok := attrAddr(m, a)
		if !ok {
			continue
		}
		if ap.Addr().Is4() {
			v4 = append(v4, ap.Addr().String())
		} else {
			v6 = append(v6, ap.Addr().String())
		}
		ports = append(ports, strconv.Itoa(int(ap.Port())))
	}
	return v4, v6, ports
}

// attrAddr decodes an address attribute of m.
func attrAddr(m *STUN, a Attr) (netip.AddrPort, bool) {
	var ap netip.AddrPort
	switch a.Type {
	case 0x0001, 0x0002, 0x0004, 0x0005, 0x000B, 0x000E, 0x0011, 0x8023, 0x802B, 0x802C, 0x8090:
		ap = plainAddr(a.Value)
	case 0x0012:
		if m.Dialect == DialectMSTURN {
			ap = plainAddr(a.Value)
		} else {
			ap = m.xorAddr(a.Value)
		}
	case 0x0016, 0x0020, 0x8020:
		ap = m.xorAddr(a.Value)
	default:
		return ap, false
	}
	return ap, ap.IsValid()
}

func TestSTUNMatchesTshark(t *testing.T) {
	for _, name := range stunCaptures {
		t.Run(name, func(t *testing.T) {
			rows := loadTshark(t, name)
			frames := loadFixture(t, name)
			seen := 0
			for _, d := range frames {
				row, ok := rows[d.Frame]
				if !ok {
					continue
				}
				seen++
				checkFrame(t, name, d, row)
			}
			if seen != len(rows) {
				t.Errorf("%s: checked %d frames, tshark has %d", name, seen, len(rows))
			}
		})
	}
}

// checkFrame compares the decode of one frame with tshark's fields.
func checkFrame(t *testing.T, capture string, d datagram, row map[string]string) {
	t.Helper()
	msg, channel := unwrapSTUN(d)
	if want := first(row["stun.channel"]); want != "" && channel != 0 {
		if got := fmt.Sprintf("0x%04x", channel); got != want {
			t.Errorf("frame %d: channel = %s, want %s", d.Frame, got, want)
		}
	}
	wantType := first(row["stun.type"] + row["classicstun.type"])
	if wantType == "" {
		return // ChannelData carrying no STUN message
	}
	var m STUN
	err := m.Decode(msg)
	if want, bad := expectedDecodeErrors[capture][d.Frame]; bad {
		if Reason(err) != want {
			t.Errorf("frame %d: Decode error %q, want %q", d.Frame, Reason(err), want)
		}
	} else if err != nil {
		t.Errorf("frame %d: Decode(% x) = %v, want nil", d.Frame, msg, err)
	}
	if got := fmt.Sprintf("0x%04x", m.Type); got != wantType {
		t.Errorf("frame %d: Type = %s, want %s", d.Frame, got, wantType)
	}
	if got, want := string(m.AppendTxID(nil)), first(row["stun.id"]+row["classicstun.id"]); got != want {
		t.Errorf("frame %d: AppendTxID = %s, want %s", d.Frame, got, want)
	}
	if err == nil {
		checkAttrs(t, d.Frame, &m, row)
	}
}

// checkAttrs compares attribute values with tshark's fields.
func checkAttrs(t *testing.T, frame int, m *STUN, row map[string]string) {
	t.Helper()
	if want := first(row["stun.att.username"]); want != "" {
		got := string(m.Username) // tshark shows the string up to the first NUL
		if i := strings.IndexByte(got, 0); i >= 0 {
			got = got[:i]
		}
		if got != want {
			t.Errorf("frame %d: Username = %q, want %q", frame, got, want)
		}
	}
	cls, num := row["stun.att.error.class"]+row["classicstun.att.error.class"], row["stun.att.error"]+row["classicstun.att.error"]
	if cls != "" {
		c, _ := strconv.Atoi(first(cls))
		n, _ := strconv.Atoi(first(num))
		if want := uint16(c*100 + n); m.ErrorCode != want {
			t.Errorf("frame %d: ErrorCode = %d, want %d", frame, m.ErrorCode, want)
		}
	}
	// tshark walks MS unpadded attributes as if padded and loses them after
	// the first unaligned one; TestMSTURNTeams checks those messages.
	if !m.Unpadded {
		v4, v6, ports := addrLists(m)
		checkPrefix(t, frame, "IPv4 addresses", v4, row["stun.att.ipv4"]+row["classicstun.att.ipv4"])
		checkPrefix(t, frame, "IPv6 addresses", v6, row["stun.att.ipv6"])
		checkPrefix(t, frame, "ports", ports, row["stun.att.port"]+row["classicstun.att.port"])
	}
	if st := first(row["stun.att.crc32.status"]); st != "" {
		good := m.FingerprintOK && !m.FingerprintLegacy
		if good != (st == "1") {
			t.Errorf("frame %d: FINGERPRINT ok=%v legacy=%v, tshark status %s", frame, m.FingerprintOK, m.FingerprintLegacy, st)
		}
	}
	if want := first(row["stun.att.priority"]); want != "" && strconv.Itoa(int(m.Priority)) != want {
		t.Errorf("frame %d: Priority = %d, want %s", frame, m.Priority, want)
	}
	if want := first(row["stun.att.lifetime"]); want != "" && strconv.Itoa(int(m.Lifetime)) != want {
		t.Errorf("frame %d: Lifetime = %d, want %s", frame, m.Lifetime, want)
	}
}

// checkPrefix checks that got starts tshark's list (tshark adds the values
// of messages nested in DATA after those of the outer message).
func checkPrefix(t *testing.T, frame int, what string, got []string, tshark string) {
	t.Helper()
	var want []string
	if tshark != "" {
		want = strings.Split(tshark, ",")
	}
	if len(got) > len(want) {
		t.Errorf("frame %d: %s = %v, tshark %v", frame, what, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("frame %d: %s = %v, tshark %v", frame, what, got, want)
			return
		}
	}
}
