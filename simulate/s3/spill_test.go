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
	if obj.file == "" || obj.sealed != nil {
		t.Fatalf("a 3 MiB object with a 1 MiB spill size stayed in memory")
	}
	var got bytes.Buffer
	if r, err := s.GetObject(signed, "kms-bogo-test", "big", &got); err != nil || !bytes.Equal(got.Bytes(), body) || r.Size != int64(len(body)) {
		t.Fatalf("get: %v", err)
	}
	// Flip a byte near the end: the get fails and writes nothing.
	data, _ := os.ReadFile(obj.file)
	data[len(data)-40] ^= 1
	os.WriteFile(obj.file, data, 0o600)
	got.Reset()
	if _, err := s.GetObject(signed, "kms-bogo-test", "big", &got); s3err(t, err).Code != "InternalError" || got.Len() != 0 {
		t.Errorf("tampered object: %v, %d bytes written", err, got.Len())
	}
	// Replacing the object removes its file; Close removes the rest.
	old := obj.file
	if _, err := s.PutObject(signed, "kms-bogo-test", "big", bytes.NewReader(body), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("the replaced object's file remains: %v", err)
	}
	current := s.buckets["kms-bogo-test"].objects["big"].file
	s.Close()
	if _, err := os.Stat(current); !os.IsNotExist(err) {
		t.Errorf("Close left %s: %v", current, err)
	}
}
