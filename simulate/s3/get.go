package s3

import (
	"io"

	"github.com/keytrail/keytrail/simulate/envelope"
)

// GetResult describes a fetched object.
type GetResult struct {
	SSE      string
	KMSKeyID string
	Size     int64
}

// GetObject writes an object's plaintext to w. For SSE-KMS objects S3 calls KMS Decrypt as the
// caller; SigV2 and anonymous requests get S3's InvalidArgument.
func (s *S3) GetObject(r Request, bucket, key string, w io.Writer) (res *GetResult, err error) {
	defer func() {
		ev := Event{Request: r, Name: "GetObject", Bucket: bucket, Key: key, Err: err}
		if res != nil {
			ev.BytesOut = res.Size
		}
		s.emit(ev)
	}()
	b, obj, err := s.find(r, bucket, key, "s3:GetObject")
	if err != nil {
		return nil, err
	}
	if _, err := s.openTo(r, b, key, obj, w); err != nil {
		return nil, err
	}
	return &GetResult{SSE: obj.sse, KMSKeyID: obj.keyARN, Size: obj.size}, nil
}

// internalError is what S3 answers when a stored object fails to authenticate.
func internalError() error {
	return &Error{Status: 500, Code: "InternalError", Message: "We encountered an internal error. Please try again."}
}

// source is an object ready to be read: its data key recovered (KMS Decrypt as the caller for
// SSE-KMS) and its sealed parts (one, unless it was uploaded in parts) with what each is bound
// to.
type source struct {
	dataKey []byte
	parts   []stored
	aads    [][]byte
}

// readKey checks how r may read an object and recovers its data key, which the caller clears.
func (s *S3) readKey(r Request, b *Bucket, key string, obj *object) ([]byte, error) {
	if obj.sse == SSEKMS && !r.SigV4 {
		return nil, &Error{Status: 400, Code: "InvalidArgument", Message: requiresSigV4}
	}
	if obj.sse == SSEKMS && !r.HTTPS {
		return nil, &Error{Status: 400, Code: "InvalidArgument", Message: requiresTLS}
	}
	return s.objectDataKey(r, b, key, obj)
}

// unlock readies an object to be read: close clears its data key.
func (s *S3) unlock(r Request, b *Bucket, key string, obj *object) (*source, error) {
	dataKey, err := s.readKey(r, b, key, obj)
	if err != nil {
		return nil, err
	}
	src := &source{dataKey: dataKey, parts: []stored{obj.data}, aads: [][]byte{objectAAD(nil, b, key)}}
	if obj.parts != nil {
		src.parts, src.aads = obj.parts, nil
		for _, n := range obj.partNums {
			src.aads = append(src.aads, partAAD(b, key, n))
		}
	}
	return src, nil
}

func (src *source) close() { clear(src.dataKey) }

// verify authenticates every chunk of every part, on all cores.
func (src *source) verify() error {
	for i, p := range src.parts {
		if err := p.verify(src.dataKey, src.aads[i]); err != nil {
			return err
		}
	}
	return nil
}

// writeTo writes the plaintext to w, part by part, chunks opened on all cores. Verify first:
// a damaged chunk stops it after the plaintext before it.
func (src *source) writeTo(w io.Writer) (int64, error) {
	var total int64
	for i, p := range src.parts {
		n, err := p.openTo(w, src.dataKey, src.aads[i])
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// openTo decrypts an object for r onto w. The whole object authenticates before any of it is
// written: in memory at once, or in a first pass over its file or parts, so that a large
// object streams through in constant memory.
func (s *S3) openTo(r Request, b *Bucket, key string, obj *object, w io.Writer) (int64, error) {
	if obj.parts == nil && obj.data.file == "" { // in memory: one pass, into the scratch buffer
		dataKey, err := s.readKey(r, b, key, obj)
		if err != nil {
			return 0, err
		}
		defer clear(dataKey)
		var aadBuf [256]byte
		plain, err := envelope.Open(s.plain[:0], obj.data.mem, dataKey, objectAAD(aadBuf[:0], b, key))
		if err != nil {
			return 0, internalError()
		}
		defer func() {
			clear(plain)
			if cap(plain) <= maxScratch {
				s.plain = plain[:0]
			}
		}()
		n, err := w.Write(plain)
		return int64(n), err
	}
	src, err := s.unlock(r, b, key, obj)
	if err != nil {
		return 0, err
	}
	defer src.close()
	if err := src.verify(); err != nil {
		return 0, err
	}
	return src.writeTo(w)
}

// HeadObject returns an object's metadata (no KMS call).
func (s *S3) HeadObject(r Request, bucket, key string) (*GetResult, error) {
	_, obj, err := s.find(r, bucket, key, "s3:GetObject")
	if err != nil {
		return nil, err
	}
	return &GetResult{SSE: obj.sse, KMSKeyID: obj.keyARN, Size: obj.size}, nil
}

func (s *S3) find(r Request, bucket, key, action string) (*Bucket, *object, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authorize(r, action, b, key); err != nil {
		return nil, nil, err
	}
	obj := b.objects[key]
	if obj == nil {
		return nil, nil, &Error{Status: 404, Code: "NoSuchKey", Message: "The specified key does not exist."}
	}
	return b, obj, nil
}
