//go:build !linux

package feed

import "os"

// punchHole does nothing here: the space of dropped chunks comes back
// when their whole segment is deleted.
func punchHole(*os.File, int64, int64) {}

// allocatedSize is what a file takes on disk.
func allocatedSize(fi os.FileInfo) int64 { return fi.Size() }

// openDirect opens path for writing; direct I/O is left to Linux.
func openDirect(path string, flags int) (*os.File, error) { return os.OpenFile(path, flags, 0o600) }
