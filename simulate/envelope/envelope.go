// Package envelope seals objects with AES-256-GCM in fixed-size chunks, each bound to its
// sequence number and a final-chunk flag (the STREAM construction), so that objects of any
// size stream through in constant memory and truncation, reordering, splicing and bit flips
// are detected. It is the data half of keytrail's S3 SSE-KMS simulation; the data key comes
// from the simulated KMS.
//
// Format: a 16-byte header (magic "KTE1", chunk size as a big-endian uint32, an 8-byte
// random nonce prefix), then chunks of ChunkSize plaintext bytes (the last one shorter, and
// present even when empty) sealed with a 16-byte tag. Chunk i's nonce is the first 7 bytes
// of the prefix, i as a big-endian uint32, and 1 for the final chunk or 0 otherwise; its
// associated data is the header followed by the caller's associated data.
package envelope

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
)

// ChunkSize is the plaintext size of every chunk but the last.
const ChunkSize = 64 << 10

const (
	headerSize = 16
	nonceSize  = 12
	tagSize    = 16
	magic      = "KTE1"
)

// ErrAuth is returned when a sealed object fails authentication: a wrong key or associated
// data, a flipped byte, a truncated, reordered or extended object.
var ErrAuth = errors.New("sealed object could not be authenticated")

// Writer seals what is written to it. Close seals the final chunk; until then the output is
// incomplete. The plaintext buffer is zeroed on Close.
type Writer struct {
	dst       io.Writer
	aead      cipher.AEAD
	header    [headerSize]byte
	nonce     [nonceSize]byte
	aad       []byte
	ad        []byte // header + aad
	buf       []byte // pending plaintext, up to ChunkSize
	out       []byte
	batch     []byte       // sealed frames of a batch (batch.go)
	headerOut bool         // the header was written
	async     *asyncWriter // while ReadFrom runs
	seq       uint32
	closed    bool
	err       error
}

var (
	_ io.WriteCloser = (*Writer)(nil)
	_ io.ReaderFrom  = (*Writer)(nil)
)

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("envelope: the key must be 32 bytes (AES-256), not %d", len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// newHeader fills a header with a nonce prefix read from rand.
func newHeader(h *[headerSize]byte, rand io.Reader) error {
	copy(h[:], magic)
	binary.BigEndian.PutUint32(h[4:8], ChunkSize)
	if _, err := io.ReadFull(rand, h[8:]); err != nil {
		return fmt.Errorf("envelope: failed to read a nonce: %w", err)
	}
	return nil
}

// Seal seals a whole object held in memory and appends it to dst: the bytes a Writer would
// write for it, in one pass without the Writer's buffers.
func Seal(dst, plaintext, key []byte, rand io.Reader, aad []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, nonceSize+headerSize, nonceSize+headerSize+len(aad)) // a nonce, the header, aad
	n, header := (*[nonceSize]byte)(buf), (*[headerSize]byte)(buf[nonceSize:])
	if err := newHeader(header, rand); err != nil {
		return nil, err
	}
	ad := append(buf[nonceSize:], aad...)
	out := slices.Grow(dst, int(SealedSize(int64(len(plaintext)))))
	out = append(out, header[:]...)
	for seq := uint32(0); ; seq++ {
		final := len(plaintext) <= ChunkSize // a full last chunk is final: nothing follows it
		k := min(len(plaintext), ChunkSize)
		out = aead.Seal(out, nonce(n, header, seq, final), plaintext[:k], ad)
		if plaintext = plaintext[k:]; final {
			return out, nil
		}
	}
}

// NewWriter starts a sealed object on dst. key is the 32-byte data key, rand supplies the
// nonce prefix (crypto/rand.Reader, or a seeded source for reproducible simulations), aad is
// bound to every chunk (for S3: the bucket and key).
func NewWriter(dst io.Writer, key []byte, rand io.Reader, aad []byte) (*Writer, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	w := &Writer{dst: dst, aead: aead, aad: append([]byte(nil), aad...), buf: getBuf(), out: getBuf()}
	if err := newHeader(&w.header, rand); err != nil {
		return nil, err
	}
	return w, nil // the header goes out with the first sealed chunk: one write for a small object
}

