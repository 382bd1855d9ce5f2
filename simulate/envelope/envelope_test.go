package envelope

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
)

var key = bytes.Repeat([]byte{7}, 32)

func seal(t testing.TB, pt, aad []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := NewWriter(&out, key, rand.Reader, aad)
	if err != nil {
		t.Fatal(err)
	}
	// Write in odd pieces to exercise the buffering.
	for rest := pt; len(rest) > 0; {
		n := min(len(rest), 1000+len(rest)%7777)
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 3*ChunkSize + 17, 4 * ChunkSize} {
		pt := make([]byte, n)
		rand.Read(pt)
		sealed := seal(t, pt, []byte("arn:aws:s3:::b/k"))
		if int64(len(sealed)) != SealedSize(int64(n)) {
			t.Errorf("%d bytes: sealed %d, SealedSize %d", n, len(sealed), SealedSize(int64(n)))
		}
		got, err := Open(nil, sealed, key, []byte("arn:aws:s3:::b/k"))
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("%d bytes: %v", n, err)
		}
	}
}

func mustFail(t *testing.T, what string, sealed, k, aad []byte) {
	t.Helper()
	got, err := Open(nil, sealed, k, aad)
	if !errors.Is(err, ErrAuth) || got != nil {
		t.Errorf("%s: opened (%d bytes, err %v)", what, len(got), err)
	}
}

func TestTampering(t *testing.T) {
	aad := []byte("arn:aws:s3:::b/k")
	pt := make([]byte, 3*ChunkSize+100)
	rand.Read(pt)
	sealed := seal(t, pt, aad)
	chunk := ChunkSize + tagSize
	mustFail(t, "wrong key", sealed, bytes.Repeat([]byte{8}, 32), aad)
	mustFail(t, "wrong context", sealed, key, []byte("arn:aws:s3:::b/other"))
	mustFail(t, "truncated to whole chunks", sealed[:headerSize+2*chunk], key, aad)
	mustFail(t, "truncated inside a chunk", sealed[:len(sealed)-1], key, aad)
	mustFail(t, "header only", sealed[:headerSize], key, aad)
	swapped := append([]byte(nil), sealed...)
	copy(swapped[headerSize:], sealed[headerSize+chunk:headerSize+2*chunk])
	copy(swapped[headerSize+chunk:], sealed[headerSize:headerSize+chunk])
	mustFail(t, "chunks reordered", swapped, key, aad)
	extended := append(append([]byte(nil), sealed...), sealed[headerSize:headerSize+chunk]...)
	mustFail(t, "chunk appended", extended, key, aad)
	other := seal(t, pt, aad) // same plaintext, another nonce prefix
	spliced := append(append([]byte(nil), sealed[:headerSize+chunk]...), other[headerSize+chunk:]...)
	mustFail(t, "chunks spliced from another object", spliced, key, aad)
	for _, i := range []int{0, 5, 9, headerSize, headerSize + chunk - 1, len(sealed) - 1} {
		flipped := append([]byte(nil), sealed...)
		flipped[i] ^= 0x40
		mustFail(t, "byte flipped", flipped, key, aad)
	}
}

// FuzzMalleability: flipping any bit of any sealed object makes it fail to open.
func FuzzMalleability(f *testing.F) {
	f.Add([]byte("eiffel.png"), uint32(0), uint8(1))
	f.Add(make([]byte, ChunkSize+3), uint32(ChunkSize+20), uint8(0x80))
	f.Fuzz(func(t *testing.T, pt []byte, pos uint32, bit uint8) {
		if bit == 0 {
			return
		}
		sealed := seal(t, pt, nil)
		i := int(pos) % len(sealed)
		sealed[i] ^= bit
		if got, err := Open(nil, sealed, key, nil); err == nil {
			t.Fatalf("flipped byte %d of %d: opened %d bytes", i, len(sealed), len(got))
		}
	})
}

