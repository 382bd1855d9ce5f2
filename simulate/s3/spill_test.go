package s3

import (
	"bytes"
	"os"
	"testing"

	"github.com/keytrail/keytrail/fixtures"
)

// Objects above the spill size live in temporary files; they read back the same, fail whole
// when tampered with (nothing is written), and their files go when replaced or on Close.
func TestSpilledObjects(t *testing.T) {
	s, _, _ := world(t)
	s.SpillSize, s.SpillDir = 1<<20, t.TempDir()
	signed := Request{Caller: principal(t, userK), SigV4: true, HTTPS: true}
	body := bytes.Repeat([]byte("spilled "), 3<<20/8)
	if _, err := s.PutObject(signed, "kms-bogo-test", "big", bytes.NewReader(body), PutOptions{SSE: SSEKMS, KMSKeyID: fixtures.SeedAlias}); err != nil {
		t.Fatal(err)
	}
	obj := s.buckets["kms-bogo-test"].objects["big"]
	if obj.data.file == "" || obj.data.mem != nil {
		t.Fatalf("a 3 MiB object with a 1 MiB spill size stayed in memory")
	}
	var got bytes.Buffer
	if r, err := s.GetObject(signed, "kms-bogo-test", "big", &got); err != nil || !bytes.Equal(got.Bytes(), body) || r.Size != int64(len(body)) {
		t.Fatalf("get: %v", err)
	}
	// Flip a byte near the end: the get fails and writes nothing.
	data, _ := os.ReadFile(obj.data.file)
	data[len(data)-40] ^= 1
	os.WriteFile(obj.data.file, data, 0o600)
	got.Reset()
	if _, err := s.GetObject(signed, "kms-bogo-test", "big", &got); s3err(t, err).Code != "InternalError" || got.Len() != 0 {
		t.Errorf("tampered object: %v, %d bytes written", err, got.Len())
	}
	// Replacing the object frees its file (the new object is written first, so it cannot take
	// it); the next spilled write reuses it, overwritten and cut to its own size.
	old := obj.data.file
	oldSize := fileSize(t, old)
	body2 := bytes.Repeat([]byte("smaller "), 2<<20/8)
	for range 2 {
		if _, err := s.PutObject(signed, "kms-bogo-test", "big", bytes.NewReader(body2), PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if f := s.buckets["kms-bogo-test"].objects["big"].data.file; f != old || fileSize(t, f) >= oldSize {
		t.Errorf("the second replacement did not reuse and cut %s: %s", old, f)
	}
	got.Reset()
	if _, err := s.GetObject(signed, "kms-bogo-test", "big", &got); err != nil || !bytes.Equal(got.Bytes(), body2) {
		t.Fatalf("get from a recycled file: %v", err)
	}
	// An object kept in memory frees the file for reuse; Close removes every file.
	if _, err := s.PutObject(signed, "kms-bogo-test", "big", bytes.NewReader([]byte("tiny")), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(s.free) != 2 { // the first replacement's and the last one's
		t.Errorf("free files %v, want two", s.free)
	}
	s.Close()
	if left, _ := os.ReadDir(s.SpillDir); len(left) != 0 {
		t.Errorf("Close left %d files", len(left))
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
