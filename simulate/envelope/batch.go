package envelope

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// batchChunks is how many chunks are sealed or opened at once, on all cores: chunk i's nonce
// depends only on i, so chunks are independent (1 MiB of plaintext per batch).
const batchChunks = 16

const frameSize = ChunkSize + tagSize

// eachParallel runs fn(0..n-1) on up to GOMAXPROCS goroutines.
func eachParallel(n int, fn func(i int)) {
	p := min(runtime.GOMAXPROCS(0), n)
	if p <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range p {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// sealBatch seals full, non-final chunks of plaintext in parallel and writes them in order.
func (w *Writer) sealBatch(chunks [][]byte) error {
	if w.ad == nil {
		w.ad = append(append(make([]byte, 0, headerSize+len(w.aad)), w.header[:]...), w.aad...)
	}
	if uint64(w.seq)+uint64(len(chunks)) >= uint64(^uint32(0)) {
		return errors.New("envelope: object too large")
	}
	if len(w.outs) < len(chunks) {
		w.outs = make([][]byte, batchChunks)
		for i := range w.outs {
			w.outs[i] = make([]byte, 0, frameSize)
		}
	}
	eachParallel(len(chunks), func(i int) {
		w.outs[i] = w.aead.Seal(w.outs[i][:0], nonce(&w.header, w.seq+uint32(i), false), chunks[i], w.ad)
	})
	w.seq += uint32(len(chunks))
	for _, out := range w.outs[:len(chunks)] {
		if _, err := w.dst.Write(out); err != nil {
			return err
		}
	}
	return nil
}

// writeChunks seals the full chunks at the start of p that more data follows (so none is the
// final chunk), batch by batch, and returns how many bytes it consumed.
func (w *Writer) writeChunks(p []byte) (int, error) {
	n := 0
	var chunks [batchChunks][]byte
	for len(p) > ChunkSize {
		k := min((len(p)-1)/ChunkSize, batchChunks)
		for i := range k {
			chunks[i] = p[i*ChunkSize : (i+1)*ChunkSize]
		}
		if err := w.sealBatch(chunks[:k]); err != nil {
			return n, err
		}
		p, n = p[k*ChunkSize:], n+k*ChunkSize
	}
	return n, nil
}

// ReadFrom seals everything r yields, a batch of chunks at a time on all cores (io.Copy uses
// it). The last chunk stays buffered for Close, which seals it as the final one.
func (w *Writer) ReadFrom(r io.Reader) (int64, error) {
	if w.closed {
		return 0, errors.New("envelope: write after Close")
	}
	if w.err != nil {
		return 0, w.err
	}
	batch := make([]byte, batchChunks*ChunkSize+1) // one byte more: is there data after it?
	defer clear(batch)
	have := copy(batch, w.buf)
	clear(w.buf)
	w.buf = w.buf[:0]
	total := int64(0)
	for {
		n, err := io.ReadFull(r, batch[have:])
		have += n
		total += int64(n)
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			w.err = err
			return total, err
		}
		used, serr := w.writeChunks(batch[:have])
		if serr != nil {
			w.err = serr
			return total, serr
		}
		// What is left (at most a chunk and a byte, or the tail at EOF) waits for more data.
		have = copy(batch, batch[used:have])
		if eof {
			w.buf = append(w.buf, batch[:have]...)
			return total, nil
		}
	}
}

// writeToBatches opens the rest of the object a batch of chunks at a time on all cores and
// writes each chunk's plaintext in order once its whole batch is opened; a chunk that fails
// stops it with ErrAuth after the chunks before it.
func (r *Reader) writeToBatches(w io.Writer) (int64, error) {
	raw := make([]byte, batchChunks*frameSize+1)
	have := copy(raw, r.buf[:r.have])
	r.have = 0
	outs := make([][]byte, batchChunks)
	for i := range outs {
		outs[i] = make([]byte, 0, ChunkSize)
	}
	defer func() {
		for _, o := range outs {
			clear(o[:cap(o)])
		}
	}()
	var frames [batchChunks][]byte
	errs := make([]error, batchChunks)
	var total int64
	for {
		n, err := io.ReadFull(r.src, raw[have:])
		have += n
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return total, err
		}
		k, final := 0, -1
		if !eof { // every frame is full and a byte follows the last: none is final
			for ; k < batchChunks; k++ {
				frames[k] = raw[k*frameSize : (k+1)*frameSize]
			}
		} else {
			rest := raw[:have]
			for len(rest) > frameSize {
				frames[k], rest, k = rest[:frameSize], rest[frameSize:], k+1
			}
			if len(rest) < tagSize {
				return total, fmt.Errorf("%w: truncated", ErrAuth)
			}
			frames[k], final, k = rest, k, k+1
		}
		eachParallel(k, func(i int) {
			outs[i], errs[i] = r.aead.Open(outs[i][:0], nonce(&r.header, r.seq+uint32(i), i == final), frames[i], r.ad)
		})
		for i := range k {
			pt := outs[i]
			if errs[i] != nil || i != final && len(pt) != ChunkSize || i == final && len(pt) == 0 && r.seq+uint32(i) > 0 {
				r.err = ErrAuth
				return total, r.err
			}
			m, err := w.Write(pt)
			total += int64(m)
			if err != nil {
				return total, err
			}
		}
		r.seq += uint32(k)
		if eof {
			r.done = true
			return total, nil
		}
		raw[0], have = raw[batchChunks*frameSize], 1
	}
}
