package simulate

import (
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
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/simulate/kms"
	"github.com/keytrail/keytrail/simulate/s3"
)

// omap is a JSON object that keeps its members' order, as CloudTrail writes them.
type omap []kv

type kv struct {
	k string
	v any
}

func (o omap) MarshalJSON() ([]byte, error) { return o.appendJSON(nil), nil }

// appendJSON writes the object without reflection: records hold strings, booleans, integers,
// nil, nested objects and lists of them.
func (o omap) appendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, m.k)
		b = append(b, ':')
		b = appendValue(b, m.v)
	}
	return append(b, '}')
}

func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case omap:
		return x.appendJSON(b)
	case json.RawMessage: // already marshalled (cached identities)
		return append(b, x...)
	case []omap:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.appendJSON(b)
		}
		return append(b, ']')
	}
	enc, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return append(b, enc...)
}

// appendString writes a JSON string; plain ASCII is copied, anything else goes through
// encoding/json's escaping.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plainJSON[s[i]] {
			enc, _ := json.Marshal(s)
			return append(b, enc...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainJSON marks the bytes a JSON string holds as they are (as encoding/json writes them:
// printable ASCII but '"', '\\' and the HTML characters it escapes).
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// Recorder collects the CloudTrail records of a world's calls, each marshalled when it is made
// (compact bytes: long runs keep little for the collector to scan).
type Recorder struct {
	w       *World
	Records []json.RawMessage
	// ClientIP and UserAgent are those of direct calls (the CLI on a laptop).
	ClientIP, UserAgent string

	identities map[[3]string]json.RawMessage // marshalled userIdentity blocks
	materials  map[string]string             // keyMaterialId per key ARN
	s3Agent    string                        // the CLI's user agent as S3 logs it...
	s3AgentOf  string                        // ...made from this UserAgent
	nowUnix    int64                         // the second nowText was formatted for
	nowText    string
}

// Record starts recording the world's KMS and S3 calls as CloudTrail records.
func (w *World) Record() *Recorder {
	r := &Recorder{w: w, ClientIP: "203.0.113.10", UserAgent: "aws-cli/2.22.0 md/awscrt#0.23.4 ua/2.0 os/linux#6.8 md/arch#x86_64 lang/python#3.12.6"}
	w.KMS.OnCall = r.kms
	w.S3.OnCall = r.s3
	return r
}

// uuid is a version-4 UUID from the world's seeded source.
func (r *Recorder) uuid() string {
	var b [16]byte
	io.ReadFull(r.w.Rand, b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	hex.Encode(out[9:13], b[4:6])
	hex.Encode(out[14:18], b[6:8])
	hex.Encode(out[19:23], b[8:10])
	hex.Encode(out[24:36], b[10:16])
	out[8], out[13], out[18], out[23] = '-', '-', '-', '-'
	return string(out[:])
}

// s3RequestID is S3's 16-character request id.
func (r *Recorder) s3RequestID() string {
	var b [16]byte
	io.ReadFull(r.w.Rand, b[:])
	const alphabet = "0123456789ABCDEF"
	for i := range b {
		b[i] = alphabet[int(b[i])%16]
	}
	return string(b[:])
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

// identity is the userIdentity block of a caller, marshalled once per caller and invokedBy.
func (r *Recorder) identity(p policy.Principal, invokedBy string) json.RawMessage {
	k := [3]string{p.ARN, string(rune(p.Type)), invokedBy}
	if b, ok := r.identities[k]; ok {
		return b
	}
	if r.identities == nil {
		r.identities = map[[3]string]json.RawMessage{}
	}
	b := json.RawMessage(r.buildIdentity(p, invokedBy).appendJSON(nil))
	r.identities[k] = b
	return b
}

// buildIdentity is the userIdentity block of a caller; invokedBy is set when a service called for it.
func (r *Recorder) buildIdentity(p policy.Principal, invokedBy string) omap {
	var o omap
	ak := ""
	if id := r.w.identities[p.ARN]; id != nil {
		ak = id.Key.AccessKeyID
	}
	switch p.Type {
	case policy.User:
		o = omap{{"type", "IAMUser"}, {"principalId", uniqueID("AIDA", p.ARN)}, {"arn", p.ARN}, {"accountId", p.Account}, {"accessKeyId", ak}, {"userName", p.Name}}
	case policy.Root:
		o = omap{{"type", "Root"}, {"principalId", p.Account}, {"arn", p.ARN}, {"accountId", p.Account}, {"accessKeyId", ak}}
	case policy.AssumedRole, policy.Role:
		roleID := uniqueID("AROA", p.PrincipalARN)
		o = omap{{"type", "AssumedRole"}, {"principalId", roleID + ":" + p.Session}, {"arn", p.ARN}, {"accountId", p.Account}, {"accessKeyId", ak},
			{"sessionContext", omap{{"sessionIssuer", omap{{"type", "Role"}, {"principalId", roleID}, {"arn", p.PrincipalARN}, {"accountId", p.Account}, {"userName", p.Name}}}}}}
	case policy.Anonymous:
		o = omap{{"type", "AWSAccount"}, {"principalId", ""}, {"accountId", "anonymous"}}
	default:
		o = omap{{"type", "AWSService"}, {"invokedBy", p.ARN}}
	}
	if invokedBy != "" {
		o = append(o, kv{"invokedBy", invokedBy})
	}
	return o
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

func contextJSON(ec any) any {
	if m, ok := ec.(map[string]string); ok {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var o omap
		for _, k := range keys {
			o = append(o, kv{k, m[k]})
		}
		if o == nil {
			return omap{}
		}
		return o
	}
	return ec
}

// kms records a KMS management event (4.1, 4.4, 4.6, 4.7).
func (r *Recorder) kms(ev kms.Event) {
	via := ev.Call.ViaService != ""
	invokedBy, ip, agent := "", r.ClientIP, r.UserAgent
	if via { // S3 calls KMS with the caller's identity
		invokedBy, ip, agent = "AWS Internal", "AWS Internal", "AWS Internal"
	}
	var params omap
	for _, name := range []string{"pendingWindowInDays", "keyId", "encryptionAlgorithm", "encryptionContext", "keySpec", "numberOfBytes",
		"granteePrincipal", "operations", "grantId", "policyName", "policy", "bypassPolicyLockoutSafetyCheck",
		"destinationKeyId", "sourceEncryptionContext", "destinationEncryptionContext"} {
		if v, ok := ev.Parameters[name]; ok {
			if strings.HasSuffix(name, "ncryptionContext") {
				if ec, _ := v.(map[string]string); len(ec) == 0 {
					continue // a call without a context has none in its record
				}
				v = contextJSON(v)
			}
			params = append(params, kv{name, v})
		}
	}
	rec := append(make(omap, 0, 24), kv{"eventVersion", "1.11"}, kv{"userIdentity", r.identity(ev.Call.Caller, invokedBy)}, kv{"eventTime", r.now()},
		kv{"eventSource", "kms.amazonaws.com"}, kv{"eventName", ev.Name}, kv{"awsRegion", r.w.Region},
		kv{"sourceIPAddress", ip}, kv{"userAgent", agent})
	if code, msg := errorFields(ev.Err); code != "" {
		rec = append(rec, kv{"errorCode", code}, kv{"errorMessage", msg})
	}
	var resp any
	if ev.Response != nil {
		var o omap
		for _, name := range []string{"keyId", "keyState", "deletionDate", "grantId"} {
			if v, ok := ev.Response[name]; ok {
				o = append(o, kv{name, v})
			}
		}
		resp = o
	}
	rec = append(rec, kv{"requestParameters", params}, kv{"responseElements", resp})
	if ev.Err == nil && ev.ReadOnly && ev.KeyARN != "" {
		rec = append(rec, kv{"additionalEventData", omap{{"keyMaterialId", r.materialID(ev.KeyARN)}}})
	}
	rec = append(rec, kv{"requestID", r.uuid()}, kv{"eventID", r.uuid()}, kv{"readOnly", ev.ReadOnly})
	if ev.KeyARN != "" {
		rec = append(rec, kv{"resources", []omap{{{"accountId", r.w.Account}, {"type", "AWS::KMS::Key"}, {"ARN", ev.KeyARN}}}})
	}
	rec = append(rec, kv{"eventType", "AwsApiCall"}, kv{"managementEvent", true}, kv{"recipientAccountId", r.w.Account}, kv{"eventCategory", "Management"})
	r.add(rec)
}

// s3 records an S3 data event (4.9, 4.10).
func (r *Recorder) s3(ev s3.Event) {
	host := ev.Bucket + ".s3." + r.w.Region + ".amazonaws.com"
	if r.w.Region == "us-east-1" {
		host = ev.Bucket + ".s3.amazonaws.com"
	}
	params := omap{{"bucketName", ev.Bucket}, {"Host", host}, {"key", ev.Key}}
	switch {
	case ev.Name == "CreateMultipartUpload":
		params = append(params, kv{"uploads", ""})
	case ev.PartNumber > 0:
		params = append(params, kv{"partNumber", strconv.Itoa(ev.PartNumber)}, kv{"uploadId", ev.UploadID})
	case ev.UploadID != "":
		params = append(params, kv{"uploadId", ev.UploadID})
	}
	for _, h := range []string{"x-amz-copy-source", "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"} {
		if v := ev.Headers[h]; v != "" {
			params = append(params, kv{h, v})
		}
	}
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
	rec := append(make(omap, 0, 24), kv{"eventVersion", "1.10"}, kv{"userIdentity", r.identity(ev.Request.Caller, "")}, kv{"eventTime", r.now()},
		kv{"eventSource", "s3.amazonaws.com"}, kv{"eventName", ev.Name}, kv{"awsRegion", r.w.Region},
		kv{"sourceIPAddress", r.ClientIP}, kv{"userAgent", agent})
	if code, msg := errorFields(ev.Err); code != "" {
		rec = append(rec, kv{"errorCode", code}, kv{"errorMessage", msg})
	}
	var resp any
	if len(ev.Response) > 0 && ev.Err == nil {
		o := omap{}
		for _, h := range []string{"x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-bucket-key-enabled"} {
			if v := ev.Response[h]; v != "" {
				o = append(o, kv{h, v})
			}
		}
		resp = o
	}
	extra := omap{{"SignatureVersion", sig}, {"CipherSuite", "TLS_AES_128_GCM_SHA256"}, {"bytesTransferredIn", ev.BytesIn}}
	if ev.SSEApplied != "" {
		extra = append(extra, kv{"SSEApplied", ev.SSEApplied})
	}
	extra = append(extra, kv{"AuthenticationMethod", auth}, kv{"x-amz-id-2", strings.ToLower(r.s3RequestID()) + "="}, kv{"bytesTransferredOut", ev.BytesOut})
	rec = append(rec, kv{"requestParameters", params}, kv{"responseElements", resp}, kv{"additionalEventData", extra},
		kv{"requestID", r.s3RequestID()}, kv{"eventID", r.uuid()}, kv{"readOnly", ev.Name == "GetObject" || ev.Name == "HeadObject"},
		kv{"resources", []omap{{{"type", "AWS::S3::Object"}, {"ARN", "arn:aws:s3:::" + ev.Bucket + "/" + ev.Key}}, {{"accountId", ev.BucketAccount}, {"type", "AWS::S3::Bucket"}, {"ARN", "arn:aws:s3:::" + ev.Bucket}}}},
		kv{"eventType", "AwsApiCall"}, kv{"managementEvent", false}, kv{"recipientAccountId", ev.BucketAccount}, kv{"eventCategory", "Data"},
		kv{"tlsDetails", omap{{"tlsVersion", "TLSv1.3"}, {"cipherSuite", "TLS_AES_128_GCM_SHA256"}, {"clientProvidedHostHeader", host}}})
	r.add(rec)
}

func (r *Recorder) add(rec omap) {
	r.Records = append(r.Records, rec.appendJSON(make([]byte, 0, 1536)))
}

// WriteLog writes the records as one CloudTrail log file body: {"Records": [...]} on one line.
func (r *Recorder) WriteLog(w io.Writer) error {
	recs := r.Records
	if recs == nil {
		recs = []json.RawMessage{}
	}
	b, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
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
