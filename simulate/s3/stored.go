package s3

import (
	"bytes"
	"errors"
	"io"
	"os"

	"github.com/keytrail/keytrail/simulate/envelope"
)

// stored is sealed bytes as S3 keeps them (an object, or a part of a multipart object): in
// memory up to the spill size, else in a temporary file.
type stored struct {
	mem  []byte
	file string
}

// at opens the sealed bytes for positional reads: the memory, or the file (which the caller
// closes with done).
func (st stored) at() (src io.ReaderAt, size int64, done func(), err error) {
	if st.file == "" {
		return bytes.NewReader(st.mem), int64(len(st.mem)), func() {}, nil
	}
	f, err := os.Open(st.file)
	if err != nil {
		return nil, 0, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, nil, err
	}
	return f, info.Size(), func() { f.Close() }, nil
}

// verify authenticates every chunk, on all cores; any failure is S3's InternalError.
func (st stored) verify(key, aad []byte) error {
	src, size, done, err := st.at()
	if err != nil {
		return err
	}
	defer done()
	if err := envelope.VerifyAt(src, size, key, aad); err != nil {
		return internalError()
	}
	return nil
}

// openTo writes the plaintext to w, its chunks opened on all cores. Call verify first: a
// damaged chunk stops it, after the plaintext before it.
func (st stored) openTo(w io.Writer, key, aad []byte) (int64, error) {
	src, size, done, err := st.at()
	if err != nil {
		return 0, err
	}
	defer done()
	n, err := envelope.OpenAt(src, size, key, aad, w)
	if errors.Is(err, envelope.ErrAuth) {
		return n, internalError()
	}
	return n, err
}

// release frees stored bytes that are replaced: memory is kept for reuse (up to
// maxFreeBlocks buffers of at most maxScratch), a file for overwriting (up to maxFreeSpills),
// else removed.
func (s *S3) release(st *stored) {
	if b := st.mem; cap(b) > 0 && cap(b) <= maxScratch && len(s.sealed) < maxFreeBlocks {
		s.sealed = append(s.sealed, b[:0]) // ciphertext: nothing to zero
	}
	if st.file != "" {
		if len(s.free) < maxFreeSpills {
			s.free = append(s.free, st.file)
		} else {
			os.Remove(st.file)
		}
	}
	*st = stored{}
}

// drop releases a replaced object's storage, its parts' included.
func (s *S3) drop(obj *object) {
	if obj == nil {
		return
	}
	s.release(&obj.data)
	for i := range obj.parts {
		s.release(&obj.parts[i])
	}
}

// Close removes the temporary files of spilled objects, of uploads' parts, and those kept
// for reuse.
func (s *S3) Close() error {
	remove := func(st stored) {
		if st.file != "" {
			os.Remove(st.file)
		}
	}
	for _, b := range s.buckets {
		for _, obj := range b.objects {
			remove(obj.data)
			for _, p := range obj.parts {
				remove(p)
			}
		}
	}
	for _, u := range s.uploads {
		for _, p := range u.parts {
			remove(p)
		}
	}
	for _, f := range s.free {
		os.Remove(f)
	}
	s.free = nil
	return nil
}
