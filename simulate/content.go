package simulate

import (
	"bytes"
	"errors"
	"io"
)

// content is what a step puts, known without keeping it: a body: text, or size: bytes of the
// "keytrail " filler, produced and checked as it streams, so a 1 GiB object costs no
// gigabyte of memory.
type content struct {
	text   []byte
	filler int64 // used when text is nil
}

func (c content) size() int64 {
	if c.text != nil {
		return int64(len(c.text))
	}
	return c.filler
}

// fillerBlock is the filler from offset 0, long enough to serve any offset modulo its period.
var fillerBlock = bytes.Repeat([]byte("keytrail "), 64<<10/9+2)

const fillerPeriod = len("keytrail ")

// fillerAt is up to n bytes of filler starting at offset off.
func fillerAt(off int64, n int) []byte {
	start := int(off % int64(fillerPeriod))
	return fillerBlock[start : start+min(n, len(fillerBlock)-fillerPeriod)]
}

// reader yields the bytes [from, to) of the content. Its Len lets S3 take small bodies
// whole.
func (c content) reader(from, to int64) io.Reader {
	if c.text != nil {
		return bytes.NewReader(c.text[from:to])
	}
	return &fillerReader{pos: from, end: to}
}

type fillerReader struct{ pos, end int64 }

func (f *fillerReader) Len() int { return int(f.end - f.pos) }

func (f *fillerReader) Read(p []byte) (int, error) {
	if f.pos == f.end {
		return 0, io.EOF
	}
	n := copy(p[:min(int64(len(p)), f.end-f.pos)], fillerAt(f.pos, len(p)))
	f.pos += int64(n)
	return n, nil
}

// errDifferent is a GetObject whose bytes are not what was put.
var errDifferent = errors.New("the object came back different from what was put")

// checker is a writer that compares what it is given with the content, as it streams.
type checker struct {
	want content
	pos  int64
	bad  bool
}

func (c *checker) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && !c.bad {
		var want []byte
		if c.want.text != nil {
			want = c.want.text[min(c.pos, int64(len(c.want.text))):]
			want = want[:min(len(want), len(p))]
		} else if c.pos < c.want.filler {
			want = fillerAt(c.pos, int(min(int64(len(p)), c.want.filler-c.pos)))
		}
		if len(want) == 0 || !bytes.Equal(p[:len(want)], want) {
			c.bad = true
			break
		}
		p, c.pos = p[len(want):], c.pos+int64(len(want))
	}
	return n, nil
}

// writer is the checker as a writer, or io.Discard when there is nothing to check against.
func (c *checker) writer() io.Writer {
	if c == nil {
		return io.Discard
	}
	return c
}

// err reports whether everything written matched the whole content.
func (c *checker) err() error {
	if c.bad || c.pos != c.want.size() {
		return errDifferent
	}
	return nil
}
