package simulate

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/simulate/s3"
)

// CreateGrant's record lists the grant's principals and constraints among its request
// parameters and the new grant's id with the key's ARN as its response (TRAIL-FORMATS 4.8);
// RetireGrant's, as KMS's CloudTrail examples show, has no request parameters (a grant token is
// a credential), the key as its response and the grant id in additionalEventData.
func TestGrantRecords(t *testing.T) {
	rec := recordScenario(t, "../fixtures/scenarios/grants-and-lockout.yaml")
	var created, retired []string
	for _, raw := range rec.Records {
		var r struct {
			EventName  string
			ErrorCode  string
			Parameters *struct {
				KeyID, GranteePrincipal, RetiringPrincipal string
				Constraints                                map[string]map[string]string
				Operations                                 []string
			} `json:"requestParameters"`
			Response   *struct{ GrantID, KeyID string } `json:"responseElements"`
			Additional struct{ GrantID string }         `json:"additionalEventData"`
			Resources  []struct{ ARN string }
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
		if r.ErrorCode != "" {
			continue
		}
		if r.EventName == "RetireGrant" {
			retired = append(retired, r.Additional.GrantID)
			if r.Parameters != nil || r.Response == nil || len(r.Resources) != 1 || r.Response.KeyID != r.Resources[0].ARN {
				t.Errorf("RetireGrant record: %s", raw)
			}
		}
		if r.EventName != "CreateGrant" {
			continue
		}
		if r.Response != nil {
			created = append(created, r.Response.GrantID)
		}
		if len(created) > 1 {
			continue
		}
		p := r.Parameters
		if p.KeyID != "alias/myFirstKey" || p.GranteePrincipal != "arn:aws:iam::526262051452:role/app" ||
			p.RetiringPrincipal != "arn:aws:iam::526262051452:role/ops" || len(p.Operations) != 1 || p.Operations[0] != "Decrypt" ||
			p.Constraints["encryptionContextSubset"]["aws:s3:arn"] != "arn:aws:s3:::kms-bogo-test/eiffel.png" {
			t.Errorf("requestParameters: %+v", p)
		}
		if r.Response == nil || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(r.Response.GrantID) ||
			len(r.Resources) != 1 || r.Response.KeyID != r.Resources[0].ARN {
			t.Errorf("responseElements: %+v (resources %+v)", r.Response, r.Resources)
		}
	}
	if len(created) != 2 || len(retired) != 2 || created[0] != retired[0] || created[1] != retired[1] {
		t.Errorf("grants created %v, retired %v: want the two, in order", created, retired)
	}
}

// ReEncrypt's record follows KMS's CloudTrail example: both algorithms and contexts around the
// destination key id, both keys' material ids, and the source key then the destination key
// among its resources.
func TestReEncryptRecord(t *testing.T) {
	rec := recordScenario(t, "../fixtures/scenarios/direct-kms.yaml")
	found := 0
	for _, raw := range rec.Records {
		var r struct {
			EventName, ErrorCode string
			Parameters           json.RawMessage   `json:"requestParameters"`
			Additional           map[string]string `json:"additionalEventData"`
			Resources            []struct{ ARN string }
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		if r.EventName != "ReEncrypt" || r.ErrorCode != "" {
			continue
		}
		found++
		if !regexp.MustCompile(`^\{"sourceEncryptionAlgorithm":"SYMMETRIC_DEFAULT","sourceEncryptionContext":\{[^}]*\},"destinationKeyId":"[^"]+","destinationEncryptionAlgorithm":"SYMMETRIC_DEFAULT","destinationEncryptionContext":\{[^}]*\}\}$`).Match(r.Parameters) {
			t.Errorf("requestParameters: %s", r.Parameters)
		}
		if len(r.Resources) != 2 || r.Resources[0].ARN == r.Resources[1].ARN || len(r.Additional["sourceKeyMaterialId"]) != 64 ||
			len(r.Additional["destinationKeyMaterialId"]) != 64 || r.Additional["sourceKeyMaterialId"] == r.Additional["destinationKeyMaterialId"] {
			t.Errorf("resources %+v, additionalEventData %v", r.Resources, r.Additional)
		}
	}
	if found == 0 {
		t.Error("no successful ReEncrypt record")
	}
}

// recordScenario runs a scenario file and returns the CloudTrail records of its calls.
func recordScenario(t *testing.T, file string) *Recorder {
	t.Helper()
	sc, err := LoadScenarioFile(file)
	if err != nil {
		t.Fatal(err)
	}
	w, steps, err := sc.Build(1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	rec := w.Record()
	Run(w, steps)
	return rec
}

// S3 data events say how a request was authenticated as TRAIL-FORMATS 4.9 and 4.10 show: a
// presigned URL's X-Amz-* parameters (never its signature) among requestParameters with
// AuthenticationMethod QueryString; an anonymous request carries no SignatureVersion and no
// AuthenticationMethod.
func TestS3RecordAuthentication(t *testing.T) {
	w, steps, err := SeedWalkthrough(1)
	if err != nil {
		t.Fatal(err)
	}
	rec := w.Record()
	Run(w, steps)
	seen := map[string]int{}
	for _, raw := range rec.Records {
		var r struct {
			EventSource  string
			UserIdentity struct{ Type string }
			Parameters   map[string]any `json:"requestParameters"`
			Additional   map[string]any `json:"additionalEventData"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		if r.EventSource != "s3.amazonaws.com" {
			continue
		}
		_, hasSig := r.Additional["SignatureVersion"]
		_, hasAuth := r.Additional["AuthenticationMethod"]
		_, hasSignature := r.Parameters["X-Amz-Signature"]
		switch {
		case r.UserIdentity.Type == "AWSAccount": // the public URL
			seen["anonymous"]++
			if hasSig || hasAuth {
				t.Errorf("anonymous request with authentication: %s", raw)
			}
		case r.Additional["AuthenticationMethod"] == "QueryString" && r.Additional["SignatureVersion"] == "SigV4":
			seen["presigned"]++
			if r.Parameters["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256" || r.Parameters["X-Amz-Expires"] != "3600" ||
				r.Parameters["X-Amz-SignedHeaders"] != "host" || r.Parameters["X-Amz-Date"] != "20261129T120000Z" ||
				!regexp.MustCompile(`^AKIA[A-Z2-7]{16}/20261129/us-east-1/s3/aws4_request$`).MatchString(r.Parameters["X-Amz-Credential"].(string)) || hasSignature {
				t.Errorf("presigned request parameters: %v", r.Parameters)
			}
		default:
			if !hasSig || !hasAuth {
				t.Errorf("signed request without its authentication: %s", raw)
			}
		}
	}
	if seen["anonymous"] != 1 || seen["presigned"] != 2 {
		t.Errorf("records seen: %v (want the public URL once, the presigned URL twice)", seen)
	}
}

// A role session's records look like real ones: temporary ASIA credentials, a sessionContext
// with its issuer, empty webIdFederationData and its attributes; direct KMS calls carry
// tlsDetails for the KMS endpoint, calls S3 made on the caller's behalf none.
func TestSessionIdentityAndTLS(t *testing.T) {
	rec := recordScenario(t, "../fixtures/scenarios/grants-and-lockout.yaml")
	var sessions, direct, viaS3 int
	for _, raw := range rec.Records {
		var r struct {
			EventSource  string
			UserIdentity struct {
				Type, AccessKeyID, InvokedBy string
				SessionContext               *struct {
					WebIDFederationData map[string]any `json:"webIdFederationData"`
					Attributes          struct{ CreationDate, MfaAuthenticated string }
				}
			}
			TLSDetails *struct{ ClientProvidedHostHeader string }
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		id := r.UserIdentity
		if id.Type == "AssumedRole" {
			sessions++
			if !regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`).MatchString(id.AccessKeyID) || id.SessionContext == nil || id.SessionContext.WebIDFederationData == nil ||
				id.SessionContext.Attributes.CreationDate != "2026-11-29T15:00:00Z" || id.SessionContext.Attributes.MfaAuthenticated != "false" {
				t.Errorf("session identity: %s", raw)
			}
		}
		if r.EventSource != "kms.amazonaws.com" {
			continue
		}
		switch {
		case id.InvokedBy == "" && r.TLSDetails != nil && r.TLSDetails.ClientProvidedHostHeader == "kms.us-east-1.amazonaws.com":
			direct++
		case id.InvokedBy != "" && r.TLSDetails == nil:
			viaS3++
		default:
			t.Errorf("tlsDetails: %s", raw)
		}
	}
	if sessions == 0 || direct == 0 || viaS3 == 0 {
		t.Errorf("sessions %d, direct KMS calls %d, KMS calls through S3 %d", sessions, direct, viaS3)
	}
}

// A role session's presigned URL carries its session token, and S3 serves it.
func TestSessionPresign(t *testing.T) {
	w, _, err := SeedWalkthrough(1)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	id, err := w.AddIdentity("arn:aws:sts::526262051452:assumed-role/reader/s1", policy.MustParse("s3.json", policy.Identity,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.S3.PutObject(s3.Request{Caller: id.Principal, SigV4: true, HTTPS: true}, SeedBucket, "plain.txt", strings.NewReader("hello"), s3.PutOptions{SSE: s3.SSES3}); err == nil {
		t.Fatal("a reader session put an object") // its policy allows GetObject only
	}
	if _, err := w.S3.PutObject(s3.Request{Caller: w.Identity(UserK).Principal, SigV4: true, HTTPS: true}, SeedBucket, "plain.txt", strings.NewReader("hello"), s3.PutOptions{SSE: s3.SSES3}); err != nil {
		t.Fatal(err)
	}
	u, err := w.Presign(id, "GET", "", SeedBucket, "plain.txt", time.Hour)
	if err != nil || !strings.Contains(u, "X-Amz-Security-Token=") || id.Key.SessionToken == "" {
		t.Fatalf("presign: %v %s", err, u)
	}
	var out bytes.Buffer
	if _, err := w.Fetch("GET", u, nil, &out); err != nil || out.String() != "hello" {
		t.Fatalf("fetch: %v %q", err, out.String())
	}
}
