package s3

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"io"
)

// begin checks a write's encryption headers against the bucket, authorizes s3:PutObject and
// makes the object's data key: from KMS GenerateDataKey as the caller, derived from the
// requester's bucket key, or (SSE-S3) the bucket's own key. The caller clears the key.
func (s *S3) begin(r Request, bucket, key string, o PutOptions) (*Bucket, *object, []byte, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, nil, nil, err
	}
	sse := o.SSE
	if sse == "" {
		sse = b.DefaultSSE
		if o.KMSKeyID == "" && sse == SSEKMS {
			o.KMSKeyID = b.DefaultKMSKey
		}
	}
	switch {
	case sse != SSES3 && sse != SSEKMS:
		return nil, nil, nil, &Error{Status: 400, Code: "InvalidArgument", Message: "The encryption method specified is not supported"}
	case sse == SSES3 && o.KMSKeyID != "":
		return nil, nil, nil, &Error{Status: 400, Code: "InvalidArgument", Message: "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms"}
	case sse == SSEKMS && !r.SigV4:
		return nil, nil, nil, &Error{Status: 400, Code: "InvalidArgument", Message: requiresSigV4}
	case sse == SSEKMS && !r.HTTPS:
		return nil, nil, nil, &Error{Status: 400, Code: "InvalidArgument", Message: requiresTLS}
	}
	if err := s.authorize(r, "s3:PutObject", b, key); err != nil {
		return nil, nil, nil, err
	}
	obj := &object{sse: sse, metadata: o.Metadata}
	if sse == SSES3 {
		return b, obj, bytes.Clone(b.s3Key), nil
	}
	ref := o.KMSKeyID
	if ref == "" {
		ref = "alias/aws/s3"
	}
	obj.bucketKey = b.BucketKey
	if o.BucketKey != nil {
		obj.bucketKey = *o.BucketKey
	}
	arn := b.ARN() + "/" + key
	if obj.bucketKey {
		arn = b.ARN() // with a bucket key, the encryption context is the bucket's ARN
	}
	obj.context = map[string]string{"aws:s3:arn": arn}
	for k, v := range o.Context {
		obj.context[k] = v
	}
	if obj.bucketKey {
		bk, err := s.bucketKey(r, b, ref, obj.context)
		if err != nil {
			return nil, nil, nil, kmsError(err)
		}
		obj.salt = make([]byte, 16)
		io.ReadFull(s.Rand, obj.salt)
		obj.blob, obj.keyARN = bk.blob, bk.keyARN
		return b, obj, objectKey(bk.plain, b.ARN()+"/"+key, obj.salt), nil
	}
	dk, err := s.KMS.GenerateDataKey(s.kmsCall(r), ref, obj.context, "AES_256", 0)
	if err != nil {
		return nil, nil, nil, kmsError(err)
	}
	obj.blob, obj.keyARN = dk.CiphertextBlob, dk.KeyARN
	return b, obj, dk.Plaintext, nil
}

// objectDataKey recovers an object's data key for r: KMS Decrypt as the caller (or the
// requester's cached bucket key) for SSE-KMS, the bucket's key for SSE-S3. The caller clears it.
func (s *S3) objectDataKey(r Request, b *Bucket, key string, obj *object) ([]byte, error) {
	switch {
	case obj.sse == SSEKMS && obj.bucketKey:
		id := b.Name + "|" + obj.keyARN + "|" + r.Caller.ARN
		c := s.bucketKeys[id]
		if c == nil || !s.now().Before(c.expires) || !bytes.Equal(c.blob, obj.blob) {
			pt, _, err := s.KMS.Decrypt(s.kmsCall(r), obj.blob, obj.context, "")
			if err != nil {
				return nil, kmsError(err)
			}
			c = &cachedKey{plain: pt, blob: obj.blob, keyARN: obj.keyARN, expires: s.now().Add(BucketKeyTTL)}
			s.bucketKeys[id] = c
		}
		return objectKey(c.plain, b.ARN()+"/"+key, obj.salt), nil
	case obj.sse == SSEKMS:
		pt, _, err := s.KMS.Decrypt(s.kmsCall(r), obj.blob, obj.context, "")
		if err != nil {
			return nil, kmsError(err)
		}
		return pt, nil
	}
	return bytes.Clone(b.s3Key), nil
}

// bucketKey returns the requester's bucket-level key for a bucket and KMS key, asking KMS
// (GenerateDataKey, context: the bucket ARN) when none is cached or it expired.
func (s *S3) bucketKey(r Request, b *Bucket, ref string, ctx map[string]string) (*cachedKey, error) {
	id := b.Name + "|" + ref + "|" + r.Caller.ARN
	if c := s.bucketKeys[id]; c != nil {
		if s.now().Before(c.expires) {
			return c, nil
		}
		clear(c.plain)
		delete(s.bucketKeys, id)
	}
	dk, err := s.KMS.GenerateDataKey(s.kmsCall(r), ref, ctx, "AES_256", 0)
	if err != nil {
		return nil, err
	}
	c := &cachedKey{plain: dk.Plaintext, blob: dk.CiphertextBlob, keyARN: dk.KeyARN, expires: s.now().Add(BucketKeyTTL)}
	s.bucketKeys[id] = c
	s.bucketKeys[b.Name+"|"+dk.KeyARN+"|"+r.Caller.ARN] = c
	return c, nil
}

// objectKey derives an object's data key from a bucket key.
func objectKey(bucketKey []byte, objARN string, salt []byte) []byte {
	m := hmac.New(sha256.New, bucketKey)
	m.Write([]byte(objARN))
	m.Write(salt)
	return m.Sum(nil)
}
