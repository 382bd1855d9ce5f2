package simulate

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/simulate/kms"
	"github.com/keytrail/keytrail/simulate/s3"
)

// Recorder collects the CloudTrail records of a world's calls, each marshalled when it is made
// (compact bytes: long runs keep little for the collector to scan).
type Recorder struct {
	w       *World
	Records []json.RawMessage
	// ClientIP and UserAgent are those of direct calls (the CLI on a laptop).
	ClientIP, UserAgent string

	arena      arena
	identities map[identityKey][]byte // marshalled userIdentity blocks
	materials  map[string]string      // keyMaterialId per key ARN
	s3Agent    string                 // the CLI's user agent as S3 logs it...
	s3AgentOf  string                 // ...made from this UserAgent
	hostOf     string                 // the bucket hostName is for
	hostName   string
	random     [56]byte // scratch for ids drawn from the world's source
	ipJSON     quoted
	agentJSON  quoted
	nowUnix    int64 // the second nowText was formatted for
	nowText    string
}

type identityKey struct {
	arn       string
	typ       policy.PrincipalType
	invokedBy string
}

// Record starts recording the world's KMS and S3 calls as CloudTrail records.
func (w *World) Record() *Recorder {
	r := &Recorder{w: w, ClientIP: "203.0.113.10", UserAgent: "aws-cli/2.22.0 md/awscrt#0.23.4 ua/2.0 os/linux#6.8 md/arch#x86_64 lang/python#3.12.6"}
	w.KMS.OnCall = r.kms
	w.S3.OnCall = r.s3
	return r
}

// uniqueID is a stable IAM unique id for a principal (AIDA... users, AROA... roles).
func uniqueID(prefix, arn string) string {
	sum := sha256.Sum256([]byte(arn))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	out := []byte(prefix)
	for _, c := range sum[:17] {
		out = append(out, alphabet[int(c)%len(alphabet)])
	}
	return string(out)
}

// identity is the userIdentity block of a caller, marshalled once per caller and invokedBy
// (set when a service called for it).
func (r *Recorder) identity(p policy.Principal, invokedBy string) []byte {
	k := identityKey{p.ARN, p.Type, invokedBy}
	if b, ok := r.identities[k]; ok {
		return b
	}
	if r.identities == nil {
		r.identities = map[identityKey][]byte{}
	}
	ak, created := "", r.w.Now
	if id := r.w.identities[p.ARN]; id != nil {
		ak, created = id.Key.AccessKeyID, id.Created
	}
	var b []byte
	switch p.Type {
	case policy.User:
		b = append(b, `{"type":"IAMUser"`...)
		b = appendMember(b, "principalId", uniqueID("AIDA", p.ARN))
		b = appendMember(b, "arn", p.ARN)
		b = appendMember(b, "accountId", p.Account)
		b = appendMember(b, "accessKeyId", ak)
		b = appendMember(b, "userName", p.Name)
	case policy.Root:
		b = append(b, `{"type":"Root"`...)
		b = appendMember(b, "principalId", p.Account)
		b = appendMember(b, "arn", p.ARN)
		b = appendMember(b, "accountId", p.Account)
		b = appendMember(b, "accessKeyId", ak)
	case policy.AssumedRole, policy.Role:
		roleID := uniqueID("AROA", p.PrincipalARN)
		b = append(b, `{"type":"AssumedRole"`...)
		b = appendMember(b, "principalId", roleID+":"+p.Session)
		b = appendMember(b, "arn", p.ARN)
		b = appendMember(b, "accountId", p.Account)
		b = appendMember(b, "accessKeyId", ak)
		b = append(b, `,"sessionContext":{"sessionIssuer":{"type":"Role"`...)
		b = appendMember(b, "principalId", roleID)
		b = appendMember(b, "arn", p.PrincipalARN)
		b = appendMember(b, "accountId", p.Account)
		b = appendMember(b, "userName", p.Name)
		b = append(b, `},"webIdFederationData":{},"attributes":{"creationDate":"`...)
		b = append(b, created.UTC().Format("2006-01-02T15:04:05Z")...)
		b = append(b, `","mfaAuthenticated":"false"}}`...)
	case policy.Anonymous:
		b = append(b, `{"type":"AWSAccount","principalId":"","accountId":"anonymous"`...)
	default:
		b = append(b, `{"type":"AWSService"`...)
		b = appendMember(b, "invokedBy", p.ARN)
	}
	if invokedBy != "" {
		b = appendMember(b, "invokedBy", invokedBy)
	}
	b = append(b, '}')
	r.identities[k] = b
	return b
}

