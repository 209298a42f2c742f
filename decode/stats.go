package decode

import (
	"sort"
	"time"
)

// maxProblemFrames is how many example frames a Problem keeps.
const maxProblemFrames = 5

// Problem counts one kind of decode trouble: a layer and a reason, with the
// first few frames it happened in.
type Problem struct {
	Layer  string     `json:"layer"`
	Reason string     `json:"reason"`
	Count  uint64     `json:"count"`
	Frames []FrameRef `json:"frames"`
}

type problemKey struct{ layer, reason string }

// FileStats describes one input file.
type FileStats struct {
	Name    string    `json:"name"`
	Format  string    `json:"format"`
	Packets uint64    `json:"packets"`
	Bytes   uint64    `json:"bytes"`
	First   time.Time `json:"first"`
	Last    time.Time `json:"last"`
	// Err is the message of the error that ended the file early, if any.
	Err string `json:"error,omitempty"`
}

// Stats summarises what the decoder saw.
type Stats struct {
	Files           []FileStats
	Packets         uint64 // frames read
	Bytes           uint64 // captured bytes read
	First           time.Time
	Last            time.Time
	IPv4, IPv6      uint64
	UDPPackets      uint64
	TCPPackets      uint64
	SCTPChunks      uint64
	Fragments       uint64 // IP fragments seen
	Reassembled     uint64 // datagrams rebuilt from fragments
	Duplicates      uint64 // exact duplicates dropped (SPAN, several interfaces)
	OtherPackets    uint64 // frames of protocols icediag does not look at (ARP, ...)
	OtherPayloads   uint64 // UDP payloads and stream bytes of no known protocol
	RelayedPayloads uint64 // payloads decoded from inside TURN relay legs
	Events          [numKinds]uint64
	Relayed         uint64 // events that travelled inside a TURN relay leg
	Names           Names  // DNS lookups and TLS server certificates (dns_table.go, tlscert.go)
	problems        map[problemKey]*Problem
}

// EventCount returns how many events of kind k were delivered.
func (s *Stats) EventCount(k Kind) uint64 {
	if k < numKinds {
		return s.Events[k]
	}
	return 0
}

// Problems returns the decode problems, most frequent first, then by layer
// and reason (a deterministic order).
func (s *Stats) Problems() []Problem {
	out := make([]Problem, 0, len(s.problems))
	for _, p := range s.problems {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Layer != b.Layer {
			return a.Layer < b.Layer
		}
		return a.Reason < b.Reason
	})
	return out
}

// ProblemCount returns the total number of problems recorded.
func (s *Stats) ProblemCount() uint64 {
	var n uint64
	for _, p := range s.problems {
		n += p.Count
	}
	return n
}

// AddProblem counts n occurrences of a problem found after decoding (the
// analysis dropping state at one of its limits), so that every report lists
// it with the decode problems. It records no frames.
func (s *Stats) AddProblem(layer, reason string, n uint64) {
	if n == 0 {
		return
	}
	if s.problems == nil {
		s.problems = make(map[problemKey]*Problem)
	}
	k := problemKey{layer, reason}
	p := s.problems[k]
	if p == nil {
		p = &Problem{Layer: layer, Reason: reason}
		s.problems[k] = p
	}
	p.Count += n
}

// problem counts one occurrence. layer and reason should be constant strings
// so that recording does not allocate after the first occurrence.
func (s *Stats) problem(layer, reason string, at FrameRef) {
	if s.problems == nil {
		s.problems = make(map[problemKey]*Problem)
	}
	k := problemKey{layer, reason}
	p := s.problems[k]
	if p == nil {
		p = &Problem{Layer: layer, Reason: reason}
		s.problems[k] = p
	}
	p.Count++
	// Keep the earliest frames in capture order, whatever order the
	// problems were found in (the TCP reassembler flushes in map order).
	i := sort.Search(len(p.Frames), func(i int) bool { return frameLess(at, p.Frames[i]) })
	if i >= maxProblemFrames {
		return
	}
	if len(p.Frames) < maxProblemFrames {
		p.Frames = append(p.Frames, FrameRef{})
	}
	copy(p.Frames[i+1:], p.Frames[i:])
	p.Frames[i] = at
}

func frameLess(a, b FrameRef) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	return a.Frame < b.Frame
}
