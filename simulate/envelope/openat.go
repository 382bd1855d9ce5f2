package envelope

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// A sealed object stored in a file is opened by positional reads: every core reads and opens
// its own chunks (chunk i's frame is at a fixed offset and its nonce depends only on i), so
// reading, authenticating and decrypting all run in parallel, with no reader to wait on.

// objectAt is a sealed object of a known size read through an io.ReaderAt.
type objectAt struct {
	src    io.ReaderAt
	aead   cipher.AEAD
	header [headerSize]byte
	ad     []byte
	frames int64  // every frame but the last is full
	last   int64  // the last frame's size
	mem    []byte // the object's bytes, when src is a file that could be mapped
}

// dropEvery is how many chunks go by between two dropPages calls.
const dropEvery = 64

func newObjectAt(src io.ReaderAt, size int64, key, aad []byte) (*objectAt, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	o := &objectAt{src: src, aead: aead}
	if size < headerSize+tagSize {
		return nil, fmt.Errorf("%w: truncated", ErrAuth)
	}
	if n, _ := src.ReadAt(o.header[:], 0); n < headerSize {
		return nil, fmt.Errorf("%w: no header", ErrAuth)
	}
	if string(o.header[:4]) != magic || binary.BigEndian.Uint32(o.header[4:8]) != ChunkSize {
		return nil, fmt.Errorf("%w: not a sealed object (bad header)", ErrAuth)
	}
	body := size - headerSize
	o.frames = (body + frameSize - 1) / frameSize
	o.last = body - (o.frames-1)*frameSize
	if o.last < tagSize {
		return nil, fmt.Errorf("%w: truncated", ErrAuth)
	}
	if o.frames > int64(^uint32(0)) {
		return nil, fmt.Errorf("%w: too many chunks", ErrAuth)
	}
	o.ad = append(append(make([]byte, 0, headerSize+len(aad)), o.header[:]...), aad...)
	if f, ok := src.(*os.File); ok {
		o.mem, _ = mapFile(f, size) // else: positional reads
	}
	return o, nil
}

// drop lets go of the whole pages of mem[from:to].
func (o *objectAt) drop(from, to int64) {
	page := int64(os.Getpagesize())
	from, to = (from+page-1)/page*page, to/page*page
	if from < to {
		dropPages(o.mem[from:to])
	}
}

// close unmaps the object's file.
func (o *objectAt) close() {
	if o.mem != nil {
		unmapFile(o.mem)
		o.mem = nil
	}
}

// chunkBufs are one worker's buffers: a frame of ciphertext, its plaintext and a nonce.
type chunkBufs struct {
	frame, plain []byte
	nonce        [nonceSize]byte
}

func newChunkBufs() *chunkBufs {
	return &chunkBufs{frame: make([]byte, frameSize), plain: make([]byte, 0, ChunkSize)}
}

// open reads and opens chunk i into b.plain; any failure is ErrAuth, a mapped file that
// shrank under it included (the fault is turned into a panic and recovered).
func (o *objectAt) open(i int64, b *chunkBufs) (err error) {
	if o.mem != nil {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if r := recover(); r != nil {
				if _, fault := r.(interface{ Addr() uintptr }); !fault {
					panic(r)
				}
				err = fmt.Errorf("%w: the file changed while it was read", ErrAuth)
			}
		}()
	}
	final := i == o.frames-1
	n := int64(frameSize)
	if final {
		n = o.last
	}
	off := headerSize + i*frameSize
	var frame []byte
	if o.mem != nil {
		frame = o.mem[off : off+n]
		if (i+1)%dropEvery == 0 && i+1 >= 2*dropEvery { // the chunks before the last window are done
			o.drop(headerSize+(i+1-2*dropEvery)*frameSize, headerSize+(i+1-dropEvery)*frameSize)
		}
	} else {
		frame = b.frame[:n]
		if k, err := o.src.ReadAt(frame, off); k < len(frame) { // a full read may say EOF
			return fmt.Errorf("%w: %v", ErrAuth, err)
		}
	}
	pt, err := o.aead.Open(b.plain[:0], nonce(&b.nonce, &o.header, uint32(i), final), frame, o.ad)
	b.plain = pt
	if err != nil || final && len(pt) == 0 && i > 0 { // only an empty object has an empty final chunk
		return ErrAuth
	}
	return nil
}

// VerifyAt authenticates every chunk of the size-byte sealed object src holds, on all cores,
// and returns nil or ErrAuth. No plaintext leaves it.
func VerifyAt(src io.ReaderAt, size int64, key, aad []byte) error {
	o, err := newObjectAt(src, size, key, aad)
	if err != nil {
		return err
	}
	defer o.close()
	var next atomic.Int64
	var failed atomic.Bool
	var first error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(int64(runtime.GOMAXPROCS(0)), o.frames) {
		wg.Go(func() {
			b := newChunkBufs()
			defer clear(b.plain[:cap(b.plain)])
			for i := next.Add(1) - 1; i < o.frames && !failed.Load(); i = next.Add(1) - 1 {
				if err := o.open(i, b); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	return first
}

// ringSize is how many chunks OpenAt opens ahead of the one it writes.
const ringSize = 32

// OpenAt writes the plaintext of the size-byte sealed object src holds to w, in order, its
// chunks read and opened on all cores up to ringSize ahead of the writing. A chunk that fails
// stops it with ErrAuth after the plaintext of the chunks before it: call VerifyAt first when
// no plaintext of a failed object may go out.
func OpenAt(src io.ReaderAt, size int64, key, aad []byte, w io.Writer) (int64, error) {
	o, err := newObjectAt(src, size, key, aad)
	if err != nil {
		return 0, err
	}
	defer o.close() // after the workers stop (deferred below)
	type slot struct {
		plain []byte
		err   error
		ready chan struct{}
	}
	slots := make([]slot, min(ringSize, o.frames))
	credits := make(chan struct{}, len(slots)) // a credit per chunk being opened or waiting to be written
	for i := range slots {
		slots[i] = slot{plain: make([]byte, 0, ChunkSize), ready: make(chan struct{}, 1)}
		credits <- struct{}{}
	}
	stop := make(chan struct{})
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(int64(runtime.GOMAXPROCS(0)), o.frames) {
		wg.Go(func() {
			b := &chunkBufs{frame: make([]byte, frameSize)}
			for {
				select {
				case <-credits:
				case <-stop:
					return
				}
				i := next.Add(1) - 1
				if i >= o.frames {
					return
				}
				// Chunk i-len(slots) was written before this credit came back: its slot is free.
				sl := &slots[i%int64(len(slots))]
				b.plain = sl.plain
				sl.err = o.open(i, b)
				sl.plain = b.plain
				sl.ready <- struct{}{}
			}
		})
	}
	defer func() {
		close(stop)
		wg.Wait()
		for _, sl := range slots {
			clear(sl.plain[:cap(sl.plain)])
		}
	}()
	var total int64
	for i := range o.frames {
		sl := &slots[i%int64(len(slots))]
		<-sl.ready
		if sl.err != nil {
			return total, sl.err
		}
		n, err := w.Write(sl.plain)
		total += int64(n)
		if err != nil {
			return total, err
		}
		credits <- struct{}{}
	}
	return total, nil
}
