//go:build !unix

package main

// flushDirty has nothing to call where there is no sync(2).
func flushDirty() {}