// materialID is the keyMaterialId KMS logs for a key's (single) key material: stable per key.
func (r *Recorder) materialID(keyARN string) string {
	if id, ok := r.materials[keyARN]; ok {
		return id
	}
	if r.materials == nil {
		r.materials = map[string]string{}
	}
	sum := sha256.Sum256([]byte("material:" + keyARN))
	id := hex.EncodeToString(sum[:])
	r.materials[keyARN] = id
	return id
}

// now is the world's clock as CloudTrail writes eventTime (formatted once per second).
func (r *Recorder) now() string {
	if u := r.w.Now.Unix(); u != r.nowUnix || r.nowText == "" {
		r.nowUnix, r.nowText = u, r.w.Now.UTC().Format("2006-01-02T15:04:05Z")
	}
	return r.nowText
}

// errorFields are errorCode and errorMessage for a failed call.
func errorFields(err error) (code, msg string) {
	if err == nil {
		return "", ""
	}
	var ke *kms.Error
	var se *s3.Error
	switch {
	case errors.As(err, &ke):
		code, msg = ke.Code, ke.Message
		if code == "AccessDeniedException" { // CloudTrail logs KMS denials as AccessDenied
			code = "AccessDenied"
		}
	case errors.As(err, &se):
		code, msg = se.Code, se.Message
	case err != nil:
		code, msg = "InternalError", err.Error()
	}
	return code, msg
}

