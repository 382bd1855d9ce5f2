package trail

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Options control reading. The zero value detects formats, skips digest and
// Insights directories, reads os.Stdin for "-" and stops at the first error.
type Options struct {
	Format         Format    // FormatAuto detects per file; anything else skips detection
	IncludeDigest  bool      // walk CloudTrail-Digest directories (their files are then rejected as look-alikes)
	IncludeInsight bool      // walk CloudTrail-Insight directories
	KeepGoing      bool      // record file errors in Stats.FileErrors and continue
	Stdin          io.Reader // read for "-"; nil means os.Stdin
}

// Read reads one stream (gzipped or not) named name and calls fn for each
// record. An error from fn stops reading and is returned unchanged.
func Read(r io.Reader, name string, opts Options, fn func(Record) error) (Stats, error) {
	s := newSession(opts, fn)
	s.stats.Files++
	err := decodeStream(r, name, opts.Format, &directSink{s: s})
	var cb *callbackError
	if errors.As(err, &cb) {
		err = cb.err
	}
	return s.stats, err
}

// sink receives one stream's record candidates in order. r.Raw may point
// into the decoder's buffer: a sink copies what it keeps. An error stops
// decoding and is returned as is.
type sink interface {
	record(r Record) error
	skip(sk Skip) error
}

// directSink hands candidates straight to the session (Read).
type directSink struct {
	s     *session
	arena arena
}

func (d *directSink) record(r Record) error {
	r.Raw = d.arena.copy(r.Raw)
	return d.s.deliver(r)
}

func (d *directSink) skip(sk Skip) error {
	d.s.skipped(sk)
	return nil
}

// arena copies record bytes into large blocks that are never reused, so a
// Record's Raw stays valid after the callback.
type arena struct{ buf []byte }

const arenaSize = 256 << 10

func (a *arena) copy(b []byte) []byte {
	if len(a.buf)+len(b) > cap(a.buf) {
		a.buf = make([]byte, 0, max(arenaSize, len(b)))
	}
	n := len(a.buf)
	a.buf = append(a.buf, b...)
	return a.buf[n:len(a.buf):len(a.buf)]
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

var (
	bufioPool  = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}
	windowPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}
	gzipPool   sync.Pool // *gzip.Reader
)

// decodeStream reads one stream, gunzipping it when it starts with the gzip
// magic, and hands its candidates to out. It returns a file error (*Error)
// or out's error.
func decodeStream(r io.Reader, name string, format Format, out sink) error {
	br := bufioPool.Get().(*bufio.Reader)
	br.Reset(r)
	defer func() { br.Reset(nil); bufioPool.Put(br) }()
	var src io.Reader = br
	gz := false
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, _ := gzipPool.Get().(*gzip.Reader)
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(br)
		} else {
			err = zr.Reset(br)
		}
		if err != nil {
			return &Error{File: name, Offset: 0, Msg: "failed to read gzip header", Kind: ErrRead, Err: err}
		}
		defer gzipPool.Put(zr)
		src, gz = zr, true
	}
	buf := windowPool.Get().(*[]byte)
	d := &decoder{w: window{r: src, buf: *buf}, name: name, format: format, gz: gz, out: out}
	defer func() {
		if cap(d.w.buf) <= 1<<20 {
			*buf = d.w.buf[:cap(d.w.buf)]
			windowPool.Put(buf)
		}
	}()
	if !d.more() && d.w.err != nil {
		return d.readErr()
	}
	if bytes.HasPrefix(d.w.buf[:d.w.n], utf8BOM) {
		d.pos = len(utf8BOM)
	}
	return d.run()
}

// window is the part of the stream being scanned.
type window struct {
	r   io.Reader
	buf []byte
	n   int   // bytes in buf
	off int64 // stream offset of buf[0]
	eof bool
	err error // first read error other than io.EOF
}

// fill drops the bytes before keep and reads until buf is full (growing it
// when nothing could be dropped). It returns how far indexes moved down and
// whether bytes were added.
func (w *window) fill(keep int) (drop int, ok bool) {
	if w.eof || w.err != nil {
		return 0, false
	}
	if keep > 0 {
		w.n = copy(w.buf, w.buf[keep:w.n])
		w.off += int64(keep)
	}
	if w.n == len(w.buf) {
		nb := make([]byte, 2*len(w.buf))
		copy(nb, w.buf[:w.n])
		w.buf = nb
	}
	before, idle := w.n, 0
	for w.n < len(w.buf) {
		m, err := w.r.Read(w.buf[w.n:])
		w.n += m
		if err == io.EOF {
			w.eof = true
			break
		}
		if err != nil {
			w.err = err
			break
		}
		if m == 0 {
			if idle++; idle > 100 {
				w.err = io.ErrNoProgress
				break
			}
		}
	}
	return keep, w.n > before
}

