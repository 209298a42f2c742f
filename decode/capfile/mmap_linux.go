package capfile

import (
	"os"
	"syscall"
)

// pageSize is the granularity of releases; a multiple of the real page
// size is enough.
const pageSize = 4096

// mapFile maps the regular file fh into memory read-only, or returns nil
// when it cannot (not a regular file, empty, a file system without mmap),
// and the caller reads it instead.
func mapFile(fh *os.File) *sliceSource {
	st, err := fh.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() <= 0 || st.Size() != int64(int(st.Size())) {
		return nil
	}
	b, err := syscall.Mmap(int(fh.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	_ = syscall.Madvise(b, syscall.MADV_SEQUENTIAL) // a hint only
	return &sliceSource{
		data: b,
		keep: len(b),
		// The pages stay in the page cache; dropping them from the mapping
		// keeps the resident set from growing with the file.
		release: func(from, to int) { _ = syscall.Madvise(b[from:to], syscall.MADV_DONTNEED) },
		unmap:   func() error { return syscall.Munmap(b) },
	}
}
