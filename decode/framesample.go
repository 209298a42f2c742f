package decode

// SampleFrames is how many frames a FrameSample keeps from each end.
const SampleFrames = 5

// FrameSample counts the frames of one flow or message kind and keeps the
// first SampleFrames of them and the last SampleFrames, as the frames a
// finding cites. It holds no pointer, so counting a packet costs no write
// barrier and no allocation.
type FrameSample struct {
	Count int
	first [SampleFrames]FrameRef
	last  [SampleFrames]FrameRef // last[Count % SampleFrames] is the oldest once full
}

// Add counts one frame.
func (s *FrameSample) Add(r FrameRef) {
	if s.Count < SampleFrames {
		s.first[s.Count] = r
	} else {
		s.last[s.Count%SampleFrames] = r
	}
	s.Count++
}

// Frames returns the kept frames in the order they were added: all of
// them up to 2*SampleFrames, else the first and the last SampleFrames.
func (s *FrameSample) Frames() []FrameRef {
	out := make([]FrameRef, 0, min(s.Count, 2*SampleFrames))
	out = append(out, s.first[:min(s.Count, SampleFrames)]...)
	for i := max(s.Count-SampleFrames, SampleFrames); i < s.Count; i++ {
		out = append(out, s.last[i%SampleFrames])
	}
	return out
}
