package envelope

import (
	"errors"
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

// sealBatch seals full, non-final chunks of plaintext in parallel and writes them in order,
// or, when ReadFrom runs a writer (w.async), hands them to it.
func (w *Writer) sealBatch(chunks [][]byte) error {
	if w.ad == nil {
		w.ad = append(append(make([]byte, 0, headerSize+len(w.aad)), w.header[:]...), w.aad...)
	}
	if uint64(w.seq)+uint64(len(chunks)) >= uint64(^uint32(0)) {
		return errors.New("envelope: object too large")
	}
	if h := w.headerPrefix(); h != nil { // before any batch, so before the writer's first write
		if _, err := w.dst.Write(h); err != nil {
			return err
		}
	}
	var buf []byte
	if w.async != nil {
		buf = <-w.async.free
	} else {
		if w.batch == nil {
			w.batch = newBatch()
		}
		buf = w.batch
	}
	eachParallel(len(chunks), func(i int) { // in place: frame i at i*frameSize, all frames full
		w.aead.Seal(buf[i*frameSize:i*frameSize], nonce(new([nonceSize]byte), &w.header, w.seq+uint32(i), false), chunks[i], w.ad)
	})
	w.seq += uint32(len(chunks))
	if w.async != nil {
		w.async.jobs <- buf[:len(chunks)*frameSize]
		return nil
	}
	_, err := w.dst.Write(buf[:len(chunks)*frameSize])
	return err
}

// newBatch makes the buffer a batch's frames are sealed into: one write for the batch.
func newBatch() []byte { return make([]byte, batchChunks*frameSize) }

// asyncWriter writes sealed batches on its own goroutine while the next batch is sealed.
type asyncWriter struct {
	jobs chan []byte // sealed batches, in order
	free chan []byte // buffers to seal into
	done chan struct{}
	err  error // the first write error; read after done
}

func (w *Writer) startAsync() {
	a := &asyncWriter{jobs: make(chan []byte, 1), free: make(chan []byte, 2), done: make(chan struct{})}
	a.free <- newBatch()
	a.free <- newBatch()
	go func() {
		defer close(a.done)
		for buf := range a.jobs {
			if a.err == nil {
				_, a.err = w.dst.Write(buf)
			}
			a.free <- buf[:cap(buf)]
		}
	}()
	w.async = a
}

// stopAsync waits for the writes handed over and returns the first error.
func (w *Writer) stopAsync() error {
	a := w.async
	w.async = nil
	close(a.jobs)
	<-a.done
	return a.err
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

// ReadFrom seals everything r yields, a batch of chunks at a time on all cores, the next
// batch read while this one is sealed (io.Copy uses it). The last chunk stays buffered for
// Close, which seals it as the final one.
func (w *Writer) ReadFrom(r io.Reader) (int64, error) {
	if w.closed {
		return 0, errors.New("envelope: write after Close")
	}
	if w.err != nil {
		return 0, w.err
	}
	var in [2][]byte // one byte more than a batch: is there data after it?
	for i := range in {
		in[i] = make([]byte, batchChunks*ChunkSize+1)
		defer clear(in[i])
	}
	w.startAsync()
	total, err := w.readFrom(r, in)
	if werr := w.stopAsync(); err == nil && werr != nil {
		err = werr
	}
	if err != nil {
		w.err = err
	}
	return total, err
}

func (w *Writer) readFrom(r io.Reader, in [2][]byte) (int64, error) {
	have := copy(in[0], w.buf)
	clear(w.buf)
	w.buf = w.buf[:0]
	total := int64(0)
	var sealing chan error // the batch being sealed while the next one is read
	wait := func() error {
		if sealing == nil {
			return nil
		}
		err := <-sealing
		sealing = nil
		return err
	}
	defer wait()
	for cur := 0; ; cur = 1 - cur {
		n, err := io.ReadFull(r, in[cur][have:])
		have += n
		total += int64(n)
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return total, err
		}
		if err := wait(); err != nil {
			return total, err
		}
		// The full chunks that more data follows are sealed while the next batch is read;
		// the rest (at most a chunk and a byte, or the tail at EOF) starts the next batch.
		k := min((have-1)/ChunkSize, batchChunks) // 0 when have is 0: -1/ChunkSize truncates to 0
		have = copy(in[1-cur], in[cur][k*ChunkSize:have])
		if k > 0 {
			sealing = make(chan error, 1)
			go func(p []byte) {
				_, err := w.writeChunks(p)
				sealing <- err
			}(in[cur][:k*ChunkSize+1]) // the byte after: writeChunks seals only chunks that data follows
		}
		if eof {
			if err := wait(); err != nil {
				return total, err
			}
			w.buf = append(w.buf, in[1-cur][:have]...)
			return total, nil
		}
	}
}
