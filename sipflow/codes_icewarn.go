package sipflow

// ICEWarnBit is one set bit of an ICE warning bitmap with its meaning.
// Uncertain marks bits whose meaning no source confirms; unknown bits have
// Meaning "unknown bit".
type ICEWarnBit struct {
	Bit       uint32
	Meaning   string
	Uncertain bool
}

// iceWarnTableA is the ICE warning table of Lync 2010/2013 and Skype for
// Business clients (MS-REFERENCE §3.4 Table A, Lync Server 2010 Resource
// Kit wording as used by field decoders). It decodes real traffic.
var iceWarnTableA = map[uint32]ICEWarnBit{
	0x1:       {Meaning: "TURN server unreachable (check TCP 443 / UDP 3478)"},
	0x2:       {Meaning: "UDP allocation on TURN failed"},
	0x4:       {Meaning: "UDP send on TURN failed"},
	0x8:       {Meaning: "TCP allocation on TURN failed"},
	0x10:      {Meaning: "TCP send on TURN failed"},
	0x20:      {Meaning: "Local connectivity failed (local UDP for A/V, local TCP for app sharing / file transfer)"},
	0x40:      {Meaning: "UDP NAT connectivity failed"},
	0x80:      {Meaning: "UDP TURN connectivity failed"},
	0x100:     {Meaning: "TCP NAT connectivity failed"},
	0x200:     {Meaning: "TCP TURN connectivity failed"},
	0x400:     {Meaning: "Message-integrity failure in connectivity-check request"},
	0x800:     {Meaning: "Message-integrity failure in connectivity-check response (probable)", Uncertain: true},
	0x1000:    {Meaning: "Bandwidth policy server configured"},
	0x2000:    {Meaning: "Connectivity-check request failed (memory or other error)"},
	0x4000:    {Meaning: "TURN credentials expired or unknown (MRAS / authentication problem)"},
	0x8000:    {Meaning: "Bandwidth policy removed candidates"},
	0x10000:   {Meaning: "Bandwidth policy reduced bandwidth"},
	0x20000:   {Meaning: "Bandwidth policy keep-alive failed"},
	0x40000:   {Meaning: "Bandwidth policy allocation failure (relay-to-relay rejected)"},
	0x80000:   {Meaning: "No TURN server configured or DNS failure"},
	0x100000:  {Meaning: "Multiple TURN servers configured (informational)"},
	0x200000:  {Meaning: "Port range exhausted (A/V needs at least 20 ports, app sharing / file transfer 3)"},
	0x400000:  {Meaning: "Received alternate server"},
	0x800000:  {Meaning: "Pseudo-TLS failure (proxy SSL inspection)"},
	0x1000000: {Meaning: "HTTP proxy configured"},
	0x2000000: {Meaning: "HTTP proxy authentication failed"},
	0x4000000: {Meaning: "TCP-TCP connectivity checks over TURN failed (TCP 443 / 50000-59999 between Edges)"},
	0x8000000: {Meaning: "Use-candidate checks failed after some packets (third-party Winsock LSPs)"},
}

// iceWarnTableB is the IceWarningFlags table of MS-QoE §2.2.1.7.1, probably
// OCS 2007 R2; MS-REFERENCE §3.4 Table B. The published table ends at
// 0x200000. Offered as an alternative reading.
var iceWarnTableB = map[uint32]ICEWarnBit{
	0x10:     {Meaning: "TURN server unreachable"},
	0x20:     {Meaning: "Shared secret with TURN failed"},
	0x40:     {Meaning: "UDP allocate failed"},
	0x200:    {Meaning: "TCP allocate failed"},
	0x4000:   {Meaning: "UDP local connectivity failed"},
	0x8000:   {Meaning: "UDP NAT connectivity failed"},
	0x10000:  {Meaning: "UDP TURN connectivity failed"},
	0x40000:  {Meaning: "TCP NAT connectivity failed"},
	0x80000:  {Meaning: "TCP TURN connectivity failed"},
	0x100000: {Meaning: "MI failed in connectivity-check request"},
	0x200000: {Meaning: "MI failed in connectivity-check response"},
}

// DecodeICEWarn decodes an ICEWarn bitmap with Table A (Lync / Skype for
// Business clients), every set bit from least to most significant,
// including the top one that some decoders skip.
func DecodeICEWarn(v uint32) []ICEWarnBit { return decodeBits(v, iceWarnTableA) }

// DecodeICEWarnQoE decodes an IceWarningFlags bitmap with the MS-QoE
// §2.2.1.7.1 table (Table B), whose product is uncertain.
func DecodeICEWarnQoE(v uint32) []ICEWarnBit { return decodeBits(v, iceWarnTableB) }

func decodeBits(v uint32, table map[uint32]ICEWarnBit) []ICEWarnBit {
	var out []ICEWarnBit
	for i := 0; i < 32; i++ {
		bit := uint32(1) << i
		if v&bit == 0 {
			continue
		}
		b, ok := table[bit]
		if !ok {
			b = ICEWarnBit{Meaning: "unknown bit", Uncertain: true}
		}
		b.Bit = bit
		out = append(out, b)
	}
	return out
}