// headerPrefix is the header while it is still to be written, else nothing.
func (w *Writer) headerPrefix() []byte {
	if w.headerOut {
		return nil
	}
	w.headerOut = true
	return w.header[:]
}

// nonce fills n with chunk seq's nonce and returns it.
func nonce(n *[nonceSize]byte, header *[headerSize]byte, seq uint32, final bool) []byte {
	copy(n[:7], header[8:15])
	n[11] = 0
	binary.BigEndian.PutUint32(n[7:11], seq)
	if final {
		n[11] = 1
	}
	return n[:]
}

func (w *Writer) seal(final bool) error {
	err := w.sealChunk(w.buf, final)
	clear(w.buf)
	w.buf = w.buf[:0]
	return err
}

// sealChunk seals one chunk of plaintext and writes it.
func (w *Writer) sealChunk(pt []byte, final bool) error {
	if w.seq == ^uint32(0) {
		return errors.New("envelope: object too large")
	}
	if w.ad == nil {
		w.ad = append(append(make([]byte, 0, headerSize+len(w.aad)), w.header[:]...), w.aad...)
	}
	w.out = w.aead.Seal(append(w.out[:0], w.headerPrefix()...), nonce(&w.nonce, &w.header, w.seq, final), pt, w.ad)
	w.seq++
	_, err := w.dst.Write(w.out)
	return err
}

// Write buffers plaintext and seals each full chunk once more data follows it.
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errors.New("envelope: write after Close")
	}
	if w.err != nil {
		return 0, w.err
	}
	n := 0
	for len(p) > 0 {
		if len(w.buf) == 0 && len(p) > ChunkSize { // full chunks with more after them: seal in place, in batches
			k, err := w.writeChunks(p)
			if w.err = err; err != nil {
				return n + k, err
			}
			p, n = p[k:], n+k
			continue
		}
		if len(w.buf) == ChunkSize { // more data follows a full chunk: it is not the last
			if w.err = w.seal(false); w.err != nil {
				return n, w.err
			}
		}
		k := min(ChunkSize-len(w.buf), len(p))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
		n += k
	}
	return n, nil
}

// Close seals the final chunk (possibly empty) and zeroes the plaintext buffer.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err == nil {
		w.err = w.seal(true)
	}
	clear(w.buf[:cap(w.buf)])
	putBuf(w.buf)
	putBuf(w.out)
	w.buf, w.out = nil, nil
	return w.err
}

// bufs recycles Writers' plaintext and output buffers between objects (zeroed before they
// go back). Buffers grow with the data: a small object never pays for a 64 KiB chunk.
var bufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096+headerSize+tagSize); return &b }}

func getBuf() []byte { return (*bufs.Get().(*[]byte))[:0] }

func putBuf(b []byte) {
	if cap(b) > 2*(ChunkSize+headerSize+tagSize) {
		return // grown by a big write: let it go
	}
	bufs.Put(&b)
}

// Reader opens a sealed object. It returns the plaintext of each chunk only after that
// chunk authenticates, and ErrAuth when one does not; io.EOF comes only after the final chunk
// authenticated. A caller that must not act on any plaintext of a failed object reads it to
// the end before using it.
type Reader struct {
	src    io.Reader
	aead   cipher.AEAD
	header [headerSize]byte
	nonce  [nonceSize]byte
	ad     []byte
	buf    []byte // ciphertext: one chunk plus one byte of lookahead
	have   int    // bytes of buf filled
	plain  []byte
	pos    int
	seq    uint32
	done   bool
	err    error
}

var _ io.Reader = (*Reader)(nil)

// NewReader starts opening a sealed object: key and aad must be those it was sealed with.
func NewReader(src io.Reader, key []byte, aad []byte) (*Reader, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	r := &Reader{src: src, aead: aead}
	if _, err := io.ReadFull(src, r.header[:]); err != nil {
		return nil, fmt.Errorf("%w: no header", ErrAuth)
	}
	if string(r.header[:4]) != magic || binary.BigEndian.Uint32(r.header[4:8]) != ChunkSize {
		return nil, fmt.Errorf("%w: not a sealed object (bad header)", ErrAuth)
	}
	r.ad = append(append([]byte(nil), r.header[:]...), aad...)
	r.buf = make([]byte, ChunkSize+tagSize+1)
	return r, nil
}

