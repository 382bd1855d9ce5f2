// Package s3 simulates S3 objects under server-side encryption for keytrail: buckets with an
// owner, a bucket policy and default encryption; PutObject, GetObject, HeadObject, CopyObject and
// multipart uploads with the SSE-KMS headers; S3 calling KMS as the caller (kms:ViaService s3.REGION.amazonaws.com,
// encryption context aws:s3:arn); objects sealed with the envelope; and the errors S3 returns.
// Every call is authorized by policy.Evaluate.
package s3

import (
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/simulate/envelope"
	"github.com/keytrail/keytrail/simulate/kms"
)

// The server-side encryption algorithms.
const (
	SSES3  = "AES256"
	SSEKMS = "aws:kms"
)

// Bucket is one bucket.
type Bucket struct {
	Name, Account, Region string
	Policy                *policy.Policy
	// DefaultSSE is applied when a PutObject asks for none: SSES3 (S3's default) or SSEKMS with
	// DefaultKMSKey ("" for the account's aws/s3 key).
	DefaultSSE    string
	DefaultKMSKey string
	// BucketKey enables S3 Bucket Keys for SSE-KMS by default (a PutObject header overrides it).
	BucketKey bool
	objects   map[string]*object
	s3Key     []byte // the bucket's SSE-S3 key (S3-managed)
}

// ARN is the bucket's ARN.
func (b *Bucket) ARN() string { return "arn:aws:s3:::" + b.Name }

type object struct {
	data      stored   // the sealed object
	parts     []stored // or a multipart upload's parts, each sealed on its own
	partNums  []int    // their part numbers, which their sealing binds
	blob      []byte   // the data key (or, with a bucket key, the bucket key) encrypted by KMS
	bucketKey bool
	salt      []byte // with a bucket key: the object key is HMAC(bucket key, object ARN ‖ salt)
	sse       string
	keyARN    string
	context   map[string]string
	size      int64
	metadata  map[string]string
}

// Request is who calls S3 and how.
type Request struct {
	Caller       policy.Principal
	SigV4        bool // signed with SigV4 (false: SigV2 or anonymous)
	Presigned    bool
	QueryAuth    [][2]string // a presigned URL's X-Amz-* parameters, for CloudTrail
	HTTPS        bool
	SourceIP     string
	ExtraContext map[string][]string
}

// Error is an S3 error: HTTP status, code and message as S3 returns them. KMS is the KMS error
// behind it, Decision the explanation of an S3 access denial.
type Error struct {
	Status   int
	Code     string
	Message  string
	KMS      *kms.Error
	Decision *policy.Explanation
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Identities gives the callers' identity policies (the world's IAM).
type Identities interface {
	PolicySet(p policy.Principal) (identity []*policy.Policy, boundary, session *policy.Policy)
}

// S3 is one Region's buckets.
type S3 struct {
	Region     string
	KMS        *kms.KMS
	Identities Identities
	Rand       io.Reader
	// OnCall, when set, is told of every object API call as it completes (CloudTrail data events).
	OnCall  func(Event)
	buckets map[string]*Bucket
	// bucketKeys caches plaintext bucket keys by bucket, KMS key and requester, for
	// BucketKeyTTL of the KMS clock; they are zeroed when they expire.
	bucketKeys map[string]*cachedKey
	uploads    map[string]*upload // multipart uploads in progress, by upload id
	// SpillSize is the sealed size above which objects go to temporary files in SpillDir
	// (default DefaultSpillSize, os.TempDir()); Close removes them.
	SpillSize int64
	SpillDir  string
	free      []string // spilled files of replaced objects, for reuse
	via       string   // kms:ViaService for S3's calls to KMS
	req       policy.Request
	plain     []byte   // zeroed scratch for in-memory objects' plaintext, up to maxScratch
	sealed    [][]byte // in-memory buffers of replaced objects, for reuse
}

