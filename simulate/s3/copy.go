package s3

import "bytes"

// CopyObject copies srcBucket/srcKey to bucket/key. S3 reads the source as the caller
// (s3:GetObject, and KMS Decrypt as the caller when the source is SSE-KMS) and writes the copy
// as the caller (s3:PutObject, and GenerateDataKey when the copy is SSE-KMS). The copy is
// encrypted as o asks or, when o asks for nothing, by the destination bucket's default
// encryption: not necessarily as the source was. User metadata is copied.
func (s *S3) CopyObject(r Request, srcBucket, srcKey, bucket, key string, o PutOptions) (res *PutResult, err error) {
	ev := putEvent("CopyObject", r, bucket, key, o)
	ev.CopySource = srcBucket + "/" + srcKey
	defer func() { s.emitPut(&ev, o, res, err) }()
	sb, src, err := s.find(r, srcBucket, srcKey, "s3:GetObject")
	if err != nil {
		return nil, err
	}
	plain, err := s.open(r, sb, srcKey, src)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	if o.Metadata == nil {
		o.Metadata = src.metadata
	}
	res, _, err = s.store(r, bucket, key, bytes.NewReader(plain), o)
	return res, err
}
