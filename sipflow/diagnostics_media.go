package sipflow

import (
	"strconv"
	"strings"
)

// MediaDebug is the media connectivity record of an ms-client-diagnostics
// header (MS-REFERENCE §3.2): from a CallerMediaDebug / CalleeMediaDebug
// value "<media>:ICEWarn=0x..,LocalSite=ip:port,..." (one per media), or
// from the same keys flattened as header parameters. LocalSite/RemoteSite
// are the endpoints' addresses, LocalMR/RemoteMR the media relays (A/V
// Edge). Location values are -1 when absent (0 unknown, 1 Internet,
// 2 Intranet: inferred, uncertain). Other holds keys not named here.
type MediaDebug struct {
	Side                                     string // "Caller", "Callee" or ""
	Media                                    string
	ICEWarn                                  uint32
	HasICEWarn                               bool
	LocalSite, LocalMR, RemoteSite, RemoteMR string
	LocalMRTCPPort, RemoteMRTCPPort          int
	PortRange                                [2]int
	LocalLocation, RemoteLocation            int
	FederationType                           int
	Interfaces                               uint32
	MediaChanBlob                            []Param
	Other                                    []Param
}

// flatKeys are the media-debug keys that may appear as top-level
// parameters of ms-client-diagnostics.
var flatKeys = map[string]bool{
	"icewarn": true, "icewarnex": true, "localsite": true, "localmr": true, "remotesite": true,
	"remotemr": true, "portrange": true, "localmrtcpport": true, "remotemrtcpport": true,
	"locallocation": true, "remotelocation": true, "federationtype": true, "networkname": true,
	"interfaces": true, "baseinterface": true, "baseaddress": true, "mrdnsu": true, "mrresu": true,
}

func parseMediaDebugParams(params []Param) []MediaDebug {
	var out []MediaDebug
	var flat []Param
	for _, p := range params {
		switch name := strings.ToLower(p.Name); {
		case name == "callermediadebug" || name == "calleemediadebug":
			side := "Callee"
			if name == "callermediadebug" {
				side = "Caller"
			}
			out = append(out, ParseMediaDebug(p.Value, side)...)
		case flatKeys[name]:
			flat = append(flat, p)
		}
	}
	blob := paramValue(params, "MediaChanBlob")
	if len(flat) > 0 || blob != "" && len(out) == 0 {
		md := newMediaDebug(paramValue(params, "UserType"), paramValue(params, "MediaType"))
		for _, p := range flat {
			md.set(p.Name, p.Value)
		}
		out = append(out, md)
	}
	if blob != "" {
		out[len(out)-1].MediaChanBlob = parseKeyValues(blob)
	}
	return out
}

func newMediaDebug(side, media string) MediaDebug {
	return MediaDebug{Side: side, Media: media, LocalLocation: -1, RemoteLocation: -1, FederationType: -1}
}

// ParseMediaDebug parses a CallerMediaDebug / CalleeMediaDebug value; side
// is "Caller" or "Callee". A key written "<media>:<key>" starts the record
// of a new media ("audio:ICEWarn=0x0,...,video:ICEWarn=...").
func ParseMediaDebug(value, side string) []MediaDebug {
	var out []MediaDebug
	for _, kv := range parseKeyValues(value) {
		key := kv.Name
		if media, k, ok := strings.Cut(key, ":"); ok {
			out = append(out, newMediaDebug(side, strings.TrimSpace(media)))
			key = k
		}
		if len(out) == 0 {
			out = append(out, newMediaDebug(side, ""))
		}
		out[len(out)-1].set(strings.TrimSpace(key), kv.Value)
	}
	return out
}

// parseKeyValues splits "k=v,k=v" (the MediaDebug and MediaChanBlob form).
func parseKeyValues(s string) []Param {
	var out []Param
	for _, item := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(item), "=")
		if k != "" {
			out = append(out, Param{Name: k, Value: strings.TrimSpace(v)})
		}
	}
	return out
}

func (md *MediaDebug) set(key, value string) {
	switch strings.ToLower(key) {
	case "icewarn":
		md.ICEWarn, md.HasICEWarn = parseHex32(value)
	case "localsite":
		md.LocalSite = value
	case "localmr":
		md.LocalMR = value
	case "remotesite":
		md.RemoteSite = value
	case "remotemr":
		md.RemoteMR = value
	case "localmrtcpport":
		md.LocalMRTCPPort, _ = strconv.Atoi(value)
	case "remotemrtcpport":
		md.RemoteMRTCPPort, _ = strconv.Atoi(value)
	case "portrange":
		lo, hi, _ := strings.Cut(value, ":")
		md.PortRange[0], _ = strconv.Atoi(lo)
		md.PortRange[1], _ = strconv.Atoi(hi)
	default:
		md.setNumber(key, value)
	}
}

func (md *MediaDebug) setNumber(key, value string) {
	n, err := strconv.Atoi(value)
	switch k := strings.ToLower(key); {
	case k == "locallocation" && err == nil:
		md.LocalLocation = n
	case k == "remotelocation" && err == nil:
		md.RemoteLocation = n
	case k == "federationtype" && err == nil:
		md.FederationType = n
	case k == "interfaces":
		md.Interfaces, _ = parseHex32(value)
	default:
		md.Other = append(md.Other, Param{Name: key, Value: value})
	}
}

// parseHex32 reads "0x..." hex or plain decimal.
func parseHex32(s string) (uint32, bool) {
	s = strings.TrimSpace(s)
	base := 10
	if hasPrefixFold(s, "0x") {
		s, base = s[2:], 16
	}
	n, err := strconv.ParseUint(s, base, 32)
	return uint32(n), err == nil
}