// BenchmarkSealOpen256MiB seals and opens 256 MiB through the streaming path, and raw
// AES-256-GCM over the same bytes in 64 KiB pieces, in one run (target: ≥ 0.7× raw).
func BenchmarkSealOpen256MiB(b *testing.B) {
	const size = 256 << 20
	src := make([]byte, ChunkSize)
	rand.Read(src)
	b.Run("envelope", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			pr, pw := io.Pipe()
			go func() {
				w, _ := NewWriter(pw, key, rand.Reader, []byte("arn:aws:s3:::b/k"))
				big := make([]byte, 4*ChunkSize) // callers write large buffers (io.Copy: 32 KiB and up)
				for i := 0; i < size/len(big); i++ {
					w.Write(big)
				}
				pw.CloseWithError(w.Close())
			}()
			r, err := NewReader(pr, key, []byte("arn:aws:s3:::b/k"))
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, r); err != nil || n != size {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("raw-gcm", func(b *testing.B) {
		blk, _ := aes.NewCipher(key)
		aead, _ := cipher.NewGCM(blk)
		nonce := make([]byte, 12)
		out := make([]byte, 0, ChunkSize+tagSize)
		pt := make([]byte, 0, ChunkSize)
		b.SetBytes(size)
		for b.Loop() {
			for i := 0; i < size/ChunkSize; i++ {
				out = aead.Seal(out[:0], nonce, src, nil)
				var err error
				if pt, err = aead.Open(pt[:0], nonce, out, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// onlyReader hides a source's WriteTo, so io.Copy uses the Writer's ReadFrom.
type onlyReader struct{ io.Reader }

// onlyWriter hides a destination's ReadFrom, so io.Copy uses the Reader's WriteTo... or Read.
type onlyWriter struct{ io.Writer }

// TestBatchPaths: the batched, parallel sealing paths (Writer.ReadFrom, a big Write) and Reader.WriteTo
// give byte for byte what chunk-at-a-time sealing gives, around batch boundaries.
func TestBatchPaths(t *testing.T) {
	aad := []byte("arn:aws:s3:::b/k")
	nonceSrc := func() io.Reader { return bytes.NewReader(bytes.Repeat([]byte{9}, 64)) }
	for _, n := range []int{0, 5, batchChunks*ChunkSize - 1, batchChunks * ChunkSize, batchChunks*ChunkSize + 1, (batchChunks + 1) * ChunkSize, (2*batchChunks+1)*ChunkSize + 5} {
		pt := make([]byte, n)
		rand.Read(pt)
		var want bytes.Buffer // chunk at a time: pieces no bigger than a chunk
		w, _ := NewWriter(&want, key, nonceSrc(), aad)
		for rest := pt; len(rest) > 0; {
			k := min(len(rest), ChunkSize/2+3)
			w.Write(rest[:k])
			rest = rest[k:]
		}
		w.Close()
		for name, write := range map[string]func(*Writer) error{
			"ReadFrom":  func(w *Writer) error { _, err := io.Copy(w, onlyReader{bytes.NewReader(pt)}); return err },
			"big Write": func(w *Writer) error { _, err := w.Write(pt); return err },
		} {
			var got bytes.Buffer
			w, _ := NewWriter(&got, key, nonceSrc(), aad)
			if err := write(w); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("%d bytes, %s: sealed differently", n, name)
			}
		}
		r, err := NewReader(bytes.NewReader(want.Bytes()), key, aad)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, err := io.Copy(onlyWriter{&out}, r); err != nil || !bytes.Equal(out.Bytes(), pt) {
			t.Errorf("%d bytes, WriteTo: %v", n, err)
		}
		// Read a little first, then WriteTo the rest.
		r, _ = NewReader(bytes.NewReader(want.Bytes()), key, aad)
		head := make([]byte, min(n, 100))
		io.ReadFull(r, head)
		out.Reset()
		out.Write(head)
		if _, err := r.WriteTo(&out); err != nil || !bytes.Equal(out.Bytes(), pt) {
			t.Errorf("%d bytes, Read then WriteTo: %v", n, err)
		}
	}
}

// TestBatchTampering: WriteTo stops at the first chunk that fails, in any batch position, and
// a truncated or extended object fails.
func TestBatchTampering(t *testing.T) {
	pt := make([]byte, (batchChunks+3)*ChunkSize+100)
	rand.Read(pt)
	sealed := seal(t, pt, nil)
	open := func(b []byte) (int, error) {
		r, err := NewReader(bytes.NewReader(b), key, nil)
		if err != nil {
			return 0, err
		}
		n, err := r.WriteTo(io.Discard)
		return int(n), err
	}
	for _, chunk := range []int{0, 5, batchChunks - 1, batchChunks, batchChunks + 3} {
		bad := bytes.Clone(sealed)
		bad[headerSize+chunk*frameSize+7] ^= 1
		n, err := open(bad)
		if !errors.Is(err, ErrAuth) || n > chunk*ChunkSize {
			t.Errorf("flip in chunk %d: %d bytes out, %v", chunk, n, err)
		}
	}
	for _, cut := range []int{1, tagSize, frameSize, frameSize + 1} {
		if _, err := open(sealed[:len(sealed)-cut]); !errors.Is(err, ErrAuth) {
			t.Errorf("cut %d bytes: %v", cut, err)
		}
	}
	if _, err := open(append(bytes.Clone(sealed), 0)); !errors.Is(err, ErrAuth) {
		t.Errorf("one byte appended: accepted")
	}
}

// Seal must write exactly what a Writer writes for the same nonce source, at every size
// around the chunk boundaries, and append after what dst holds.
func TestSealMatchesWriter(t *testing.T) {
	aad := []byte("arn:aws:s3:::b/k")
	for _, n := range []int{0, 1, 4096, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2 * ChunkSize, 3*ChunkSize + 17} {
		pt := make([]byte, n)
		rand.Read(pt)
		var want bytes.Buffer
		w, err := NewWriter(&want, key, bytes.NewReader(bytes.Repeat([]byte{9}, 8)), aad)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(pt)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := Seal([]byte("prefix"), pt, key, bytes.NewReader(bytes.Repeat([]byte{9}, 8)), aad)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, append([]byte("prefix"), want.Bytes()...)) {
			t.Errorf("%d bytes: Seal differs from Writer", n)
		}
		if back, err := Open(nil, got[len("prefix"):], key, aad); err != nil || !bytes.Equal(back, pt) {
			t.Errorf("%d bytes: Seal's output does not open: %v", n, err)
		}
	}
	if _, err := Seal(nil, nil, key[:16], rand.Reader, nil); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}

// VerifyAt and OpenAt open a stored object by positional reads on all cores: the same
// plaintext as Open at every size around chunk and batch boundaries.
func TestOpenAt(t *testing.T) {
	aad := []byte("arn:aws:s3:::b/k")
	for _, n := range []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, batchChunks * ChunkSize, (batchChunks+3)*ChunkSize + 100} {
		pt := make([]byte, n)
		rand.Read(pt)
		sealed := seal(t, pt, aad)
		for name, src := range sources(t, sealed) {
			if err := VerifyAt(src, int64(len(sealed)), key, aad); err != nil {
				t.Fatalf("%d bytes, %s: VerifyAt: %v", n, name, err)
			}
			var out bytes.Buffer
			if m, err := OpenAt(src, int64(len(sealed)), key, aad, &out); err != nil || m != int64(n) || !bytes.Equal(out.Bytes(), pt) {
				t.Fatalf("%d bytes, %s: OpenAt: %d, %v", n, name, m, err)
			}
		}
	}
}

// sources holds b both ways VerifyAt and OpenAt read: through ReadAt, and as a file (mapped
// where the platform maps files).
func sources(t *testing.T, b []byte) map[string]io.ReaderAt {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "sealed")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	return map[string]io.ReaderAt{"ReadAt": bytes.NewReader(b), "file": f}
}

// Every tampering the envelope detects, VerifyAt detects, and OpenAt stops before the
// batch holding the bad chunk.
func TestOpenAtTampering(t *testing.T) {
	aad := []byte("arn:aws:s3:::b/k")
	pt := make([]byte, (batchChunks+3)*ChunkSize+100)
	rand.Read(pt)
	sealed := seal(t, pt, aad)
	check := func(what string, b, k, a []byte, maxOut int) {
		t.Helper()
		for name, src := range sources(t, b) {
			if err := VerifyAt(src, int64(len(b)), k, a); !errors.Is(err, ErrAuth) {
				t.Errorf("%s, %s: VerifyAt: %v", what, name, err)
			}
			n, err := OpenAt(src, int64(len(b)), k, a, io.Discard)
			if !errors.Is(err, ErrAuth) || n > int64(maxOut) {
				t.Errorf("%s, %s: OpenAt: %d bytes out, %v", what, name, n, err)
			}
		}
	}
	for _, chunk := range []int{0, 5, batchChunks - 1, batchChunks, batchChunks + 3} {
		bad := bytes.Clone(sealed)
		bad[headerSize+chunk*frameSize+7] ^= 1
		check(fmt.Sprintf("flip in chunk %d", chunk), bad, key, aad, chunk*ChunkSize)
	}
	swapped := bytes.Clone(sealed)
	copy(swapped[headerSize:], sealed[headerSize+frameSize:headerSize+2*frameSize])
	copy(swapped[headerSize+frameSize:], sealed[headerSize:headerSize+frameSize])
	check("chunks 0 and 1 swapped", swapped, key, aad, 0)
	for _, cut := range []int{1, tagSize, frameSize, frameSize + 1, len(sealed) - headerSize, len(sealed) - 3} {
		check(fmt.Sprintf("cut %d bytes", cut), sealed[:len(sealed)-cut], key, aad, len(pt))
	}
	check("one byte appended", append(bytes.Clone(sealed), 0), key, aad, len(pt))
	check("a frame appended", append(bytes.Clone(sealed), sealed[headerSize:headerSize+frameSize]...), key, aad, len(pt))
	check("other associated data", sealed, key, []byte("arn:aws:s3:::b/other"), 0)
	check("other key", sealed, bytes.Repeat([]byte{8}, 32), aad, 0)
	header := bytes.Clone(sealed)
	header[2] ^= 1
	check("bad magic", header, key, aad, 0)
}

// A stored object whose file shrinks while it is mapped fails with ErrAuth: no crash.
func TestOpenAtFileShrinks(t *testing.T) {
	pt := make([]byte, 3*ChunkSize)
	sealed := seal(t, pt, nil)
	f, err := os.CreateTemp(t.TempDir(), "sealed")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write(sealed)
	o, err := newObjectAt(f, int64(len(sealed)), key, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer o.close()
	if o.mem == nil {
		t.Skip("files are not mapped on this platform")
	}
	b := newChunkBufs()
	if err := o.open(0, b); err != nil {
		t.Fatal(err)
	}
	f.Truncate(0)
	if err := o.open(2, b); !errors.Is(err, ErrAuth) {
		t.Errorf("chunk of a truncated file: %v", err)
	}
}

// FuzzOpenAtAgrees: on any bytes (a sealed object cut, extended or damaged anywhere),
// VerifyAt, OpenAt and Open agree on whether it opens, and on its plaintext. Under go test
// -fuzz the coverage-instrumented build stalls minimizing chunk-sized inputs; run it
// uninstrumented: go test -c -o /tmp/env.test ./simulate/envelope && (cd simulate/envelope &&
// /tmp/env.test -test.run XXX -test.fuzz FuzzOpenAtAgrees -test.fuzztime 1m -test.fuzzcachedir /tmp/fz)
// (0.5 million inputs in 15 s here, no failure).
func FuzzOpenAtAgrees(f *testing.F) {
	f.Add(make([]byte, 10), int32(0), uint8(0), int16(0))
	f.Add(make([]byte, ChunkSize+3), int32(ChunkSize+20), uint8(0x80), int16(0))
	f.Add(make([]byte, 2*ChunkSize), int32(5), uint8(0), int16(-17))
	f.Add([]byte{}, int32(0), uint8(0), int16(1))
	f.Fuzz(func(t *testing.T, pt []byte, pos int32, bit uint8, resize int16) {
		sealed := seal(t, pt, nil)
		if len(sealed) > 0 {
			sealed[int(uint32(pos))%len(sealed)] ^= bit
		}
		if resize < 0 {
			sealed = sealed[:max(0, len(sealed)+int(resize))]
		} else {
			sealed = append(sealed, make([]byte, resize)...)
		}
		want, werr := Open(nil, sealed, key, nil)
		verr := VerifyAt(bytes.NewReader(sealed), int64(len(sealed)), key, nil)
		var out bytes.Buffer
		_, oerr := OpenAt(bytes.NewReader(sealed), int64(len(sealed)), key, nil, &out)
		if (werr == nil) != (verr == nil) || (werr == nil) != (oerr == nil) {
			t.Fatalf("Open %v, VerifyAt %v, OpenAt %v", werr, verr, oerr)
		}
		if werr == nil && !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("OpenAt's plaintext differs from Open's")
		}
	})
}
