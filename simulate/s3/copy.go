package s3

import (
	"errors"
	"io"
)

// CopyObject copies srcBucket/srcKey to bucket/key. S3 reads the source as the caller
// (s3:GetObject, and KMS Decrypt as the caller when the source is SSE-KMS) and writes the copy
// as the caller (s3:PutObject, and GenerateDataKey when the copy is SSE-KMS). The copy is
// encrypted as o asks or, when o asks for nothing, by the destination bucket's default
// encryption: not necessarily as the source was. User metadata is copied. The source
// authenticates whole before the copy starts, then streams into it: constant memory.
func (s *S3) CopyObject(r Request, srcBucket, srcKey, bucket, key string, o PutOptions) (res *PutResult, err error) {
	ev := putEvent("CopyObject", r, bucket, key, o)
	ev.CopySource = srcBucket + "/" + srcKey
	defer func() { s.emitPut(&ev, o, res, err) }()
	sb, obj, err := s.find(r, srcBucket, srcKey, "s3:GetObject")
	if err != nil {
		return nil, err
	}
	src, err := s.unlock(r, sb, srcKey, obj)
	if err != nil {
		return nil, err
	}
	defer src.close()
	if err := src.verify(); err != nil {
		return nil, err
	}
	if o.Metadata == nil {
		o.Metadata = obj.metadata
	}
	// The plaintext flows through a pipe: its goroutine only decrypts (the KMS calls stay on
	// this one, in S3's order), and stops when the copy stops reading.
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := src.writeTo(pw)
		pw.CloseWithError(err)
	}()
	res, _, err = s.store(r, bucket, key, pr, o)
	pr.CloseWithError(errCopyStopped)
	<-done
	return res, err
}

var errCopyStopped = errors.New("s3: the copy stopped reading its source")
