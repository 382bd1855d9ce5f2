package s3

import (
	"bufio"
	"bytes"
	"io"
	"os"
)

// DefaultSpillSize is the sealed size above which an object is kept in a temporary file
// rather than in memory, so a large object streams through in constant memory.
const DefaultSpillSize = 8 << 20

// spill collects a sealed object: in memory up to limit bytes, then in a temporary file.
type spill struct {
	dir   string
	limit int64
	mem   bytes.Buffer
	f     *os.File
	fw    *bufio.Writer
}

func (s *spill) Write(p []byte) (int, error) {
	if s.f == nil && int64(s.mem.Len()+len(p)) > s.limit {
		f, err := os.CreateTemp(s.dir, "keytrail-object-*")
		if err != nil {
			return 0, err
		}
		s.f, s.fw = f, bufio.NewWriterSize(f, 1<<20)
		if _, err := s.fw.Write(s.mem.Bytes()); err != nil {
			return 0, err
		}
		s.mem = bytes.Buffer{}
	}
	if s.f != nil {
		return s.fw.Write(p)
	}
	return s.mem.Write(p)
}

// finish stores the result in obj: the bytes, or the file's path.
func (s *spill) finish(obj *object) error {
	if s.f == nil {
		obj.sealed = s.mem.Bytes()
		return nil
	}
	obj.file = s.f.Name()
	if err := s.fw.Flush(); err != nil {
		return err
	}
	return s.f.Close()
}

// discard removes a spilled file after a failed write.
func (s *spill) discard() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
	}
}

// sealedReader reads an object's sealed bytes.
func (obj *object) sealedReader() (io.ReadCloser, error) {
	if obj.file == "" {
		return io.NopCloser(bytes.NewReader(obj.sealed)), nil
	}
	return os.Open(obj.file)
}

// drop releases an object's storage (its spilled file) when it is replaced.
func (obj *object) drop() {
	if obj != nil && obj.file != "" {
		os.Remove(obj.file)
	}
}

// Close removes the temporary files of spilled objects.
func (s *S3) Close() error {
	for _, b := range s.buckets {
		for _, obj := range b.objects {
			obj.drop()
		}
	}
	return nil
}