// decoder reads one stream.
type decoder struct {
	w      window
	pos    int // next byte to scan in w.buf
	mark   int // bytes before mark may be dropped on refill
	name   string
	format Format
	gz     bool
	values int // top-level values seen
	index  int // record candidates seen
	out    sink
	f, g   fields // members of the current value and of an unwrapped record
	intern map[string]string
}

// more reads more input, keeping the bytes from d.mark on.
func (d *decoder) more() bool {
	drop, ok := d.w.fill(d.mark)
	d.pos -= drop
	d.mark -= drop
	return ok
}

func (d *decoder) off(i int) int64 { return d.w.off + int64(i) }

func (d *decoder) errorf(off int64, kind error, format string, args ...any) error {
	return &Error{File: d.name, Offset: off, Msg: fmt.Sprintf(format, args...), Kind: kind}
}

// readErr is the read or gunzip failure that ended the input.
func (d *decoder) readErr() error {
	msg := "failed to read"
	if d.gz {
		msg = "failed to decompress gzip"
	}
	return &Error{File: d.name, Offset: d.off(d.w.n), Msg: msg, Kind: ErrRead, Err: d.w.err}
}

// short reports input that ended inside a value.
func (d *decoder) short() error {
	if d.w.err != nil {
		return d.readErr()
	}
	return d.errorf(d.off(d.w.n), ErrInvalidJSON, "truncated JSON: expected more input")
}

// syntax turns a scanner error into a file error.
func (d *decoder) syntax(err error) error {
	if d.w.err != nil {
		return d.readErr()
	}
	var se *syntaxError
	if errors.As(err, &se) {
		return d.errorf(d.off(se.at), ErrInvalidJSON, "invalid JSON: %s", se.msg)
	}
	return d.short()
}

// peek skips whitespace, reading more input as needed, and reports whether
// a byte follows; at the end of input it returns any read error.
func (d *decoder) peek() (bool, error) {
	for {
		d.pos = skipSpace(d.w.buf[:d.w.n], d.pos)
		if d.pos < d.w.n {
			return true, nil
		}
		d.mark = d.pos
		if !d.more() {
			if d.w.err != nil {
				return false, d.readErr()
			}
			return false, nil
		}
	}
}

// scan runs a scanner on the value at d.pos, reading more input while it
// runs short, and returns the value's bounds (d.pos is not advanced).
func (d *decoder) scan(f *fields) (lo, hi int, err error) {
	d.mark = d.pos
	for {
		b := d.w.buf[:d.w.n]
		if b[d.pos] == '{' && f != nil {
			hi, err = scanObject(b, d.pos, f)
		} else {
			hi, err = skipValue(b, d.pos, d.w.eof)
		}
		if err == nil {
			return d.pos, hi, nil
		}
		if err != errShort {
			return 0, 0, d.syntax(err)
		}
		if !d.more() {
			return 0, 0, d.short()
		}
	}
}

func (d *decoder) run() error {
	if d.format == FormatLines {
		return d.lines()
	}
	for {
		more, err := d.nextValue()
		if !more {
			return err
		}
		start := d.off(d.pos)
		switch c := d.w.buf[d.pos]; c {
		case '[':
			if d.format == FormatRecords || d.format == FormatLookup {
				return d.errorf(start, ErrFormat, "expected a JSON object for format %s, found an array", d.format)
			}
			kind := FormatArray
			if d.format == FormatEventBridge {
				kind = FormatEventBridge
			}
			d.pos++
			err = d.elements(kind)
		case '{':
			if d.format == FormatArray {
				return d.errorf(start, ErrFormat, "expected a JSON array for format %s, found an object", d.format)
			}
			err = d.object()
		default:
			_, hi, serr := d.scan(nil)
			if serr != nil {
				return serr
			}
			if d.values == 1 {
				return d.errorf(0, ErrNotCloudTrail, "expected a JSON object or array, found %s", scalarType(c))
			}
			d.pos = hi
			err = d.skip(start, "not a JSON object")
		}
		if err != nil {
			return err
		}
	}
}

