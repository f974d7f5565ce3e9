//go:build !linux

package feed

import "os"

// punchHole does nothing here: the space of dropped chunks comes back
// when their whole segment is deleted.
func punchHole(*os.File, int64, int64) {}

// allocatedSize is what a file takes on disk.
func allocatedSize(fi os.FileInfo) int64 { return fi.Size() }

// syncData makes fh's data durable.
func syncData(fh *os.File) error { return fh.Sync() }
