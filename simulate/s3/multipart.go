package s3

import (
	"encoding/hex"
	"io"
	"sort"
	"strconv"
)

// Multipart upload limits, as S3 documents them.
const (
	MaxParts    = 10000
	MinPartSize = 5 << 20 // every part but the last
)

// upload is a multipart upload in progress: the object it will become (its encryption decided
// and its data key encrypted by KMS at CreateMultipartUpload) and the parts sealed so far.
type upload struct {
	bucket, key string
	obj         *object
	opts        PutOptions // CreateMultipartUpload's headers
	parts       map[int]stored
	sizes       map[int]int64
}

// partAAD binds a part to its object and its place in it: reordered parts fail to open.
func partAAD(b *Bucket, key string, n int) []byte {
	return []byte(b.ARN() + "/" + key + "?partNumber=" + strconv.Itoa(n))
}

// findUpload returns the upload id names for bucket/key, with the options its events carry.
func (s *S3) findUpload(id, bucket, key string) (*upload, PutOptions, error) {
	u := s.uploads[id]
	if u == nil || u.bucket != bucket || u.key != key {
		return nil, PutOptions{}, &Error{Status: 404, Code: "NoSuchUpload", Message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."}
	}
	return u, u.opts, nil
}

// CreateMultipartUpload starts a multipart upload. Encryption is decided here, as for
// PutObject: for SSE-KMS, S3 calls GenerateDataKey as the caller.
func (s *S3) CreateMultipartUpload(r Request, bucket, key string, o PutOptions) (id string, res *PutResult, err error) {
	ev := putEvent("CreateMultipartUpload", r, bucket, key, o)
	defer func() { ev.UploadID = id; s.emitPut(&ev, o, res, err) }()
	_, obj, dataKey, err := s.begin(r, bucket, key, o)
	if err != nil {
		return "", nil, err
	}
	clear(dataKey) // UploadPart recovers it from the encrypted copy
	raw := make([]byte, 24)
	io.ReadFull(s.Rand, raw)
	id = hex.EncodeToString(raw)
	s.uploads[id] = &upload{bucket: bucket, key: key, obj: obj, opts: o, parts: map[int]stored{}, sizes: map[int]int64{}}
	return id, obj.result(), nil
}

// UploadPart seals one part (1 to MaxParts; uploading a number again replaces it). For SSE-KMS
// S3 calls KMS Decrypt as the caller to recover the upload's data key, so the uploader needs
// kms:Decrypt as well as kms:GenerateDataKey.
func (s *S3) UploadPart(r Request, bucket, key, id string, n int, body io.Reader) (res *PutResult, err error) {
	ev := Event{Request: r, Name: "UploadPart", Bucket: bucket, Key: key, UploadID: id, PartNumber: n}
	u, opts, err := s.findUpload(id, bucket, key)
	defer func() { s.emitPut(&ev, opts, res, err) }()
	if err != nil {
		return nil, err
	}
	if n < 1 || n > MaxParts {
		return nil, &Error{Status: 400, Code: "InvalidArgument", Message: "Part number must be an integer between 1 and 10000, inclusive"}
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	if u.obj.sse == SSEKMS && !r.SigV4 {
		return nil, &Error{Status: 400, Code: "InvalidArgument", Message: requiresSigV4}
	}
	if err := s.authorize(r, "s3:PutObject", b, key); err != nil {
		return nil, err
	}
	dataKey, err := s.objectDataKey(r, b, key, u.obj)
	if err != nil {
		return nil, err
	}
	defer clear(dataKey)
	size, sealed, err := s.sealStored(dataKey, partAAD(b, key, n), body)
	if err != nil {
		return nil, err
	}
	if old, ok := u.parts[n]; ok { // uploaded again: the new part replaces it
		s.release(&old)
	}
	u.parts[n], u.sizes[n] = sealed, size
	ev.BytesIn = size
	return u.obj.result(), nil
}

// CompleteMultipartUpload assembles the uploaded parts, in part-number order, into the object.
// Every part but the last must be at least MinPartSize.
func (s *S3) CompleteMultipartUpload(r Request, bucket, key, id string) (res *PutResult, err error) {
	ev := Event{Request: r, Name: "CompleteMultipartUpload", Bucket: bucket, Key: key, UploadID: id}
	u, opts, err := s.findUpload(id, bucket, key)
	defer func() { s.emitPut(&ev, opts, res, err) }()
	if err != nil {
		return nil, err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r, "s3:PutObject", b, key); err != nil {
		return nil, err
	}
	if len(u.parts) == 0 {
		return nil, &Error{Status: 400, Code: "MalformedXML", Message: "The XML you provided was not well-formed or did not validate against our published schema"}
	}
	nums := make([]int, 0, len(u.parts))
	for n := range u.parts {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	for i, n := range nums {
		if i < len(nums)-1 && u.sizes[n] < MinPartSize {
			return nil, &Error{Status: 400, Code: "EntityTooSmall", Message: "Your proposed upload is smaller than the minimum allowed object size."}
		}
	}
	obj := u.obj
	obj.parts, obj.partNums, obj.size = nil, nums, 0
	for _, n := range nums { // part numbers may skip: 1, 3, 7 is an object of three parts
		obj.parts = append(obj.parts, u.parts[n])
		obj.size += u.sizes[n]
	}
	s.drop(b.objects[key])
	b.objects[key] = obj
	delete(s.uploads, id)
	return obj.result(), nil
}
