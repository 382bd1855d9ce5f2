package trail

import (
	"encoding/json"
	"errors"
	"strconv"
)

// The scanner finds where a JSON value ends and validates it in the same
// pass, over bytes already in memory. It accepts what encoding/json accepts
// (invalid UTF-8 included) and nests at most maxDepth levels.

// errShort means the value runs past the end of the bytes scanned: the
// caller reads more input and scans the value again, or reports truncation.
var errShort = errors.New("unexpected end of input")

const maxDepth = 10000

// syntaxError is malformed JSON at byte at of the scanned slice.
type syntaxError struct {
	at  int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

func badChar(at int, c byte, context string) error {
	return &syntaxError{at, "invalid character " + quoteChar(c) + " " + context}
}

// quoteChar formats c as encoding/json's syntax errors do.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

// plain marks bytes that need no attention inside a string.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the end of the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, error) {
	i++
	for {
		for i+8 <= len(b) && plain[b[i]] && plain[b[i+1]] && plain[b[i+2]] && plain[b[i+3]] &&
			plain[b[i+4]] && plain[b[i+5]] && plain[b[i+6]] && plain[b[i+7]] {
			i += 8
		}
		for i < len(b) && plain[b[i]] {
			i++
		}
		if i >= len(b) {
			return i, errShort
		}
		switch c := b[i]; c {
		case '"':
			return i + 1, nil
		case '\\':
			if i+1 >= len(b) {
				return i, errShort
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := i + 2; k < i+6; k++ {
					if k >= len(b) {
						return k, errShort
					}
					if !isHex(b[k]) {
						return k, badChar(k, b[k], "in \\u hexadecimal character escape")
					}
				}
				i += 6
			default:
				return i + 1, badChar(i+1, b[i+1], "in string escape code")
			}
		default:
			return i, badChar(i, c, "in string literal")
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// skipNumber returns the end of the number starting at b[i]. A number that
// reaches the end of b is complete only when eof says no input follows.
func skipNumber(b []byte, i int, eof bool) (int, error) {
	short := func(at int) (int, error) { return at, errShort }
	if b[i] == '-' {
		i++
		if i >= len(b) {
			return short(i)
		}
		if !isDigit(b[i]) {
			return i, badChar(i, b[i], "in numeric literal")
		}
	}
	if b[i] == '0' {
		i++
	} else {
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) {
			return short(i)
		}
		if !isDigit(b[i]) {
			return i, badChar(i, b[i], "after decimal point in numeric literal")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) {
			return short(i)
		}
		if !isDigit(b[i]) {
			return i, badChar(i, b[i], "in exponent of numeric literal")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i >= len(b) && !eof {
		return short(i)
	}
	return i, nil
}

// skipLiteral returns the end of true, false or null starting at b[i].
func skipLiteral(b []byte, i int) (int, error) {
	var lit string
	switch b[i] {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	default:
		lit = "null"
	}
	for k := 1; k < len(lit); k++ {
		if i+k >= len(b) {
			return i + k, errShort
		}
		if b[i+k] != lit[k] {
			return i + k, badChar(i+k, b[i+k], "in literal "+lit+" (expecting "+quoteChar(lit[k])+")")
		}
	}
	return i + len(lit), nil
}

// skipScalar returns the end of the string, number or literal at b[i].
func skipScalar(b []byte, i int, eof bool) (int, error) {
	switch c := b[i]; {
	case c == '"':
		return skipString(b, i)
	case c == '-' || isDigit(c):
		return skipNumber(b, i, eof)
	case c == 't' || c == 'f' || c == 'n':
		return skipLiteral(b, i)
	default:
		return i, badChar(i, c, "looking for beginning of value")
	}
}

// skipValue returns the end of the JSON value starting at b[i] (not
// whitespace). eof says b holds the rest of the input.
func skipValue(b []byte, i int, eof bool) (int, error) {
	c := b[i]
	if c != '{' && c != '[' {
		return skipScalar(b, i, eof)
	}
	var local [64]byte
	stack := local[:0] // open containers: '{' or '['
	var err error
	for {
		// A value starts at b[i].
		switch c := b[i]; c {
		case '{', '[':
			if len(stack) >= maxDepth {
				return i, &syntaxError{i, "exceeded max depth"}
			}
			stack = append(stack, c)
			if i = skipSpace(b, i+1); i >= len(b) {
				return i, errShort
			}
			if b[i] == c+2 { // '{'+2 == '}', '['+2 == ']'
				stack = stack[:len(stack)-1]
				i++
				break
			}
			if c == '{' {
				if _, i, err = memberKey(b, i); err != nil {
					return i, err
				}
			}
			continue
		default:
			if i, err = skipScalar(b, i, false); err != nil {
				return i, err
			}
		}
		// A value ended at b[i]: close containers until another value starts.
		for {
			if len(stack) == 0 {
				return i, nil
			}
			if i = skipSpace(b, i); i >= len(b) {
				return i, errShort
			}
			top := stack[len(stack)-1]
			if b[i] == top+2 {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			if b[i] != ',' {
				if top == '{' {
					return i, badChar(i, b[i], "after object key:value pair")
				}
				return i, badChar(i, b[i], "after array element")
			}
			if i = skipSpace(b, i+1); i >= len(b) {
				return i, errShort
			}
			if top == '{' {
				if b[i] != '"' {
					return i, badChar(i, b[i], "looking for beginning of object key string")
				}
				if _, i, err = memberKey(b, i); err != nil {
					return i, err
				}
			}
			break
		}
	}
}

// memberKey scans `"key" :` from b[i] and returns the end of the key
// string and where the value starts.
func memberKey(b []byte, i int) (keyEnd, value int, err error) {
	if b[i] != '"' {
		return i, i, badChar(i, b[i], "looking for beginning of object key string")
	}
	if keyEnd, err = skipString(b, i); err != nil {
		return keyEnd, keyEnd, err
	}
	if i = skipSpace(b, keyEnd); i >= len(b) {
		return keyEnd, i, errShort
	}
	if b[i] != ':' {
		return keyEnd, i, badChar(i, b[i], "after object key")
	}
	if i = skipSpace(b, i+1); i >= len(b) {
		return keyEnd, i, errShort
	}
	return keyEnd, i, nil
}

// unquote decodes the JSON string s (quotes included), which the scanner
// validated.
func unquote(s []byte) string {
	if len(s) < 2 || s[0] != '"' {
		return ""
	}
	inner := s[1 : len(s)-1]
	for _, c := range inner {
		if c == '\\' || c >= 0x80 { // escapes, and invalid UTF-8 which decoding replaces
			var v string
			if json.Unmarshal(s, &v) != nil {
				return ""
			}
			return v
		}
	}
	return string(inner)
}
