//go:build unix

package main

import "syscall"

// flushDirty writes the page cache's dirty data to the disk before a
// timed step, so that the step does not pay for writing back what the
// steps before it left (a clone leaves 1 GiB of files unsynced, as cp and
// git clone do): each figure is of its own work.
func flushDirty() { syscall.Sync() }
