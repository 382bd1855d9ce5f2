package jsontree

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// toAny converts a tree to the value encoding/json decodes (with UseNumber): later duplicate
// members win, as they do in encoding/json.
func toAny(n *Node) any {
	switch n.Kind {
	case Null:
		return nil
	case Bool:
		return n.Bool
	case Number:
		return json.Number(n.Str)
	case String:
		return n.Str
	case Array:
		out := make([]any, len(n.Elems))
		for i, e := range n.Elems {
			out[i] = toAny(e)
		}
		return out
	}
	out := make(map[string]any, len(n.Members))
	for _, m := range n.Members {
		out[m.Key] = toAny(m.Value)
	}
	return out
}

func decodeStd(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"object", `{"a": 1, "b": [true, false, null], "c": "x"}`,
			map[string]any{"a": json.Number("1"), "b": []any{true, false, nil}, "c": "x"}},
		{"empty containers", ` { "a" : { } , "b" : [ ] } `, map[string]any{"a": map[string]any{}, "b": []any{}}},
		{"numbers as written", `[0, -0, 1.5, -12e3, 1E+2, 0.0e-0]`,
			[]any{json.Number("0"), json.Number("-0"), json.Number("1.5"), json.Number("-12e3"), json.Number("1E+2"), json.Number("0.0e-0")}},
		{"escapes", `"\"\\\/\b\f\n\r\t\u00e9\u4e2d"`, "\"\\/\b\f\n\r\té中"},
		{"surrogate pair", `"\ud83d\ude00"`, "😀"},
		{"lone high surrogate", `"\ud800"`, "\uFFFD"},
		{"lone low surrogate", `"\udc00x"`, "\uFFFDx"},
		{"high surrogate then non-surrogate escape", `"\ud800\u0041"`, "\uFFFDA"},
		{"two high surrogates", `"\ud800\ud800"`, "\uFFFD\uFFFD"},
		{"high surrogate then pair", `"\ud800\ud83d\ude00"`, "\uFFFD😀"},
		{"DEL is not a control character", "\"\x7f\"", "\x7f"},
		{"raw multi-byte text", `"日本語 ü"`, "日本語 ü"},
		{"escaped NUL", `"\u0000"`, "\x00"},
		{"byte order mark skipped", "\xEF\xBB\xBF{}", map[string]any{}},
		{"whitespace everywhere", "\r\n\t [ 1 ,\r\n 2 ] \n", []any{json.Number("1"), json.Number("2")}},
		{"scalar document", `"just a string"`, "just a string"},
		{"duplicate members kept, last wins in conversion", `{"a": 1, "a": 2}`, map[string]any{"a": json.Number("2")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := toAny(n); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseKeepsDuplicatesAndPositions(t *testing.T) {
	in := "{\n  \"a\": 1,\n  \"é\": [true,\n    \"x\"],\n  \"a\": null\n}"
	n, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Members) != 3 {
		t.Fatalf("got %d members, want 3 (duplicates are kept)", len(n.Members))
	}
	want := []struct {
		key         string
		keyPos, pos Pos
	}{
		{"a", Pos{2, 3}, Pos{2, 8}},
		{"é", Pos{3, 3}, Pos{3, 8}},
		{"a", Pos{5, 3}, Pos{5, 8}},
	}
	for i, w := range want {
		m := n.Members[i]
		if m.Key != w.key || m.KeyPos != w.keyPos || m.Value.Pos != w.pos {
			t.Errorf("member %d = %q at %v (value at %v), want %q at %v (value at %v)", i, m.Key, m.KeyPos, m.Value.Pos, w.key, w.keyPos, w.pos)
		}
	}
	arr := n.Members[1].Value
	if got := arr.Elems[1].Pos; got != (Pos{4, 5}) {
		t.Errorf("second element at %v, want 4:5", got)
	}
	if n.Pos != (Pos{1, 1}) {
		t.Errorf("root at %v, want 1:1", n.Pos)
	}
	if g := n.Get("a"); g == nil || g.Kind != Number || g.Str != "1" {
		t.Errorf("Get(\"a\") = %+v, want the first member's value 1", g)
	}
	if g := n.Get("missing"); g != nil {
		t.Errorf("Get(\"missing\") = %+v, want nil", g)
	}
	if g := arr.Get("a"); g != nil {
		t.Errorf("Get on an array = %+v, want nil", g)
	}
	if s := arr.Elems[1].Text(); s != "x" {
		t.Errorf("Text() = %q, want \"x\"", s)
	}
	if s := arr.Elems[0].Text(); s != "" {
		t.Errorf("Text() of a boolean = %q, want \"\"", s)
	}
	var nilNode *Node
	if nilNode.Get("a") != nil || nilNode.Text() != "" {
		t.Error("Get and Text on a nil node must return the zero value")
	}
}

func TestKindString(t *testing.T) {
	want := map[Kind]string{Null: "null", Bool: "boolean", Number: "number", String: "string", Array: "array", Object: "object"}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), s)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		pos  Pos
		msg  string
	}{
		{"trailing comma in array", `[1,2,]`, Pos{1, 6}, `trailing comma before ']'`},
		{"trailing comma in object", `{"a":1,}`, Pos{1, 8}, `trailing comma before '}'`},
		{"trailing comma before a closing brace on the next line", "{\"a\": 1,\n}", Pos{2, 1}, `trailing comma before '}'`},
		{"line comment", "// policy\n{}", Pos{1, 1}, `unexpected '/' (comments are not allowed in JSON): expected a JSON value`},
		{"block comment inside an object", `{"a": 1 /* c */}`, Pos{1, 9}, `unexpected '/' (comments are not allowed in JSON): expected ',' or '}'`},
		{"comment after the value", "{} // done", Pos{1, 4}, `unexpected '/' (comments are not allowed in JSON) after the JSON value`},
		{"empty input", ``, Pos{1, 1}, `empty document: expected a JSON value`},
		{"only whitespace", " \n\t ", Pos{2, 3}, `empty document: expected a JSON value`},
		{"only a byte order mark", "\xEF\xBB\xBF", Pos{1, 1}, `empty document: expected a JSON value`},
		{"unterminated string", `"abc`, Pos{1, 5}, `unexpected end of input in a string`},
		{"unterminated member value", `{"k": "v`, Pos{1, 9}, `unexpected end of input in a string`},
		{"unterminated string after an escape", `"a\n`, Pos{1, 5}, `unexpected end of input in a string`},
		{"backslash at the end", `"a\`, Pos{1, 4}, `unexpected end of input in an escape`},
		{"invalid escape", `"\x"`, Pos{1, 3}, `invalid escape '\x' in a string`},
		{"invalid escape later in the string", `"ab\'"`, Pos{1, 5}, `invalid escape '\'' in a string`},
		{"short unicode escape", `"\u12"`, Pos{1, 4}, `invalid \u escape: expected 4 hex digits`},
		{"non-hex unicode escape", `"\uZZZZ"`, Pos{1, 4}, `invalid \u escape: expected 4 hex digits`},
		{"signed unicode escape", `"\u+123"`, Pos{1, 4}, `invalid \u escape: expected 4 hex digits`},
		{"bad escape after a high surrogate", `"\ud800\u12"`, Pos{1, 10}, `invalid \u escape: expected 4 hex digits`},
		{"invalid UTF-8 in a string", "\"a\xffb\"", Pos{1, 3}, `invalid UTF-8 byte 0xff in a string`},
		{"invalid UTF-8 after an escape", "\"\\n\xfe\"", Pos{1, 4}, `invalid UTF-8 byte 0xfe in a string`},
		{"truncated multi-byte sequence", "\"\xe2\x82\"", Pos{1, 2}, `invalid UTF-8 byte 0xe2 in a string`},
		{"UTF-8-encoded surrogate", "\"\xed\xa0\x80\"", Pos{1, 2}, `invalid UTF-8 byte 0xed in a string`},
		{"invalid UTF-8 in a member name", "{\"k\xc3\": 1}", Pos{1, 4}, `invalid UTF-8 byte 0xc3 in a string`},
		{"invalid UTF-8 outside strings", "\xff", Pos{1, 1}, `unexpected byte 0xff: expected a JSON value`},
		{"invalid UTF-8 after the value", "[1]\xc3", Pos{1, 4}, `unexpected byte 0xc3 after the JSON value`},
		{"byte order mark inside", "[\xEF\xBB\xBF]", Pos{1, 2}, `unexpected character U+FEFF: expected a JSON value`},
		{"raw tab in a string", "\"a\tb\"", Pos{1, 3}, `control character 0x09 in a string (escape it)`},
		{"raw newline in a string", "\"a\nb\"", Pos{1, 3}, `control character 0x0a in a string (escape it)`},
		{"raw NUL in a string", "[\"\x00\"]", Pos{1, 3}, `control character 0x00 in a string (escape it)`},
		{"control character after an escape", "\"\\t\x1f\"", Pos{1, 4}, `control character 0x1f in a string (escape it)`},
		{"leading zero", `01`, Pos{1, 1}, `invalid number: leading zero`},
		{"leading zeros", `[00]`, Pos{1, 2}, `invalid number: leading zero`},
		{"negative leading zero", `[-012]`, Pos{1, 3}, `invalid number: leading zero`},
		{"minus alone", `-`, Pos{1, 2}, `invalid number: expected a digit`},
		{"minus before a letter", `[-x]`, Pos{1, 3}, `invalid number: expected a digit`},
		{"no digit after the point", `[1.]`, Pos{1, 4}, `invalid number: expected a digit after '.'`},
		{"no digit in the exponent", `1e+`, Pos{1, 4}, `invalid number: expected a digit in the exponent`},
		{"leading point", `.5`, Pos{1, 1}, `unexpected ".": expected a JSON value`},
		{"leading plus", `+1`, Pos{1, 1}, `unexpected "+": expected a JSON value`},
		{"missing colon", `{"a" 1}`, Pos{1, 6}, `unexpected "1": expected ':' after member name "a"`},
		{"unquoted member name", `{a:1}`, Pos{1, 2}, `unexpected "a": expected a member name in double quotes`},
		{"single-quoted string", `['a']`, Pos{1, 2}, `unexpected "'": expected a JSON value`},
		{"missing comma", `[1 2]`, Pos{1, 4}, `unexpected "2": expected ',' or ']'`},
		{"missing comma between members", `{"a":1 "b":2}`, Pos{1, 8}, `unexpected "\"": expected ',' or '}'`},
		{"unclosed array", `[1,2`, Pos{1, 5}, `unexpected end of input: expected ',' or ']' (array opened at 1:1)`},
		{"unclosed object", "\n  {\"a\":1", Pos{2, 9}, `unexpected end of input: expected ',' or '}' (object opened at 2:3)`},
		{"nothing after a comma", `[1,`, Pos{1, 4}, `unexpected end of input: expected a JSON value`},
		{"nothing after a colon", `{"a":`, Pos{1, 6}, `unexpected end of input: expected a JSON value`},
		{"truncated literal", `tru`, Pos{1, 1}, `unexpected "t": expected a JSON value`},
		{"capitalized literal", `[True]`, Pos{1, 2}, `unexpected "T": expected a JSON value`},
		{"literal followed by letters", `nullx`, Pos{1, 5}, `unexpected "x" after the JSON value`},
		{"two documents", `{} {}`, Pos{1, 4}, `unexpected "{" after the JSON value`},
		{"columns count characters", `["日本語", x]`, Pos{1, 9}, `unexpected "x": expected a JSON value`},
		{"second line", "{\"é\": \"ü\",\n \"x\": tru}", Pos{2, 7}, `unexpected "t": expected a JSON value`},
		{"CRLF line endings", "{\r\n\"a\":x}", Pos{2, 5}, `unexpected "x": expected a JSON value`},
		{"byte order mark is not a column", "\xEF\xBB\xBF[x]", Pos{1, 2}, `unexpected "x": expected a JSON value`},
		{"non-ASCII character outside strings", `[é]`, Pos{1, 2}, `unexpected character U+00E9: expected a JSON value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			checkSyntaxError(t, tt.in, err, tt.pos, tt.msg)
		})
	}
}

func checkSyntaxError(t *testing.T, in string, err error, pos Pos, msg string) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse(%.40q) error = %v, want a *SyntaxError", in, err)
	}
	if se.Pos != pos || se.Msg != msg {
		t.Errorf("Parse(%.40q) error = %v: %s, want %v: %s", in, se.Pos, se.Msg, pos, msg)
	}
	if want := pos.String() + ": " + msg; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestParseNesting(t *testing.T) {
	// 12,000 levels: rejected at the first container beyond MaxDepth, without recursing further.
	deepArrays := strings.Repeat("[", 12000) + strings.Repeat("]", 12000)
	_, err := Parse([]byte(deepArrays))
	checkSyntaxError(t, deepArrays, err, Pos{1, MaxDepth + 1}, fmt.Sprintf("nesting deeper than %d levels", MaxDepth))

	deepObjects := strings.Repeat(`{"a":`, 12000) + "1" + strings.Repeat("}", 12000)
	_, err = Parse([]byte(deepObjects))
	checkSyntaxError(t, deepObjects, err, Pos{1, 5*MaxDepth + 1}, fmt.Sprintf("nesting deeper than %d levels", MaxDepth))

	// Exactly MaxDepth levels are accepted, as encoding/json accepts them, with or without a
	// scalar inside the innermost array.
	for _, in := range []string{
		strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth),
		strings.Repeat("[", MaxDepth) + "1" + strings.Repeat("]", MaxDepth),
	} {
		if _, err := Parse([]byte(in)); err != nil {
			t.Errorf("Parse(%d-deep arrays): %v", MaxDepth, err)
		}
		if !json.Valid([]byte(in)) {
			t.Errorf("encoding/json rejects %d-deep arrays; the test's premise is wrong", MaxDepth)
		}
	}
	over := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	_, err = Parse([]byte(over))
	checkSyntaxError(t, over, err, Pos{1, MaxDepth + 1}, fmt.Sprintf("nesting deeper than %d levels", MaxDepth))
	if json.Valid([]byte(over)) {
		t.Errorf("encoding/json accepts %d-deep arrays; the test's premise is wrong", MaxDepth+1)
	}
}