// BucketKeyTTL is how long S3 reuses a bucket-level key before asking KMS again.
const BucketKeyTTL = time.Hour

type cachedKey struct {
	plain   []byte
	blob    []byte
	keyARN  string
	expires time.Time
}

// Event is one completed S3 object call.
type Event struct {
	Request       Request
	Name          string // PutObject, GetObject, HeadObject
	Bucket, Key   string
	BucketAccount string
	// The request headers as sent: x-amz-server-side-encryption, its -aws-kms-key-id, and
	// CopyObject's x-amz-copy-source ("" when absent).
	SSE, KMSKeyID, CopySource string
	Result                    *PutResult // the SSE response headers of a successful write
	SSEApplied                string     // SSE_KMS, SSE_S3, Default_SSE_KMS, Default_SSE_S3
	BytesIn, BytesOut         int64
	UploadID                  string // multipart calls
	PartNumber                int    // UploadPart
	Err                       error
}

func (s *S3) emit(ev Event) {
	if s.OnCall != nil {
		if b := s.buckets[ev.Bucket]; b != nil {
			ev.BucketAccount = b.Account
		}
		s.OnCall(ev)
	}
}

// New makes an empty S3.
func New(region string, k *kms.KMS, ids Identities, rnd io.Reader) *S3 {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &S3{Region: region, KMS: k, Identities: ids, Rand: rnd, buckets: map[string]*Bucket{}, bucketKeys: map[string]*cachedKey{}, uploads: map[string]*upload{}}
}

// CreateBucket adds a bucket.
func (s *S3) CreateBucket(b *Bucket) error {
	if _, dup := s.buckets[b.Name]; dup {
		return &Error{Status: 409, Code: "BucketAlreadyOwnedByYou", Message: "Your previous request to create the named bucket succeeded and you already own it."}
	}
	if b.DefaultSSE == "" {
		b.DefaultSSE = SSES3
	}
	b.objects = map[string]*object{}
	b.s3Key = make([]byte, 32)
	if _, err := io.ReadFull(s.Rand, b.s3Key); err != nil {
		return err
	}
	if b.Region == "" {
		b.Region = s.Region
	}
	s.buckets[b.Name] = b
	return nil
}

func (s *S3) bucket(name string) (*Bucket, error) {
	b := s.buckets[name]
	if b == nil {
		return nil, &Error{Status: 404, Code: "NoSuchBucket", Message: "The specified bucket does not exist"}
	}
	return b, nil
}

// authorize decides an S3 action on an object through the bucket policy and the caller's
// identity policies.
func (s *S3) authorize(r Request, action string, b *Bucket, key string) error {
	set := &policy.Set{Resource: b.Policy}
	if s.Identities != nil && r.Caller.Type != policy.Anonymous {
		set.Identity, set.Boundary, set.Session = s.Identities.PolicySet(r.Caller)
	}
	req := &s.req // reused: no decision keeps its request
	req.Context.Reset()
	*req = policy.Request{Principal: r.Caller, Action: action, Resource: b.ARN() + "/" + key, ResourceAccount: b.Account, Context: req.Context}
	if s.KMS != nil && s.KMS.Now != nil {
		req.Time = s.KMS.Now()
	}
	req.Context.Set("aws:SecureTransport", boolValue[r.HTTPS]...)
	if r.SourceIP != "" {
		req.Context.Set("aws:SourceIp", r.SourceIP)
	}
	auth := authHeader
	if r.Presigned {
		auth = authQuery
	}
	req.Context.Set("s3:authType", auth...)
	if r.SigV4 {
		req.Context.Set("s3:signatureversion", sigV4...)
	}
	for k, v := range r.ExtraContext {
		req.Context.Set(k, v...)
	}
	if set.Evaluate(req).Outcome == policy.Allow {
		return nil
	}
	x := set.Explain(req) // the explanation, only for a denial
	return &Error{Status: 403, Code: "AccessDenied", Message: "Access Denied", Decision: x}
}

