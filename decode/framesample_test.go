package decode

import (
	"slices"
	"testing"
)

func TestFrameSample(t *testing.T) {
	for _, n := range []int{0, 1, 4, 5, 6, 9, 10, 11, 12, 17, 100} {
		var s FrameSample
		var all []FrameRef
		for i := 1; i <= n; i++ {
			r := FrameRef{File: i % 3, Frame: uint64(i * 7)}
			s.Add(r)
			all = append(all, r)
		}
		want := all
		if n > 2*SampleFrames {
			want = append(slices.Clone(all[:SampleFrames]), all[n-SampleFrames:]...)
		}
		if got := s.Frames(); s.Count != n || !slices.Equal(got, want) {
			t.Errorf("after %d frames: Count %d, Frames() = %v, want %v", n, s.Count, got, want)
		}
	}
}
