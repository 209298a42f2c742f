package sipflow

// CodeInfo is the meaning of one diagnostics code. Uncertain marks entries
// that no retrieved specification confirms (MS-REFERENCE §3.1, §3.2, §8), so
// a report can say so.
type CodeInfo struct {
	Text      string
	Uncertain bool
}

// serverCodes are ms-diagnostics / ms-diagnostics-public codes
// (MS-OCER §2.2.1.1 and Appendix A, OCS 2007 error-id documentation).
var serverCodes = map[int]CodeInfo{
	1000:  {Text: "Final handshake failed"},
	1001:  {Text: "From URI not authorized to communicate with public IM providers"},
	1002:  {Text: "From URI not authorized to communicate with federated partners"},
	1003:  {Text: "User does not exist"},
	1004:  {Text: "Route set is no longer valid"},
	1005:  {Text: "Cannot route to destination domain"},
	1006:  {Text: "Error routing on client connection"},
	1007:  {Text: "Temporarily cannot route"},
	1008:  {Text: "Unable to resolve DNS SRV record"},
	1009:  {Text: "Conflicting SRV and host domains in DNS"},
	1010:  {Text: "Certificate trust with next-hop server could not be established"},
	1011:  {Text: "ms-diagnostics header not provided by previous hop"},
	1012:  {Text: "From URI is not authorized to communicate with users outside the enterprise"},
	1013:  {Text: "Significant time skew detected during authentication"},
	1014:  {Text: "Unable to resolve DNS A record"},
	1033:  {Text: "Previous hop server component did not report diagnostic information", Uncertain: true},
	1034:  {Text: "Previous hop federated peer did not report diagnostic information"},
	1036:  {Text: "Previous hop shared address space peer did not report diagnostic information", Uncertain: true},
	1038:  {Text: "Federation, TLS or connect failure (reason text not confirmed)", Uncertain: true},
	1046:  {Text: "Federation, TLS or connect failure (reason text not confirmed)", Uncertain: true},
	4000:  {Text: "User services default"},
	4001:  {Text: "XML parse failure"},
	4003:  {Text: "From URI not enabled for remote access"},
	4005:  {Text: "Destination URI either not enabled for SIP or does not exist"},
	4141:  {Text: "User disabled"},
	5000:  {Text: "One or more critical applications are not running"},
	5001:  {Text: "Request timed out", Uncertain: true},
	5002:  {Text: "Request was cancelled", Uncertain: true},
	7008:  {Text: "Error parsing SDP (A/V conferencing could not parse the ICE draft-06 offer)"},
	10003: {Text: "Proxy returned a SIP failure (Mediation Server)"},
	13000: {Text: "Inbound routing: call to self loop", Uncertain: true},
	13008: {Text: "Inbound routing: diagnostic headers removed for privacy", Uncertain: true},
}

// clientCodes are ms-client-diagnostics codes sent by endpoints
// (MS-REFERENCE §3.2).
var clientCodes = map[int]CodeInfo{
	21:    {Text: "Call failed to establish due to a media connectivity failure where one endpoint is of unknown type"},
	22:    {Text: "Call failed to establish due to a media connectivity failure when both endpoints are internal"},
	23:    {Text: "Call failed to establish due to a media connectivity failure when one endpoint is internal and the other is remote"},
	24:    {Text: "Call failed to establish due to a media connectivity failure when both endpoints are remote", Uncertain: true},
	25:    {Text: "A federated call failed to establish due to a media connectivity failure where both endpoints are internal"},
	51004: {Text: "Action initiated by user", Uncertain: true},
	51007: {Text: "Callee media connectivity diagnosis info"},
	52001: {Text: "Meaning not documented", Uncertain: true},
	52017: {Text: "Encryption levels dont match"},
	52035: {Text: "This client has an IM session with the same conversation ID"},
	52063: {Text: "Unsupported session description"},
}

// serverRanges name the component that owns a range of ms-diagnostics
// codes (OCS 2007 error-id ranges, MS-REFERENCE §3.1).
var serverRanges = []struct {
	lo, hi    int
	component string
}{
	{0, 999, "Common"}, {1000, 1999, "SIP stack"}, {2000, 2999, "Presence"},
	{3000, 3999, "Conferencing focus"}, {4000, 4999, "User services"},
	{5000, 5999, "API applications"}, {6000, 6999, "IM conferencing"},
	{7000, 7999, "A/V conferencing"}, {8000, 8999, "Telephony conferencing"},
	{9000, 9999, "MRAS"}, {10000, 10999, "Mediation Server"}, {11000, 11999, "Metrics"},
	{12000, 12999, "VoIP outbound routing"}, {13000, 13999, "VoIP inbound routing"},
	{14000, 14999, "Translation / dial plans"}, {15000, 15999, "Exchange UM"},
	{16000, 16999, "IM filter"}, {17000, 17999, "Client version filter"},
}

// LookupServerCode returns the meaning of an ms-diagnostics or
// ms-diagnostics-public code and whether the table knows it.
func LookupServerCode(code int) (CodeInfo, bool) {
	c, ok := serverCodes[code]
	return c, ok
}

// LookupClientCode returns the meaning of an ms-client-diagnostics code and
// whether the table knows it.
func LookupClientCode(code int) (CodeInfo, bool) {
	c, ok := clientCodes[code]
	return c, ok
}

// ServerComponent names the server component that owns an ms-diagnostics
// code by its range, or "" outside the known ranges.
func ServerComponent(code int) string {
	for _, r := range serverRanges {
		if code >= r.lo && code <= r.hi {
			return r.component
		}
	}
	return ""
}
