package trail

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// session holds state shared by all inputs of one read: stats and the
// eventID set used for de-duplication.
type session struct {
	opts  Options
	fn    func(Record) error
	stats Stats
	seen  map[string]struct{}
}

func newSession(opts Options, fn func(Record) error) *session {
	return &session{opts: opts, fn: fn, seen: make(map[string]struct{})}
}

// Read reads one stream (gzipped or not) named name and calls fn for each
// record. An error from fn stops reading and is returned unchanged.
func Read(r io.Reader, name string, opts Options, fn func(Record) error) (Stats, error) {
	s := newSession(opts, fn)
	err := s.readStream(r, name)
	var cb *callbackError
	if errors.As(err, &cb) {
		err = cb.err
	}
	return s.stats, err
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

func (s *session) readStream(r io.Reader, name string) error {
	s.stats.Files++
	br := bufio.NewReaderSize(r, 64<<10)
	var src io.Reader = br
	gz := false
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return &Error{File: name, Offset: 0, Msg: "failed to read gzip header", Kind: ErrRead, Err: err}
		}
		defer zr.Close()
		src, gz = zr, true
	}
	dr := bufio.NewReader(src)
	var base int64
	if b, _ := dr.Peek(3); bytes.Equal(b, utf8BOM) {
		dr.Discard(3)
		base = 3
	}
	rec := &recorder{r: dr}
	rd := &reader{s: s, name: name, format: s.opts.Format, rec: rec, dec: json.NewDecoder(rec), base: base, gz: gz}
	return rd.run()
}

// recorder keeps the bytes the decoder has read from offset keep onwards,
// so a top-level object can be recovered verbatim after walking its keys.
type recorder struct {
	r     io.Reader
	buf   []byte
	start int64 // stream offset of buf[0]
	keep  int64 // bytes before this offset may be dropped
	total int64
	err   error // first non-EOF read error
}

func (c *recorder) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	if drop := c.keep - c.start; drop > 0 {
		if drop >= int64(len(c.buf)) {
			c.start += int64(len(c.buf))
			c.buf = c.buf[:0]
		} else {
			c.buf = append(c.buf[:0], c.buf[drop:]...)
			c.start = c.keep
		}
	}
	c.buf = append(c.buf, p[:n]...)
	c.total += int64(n)
	return n, err
}

// bytes returns a copy of stream bytes [from, to), or nil if not retained.
func (c *recorder) bytes(from, to int64) []byte {
	if from < c.start || to > c.start+int64(len(c.buf)) || from > to {
		return nil
	}
	return append([]byte(nil), c.buf[from-c.start:to-c.start]...)
}

// reader reads one stream.
type reader struct {
	s      *session
	name   string
	format Format
	rec    *recorder
	dec    *json.Decoder
	base   int64 // bytes dropped before the decoder (BOM)
	gz     bool
	values int // top-level values seen
	index  int // record candidates seen
}

func (rd *reader) errorf(off int64, kind error, format string, args ...any) error {
	if off >= 0 {
		off += rd.base
	}
	return &Error{File: rd.name, Offset: off, Msg: fmt.Sprintf(format, args...), Kind: kind}
}

