//go:build !linux

package capfile

import "os"

const pageSize = 4096

// mapFile maps files only on Linux; elsewhere files are read.
func mapFile(*os.File) *sliceSource { return nil }
