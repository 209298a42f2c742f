package capfile

import "testing"

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1000", 1000, true}, {"64K", 64 << 10, true}, {"100M", 100 << 20, true}, {"2g", 2 << 30, true},
		{"10MB", 10 << 20, true}, {"250MB", 250 << 20, true}, {"1GB", 1 << 30, true},
		{" 512kb ", 512 << 10, true}, {"4096", 4096, true},
		{"0", 0, false}, {"-5", 0, false}, {"M", 0, false}, {"1T", 0, false},
		{"0MB", 0, false}, {"-1GB", 0, false}, {"GB", 0, false}, {"1TB", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseSize(%q) = %d, %v, want %d (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzParseSize: any value either fails or gives a positive byte count.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"1000", "64K", "100M", "2g", "10MB", "0", "-5", "M", "9223372036854775807", "4611686018427387904K"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			if n != 0 {
				t.Errorf("ParseSize(%q) = %d with error %v, want 0", s, n, err)
			}
			return
		}
		if n <= 0 {
			t.Errorf("ParseSize(%q) = %d, want positive", s, n)
		}
	})
}
