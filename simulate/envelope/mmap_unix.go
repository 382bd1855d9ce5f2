//go:build unix

package envelope

import (
	"os"
	"syscall"
)

// mapFile maps size bytes of f read-only, or fails (the caller then reads instead).
func mapFile(f *os.File, size int64) ([]byte, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, syscall.EINVAL
	}
	return syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
}

func unmapFile(b []byte) { syscall.Munmap(b) }

// dropPages lets go of mapped pages done with: the process's resident set stays the size of
// the chunks in flight, not the object's (the page cache keeps them).
func dropPages(b []byte) { syscall.Madvise(b, syscall.MADV_DONTNEED) }
