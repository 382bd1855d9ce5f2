package simulate

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// The filler streams the bytes size: always meant ("keytrail " repeated), from any offset, and
// the checker accepts exactly the content, whatever the sizes of the writes.
func TestContent(t *testing.T) {
	const n = 200_000
	want := bytes.Repeat([]byte("keytrail "), n/9+1)[:n]
	for _, c := range []content{{filler: n}, {text: want}} {
		got, err := io.ReadAll(c.reader(0, c.size()))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("reader: %d bytes, %v", len(got), err)
		}
		part, _ := io.ReadAll(c.reader(70_001, 140_003))
		if !bytes.Equal(part, want[70_001:140_003]) {
			t.Errorf("range: wrong bytes")
		}
		if l := c.reader(5, 105).(interface{ Len() int }).Len(); l != 100 {
			t.Errorf("Len %d, want 100", l)
		}
		for _, step := range []int{1, 7, 4096, 70_000, n} {
			ck := &checker{want: c}
			for off := 0; off < n; off += step {
				ck.Write(want[off:min(off+step, n)])
			}
			if err := ck.err(); err != nil {
				t.Errorf("writes of %d: %v", step, err)
			}
		}
		for name, got := range map[string][]byte{
			"short":     want[:n-1],
			"long":      append(bytes.Clone(want), 'x'),
			"one byte":  append(append(bytes.Clone(want[:1234]), '?'), want[1235:]...),
			"empty":     {},
			"shifted":   want[1:],
			"other end": append(bytes.Clone(want[:n-1]), 'Z'),
		} {
			ck := &checker{want: c}
			ck.Write(got)
			if err := ck.err(); !errors.Is(err, errDifferent) {
				t.Errorf("%s: %v, want errDifferent", name, err)
			}
		}
	}
	var nothing *checker
	if nothing.writer() != io.Discard {
		t.Error("a nil checker writes somewhere")
	}
}