// kms records a KMS management event (4.1, 4.4, 4.6, 4.7, 4.8).
func (r *Recorder) kms(ev kms.Event) {
	invokedBy, ip, agent := "", r.ClientIP, r.UserAgent
	if ev.Call.ViaService != "" { // S3 calls KMS with the caller's identity
		invokedBy, ip, agent = "AWS Internal", "AWS Internal", "AWS Internal"
	}
	b := append(r.arena.start(), `{"eventVersion":"1.11","userIdentity":`...)
	b = append(b, r.identity(ev.Call.Caller, invokedBy)...)
	b = r.appendHead(b, "kms.amazonaws.com", ev.Name, ip, agent, ev.Err)
	b = append(b, `,"requestParameters":`...)
	if ev.NoParameters {
		b = append(b, "null"...)
	} else {
		b = appendParams(b, &ev.Parameters)
	}
	b = append(b, `,"responseElements":`...)
	if x := ev.Response; x == nil {
		b = append(b, "null"...)
	} else {
		b = appendObject(b, "grantId", x.GrantID, "keyId", x.KeyID, "keyState", x.KeyState, "deletionDate", x.DeletionDate)
	}
	switch {
	case ev.Err == nil && ev.SourceKeyARN != "" && ev.KeyARN != "": // ReEncrypt: both keys' material
		b = append(b, `,"additionalEventData":{"destinationKeyMaterialId":"`...)
		b = append(b, r.materialID(ev.KeyARN)...)
		b = append(b, `","sourceKeyMaterialId":"`...)
		b = append(b, r.materialID(ev.SourceKeyARN)...)
		b = append(b, `"}`...)
	case ev.Err == nil && ev.ReadOnly && ev.KeyARN != "":
		b = append(b, `,"additionalEventData":{"keyMaterialId":"`...)
		b = append(b, r.materialID(ev.KeyARN)...)
		b = append(b, `"}`...)
	case ev.GrantID != "":
		b = append(b, `,"additionalEventData":{"grantId":`...)
		b = appendString(b, ev.GrantID)
		b = append(b, '}')
	}
	b = append(b, `,"requestID":`...)
	b = r.appendUUID(b)
	b = append(b, `,"eventID":`...)
	b = r.appendUUID(b)
	b = append(b, `,"readOnly":`...)
	b = strconv.AppendBool(b, ev.ReadOnly)
	if ev.KeyARN != "" || ev.SourceKeyARN != "" { // ReEncrypt lists the source key, then the destination
		b = append(b, `,"resources":[`...)
		for i, arn := range [2]string{ev.SourceKeyARN, ev.KeyARN} {
			if arn == "" {
				continue
			}
			if i > 0 && ev.SourceKeyARN != "" {
				b = append(b, ',')
			}
			b = append(b, `{"accountId":`...)
			b = appendString(b, r.w.Account)
			b = append(b, `,"type":"AWS::KMS::Key","ARN":`...)
			b = appendString(b, arn)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":`...)
	b = appendString(b, r.w.Account)
	b = append(b, `,"eventCategory":"Management"`...)
	if invokedBy == "" { // a direct call came over TLS; an AWS service's call on your behalf has no tlsDetails
		b = append(b, `,"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"kms.`...)
		b = appendStringBody(b, r.w.Region)
		b = append(b, `.amazonaws.com"}`...)
	}
	b = append(b, '}')
	r.Records = append(r.Records, r.arena.finish(b))
}

// appendHead writes the members every record has after userIdentity, through userAgent, and
// errorCode and errorMessage for a failed call.
func (r *Recorder) appendHead(b []byte, source, name, ip, agent string, err error) []byte {
	b = append(b, `,"eventTime":"`...)
	b = append(b, r.now()...)
	b = append(b, `","eventSource":"`...)
	b = append(b, source...)
	b = append(b, '"')
	b = appendMember(b, "eventName", name)
	b = appendMember(b, "awsRegion", r.w.Region)
	b = append(b, `,"sourceIPAddress":`...)
	b = r.ipJSON.append(b, ip)
	b = append(b, `,"userAgent":`...)
	b = r.agentJSON.append(b, agent)
	if code, msg := errorFields(err); code != "" {
		b = appendMember(b, "errorCode", code)
		b = appendMember(b, "errorMessage", msg)
	}
	return b
}

// appendObject writes a JSON object of the name/value pairs whose value is not empty.
func appendObject(b []byte, pairs ...string) []byte {
	start := len(b)
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			b = appendMember(b, pairs[i], pairs[i+1])
		}
	}
	if len(b) == start {
		return append(b, "{}"...)
	}
	b[start] = '{'
	return append(b, '}')
}

// appendParams writes a KMS call's requestParameters: the parameters it was sent, in the
// order CloudTrail lists them.
func appendParams(b []byte, p *kms.Params) []byte {
	start := len(b)
	if p.PendingWindowInDays != 0 {
		b = append(b, `,"pendingWindowInDays":`...)
		b = appendInt(b, int64(p.PendingWindowInDays))
	}
	b = appendNonEmpty(b, "keyId", p.KeyID)
	b = appendNonEmpty(b, "encryptionAlgorithm", p.EncryptionAlgorithm)
	b = appendContextMember(b, "encryptionContext", p.EncryptionContext)
	b = appendNonEmpty(b, "keySpec", p.KeySpec)
	if p.NumberOfBytes != 0 {
		b = append(b, `,"numberOfBytes":`...)
		b = appendInt(b, int64(p.NumberOfBytes))
	}
	b = appendNonEmpty(b, "granteePrincipal", p.GranteePrincipal)
	b = appendNonEmpty(b, "retiringPrincipal", p.RetiringPrincipal)
	if p.ConstraintEquals != nil || p.ConstraintSubset != nil {
		b = append(b, `,"constraints":`...)
		at := len(b)
		b = appendContextMember(b, "encryptionContextEquals", p.ConstraintEquals)
		b = appendContextMember(b, "encryptionContextSubset", p.ConstraintSubset)
		if len(b) == at {
			b = append(b, "{}"...)
		} else {
			b[at] = '{'
			b = append(b, '}')
		}
	}
	if p.Operations != nil {
		b = append(b, `,"operations":`...)
		b = appendStrings(b, p.Operations)
	}
	b = appendNonEmpty(b, "grantId", p.GrantID)
	b = appendNonEmpty(b, "policyName", p.PolicyName)
	b = appendNonEmpty(b, "policy", p.Policy)
	if p.BypassPolicyLockoutSafetyCheck != nil {
		b = append(b, `,"bypassPolicyLockoutSafetyCheck":`...)
		b = strconv.AppendBool(b, *p.BypassPolicyLockoutSafetyCheck)
	}
	b = appendNonEmpty(b, "sourceEncryptionAlgorithm", p.SourceEncryptionAlgorithm)
	b = appendContextMember(b, "sourceEncryptionContext", p.SourceEncryptionContext)
	b = appendNonEmpty(b, "destinationKeyId", p.DestinationKeyID)
	b = appendNonEmpty(b, "destinationEncryptionAlgorithm", p.DestinationEncryptionAlgorithm)
	b = appendContextMember(b, "destinationEncryptionContext", p.DestinationEncryptionContext)
	if len(b) == start {
		return append(b, "{}"...)
	}
	b[start] = '{'
	return append(b, '}')
}

