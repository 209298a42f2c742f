package capfile

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
)

// gzipCheckFloor is the decompressed size below which the expansion ratio
// is not checked: tiny files of zeros legitimately compress very well.
const gzipCheckFloor = 1 << 20

// detectGzip replaces f.r by a bounded gzip stream when the input starts
// with the gzip magic 1f 8b (RFC 1952 §2.3.1).
func (f *File) detectGzip() (bool, error) {
	m, _ := f.r.Peek(2)
	if len(m) < 2 || m[0] != 0x1f || m[1] != 0x8b {
		return false, nil
	}
	raw := &countingReader{r: f.r}
	z, err := gzip.NewReader(raw)
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return false, f.fail(0, ErrTruncatedFile, "gzip header cut")
		}
		return false, f.fail(0, ErrNotCapture, "gzip header: %v", err)
	}
	f.r = bufio.NewReaderSize(&ratioReader{z: z, raw: raw, ratio: int64(f.lim.MaxGzipRatio)}, readBufSize)
	return true, nil
}

// countingReader counts the compressed bytes gzip has consumed.
type countingReader struct {
	r io.Reader
	n int64
}

// Read counts what the underlying reader returns.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ratioReader stops a gzip stream whose output outgrows its input by more
// than the ratio, checked on every read, so a decompression bomb fails
// early instead of exhausting memory or time.
type ratioReader struct {
	z     *gzip.Reader
	raw   *countingReader
	out   int64
	ratio int64
}

// Read decompresses and fails once the ratio is exceeded.
func (g *ratioReader) Read(p []byte) (int, error) {
	n, err := g.z.Read(p)
	g.out += int64(n)
	if g.out > gzipCheckFloor && g.out > g.ratio*g.raw.n {
		return n, &RatioError{Decompressed: g.out, Compressed: g.raw.n, Limit: g.ratio}
	}
	return n, err
}

// RatioError reports a gzip stream that expands beyond Limits.MaxGzipRatio.
// It unwraps to ErrTooLarge.
type RatioError struct {
	Decompressed, Compressed, Limit int64
}

// Error says how far the stream expanded.
func (e *RatioError) Error() string {
	return fmt.Sprintf("gzip stream expanded %d compressed bytes to %d, more than %d times", e.Compressed, e.Decompressed, e.Limit)
}

// Unwrap returns ErrTooLarge.
func (e *RatioError) Unwrap() error { return ErrTooLarge }
