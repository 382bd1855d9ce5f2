// Package jsontree parses JSON into a tree that keeps the line and column of every value and
// object member, and keeps duplicate members so that callers can reject them. It is strict
// RFC 8259: no comments, no trailing commas, valid UTF-8, bounded nesting.
package jsontree

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting Parse accepts.
const MaxDepth = 10000

// Kind is the JSON type of a Node.
type Kind uint8

// The JSON types.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

var kindNames = [...]string{"null", "boolean", "number", "string", "array", "object"}

func (k Kind) String() string { return kindNames[k] }

// Pos is a 1-based line and column (columns count characters, not bytes).
type Pos struct {
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Node is one JSON value.
type Node struct {
	Kind    Kind
	Pos     Pos
	Str     string // String: the decoded text; Number: the literal as written
	Bool    bool
	Elems   []*Node
	Members []Member
}

// Member is one name/value pair of an object, in document order.
type Member struct {
	Key    string
	KeyPos Pos
	Value  *Node
}

// SyntaxError is a JSON syntax error at a position.
type SyntaxError struct {
	Pos Pos
	Msg string
}

func (e *SyntaxError) Error() string { return e.Pos.String() + ": " + e.Msg }

// Parse parses one JSON document. A leading UTF-8 byte order mark is skipped.
func Parse(data []byte) (*Node, error) {
	p := &parser{data: data, line: 1, lineStart: 0, col: 1}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		p.off = 3
		p.lineStart = 3
	}
	p.skipSpace()
	if p.off >= len(p.data) {
		return nil, p.errorf("empty document: expected a JSON value")
	}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.off < len(p.data) {
		return nil, p.errorf("unexpected %s after the JSON value", p.describe())
	}
	return n, nil
}

type parser struct {
	data      []byte
	off       int
	line      int
	lineStart int
	// column cache: the column of byte offset colOff on the current line, so that positions
	// cost amortized O(1) even on a megabyte-long single line.
	colOff, col int
}