// scalarType names a scalar as encoding/json decodes it into an any.
func scalarType(c byte) string {
	switch c {
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "<nil>"
	}
	return "float64"
}

// end is a clean end of input: an error only when the input held no value at all.
func (d *decoder) end() error {
	if d.values == 0 {
		return d.errorf(0, ErrInvalidJSON, "empty input: expected CloudTrail JSON")
	}
	return nil
}

// lines reads whitespace-separated JSON values, each one record.
func (d *decoder) lines() error {
	for {
		if more, err := d.nextValue(); !more {
			return err
		}
		if err := d.element(FormatLines); err != nil {
			return err
		}
	}
}

// nextValue moves to the next top-level value: more is false at the end of the input (err is
// then end's verdict) or on a read error.
func (d *decoder) nextValue() (more bool, err error) {
	d.mark = d.pos
	ok, err := d.peek()
	if err != nil {
		return false, err
	}
	if !ok {
		return false, d.end()
	}
	d.values++
	return true, nil
}

// element scans the value at d.pos and hands it on as a candidate of kind.
func (d *decoder) element(kind Format) error {
	lo, hi, err := d.scan(&d.f)
	if err != nil {
		return err
	}
	d.pos = hi
	raw := d.w.buf[lo:hi]
	f := &d.f
	if raw[0] != '{' {
		f = nil
	}
	return d.item(raw, d.off(lo), kind, f)
}

// elements streams the values of an array whose '[' was just read.
func (d *decoder) elements(kind Format) error {
	for first := true; ; first = false {
		d.mark = d.pos
		ok, err := d.peek()
		if err != nil {
			return err
		}
		if !ok {
			return d.short()
		}
		c := d.w.buf[d.pos]
		if c == ']' {
			d.pos++
			return nil
		}
		if !first {
			if c != ',' {
				return d.syntax(badChar(d.pos, c, "after array element"))
			}
			d.pos++
			if ok, err = d.peek(); err != nil {
				return err
			}
			if !ok {
				return d.short()
			}
		}
		if err := d.element(kind); err != nil {
			return err
		}
	}
}

// object walks a top-level object from its '{'. A Records or Events array
// is streamed element by element; any other object is kept whole and
// classified as a record, envelope or look-alike.
func (d *decoder) object() error {
	d.mark = d.pos
	start := d.off(d.pos)
	d.f = fields{}
	container := false
	d.pos++
	for first := true; ; first = false {
		var end, value int
		var kind Format
		var err error
		for {
			end, value, kind, err = scanMembers(d.w.buf[:d.w.n], d.pos, d.mark, first, d.container, &d.f)
			if err != errShort {
				break
			}
			if !d.more() {
				return d.short()
			}
		}
		if err != nil {
			return d.syntax(err)
		}
		if kind == FormatAuto {
			d.pos = end
			break
		}
		container = true
		if d.w.buf[value] != '[' {
			return d.errorf(d.off(value), ErrInvalidJSON, "expected %s to be an array", containerKey[kind])
		}
		d.pos = value + 1
		if err := d.elements(kind); err != nil {
			return err
		}
		d.mark = d.pos
	}
	if container {
		return nil
	}
	if d.format == FormatRecords || d.format == FormatLookup {
		return d.errorf(start, ErrFormat, "expected an object with a %s array for format %s", containerKey[d.format], d.format)
	}
	raw := d.w.buf[d.mark:d.pos]
	if d.format == FormatEventBridge {
		return d.item(raw, start, FormatEventBridge, &d.f)
	}
	if k := d.f.digestKey(); k != "" {
		return d.errorf(start, ErrNotCloudTrail, "found a CloudTrail digest file (%s), not records", k)
	}
	if !d.f.recordish() && !d.f.envelope() && d.values == 1 {
		return d.errorf(start, ErrNotCloudTrail, "%s", describeObject(raw, &d.f))
	}
	return d.item(raw, start, FormatLines, &d.f)
}

var containerKey = map[Format]string{FormatRecords: "Records", FormatLookup: "Events"}

// container says which array member of a top-level object holds records.
func (d *decoder) container(key []byte) Format {
	if hasEscape(key) {
		q := append(append([]byte{'"'}, key...), '"')
		key = []byte(unquote(q))
	}
	switch {
	case string(key) == "Records" && (d.format == FormatAuto || d.format == FormatRecords):
		return FormatRecords
	case string(key) == "Events" && (d.format == FormatAuto || d.format == FormatLookup):
		return FormatLookup
	}
	return FormatAuto
}
