package s3

import (
	"bytes"
	"maps"
	"os"
	"slices"
	"testing"

	"github.com/keytrail/keytrail/fixtures"
	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/simulate/kms"
)

// upload runs a whole multipart upload of parts (numbered as given) and returns the completion.
func uploadParts(t *testing.T, s *S3, r Request, key string, o PutOptions, nums []int, parts [][]byte) (*PutResult, error) {
	t.Helper()
	id, _, err := s.CreateMultipartUpload(r, "kms-bogo-test", key, o)
	if err != nil {
		return nil, err
	}
	for i, p := range parts {
		if _, err := s.UploadPart(r, "kms-bogo-test", key, id, nums[i], bytes.NewReader(p)); err != nil {
			return nil, err
		}
	}
	return s.CompleteMultipartUpload(r, "kms-bogo-test", key, id)
}

// S3 documents that a multipart upload with SSE-KMS needs kms:GenerateDataKey (at
// CreateMultipartUpload) and kms:Decrypt (each UploadPart recovers the data key).
func TestMultipartUpload(t *testing.T) {
	s, k, key := world(t)
	var kmsCalls []string
	k.OnCall = func(ev kms.Event) { kmsCalls = append(kmsCalls, ev.Name) }
	applied := map[string]string{} // SSEApplied by call: only CreateMultipartUpload logs it
	s.OnCall = func(ev Event) { applied[ev.Name] = ev.SSEApplied }
	signed := Request{Caller: principal(t, userK), SigV4: true, HTTPS: true}
	big := bytes.Repeat([]byte("part one "), MinPartSize/9+1)
	small := []byte("the last part may be small")
	res, err := uploadParts(t, s, signed, "video.mp4", PutOptions{SSE: SSEKMS, KMSKeyID: fixtures.SeedAlias}, []int{1, 3}, [][]byte{big, small})
	if err != nil || res.SSE != SSEKMS || res.KMSKeyID != key.ARN {
		t.Fatalf("upload: %+v %v", res, err)
	}
	if want := []string{"GenerateDataKey", "Decrypt", "Decrypt"}; !slices.Equal(kmsCalls, want) {
		t.Errorf("KMS calls %v, want %v", kmsCalls, want)
	}
	if want := map[string]string{"CreateMultipartUpload": "SSE_KMS", "UploadPart": "", "CompleteMultipartUpload": ""}; !maps.Equal(applied, want) {
		t.Errorf("SSEApplied %v, want %v", applied, want)
	}
	var got bytes.Buffer
	if r, err := s.GetObject(signed, "kms-bogo-test", "video.mp4", &got); err != nil || !bytes.Equal(got.Bytes(), append(append([]byte{}, big...), small...)) || r.Size != int64(len(big)+len(small)) {
		t.Fatalf("get: %v", err)
	}

	// Parts swapped behind S3's back fail to open: each is bound to its part number.
	obj := s.buckets["kms-bogo-test"].objects["video.mp4"]
	obj.parts[0], obj.parts[1] = obj.parts[1], obj.parts[0]
	if _, err := s.GetObject(signed, "kms-bogo-test", "video.mp4", &got); s3err(t, err).Code != "InternalError" {
		t.Errorf("reordered parts: %v", err)
	}

	// A principal the key policy allows GenerateDataKey but not Decrypt starts the upload and
	// fails at the first part.
	const uploader = "arn:aws:iam::526262051452:role/uploader"
	s3all := policy.MustParse("s3.json", policy.Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	s.Identities.(iam)[uploader] = []*policy.Policy{s3all}
	gdkOnly, err := policy.ParseResource("gdk-only", policy.Key, []byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::526262051452:root"},"Action":"kms:*","Resource":"*"},
		{"Effect":"Allow","Principal":{"AWS":"`+uploader+`"},"Action":"kms:GenerateDataKey","Resource":"*"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := k.CreateKey("1f0c2a1e-2222-4b3c-8d4e-6f7a8b9c0d1e", gdkOnly, "gdk only")
	up := Request{Caller: principal(t, uploader), SigV4: true, HTTPS: true}
	id, _, err := s.CreateMultipartUpload(up, "kms-bogo-test", "big.bin", PutOptions{SSE: SSEKMS, KMSKeyID: k2.ID})
	if err != nil {
		t.Fatalf("create with kms:GenerateDataKey: %v", err)
	}
	if _, err := s.UploadPart(up, "kms-bogo-test", "big.bin", id, 1, bytes.NewReader(small)); s3err(t, err).Code != "AccessDenied" {
		t.Errorf("UploadPart without kms:Decrypt: %v", err)
	}

	// S3's errors.
	if _, err := s.UploadPart(signed, "kms-bogo-test", "big.bin", "no-such-id", 1, bytes.NewReader(small)); s3err(t, err).Code != "NoSuchUpload" {
		t.Errorf("unknown upload: %v", err)
	}
	id, _, _ = s.CreateMultipartUpload(signed, "kms-bogo-test", "x.bin", PutOptions{})
	for _, n := range []int{0, MaxParts + 1} {
		if _, err := s.UploadPart(signed, "kms-bogo-test", "x.bin", id, n, bytes.NewReader(small)); s3err(t, err).Code != "InvalidArgument" {
			t.Errorf("part %d: %v", n, err)
		}
	}
	if _, err := s.CompleteMultipartUpload(signed, "kms-bogo-test", "x.bin", id); s3err(t, err).Code != "MalformedXML" {
		t.Errorf("no parts: %v", err)
	}
	if _, err := uploadParts(t, s, signed, "y.bin", PutOptions{}, []int{1, 2}, [][]byte{small, small}); s3err(t, err).Code != "EntityTooSmall" {
		t.Errorf("small first part: %v", err)
	}
	// SSE-S3 by the bucket default; a completed upload id is gone.
	id, _, _ = s.CreateMultipartUpload(signed, "kms-bogo-test", "z.bin", PutOptions{})
	s.UploadPart(signed, "kms-bogo-test", "z.bin", id, 1, bytes.NewReader(small))
	if res, err := s.CompleteMultipartUpload(signed, "kms-bogo-test", "z.bin", id); err != nil || res.SSE != SSES3 {
		t.Fatalf("SSE-S3 upload: %+v %v", res, err)
	}
	if _, err := s.CompleteMultipartUpload(signed, "kms-bogo-test", "z.bin", id); s3err(t, err).Code != "NoSuchUpload" {
		t.Errorf("completed twice: %v", err)
	}
}

// Parts above the spill size live in files: the object streams back through them, a damaged
// last part fails the whole GET before any plaintext goes out, and Close removes them all,
// those of an upload never completed included.
func TestMultipartSpilledParts(t *testing.T) {
	s, _, _ := world(t)
	s.SpillDir, s.SpillSize = t.TempDir(), 1<<20
	signed := Request{Caller: principal(t, userK), SigV4: true, HTTPS: true}
	one, two := bytes.Repeat([]byte("part one "), MinPartSize/9+1), bytes.Repeat([]byte("part two "), 300_000)
	if _, err := uploadParts(t, s, signed, "big.bin", PutOptions{SSE: SSEKMS, KMSKeyID: fixtures.SeedAlias}, []int{1, 2}, [][]byte{one, two}); err != nil {
		t.Fatal(err)
	}
	obj := s.buckets["kms-bogo-test"].objects["big.bin"]
	if len(obj.parts) != 2 || obj.parts[0].file == "" || obj.parts[1].file == "" {
		t.Fatalf("parts not spilled: %+v", obj.parts)
	}
	var got bytes.Buffer
	if _, err := s.GetObject(signed, "kms-bogo-test", "big.bin", &got); err != nil || !bytes.Equal(got.Bytes(), append(bytes.Clone(one), two...)) {
		t.Fatalf("get: %v", err)
	}
	data, _ := os.ReadFile(obj.parts[1].file)
	data[len(data)-100] ^= 1
	os.WriteFile(obj.parts[1].file, data, 0o600)
	got.Reset()
	if _, err := s.GetObject(signed, "kms-bogo-test", "big.bin", &got); s3err(t, err).Code != "InternalError" || got.Len() != 0 {
		t.Errorf("damaged last part: %v, %d bytes out", err, got.Len())
	}
	id, _, err := s.CreateMultipartUpload(signed, "kms-bogo-test", "left.bin", PutOptions{SSE: SSEKMS, KMSKeyID: fixtures.SeedAlias})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a part uploaded again replaces the first
		if _, err := s.UploadPart(signed, "kms-bogo-test", "left.bin", id, 1, bytes.NewReader(one)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if left, _ := os.ReadDir(s.SpillDir); len(left) != 0 {
		t.Errorf("Close left %d files", len(left))
	}
}