func appendNonEmpty(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return appendMember(b, name, v)
}

// appendContextMember writes an encryption context member; a call without a context has none
// in its record.
func appendContextMember(b []byte, name string, ec map[string]string) []byte {
	if len(ec) == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendContext(b, ec)
}

// host is the virtual-hosted endpoint of a bucket, as requests name it.
func (r *Recorder) host(bucket string) string {
	if bucket != r.hostOf || r.hostName == "" {
		r.hostOf, r.hostName = bucket, bucket+".s3."+r.w.Region+".amazonaws.com"
		if r.w.Region == "us-east-1" {
			r.hostName = bucket + ".s3.amazonaws.com"
		}
	}
	return r.hostName
}

// s3 records an S3 data event (4.9, 4.10).
func (r *Recorder) s3(ev s3.Event) {
	auth, sig := "AuthHeader", "SigV4"
	if ev.Request.Presigned {
		auth = "QueryString"
	}
	if !ev.Request.SigV4 {
		sig = "SigV2"
	}
	if r.s3AgentOf != r.UserAgent || r.s3Agent == "" {
		r.s3Agent, r.s3AgentOf = "["+r.UserAgent+" command/s3.cp]", r.UserAgent
	}
	agent := r.s3Agent
	if ev.Request.Presigned || ev.Request.Caller.Type == policy.Anonymous {
		agent = "[curl/8.5.0]"
	}
	b := append(r.arena.start(), `{"eventVersion":"1.10","userIdentity":`...)
	b = append(b, r.identity(ev.Request.Caller, "")...)
	b = r.appendHead(b, "s3.amazonaws.com", ev.Name, r.ClientIP, agent, ev.Err)
	b = append(b, `,"requestParameters":{"bucketName":`...)
	b = appendString(b, ev.Bucket)
	host := r.host(ev.Bucket)
	b = appendMember(b, "Host", host)
	b = appendMember(b, "key", ev.Key)
	for _, kv := range ev.Request.QueryAuth {
		b = appendNonEmpty(b, kv[0], kv[1])
	}
	switch {
	case ev.Name == "CreateMultipartUpload":
		b = append(b, `,"uploads":""`...)
	case ev.PartNumber > 0:
		b = append(b, `,"partNumber":"`...)
		b = appendInt(b, int64(ev.PartNumber))
		b = append(b, '"')
		b = appendMember(b, "uploadId", ev.UploadID)
	case ev.UploadID != "":
		b = appendMember(b, "uploadId", ev.UploadID)
	}
	b = appendNonEmpty(b, "x-amz-copy-source", ev.CopySource)
	b = appendNonEmpty(b, "x-amz-server-side-encryption", ev.SSE)
	b = appendNonEmpty(b, "x-amz-server-side-encryption-aws-kms-key-id", ev.KMSKeyID)
	b = append(b, `},"responseElements":`...)
	if res := ev.Result; res != nil && ev.Err == nil {
		bucketKey := ""
		if res.BucketKey {
			bucketKey = "true"
		}
		b = appendObject(b, "x-amz-server-side-encryption", res.SSE, "x-amz-server-side-encryption-aws-kms-key-id", res.KMSKeyID,
			"x-amz-server-side-encryption-bucket-key-enabled", bucketKey)
	} else {
		b = append(b, "null"...)
	}
	// An unsigned (anonymous) request has no signature version or authentication method.
	signed := ev.Request.Caller.Type != policy.Anonymous || ev.Request.Presigned
	b = append(b, `,"additionalEventData":{`...)
	if signed {
		b = append(b, `"SignatureVersion":"`...)
		b = append(b, sig...)
		b = append(b, `",`...)
	}
	b = append(b, `"CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":`...)
	b = appendInt(b, ev.BytesIn)
	b = appendNonEmpty(b, "SSEApplied", ev.SSEApplied)
	if signed {
		b = append(b, `,"AuthenticationMethod":"`...)
		b = append(b, auth...)
		b = append(b, '"')
	}
	b = append(b, `,"x-amz-id-2":"`...)
	b = r.appendS3HostID(b)
	b = append(b, `","bytesTransferredOut":`...)
	b = appendInt(b, ev.BytesOut)
	b = append(b, `},"requestID":"`...)
	b = r.appendS3RequestID(b)
	b = append(b, `","eventID":`...)
	b = r.appendUUID(b)
	b = append(b, `,"readOnly":`...)
	b = strconv.AppendBool(b, ev.Name == "GetObject" || ev.Name == "HeadObject")
	b = append(b, `,"resources":[{"type":"AWS::S3::Object","ARN":`...)
	b = append(b, `"arn:aws:s3:::`...)
	b = appendStringBody(b, ev.Bucket)
	b = append(b, '/')
	b = appendStringBody(b, ev.Key)
	b = append(b, '"')
	b = append(b, `},{"accountId":`...)
	b = appendString(b, ev.BucketAccount)
	b = append(b, `,"type":"AWS::S3::Bucket","ARN":`...)
	b = append(b, `"arn:aws:s3:::`...)
	b = appendStringBody(b, ev.Bucket)
	b = append(b, '"')
	b = append(b, `}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":`...)
	b = appendString(b, ev.BucketAccount)
	b = append(b, `,"eventCategory":"Data","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":`...)
	b = appendString(b, host)
	b = append(b, "}}"...)
	r.Records = append(r.Records, r.arena.finish(b))
}

