package simulate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// appendString must write what encoding/json writes, for the eight-byte fast path and the
// byte-at-a-time tail alike.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	cases := []string{"", "a", "arn:aws:kms:us-east-1:111122223333:key/1234abcd", "aws-cli/2.22.0 md/awscrt#0.23.4",
		`quote"in the middle`, `back\slash`, "<script>", "a&b", "tab\there", "\x7f", "\x00", "\x1f1234567",
		"12345678\x1f", "é and ü", "\xff invalid utf-8", "\u2028 line separator", strings.Repeat("x", 63) + ">"}
	for c := 0; c < 256; c++ {
		cases = append(cases, "1234567"+string(rune(c)), string([]byte{byte(c)})+"2345678", "abcdefgh"+string([]byte{byte(c)}))
	}
	for _, s := range cases {
		checkAppendString(t, s)
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("arn:aws:s3:::bucket/key")
	f.Add("<>&\"\\\x7f\x00é")
	f.Fuzz(checkAppendString)
}

func checkAppendString(t *testing.T, s string) {
	want, _ := json.Marshal(s)
	if got := appendString([]byte("pre"), s); !bytes.Equal(got, append([]byte("pre"), want...)) {
		t.Errorf("appendString(%q) = %s, want %s", s, got[3:], want)
	}
}

// The arena must hand out records that later records never overwrite, including records too
// big for a block.
func TestArenaKeepsRecords(t *testing.T) {
	var a arena
	var recs [][]byte
	for i := range 200 {
		b := a.start()
		b = append(b, bytes.Repeat([]byte{byte('a' + i%26)}, 100+i*37%9000)...)
		recs = append(recs, a.finish(b))
	}
	for i, r := range recs {
		want := bytes.Repeat([]byte{byte('a' + i%26)}, 100+i*37%9000)
		if !bytes.Equal(r, want) {
			t.Fatalf("record %d was overwritten", i)
		}
		if cap(r) != len(r) {
			t.Fatalf("record %d has room to grow into its neighbour", i)
		}
	}
}

// quoted gives each string's own JSON form however the strings alternate.
func TestQuotedCache(t *testing.T) {
	var q quoted
	for i, s := range []string{"aws-cli/2", "AWS Internal", "aws-cli/2", "<curl>", "AWS Internal", "aws-cli/2", "aws-cli/2"} {
		want, _ := json.Marshal(s)
		if got := q.append(nil, s); !bytes.Equal(got, want) {
			t.Errorf("call %d: %s, want %s", i, got, want)
		}
	}
}