// TestParseMegabyteLine parses a 1 MB document on one line, with two-byte characters so that
// columns (characters) and byte offsets differ.
func TestParseMegabyteLine(t *testing.T) {
	const elem = `"é"` // 4 bytes, 3 characters; with its comma 5 bytes, 4 characters
	n := (1 << 20) / 5
	doc := "[" + strings.Repeat(elem+",", n-1) + elem + "]"
	if len(doc) < 1<<20-5 {
		t.Fatalf("document is %d bytes, want about 1 MB", len(doc))
	}
	root, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(root.Elems) != n {
		t.Fatalf("got %d elements, want %d", len(root.Elems), n)
	}
	// Element i starts at character 2 + 4i.
	for _, i := range []int{0, 1, n / 2, n - 1} {
		if got, want := root.Elems[i].Pos, (Pos{1, 2 + 4*i}); got != want {
			t.Errorf("element %d at %v, want %v", i, got, want)
		}
	}

	// The same document without its closing bracket: the error is right at the end.
	// The document without "]" has 1 + 3n + (n-1) = 4n characters.
	truncated := doc[:len(doc)-1]
	_, err = Parse([]byte(truncated))
	checkSyntaxError(t, "1 MB document", err, Pos{1, 4*n + 1}, `unexpected end of input: expected ',' or ']' (array opened at 1:1)`)

	// An error in the last element.
	bad := doc[:len(doc)-len(elem)-1] + `"\q"]`
	_, err = Parse([]byte(bad))
	checkSyntaxError(t, "1 MB document", err, Pos{1, 2 + 4*(n-1) + 2}, `invalid escape '\q' in a string`)
}