func (p *parser) pos() Pos {
	if p.colOff < p.lineStart || p.colOff > p.off {
		p.colOff, p.col = p.lineStart, 1
	}
	p.col += utf8.RuneCount(p.data[p.colOff:p.off])
	p.colOff = p.off
	return Pos{Line: p.line, Col: p.col}
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Pos: p.pos(), Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) describe() string {
	if p.off >= len(p.data) {
		return "end of input"
	}
	c := p.data[p.off]
	switch {
	case c == '/':
		return "'/' (comments are not allowed in JSON)"
	case c >= 0x20 && c < 0x7f:
		return strconv.Quote(string(c))
	}
	r, _ := utf8.DecodeRune(p.data[p.off:])
	if r == utf8.RuneError {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return fmt.Sprintf("character %U", r)
}

func (p *parser) skipSpace() {
	for p.off < len(p.data) {
		switch p.data[p.off] {
		case ' ', '\t', '\r':
			p.off++
		case '\n':
			p.off++
			p.line++
			p.lineStart = p.off
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (*Node, error) {
	if p.off >= len(p.data) {
		return nil, p.errorf("unexpected end of input: expected a JSON value")
	}
	pos := p.pos()
	switch c := p.data[p.off]; {
	case (c == '{' || c == '[') && depth >= MaxDepth:
		// depth counts the arrays and objects around this value; scalars add no nesting.
		return nil, p.errorf("nesting deeper than %d levels", MaxDepth)
	case c == '{':
		return p.object(depth, pos)
	case c == '[':
		return p.array(depth, pos)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &Node{Kind: String, Pos: pos, Str: s}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		s, err := p.number()
		if err != nil {
			return nil, err
		}
		return &Node{Kind: Number, Pos: pos, Str: s}, nil
	case p.literal("true"):
		return &Node{Kind: Bool, Pos: pos, Bool: true}, nil
	case p.literal("false"):
		return &Node{Kind: Bool, Pos: pos}, nil
	case p.literal("null"):
		return &Node{Kind: Null, Pos: pos}, nil
	}
	return nil, p.errorf("unexpected %s: expected a JSON value", p.describe())
}

func (p *parser) literal(word string) bool {
	if len(p.data)-p.off < len(word) || string(p.data[p.off:p.off+len(word)]) != word {
		return false
	}
	p.off += len(word)
	return true
}

func (p *parser) object(depth int, pos Pos) (*Node, error) {
	n := &Node{Kind: Object, Pos: pos}
	p.off++ // {
	p.skipSpace()
	if p.off < len(p.data) && p.data[p.off] == '}' {
		p.off++
		return n, nil
	}
	for {
		p.skipSpace()
		if p.off >= len(p.data) || p.data[p.off] != '"' {
			if p.off < len(p.data) && p.data[p.off] == '}' {
				return nil, p.errorf("trailing comma before '}'")
			}
			return nil, p.errorf("unexpected %s: expected a member name in double quotes", p.describe())
		}
		keyPos := p.pos()
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.off >= len(p.data) || p.data[p.off] != ':' {
			return nil, p.errorf("unexpected %s: expected ':' after member name %q", p.describe(), key)
		}
		p.off++
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.Members = append(n.Members, Member{Key: key, KeyPos: keyPos, Value: v})
		p.skipSpace()
		if p.off >= len(p.data) {
			return nil, p.errorf("unexpected end of input: expected ',' or '}' (object opened at %s)", pos)
		}
		switch p.data[p.off] {
		case ',':
			p.off++
		case '}':
			p.off++
			return n, nil
		default:
			return nil, p.errorf("unexpected %s: expected ',' or '}'", p.describe())
		}
	}
}

func (p *parser) array(depth int, pos Pos) (*Node, error) {
	n := &Node{Kind: Array, Pos: pos}
	p.off++ // [
	p.skipSpace()
	if p.off < len(p.data) && p.data[p.off] == ']' {
		p.off++
		return n, nil
	}
	for {
		p.skipSpace()
		if p.off < len(p.data) && p.data[p.off] == ']' {
			return nil, p.errorf("trailing comma before ']'")
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.Elems = append(n.Elems, v)
		p.skipSpace()
		if p.off >= len(p.data) {
			return nil, p.errorf("unexpected end of input: expected ',' or ']' (array opened at %s)", pos)
		}
		switch p.data[p.off] {
		case ',':
			p.off++
		case ']':
			p.off++
			return n, nil
		default:
			return nil, p.errorf("unexpected %s: expected ',' or ']'", p.describe())
		}
	}
}

func (p *parser) number() (string, error) {
	start := p.off
	if p.data[p.off] == '-' {
		p.off++
	}
	digits := func() int {
		s := p.off
		for p.off < len(p.data) && p.data[p.off] >= '0' && p.data[p.off] <= '9' {
			p.off++
		}
		return p.off - s
	}
	intStart := p.off
	if n := digits(); n == 0 {
		return "", p.errorf("invalid number: expected a digit")
	} else if n > 1 && p.data[intStart] == '0' {
		p.off = intStart
		return "", p.errorf("invalid number: leading zero")
	}
	if p.off < len(p.data) && p.data[p.off] == '.' {
		p.off++
		if digits() == 0 {
			return "", p.errorf("invalid number: expected a digit after '.'")
		}
	}
	if p.off < len(p.data) && (p.data[p.off] == 'e' || p.data[p.off] == 'E') {
		p.off++
		if p.off < len(p.data) && (p.data[p.off] == '+' || p.data[p.off] == '-') {
			p.off++
		}
		if digits() == 0 {
			return "", p.errorf("invalid number: expected a digit in the exponent")
		}
	}
	return string(p.data[start:p.off]), nil
}

// str reads a string starting at the opening quote and returns its decoded value.
func (p *parser) str() (string, error) {
	p.off++ // opening quote
	start := p.off
	// Fast path: no escapes.
	for p.off < len(p.data) {
		c := p.data[p.off]
		if c == '"' {
			s := string(p.data[start:p.off])
			if !utf8.ValidString(s) {
				p.off = start
				return "", p.invalidUTF8(start)
			}
			p.off++
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.off++
	}
	buf := append([]byte(nil), p.data[start:p.off]...)
	for {
		if p.off >= len(p.data) {
			return "", p.errorf("unexpected end of input in a string")
		}
		c := p.data[p.off]
		switch {
		case c == '"':
			p.off++
			if !utf8.Valid(buf) {
				return "", p.invalidUTF8(start)
			}
			return string(buf), nil
		case c < 0x20:
			return "", p.errorf("control character 0x%02x in a string (escape it)", c)
		case c == '\\':
			r, err := p.escape()
			if err != nil {
				return "", err
			}
			buf = utf8.AppendRune(buf, r)
		default:
			buf = append(buf, c)
			p.off++
		}
	}
}

func (p *parser) invalidUTF8(from int) error {
	for i := from; i < len(p.data); {
		r, size := utf8.DecodeRune(p.data[i:])
		if r == utf8.RuneError && size <= 1 {
			p.off = i
			return p.errorf("invalid UTF-8 byte 0x%02x in a string", p.data[i])
		}
		i += size
	}
	return p.errorf("invalid UTF-8 in a string")
}

func (p *parser) escape() (rune, error) {
	p.off++ // backslash
	if p.off >= len(p.data) {
		return 0, p.errorf("unexpected end of input in an escape")
	}
	c := p.data[p.off]
	p.off++
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
		r, err := p.hex4()
		if err != nil {
			return 0, err
		}
		if utf16.IsSurrogate(r) {
			if r >= 0xDC00 || p.off+1 >= len(p.data) || p.data[p.off] != '\\' || p.data[p.off+1] != 'u' {
				return utf8.RuneError, nil
			}
			next := p.off
			p.off += 2
			r2, err := p.hex4()
			if err != nil {
				return 0, err
			}
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, nil
			}
			// Not a low surrogate: the lone high surrogate becomes U+FFFD and the next
			// escape is decoded on its own, as encoding/json does.
			p.off = next
			return utf8.RuneError, nil
		}
		return r, nil
	}
	p.off--
	return 0, p.errorf("invalid escape '\\%c' in a string", c)
}

func (p *parser) hex4() (rune, error) {
	if len(p.data)-p.off < 4 {
		return 0, p.errorf("invalid \\u escape: expected 4 hex digits")
	}
	v, err := strconv.ParseUint(string(p.data[p.off:p.off+4]), 16, 32)
	if err != nil {
		return 0, p.errorf("invalid \\u escape: expected 4 hex digits")
	}
	p.off += 4
	return rune(v), nil
}

// Get returns the value of an object's member, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Object {
		return nil
	}
	for _, m := range n.Members {
		if m.Key == key {
			return m.Value
		}
	}
	return nil
}

// Text returns a string value, or "" for anything else.
func (n *Node) Text() string {
	if n == nil || n.Kind != String {
		return ""
	}
	return n.Str
}
