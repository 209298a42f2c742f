package sipflow

import (
	"bufio"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// capturedMessage is one SIP payload extracted from a real capture (see
// testdata/sip/README.md) with where it was seen.
type capturedMessage struct {
	Meta    Meta
	Payload []byte
}

// loadCapture reads testdata/sip/captures/<name>.tsv.
func loadCapture(t testing.TB, name string) []capturedMessage {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sip", "captures", name+".tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []capturedMessage
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 6 {
			t.Fatalf("%s: line with %d fields", name, len(fields))
		}
		out = append(out, capturedMessage{Meta: parseMeta(t, fields), Payload: mustHex(t, fields[5])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func parseMeta(t testing.TB, f []string) Meta {
	t.Helper()
	frame, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	secs, frac, _ := strings.Cut(f[1], ".")
	s, _ := strconv.ParseInt(secs, 10, 64)
	frac = (frac + "000000000")[:9]
	ns, _ := strconv.ParseInt(frac, 10, 64)
	return Meta{
		Frame: frame, Time: time.Unix(s, ns).UTC(),
		Src: netip.MustParseAddrPort(f[2]), Dst: netip.MustParseAddrPort(f[3]), Transport: f[4],
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// captureNames lists the extracted captures.
var captureNames = []string{
	"wireshark-samples__sip-rtp-g711", "sngrep__aaa", "ntop-nDPI__FAX-Call-t38-CA-TDM-SIP-FB-1",
	"suricata-verify__sip_compact_form", "wireshark-samples__Asterisk_ZFONE_XLITE",
	"heplify__erspan_sip_ipv4_udp", "sngrep__ipv6frag", "heplify__sip_sctp", "heplify__sip_ipv6_udp",
}