// parseShouldAccept reports what Parse should accept: what encoding/json accepts (after a leading
// byte order mark, which Parse skips), restricted to valid UTF-8 (encoding/json accepts
// invalid UTF-8 inside strings and replaces it; Parse rejects it). Both reject nesting beyond
// MaxDepth (encoding/json's limit is also 10000).
func parseShouldAccept(data []byte) (body []byte, ok bool) {
	body = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	return body, utf8.Valid(body) && json.Valid(body)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}`,
		`[1, 2.5e-3, -0, true, false, null, "x"]`,
		`"\ud800\u0041"`, `"\ud83d\ude00"`, `"\u00e9\t\\"`, "\"\xff\"", "\xEF\xBB\xBF{}",
		`{"a": 1,}`, `[1,]`, `// c`, `01`, `{"a":{"a":{"a":[[[]]]}}}`, `{"a": 1, "a": 2}`, ``, ` `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Parse(data)
		body, want := parseShouldAccept(data)
		if (err == nil) != want {
			t.Fatalf("Parse(%q): err = %v, but encoding/json (valid UTF-8) accepts: %v", data, err, want)
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Pos.Line < 1 || se.Pos.Col < 1 {
				t.Fatalf("Parse(%q): error %v is not a positioned *SyntaxError", data, err)
			}
			return
		}
		std, err := decodeStd(body)
		if err != nil {
			t.Fatalf("encoding/json.Valid accepts %q but Decode fails: %v", body, err)
		}
		if got := toAny(n); !reflect.DeepEqual(got, std) {
			t.Fatalf("Parse(%q) = %#v, encoding/json decodes %#v", data, got, std)
		}
	})
}