// The values of the context keys S3 supplies, made once (the evaluator does not change them).
var (
	boolValue  = map[bool][]string{true: {"true"}, false: {"false"}}
	authHeader = []string{"REST-HEADER"}
	authQuery  = []string{"REST-QUERY-STRING"}
	sigV4      = []string{"AWS4-HMAC-SHA256"}
)

// kmsCall is how S3 calls KMS on the caller's behalf.
func (s *S3) kmsCall(r Request) kms.Call {
	if s.via == "" {
		s.via = "s3." + s.Region + ".amazonaws.com"
	}
	return kms.Call{Caller: r.Caller, ViaService: s.via}
}

// kmsError turns a KMS error into the S3 error S3 returns for it.
func kmsError(err error) error {
	ke, ok := err.(*kms.Error)
	if !ok {
		return err
	}
	switch ke.Code {
	case "AccessDeniedException":
		return &Error{Status: 403, Code: "AccessDenied", Message: "Access Denied", KMS: ke, Decision: ke.Decision}
	case "DisabledException":
		return &Error{Status: 400, Code: "KMS.DisabledException", Message: ke.Message, KMS: ke}
	case "KMSInvalidStateException":
		return &Error{Status: 400, Code: "KMS.KMSInvalidStateException", Message: ke.Message, KMS: ke}
	case "NotFoundException":
		return &Error{Status: 400, Code: "KMS.NotFoundException", Message: ke.Message, KMS: ke}
	}
	return &Error{Status: 400, Code: "KMS." + ke.Code, Message: ke.Message, KMS: ke}
}

// PutOptions are the SSE request headers of PutObject.
type PutOptions struct {
	SSE      string            // x-amz-server-side-encryption: "" (bucket default), AES256 or aws:kms
	KMSKeyID string            // x-amz-server-side-encryption-aws-kms-key-id: id, ARN or alias
	Context  map[string]string // x-amz-server-side-encryption-context (merged with aws:s3:arn)
	// BucketKey is x-amz-server-side-encryption-bucket-key-enabled; nil: the bucket's setting.
	BucketKey *bool
	Metadata  map[string]string
}

// PutResult is what PutObject's response headers say.
type PutResult struct {
	SSE       string
	KMSKeyID  string // always the full key ARN, as S3 returns it
	BucketKey bool   // x-amz-server-side-encryption-bucket-key-enabled
}

func (s *S3) now() time.Time {
	if s.KMS != nil && s.KMS.Now != nil {
		return s.KMS.Now()
	}
	return time.Now()
}

// requiresSigV4 is S3's message for SSE-KMS requests not signed with SigV4 (the seed's).
const requiresSigV4 = "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4."

// requiresTLS is S3's message for SSE-KMS requests over plain HTTP.
const requiresTLS = "Requests specifying Server Side Encryption with AWS KMS managed keys must be made over a secure connection."

// PutObject stores an object, encrypted as asked or by the bucket's default.
func (s *S3) PutObject(r Request, bucket, key string, body io.Reader, o PutOptions) (res *PutResult, err error) {
	ev := putEvent("PutObject", r, bucket, key, o)
	defer func() { s.emitPut(&ev, o, res, err) }()
	res, ev.BytesIn, err = s.store(r, bucket, key, body, o)
	return res, err
}

// putEvent starts the event of a call that writes an object, with its SSE request headers.
func putEvent(name string, r Request, bucket, key string, o PutOptions) Event {
	return Event{Request: r, Name: name, Bucket: bucket, Key: key, SSE: o.SSE, KMSKeyID: o.KMSKeyID}
}

// emitPut completes a writing call's event with its SSE response headers and emits it.
func (s *S3) emitPut(ev *Event, o PutOptions, res *PutResult, err error) {
	ev.Err, ev.Result = err, res
	if res != nil && (ev.UploadID == "" || ev.Name == "CreateMultipartUpload") {
		// A multipart upload's encryption is decided, and logged, at CreateMultipartUpload
		// (TRAIL-FORMATS 4.9): its parts and completion carry no SSEApplied.
		ev.SSEApplied = sseApplied[[2]string{res.SSE, o.SSE}]
	}
	s.emit(*ev)
}

