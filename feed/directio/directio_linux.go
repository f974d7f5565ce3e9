package directio

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

func openDirect(path string, flag int, perm os.FileMode) (*os.File, error) {
	fh, err := os.OpenFile(path, flag|syscall.O_DIRECT, perm)
	if errors.Is(err, syscall.EINVAL) {
		return os.OpenFile(path, flag, perm)
	}
	return fh, err
}

// setDirect sets or clears O_DIRECT on fh and reports whether fh is now
// in the mode asked for.
func setDirect(fh *os.File, on bool) bool {
	fd := int(fh.Fd())
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return false
	}
	want := flags &^ unix.O_DIRECT
	if on {
		want |= unix.O_DIRECT
	}
	if want == flags {
		return true
	}
	_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFL, want)
	return err == nil
}
