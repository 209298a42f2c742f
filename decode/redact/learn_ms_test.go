package redact

import (
	"strings"
	"testing"
)

// msMessages are Lync/Skype for Business message parts written after the
// examples of MS-REFERENCE §2.2 (draft-06 candidates), §3.1-§3.2
// (diagnostics headers), §4 (QoE report) and MS-SIPAE (NTLM/Kerberos
// challenges), each with the identifiers Learn must find in it.
var msMessages = []struct {
	name, msg string
	secrets   []string
}{
	{"ntlm challenge", "SIP/2.0 401 Unauthorized\r\n" +
		`WWW-Authenticate: NTLM opaque="8C2B3A9D", gssapi-data="TlRMTVNTUAACAAAAAAAAADgAAADzgpji", targetname="lyncfe01.contoso.local", realm="SIP Communications Service", version=4` + "\r\n" +
		`Authorization: Kerberos qop="auth", realm="SIP Communications Service", targetname="sip/lyncpool.contoso.com", gssapi-data="YIIFXwYJKoZIhvcSAQICAQBuggVOMIIFSqADAgEF", crand="1a2b3c4d", cnum="7", response="0100000000000000c0ffee00"` + "\r\n\r\n",
		[]string{"8C2B3A9D", "TlRMTVNTUAACAAAAAAAAADgAAADzgpji", "lyncfe01", "contoso", "lyncpool", "YIIFXwYJKoZIhvcSAQICAQBuggVOMIIFSqADAgEF", "0100000000000000c0ffee00", "1a2b3c4d"}},
	{"draft-06 candidates", "INVITE sip:bob@fabrikam.com SIP/2.0\r\nContent-Type: application/sdp\r\n\r\n" +
		"v=0\r\no=- 0 0 IN IP4 192.168.66.57\r\ns=session\r\nc=IN IP4 192.168.66.57\r\nm=audio 31848 RTP/AVP 0\r\n" +
		"a=candidate:d5lFvGToRDKh/UhyFNN9rharqthzUrF2FIRP+boPcnE 1 1Riht1AWk/x7TSyhrZQfDA UDP 0.830 192.168.66.57 31848\r\n" +
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31|1:1\r\n" +
		"a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3B:F3:3A:D0:A5:55:BE:6D:49:F1:8F:50\r\n",
		[]string{"d5lFvGToRDKh/UhyFNN9rharqthzUrF2FIRP+boPcnE", "1Riht1AWk/x7TSyhrZQfDA", "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz", "4A:AD:B9:B1", "fabrikam", "192.168.66.57"}},
	{"diagnostics", "BYE sip:alice@contoso.com SIP/2.0\r\n" +
		`ms-diagnostics: 1034;reason="Previous hop federated peer did not report diagnostic information";Domain="fabrikam.com";PeerServer="sip.fabrikam.com";source="edge01.contoso.com"` + "\r\n" +
		`ms-client-diagnostics: 51007; reason="Callee media connectivity diagnosis info"; CalleeMediaDebug="audio:ICEWarn=0x80000,LocalSite=10.0.0.5:50012,LocalMR=203.0.113.10:3478,RemoteSite=198.51.100.7:50010"; NetworkName="ContosoGuestWifi"` + "\r\n\r\n",
		[]string{"fabrikam", "edge01", "contoso", "10.0.0.5", "203.0.113.10", "198.51.100.7", "ContosoGuestWifi"}},
	{"qoe report", "SERVICE sip:qoe@pool.contoso.com SIP/2.0\r\nContent-Type: application/vq-rtcpxr+xml\r\n\r\n" +
		`<VQReportEvent xmlns="ms-rtcp-metrics"><VQSessionReport SessionId="1c4e5f7a8b9c"><Endpoint Name="DESKTOP-ALICE01"/>` +
		`<DialogInfo><FromURI>sip:alice@contoso.com</FromURI><ToURI>sip:bob@fabrikam.com</ToURI><CallId>a1b2c3d4e5f6a7b8</CallId></DialogInfo>` +
		`<MediaLine><Description><Connectivity><Ice>RELAY</Ice></Connectivity><LocalAddr><IPAddr>10.0.0.5</IPAddr><Port>50012</Port><MacAddr>00-15-5D-01-02-03</MacAddr></LocalAddr>` +
		`<v3:ReflexiveLocalIPAddress>198.51.100.7</v3:ReflexiveLocalIPAddress></Description></MediaLine></VQSessionReport></VQReportEvent>`,
		[]string{"1c4e5f7a8b9c", "DESKTOP-ALICE01", "alice", "contoso", "fabrikam", "a1b2c3d4e5f6a7b8", "10.0.0.5", "198.51.100.7", "00-15-5D-01-02-03"}},
}

func TestLearnMSMessages(t *testing.T) {
	for _, tc := range msMessages {
		t.Run(tc.name, func(t *testing.T) {
			r := New([]byte("ms"))
			r.LearnSIP([]byte(tc.msg))
			out := r.Text(tc.msg)
			if len(out) != len(tc.msg) {
				t.Fatalf("Text(%s) has %d bytes, want %d", tc.name, len(out), len(tc.msg))
			}
			for _, s := range tc.secrets {
				if strings.Contains(out, s) {
					t.Errorf("Text(%s) still holds %q:\n%s", tc.name, s, out)
				}
			}
			for _, keep := range []string{"SIP/2.0", "realm=", "targetname=", "a=candidate:", "UDP 0.830", "ICEWarn=0x", "inline:", "sha-256", "<Ice>RELAY</Ice>", ":50012", "Port>50012"} {
				if strings.Contains(tc.msg, keep) && !strings.Contains(out, keep) {
					t.Errorf("Text(%s) lost %q:\n%s", tc.name, keep, out)
				}
			}
		})
	}
}