// decodeErr turns a decoder error into a file error with an offset.
func (rd *reader) decodeErr(err error) error {
	if rd.rec.err != nil {
		msg := "failed to read"
		if rd.gz {
			msg = "failed to decompress gzip"
		}
		return &Error{File: rd.name, Offset: rd.rec.total + rd.base, Msg: msg, Kind: ErrRead, Err: rd.rec.err}
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return rd.errorf(se.Offset, ErrInvalidJSON, "invalid JSON: %s", se.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return rd.errorf(rd.rec.total, ErrInvalidJSON, "truncated JSON: expected more input")
	}
	return rd.errorf(rd.dec.InputOffset(), ErrInvalidJSON, "invalid JSON: %s", err.Error())
}

func (rd *reader) run() error {
	if rd.format == FormatLines {
		return rd.lines()
	}
	for {
		rd.rec.keep = rd.dec.InputOffset()
		tok, err := rd.dec.Token()
		if err == io.EOF && rd.rec.err == nil {
			return rd.end()
		}
		if err != nil {
			return rd.decodeErr(err)
		}
		rd.values++
		start := rd.dec.InputOffset() - 1
		switch tok {
		case json.Delim('['):
			if rd.format == FormatRecords || rd.format == FormatLookup {
				return rd.errorf(start, ErrFormat, "expected a JSON object for format %s, found an array", rd.format)
			}
			kind := FormatArray
			if rd.format == FormatEventBridge {
				kind = FormatEventBridge
			}
			err = rd.elements(kind)
		case json.Delim('{'):
			if rd.format == FormatArray {
				return rd.errorf(start, ErrFormat, "expected a JSON array for format %s, found an object", rd.format)
			}
			err = rd.object(start)
		default:
			if rd.values == 1 {
				return rd.errorf(0, ErrNotCloudTrail, "expected a JSON object or array, found %T", tok)
			}
			rd.s.stats.Read++
			rd.skip(rd.dec.InputOffset(), "not a JSON object")
		}
		if err != nil {
			return err
		}
	}
}

// end is a clean end of input: an error only when the input held no value at all.
func (rd *reader) end() error {
	if rd.values == 0 {
		return rd.errorf(0, ErrInvalidJSON, "empty input: expected CloudTrail JSON")
	}
	return nil
}

// lines reads whitespace-separated JSON values, each one record.
func (rd *reader) lines() error {
	for {
		rd.rec.keep = rd.dec.InputOffset()
		var raw json.RawMessage
		err := rd.dec.Decode(&raw)
		if err == io.EOF && rd.rec.err == nil {
			return rd.end()
		}
		if err != nil {
			return rd.decodeErr(err)
		}
		rd.values++
		if err := rd.item(raw, rd.dec.InputOffset()-int64(len(raw)), FormatLines); err != nil {
			return err
		}
	}
}

// object walks a top-level object after its '{'. A Records or Events array
// is streamed element by element; any other object is recovered verbatim
// and classified as a record, envelope or look-alike.
func (rd *reader) object(start int64) error {
	container := false
	for rd.dec.More() {
		kt, err := rd.dec.Token()
		if err != nil {
			return rd.decodeErr(err)
		}
		kind := FormatAuto
		switch {
		case kt == json.Token("Records") && (rd.format == FormatAuto || rd.format == FormatRecords):
			kind = FormatRecords
		case kt == json.Token("Events") && (rd.format == FormatAuto || rd.format == FormatLookup):
			kind = FormatLookup
		}
		if kind == FormatAuto {
			var skip json.RawMessage
			if err := rd.dec.Decode(&skip); err != nil {
				return rd.decodeErr(err)
			}
			continue
		}
		at := rd.dec.InputOffset()
		tok, err := rd.dec.Token()
		if err != nil {
			return rd.decodeErr(err)
		}
		if tok != json.Delim('[') {
			return rd.errorf(at, ErrInvalidJSON, "expected %s to be an array", kt)
		}
		container = true
		if err := rd.elements(kind); err != nil {
			return err
		}
	}
	if _, err := rd.dec.Token(); err != nil {
		return rd.decodeErr(err)
	}
	if container {
		return nil
	}
	if rd.format == FormatRecords || rd.format == FormatLookup {
		return rd.errorf(start, ErrFormat, "expected an object with a %s array for format %s", map[Format]string{FormatRecords: "Records", FormatLookup: "Events"}[rd.format], rd.format)
	}
	raw := rd.rec.bytes(start, rd.dec.InputOffset())
	if raw == nil {
		return rd.errorf(start, ErrRead, "failed to recover object bytes")
	}
	if rd.format == FormatEventBridge {
		return rd.item(raw, start, FormatEventBridge)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return rd.errorf(start, ErrInvalidJSON, "invalid JSON object: %s", err.Error())
	}
	if k, ok := hasAny(m, digestKeys); ok {
		return rd.errorf(start, ErrNotCloudTrail, "found a CloudTrail digest file (%s), not records", k)
	}
	_, recordish := hasAny(m, recordKeys)
	if !recordish && !isEnvelope(m) && rd.values == 1 {
		return rd.errorf(start, ErrNotCloudTrail, "%s", describeObject(m))
	}
	return rd.item(raw, start, FormatLines)
}

// elements streams the values of an array whose '[' was just read.
func (rd *reader) elements(kind Format) error {
	for rd.dec.More() {
		rd.rec.keep = rd.dec.InputOffset()
		var raw json.RawMessage
		if err := rd.dec.Decode(&raw); err != nil {
			return rd.decodeErr(err)
		}
		if err := rd.item(raw, rd.dec.InputOffset()-int64(len(raw)), kind); err != nil {
			return err
		}
	}
	if _, err := rd.dec.Token(); err != nil {
		return rd.decodeErr(err)
	}
	return nil
}
