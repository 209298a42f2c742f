package decode

import "strconv"

// Summary is the serialisable digest of Stats that reports carry.
type Summary struct {
	Packets     uint64         `json:"packets"`
	Bytes       uint64         `json:"bytes"`
	First       string         `json:"first,omitempty"`
	Last        string         `json:"last,omitempty"`
	Files       []FileStats    `json:"files"`
	Messages    []KindCount    `json:"messages"`
	Relayed     uint64         `json:"relayed"`
	Duplicates  uint64         `json:"duplicates"`
	Fragments   uint64         `json:"fragments"`
	Reassembled uint64         `json:"reassembled"`
	Problems    []ProblemBrief `json:"problems"`
}

// KindCount is how many events of one kind were decoded.
type KindCount struct {
	Kind  string `json:"kind"`
	Count uint64 `json:"count"`
}

// ProblemBrief is a Problem with its frames as "file#frame" strings.
type ProblemBrief struct {
	Layer  string   `json:"layer"`
	Reason string   `json:"reason"`
	Count  uint64   `json:"count"`
	Frames []string `json:"frames"`
}

// Summarize digests s.
func Summarize(s *Stats) Summary {
	out := Summary{
		Packets: s.Packets, Bytes: s.Bytes, Files: s.Files, Relayed: s.Relayed,
		Duplicates: s.Duplicates, Fragments: s.Fragments, Reassembled: s.Reassembled,
		Messages: []KindCount{}, Problems: []ProblemBrief{},
	}
	if !s.First.IsZero() {
		out.First = s.First.UTC().Format(TimeLayout)
		out.Last = s.Last.UTC().Format(TimeLayout)
	}
	for k := KindSTUN; k < numKinds; k++ {
		if s.Events[k] > 0 {
			out.Messages = append(out.Messages, KindCount{k.String(), s.Events[k]})
		}
	}
	for _, p := range s.Problems() {
		b := ProblemBrief{Layer: p.Layer, Reason: p.Reason, Count: p.Count, Frames: []string{}}
		for _, f := range p.Frames {
			b.Frames = append(b.Frames, s.frameName(f))
		}
		out.Problems = append(out.Problems, b)
	}
	return out
}

// frameName names a frame as "file.pcap#123" (or "#123" for one input).
func (s *Stats) frameName(f FrameRef) string {
	name := ""
	if len(s.Files) > 1 && f.File < len(s.Files) {
		name = s.Files[f.File].Name
	}
	return name + "#" + strconv.FormatUint(f.Frame, 10)
}
