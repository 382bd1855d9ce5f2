package trail

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchSet writes n files of 1,000 records each, half gzipped, and returns
// the directory and the decoded size.
func benchSet(b *testing.B, n int) (string, int64) {
	b.Helper()
	dir := b.TempDir()
	var size int64
	kinds := []string{"Decrypt", "Encrypt", "GenerateDataKey", "ReEncrypt"}
	for f := range n {
		var sb strings.Builder
		sb.WriteString(`{"Records":[`)
		for i := range 1000 {
			if i > 0 {
				sb.WriteByte(',')
			}
			r := rec(fmt.Sprintf("id-%d-%d", f, i), kinds[i%len(kinds)], "1.11")
			if i%3 == 0 {
				r = strings.Replace(r, `"requestParameters":{`, `"requestParameters":{"encryptionContext":{"aws:s3:arn":"arn:aws:s3:::bkt/obj-`+fmt.Sprint(i)+`"},`, 1)
			}
			sb.WriteString(r)
		}
		sb.WriteString(`]}`)
		body := sb.String()
		size += int64(len(body))
		name := filepath.Join(dir, fmt.Sprintf("f%03d.json", f))
		if f%2 == 1 {
			name, body = name+".gz", gz(b, body)
		}
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir, size
}

func BenchmarkReadPaths(b *testing.B) {
	dir, size := benchSet(b, 16)
	b.Run("read", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := ReadPaths([]string{dir}, Options{}, func(Record) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("summary", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			s := NewSummary()
			if _, err := ReadPaths([]string{dir}, Options{}, func(r Record) error { s.Add(r); return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
}
