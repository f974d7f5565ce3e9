package feed

import (
	"errors"
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

// openDirect opens path for direct I/O (O_DIRECT), or for plain I/O on a
// file system that refuses it (tmpfs).
func openDirect(path string, flags int) (*os.File, error) {
	fh, err := os.OpenFile(path, flags|syscall.O_DIRECT, 0o600)
	if errors.Is(err, syscall.EINVAL) {
		return os.OpenFile(path, flags, 0o600)
	}
	return fh, err
}
