package capfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

// TestGzipBomb: a pcap header followed by zeros (which read as empty
// records) compresses about 1000:1; a ratio limit of 100 must stop it with
// ErrTooLarge after at most a few MB, not read it all.
func TestGzipBomb(t *testing.T) {
	var buf bytes.Buffer
	if _, err := NewPcapWriter(&buf, 1, 0, false, binary.LittleEndian); err != nil {
		t.Fatal(err)
	}
	plain := append(buf.Bytes(), make([]byte, 64<<20)...)
	gz := gzipBytes(t, plain)
	f, err := NewReaderWithLimits("bomb.pcap.gz", bytes.NewReader(gz), Limits{MaxGzipRatio: 100})
	if err != nil {
		t.Fatalf("NewReader = %v", err)
	}
	recs, err := readAll(t, f)
	var re *RatioError
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &re) || re.Limit != 100 {
		t.Fatalf("Next = %v, want a RatioError with limit 100", err)
	}
	if read := int64(len(recs)) * pcapRecordLen; read > 8<<20 {
		t.Errorf("read %d bytes before stopping, want the bomb caught early", read)
	}
}

// TestGzipTruncated cuts a compressed real capture: the frames before the
// cut come out, then ErrTruncatedFile.
func TestGzipTruncated(t *testing.T) {
	path := filepath.Join("testdata", ngFile)
	plain := mustRead(t, path)
	full := readBytes(t, path, plain)
	gz := gzipBytes(t, plain)
	for _, cut := range []int{len(gz) / 2, len(gz) - 9, len(gz) - 1} {
		f, err := NewReader(ngFile, bytes.NewReader(gz[:cut]))
		if err != nil {
			t.Fatalf("cut %d: NewReader = %v", cut, err)
		}
		got, err := readAll(t, f)
		if !errors.Is(err, ErrTruncatedFile) || !slices.Equal(got, full[:len(got)]) {
			t.Errorf("cut %d of %d: read %d frames, %v; want a prefix then ErrTruncatedFile", cut, len(gz), len(got), err)
		}
	}
}