// Read returns authenticated plaintext.
func (r *Reader) Read(p []byte) (int, error) {
	for r.pos == len(r.plain) {
		if r.err != nil {
			return 0, r.err
		}
		if r.done {
			return 0, io.EOF
		}
		r.err = r.next()
	}
	n := copy(p, r.plain[r.pos:])
	r.pos += n
	return n, nil
}

// WriteTo writes the authenticated plaintext to w, chunk by chunk (OpenAt opens a stored
// object on all cores).
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if r.pos < len(r.plain) {
			n, err := w.Write(r.plain[r.pos:])
			total += int64(n)
			r.pos += n
			if err != nil {
				return total, err
			}
		}
		if r.err != nil || r.done {
			return total, r.err
		}
		r.err = r.next()
	}
}

// next reads and opens one chunk; it is the final one when no byte follows it.
func (r *Reader) next() error {
	n, err := io.ReadFull(r.src, r.buf[r.have:])
	r.have += n
	switch {
	case err == nil: // a full chunk and a byte of the next: not the last
		last := r.buf[ChunkSize+tagSize]
		if err := r.open(r.buf[:ChunkSize+tagSize], false); err != nil {
			return err
		}
		r.buf[0], r.have = last, 1
		return nil
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		if r.have < tagSize {
			return fmt.Errorf("%w: truncated", ErrAuth)
		}
		if err := r.open(r.buf[:r.have], true); err != nil {
			return err
		}
		r.done = true
		return nil
	}
	return err
}

func (r *Reader) open(chunk []byte, final bool) error {
	pt, err := r.aead.Open(r.plain[:0], nonce(&r.nonce, &r.header, r.seq, final), chunk, r.ad)
	if err != nil {
		return ErrAuth
	}
	if !final && len(pt) != ChunkSize || final && len(pt) == 0 && r.seq > 0 {
		return ErrAuth // only an empty object has an empty final chunk
	}
	r.plain, r.pos = pt, 0
	r.seq++
	return nil
}

// Open authenticates a whole sealed object held in memory and appends its plaintext to dst,
// or returns ErrAuth and no plaintext (what it had appended is zeroed). It works in place
// over sealed, without the Reader's buffers.
func Open(dst, sealed, key, aad []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < headerSize || string(sealed[:4]) != magic || binary.BigEndian.Uint32(sealed[4:8]) != ChunkSize {
		return nil, fmt.Errorf("%w: not a sealed object (bad header)", ErrAuth)
	}
	buf := append(append(make([]byte, nonceSize, nonceSize+headerSize+len(aad)), sealed[:headerSize]...), aad...) // a nonce, the header, aad
	nb, header, ad := (*[nonceSize]byte)(buf), (*[headerSize]byte)(buf[nonceSize:]), buf[nonceSize:]
	rest := sealed[headerSize:]
	out := dst
	if free := cap(dst) - len(dst); free < len(rest) {
		out = append(make([]byte, 0, len(dst)+len(rest)), dst...)
	}
	for seq := uint32(0); ; seq++ {
		final := len(rest) <= ChunkSize+tagSize
		n := min(len(rest), ChunkSize+tagSize)
		if n < tagSize {
			clear(out[len(dst):])
			return nil, fmt.Errorf("%w: truncated", ErrAuth)
		}
		before := len(out)
		out, err = aead.Open(out, nonce(nb, header, seq, final), rest[:n], ad)
		if err != nil || final && len(out) == before && seq > 0 {
			clear(out[len(dst):cap(out)])
			return nil, ErrAuth
		}
		rest = rest[n:]
		if final {
			return out, nil
		}
	}
}

// SealedSize is the size of a sealed object of n plaintext bytes.
func SealedSize(n int64) int64 {
	chunks := n/ChunkSize + 1
	if n > 0 && n%ChunkSize == 0 {
		chunks--
	}
	return headerSize + n + chunks*tagSize
}
