package graphdb

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"unsafe"
)

// arena stores the bytes of string, keyword, bytes and uuid values, so that
// stored datoms are pointer-free (cheap for the garbage collector) and a
// value costs its bytes plus a length varint. It is append-only: bytes once
// written never change, so readers need no lock, and all versions of a
// database share one arena. A value is addressed by its offset:
//
//	offset = chunk index << arenaChunkBits | position in the chunk
//
// Chunks start small and double up to 1 MiB; a value too large for a chunk
// gets a chunk of its own.
type arena struct {
	mu     sync.Mutex // serializes writers (concurrent transactions on forks)
	chunks atomic.Pointer[[][]byte]
	fill   int // bytes used in the last chunk; guarded by mu
}

const (
	arenaChunkBits  = 20
	arenaFirstChunk = 4 << 10
	arenaMaxChunk   = 1 << arenaChunkBits
)

func newArena() *arena {
	a := new(arena)
	a.chunks.Store(new([][]byte))
	return a
}

// lock gives the caller the right to put; a transaction holds it while it
// applies its datoms.
func (a *arena) lock()   { a.mu.Lock() }
func (a *arena) unlock() { a.mu.Unlock() }

// put stores s and returns its offset. The caller holds the lock.
func (a *arena) put(s string) uint64 {
	need := binary.MaxVarintLen64 + len(s)
	chunks := *a.chunks.Load()
	if len(chunks) == 0 || len(chunks[len(chunks)-1])-a.fill < need {
		chunks = a.grow(chunks, need)
	}
	last := len(chunks) - 1
	c := chunks[last]
	off := uint64(last)<<arenaChunkBits | uint64(a.fill)
	n := binary.PutUvarint(c[a.fill:], uint64(len(s)))
	n += copy(c[a.fill+n:], s)
	a.fill += n
	return off
}

// grow publishes a new chunk large enough for need bytes. The chunk list is
// copied, never changed in place, so readers holding the old list are safe.
func (a *arena) grow(chunks [][]byte, need int) [][]byte {
	size := arenaFirstChunk
	if len(chunks) > 0 {
		size = min(2*len(chunks[len(chunks)-1]), arenaMaxChunk)
	}
	size = max(size, need)
	next := make([][]byte, len(chunks), len(chunks)+1)
	copy(next, chunks)
	next = append(next, make([]byte, size))
	a.chunks.Store(&next)
	a.fill = 0
	return next
}

// get returns the bytes at off as a string that aliases the arena.
func (a *arena) get(off uint64) string {
	c := (*a.chunks.Load())[off>>arenaChunkBits]
	pos := off & (1<<arenaChunkBits - 1)
	n, w := binary.Uvarint(c[pos:])
	if n == 0 {
		return ""
	}
	start := pos + uint64(w)
	return unsafe.String(&c[start], int(n))
}

// size is the number of bytes allocated to chunks.
func (a *arena) size() int {
	total := 0
	for _, c := range *a.chunks.Load() {
		total += len(c)
	}
	return total
}
