package exec

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// poolAllocator is the Arrow allocator of the runtime's batch builders. A
// task builds and releases batches of similar sizes all the time; Arrow's
// Go allocator makes a fresh buffer each time, and in the pipeline
// benchmark those buffers were a third of all allocated bytes, paid again
// by the garbage collector. This one keeps released buffers in per-size-
// class pools (powers of two) and hands them out again.
//
// Buffers are zeroed when handed out, as Arrow's builders expect fresh
// memory to be: they set validity bits without clearing them first.
type poolAllocator struct {
	classes [numClasses]sync.Pool
}

const (
	minClassShift = 6  // 64 bytes, Arrow's alignment
	maxClassShift = 26 // 64 MiB; larger buffers are not pooled
	numClasses    = maxClassShift - minClassShift + 1
	alignment     = 64
)

var batchAllocator memory.Allocator = &poolAllocator{}

// class returns the size class for size and its capacity.
func class(size int) (int, int) {
	if size <= 1<<minClassShift {
		return 0, 1 << minClassShift
	}
	shift := bits.Len(uint(size - 1))
	return shift - minClassShift, 1 << shift
}

// Allocate implements memory.Allocator.
func (a *poolAllocator) Allocate(size int) []byte {
	c, capacity := class(size)
	if c >= numClasses {
		return alignedAlloc(size, size)
	}
	if p, ok := a.classes[c].Get().(*[]byte); ok {
		buf := (*p)[:capacity]
		clear(buf)
		return buf[:size]
	}
	return alignedAlloc(size, capacity)
}

// Reallocate implements memory.Allocator.
func (a *poolAllocator) Reallocate(size int, b []byte) []byte {
	if cap(b) >= size {
		// The bytes past len(b) are zero: buffers are cleared to their
		// capacity when handed out and Arrow only writes below its length.
		return b[:size]
	}
	nb := a.Allocate(size)
	copy(nb, b)
	a.Free(b)
	return nb
}

// Free implements memory.Allocator: buffers of a class size go back to
// their pool.
func (a *poolAllocator) Free(b []byte) {
	capacity := cap(b)
	if capacity < 1<<minClassShift || capacity&(capacity-1) != 0 {
		return
	}
	c := bits.Len(uint(capacity)) - 1 - minClassShift
	if c >= numClasses {
		return
	}
	b = b[:capacity]
	a.classes[c].Put(&b)
}

// alignedAlloc returns a zeroed, 64-byte aligned buffer of len size and
// cap capacity.
func alignedAlloc(size, capacity int) []byte {
	buf := make([]byte, capacity+alignment)
	shift := 0
	if r := int(uintptr(unsafe.Pointer(unsafe.SliceData(buf))) % alignment); r != 0 {
		shift = alignment - r
	}
	return buf[shift : shift+size : shift+capacity]
}