// WriteLog writes the records as one CloudTrail log file body: {"Records": [...]} on one line.
func (r *Recorder) WriteLog(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(`{"Records":[`)
	for i, rec := range r.Records {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.Write(rec)
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

// WriteDelivery writes the records as a trail bucket would hold them:
// dir/AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_XXXXXXXXXXXXXXXX.json.gz,
// delivered five minutes after the clock's current time. It returns the file's path. The gzip
// header carries no time, so the same run writes the same bytes.
func (r *Recorder) WriteDelivery(dir string) (string, error) {
	t := r.w.Now.Add(5 * time.Minute).UTC()
	var suffix [16]byte
	io.ReadFull(r.w.Rand, suffix[:])
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for i := range suffix {
		suffix[i] = alphabet[int(suffix[i])%len(alphabet)]
	}
	rel := filepath.Join("AWSLogs", r.w.Account, "CloudTrail", r.w.Region, t.Format("2006"), t.Format("01"), t.Format("02"),
		fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", r.w.Account, r.w.Region, t.Format("20060102T1504Z"), suffix))
	path := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("failed to write trail: %w", err)
	}
	var body bytes.Buffer
	if err := r.WriteLog(&body); err != nil {
		return "", err
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz) // no name, zero ModTime: reproducible
	zw.Write(bytes.TrimRight(body.Bytes(), "\n"))
	if err := zw.Close(); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("failed to write trail: %w", err)
	}
	return path, nil
}
