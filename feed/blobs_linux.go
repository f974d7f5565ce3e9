package feed

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// punchHole frees the disk space of [off, off+n) of fh, keeping its size.
// A file system that cannot punch holes keeps the space until the whole
// segment is deleted.
func punchHole(fh *os.File, off, n int64) {
	unix.Fallocate(int(fh.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, n)
}

// allocatedSize is what a file takes on disk, holes excluded.
func allocatedSize(fi os.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Blocks * 512
	}
	return fi.Size()
}

// syncData makes fh's data durable, and its size, but not its times:
// fdatasync, cheaper than fsync.
func syncData(fh *os.File) error { return unix.Fdatasync(int(fh.Fd())) }