// sseApplied is additionalEventData.SSEApplied by the encryption applied and the one asked for.
var sseApplied = map[[2]string]string{
	{SSEKMS, SSEKMS}: "SSE_KMS", {SSES3, SSES3}: "SSE_S3", {SSEKMS, ""}: "Default_SSE_KMS", {SSES3, ""}: "Default_SSE_S3",
}

// store authorizes s3:PutObject, encrypts body as o asks (or the bucket's default) and stores
// it; it returns the plaintext size.
func (s *S3) store(r Request, bucket, key string, body io.Reader, o PutOptions) (*PutResult, int64, error) {
	b, obj, dataKey, err := s.begin(r, bucket, key, o)
	if err != nil {
		return nil, 0, err
	}
	defer clear(dataKey)
	limit := s.SpillSize
	if limit <= 0 {
		limit = DefaultSpillSize
	}
	var aadBuf [256]byte
	aad := objectAAD(aadBuf[:0], b, key)
	var n int64
	if lr, ok := body.(interface{ Len() int }); ok && lr.Len() <= maxScratch && envelope.SealedSize(int64(lr.Len())) <= limit {
		n, err = s.sealInMemory(obj, dataKey, aad, body, lr.Len())
	} else {
		n, obj.data, err = s.sealStored(dataKey, aad, body)
	}
	if err != nil {
		return nil, 0, err
	}
	obj.size = n
	s.drop(b.objects[key])
	b.objects[key] = obj
	return obj.result(), n, nil
}

// objectAAD appends what an object's sealing is bound to: its ARN.
func objectAAD(buf []byte, b *Bucket, key string) []byte {
	buf = append(buf, "arn:aws:s3:::"...)
	buf = append(buf, b.Name...)
	buf = append(buf, '/')
	return append(buf, key...)
}

// sealStored seals body into memory, or past the spill size into a temporary file.
func (s *S3) sealStored(dataKey, aad []byte, body io.Reader) (int64, stored, error) {
	sp := &spill{s3: s, limit: s.SpillSize}
	if sp.limit <= 0 {
		sp.limit = DefaultSpillSize
	}
	n, err := s.sealTo(sp, dataKey, aad, body)
	var st stored
	if err == nil {
		st, err = sp.finish()
	}
	if err != nil {
		sp.discard()
		return 0, stored{}, err
	}
	return n, st, nil
}

// sealTo encrypts body with the envelope under dataKey, bound to aad, onto dst.
func (s *S3) sealTo(dst io.Writer, dataKey, aad []byte, body io.Reader) (int64, error) {
	w, err := envelope.NewWriter(dst, dataKey, s.Rand, aad)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, body)
	if err != nil {
		return 0, err
	}
	return n, w.Close()
}

// sealInMemory seals a small body whose size is known (a bytes or strings Reader, a Buffer)
// in one pass, into a buffer of exactly its sealed size.
func (s *S3) sealInMemory(obj *object, dataKey, aad []byte, body io.Reader, size int) (int64, error) {
	plain := slices.Grow(s.plain[:0], size)[:size]
	defer func() {
		clear(plain)
		s.plain = plain[:0]
	}()
	if _, err := io.ReadFull(body, plain); err != nil {
		return 0, err
	}
	sealed, err := envelope.Seal(s.block(int(envelope.SealedSize(int64(size)))), plain, dataKey, s.Rand, aad)
	if err != nil {
		return 0, err
	}
	obj.data = stored{mem: sealed}
	return int64(size), nil
}

func (obj *object) result() *PutResult {
	return &PutResult{SSE: obj.sse, KMSKeyID: obj.keyARN, BucketKey: obj.bucketKey}
}
