// Package kms simulates AWS KMS for keytrail: customer managed keys with key policies and
// states, aliases, data keys, Encrypt/Decrypt with a ciphertext blob that binds the key and
// the encryption context, and AWS's exception names and messages. Every call is authorized by
// policy.Evaluate with the context keys KMS supplies.
package kms

import (
	"crypto/cipher"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/keytrail/keytrail/policy"
)

// KeyState is a key's state.
type KeyState string

// The key states keytrail models.
const (
	Enabled         KeyState = "Enabled"
	Disabled        KeyState = "Disabled"
	PendingDeletion KeyState = "PendingDeletion"
)

// Key is one KMS key.
type Key struct {
	ID, ARN, Account, Region string
	Description              string
	Policy                   *policy.Policy
	State                    KeyState
	DeletionDate             time.Time
	Created                  time.Time
	AWSManaged               bool
	Grants                   []*policy.Grant
	material                 []byte // 256-bit key material
	materialID               [16]byte
	gcm                      cipher.AEAD // made from material on first use
}

// Error is a KMS error as the API returns it: the exception name and message. For access
// denials, Decision explains which policies decided (AWS gives no such explanation).
type Error struct {
	Code     string // AccessDeniedException, DisabledException, NotFoundException, ...
	Message  string
	Decision *policy.Explanation
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Identities gives the caller's identity policies, boundary and session policy, for
// authorization (the world's IAM).
type Identities interface {
	PolicySet(p policy.Principal) (identity []*policy.Policy, boundary, session *policy.Policy)
}

// Call is who calls and how: the caller, the service the call comes through (kms:ViaService,
// "" for direct calls) and extra request context (aws:SourceIp, aws:SecureTransport...).
type Call struct {
	Caller     policy.Principal
	ViaService string
	Context    map[string][]string
}

// KMS is one Region's keys.
type KMS struct {
	Region     string
	Account    string // the account that owns the keys
	Identities Identities
	Rand       io.Reader        // key material, data keys and nonces (seeded for reproducibility)
	Now        func() time.Time // the virtual clock
	// OnCall, when set, is told of every API call as it completes (for CloudTrail).
	OnCall  func(Event)
	keys    map[string]*Key
	byARN   map[string]*Key
	aliases map[string]string // alias/name → key id
	order   []string
	tokens  map[string]grantRef // grant tokens CreateGrant gave
	req     policy.Request      // authorize's, reused
	via     []string            // its last kms:ViaService value
	ad      []byte              // scratch for blobs' associated data
}

// Event is one completed KMS API call.
type Event struct {
	Call   Call
	Name   string // GenerateDataKey, Decrypt, Encrypt, DisableKey, ...
	KeyARN string // the key, when the call resolved one (ReEncrypt: the destination)
	// SourceKeyARN is ReEncrypt's source key.
	SourceKeyARN string
	Parameters   Params // requestParameters, as CloudTrail logs them
	// NoParameters: CloudTrail logs requestParameters as null (RetireGrant).
	NoParameters bool
	GrantID      string    // additionalEventData.grantId (RetireGrant)
	Response     *Response // responseElements (nil for read-only calls)
	Err          error
	ReadOnly     bool
}

// Params are a call's request parameters as CloudTrail logs them; zero fields were not sent.
type Params struct {
	PendingWindowInDays            int
	KeyID                          string
	EncryptionAlgorithm            string
	EncryptionContext              map[string]string
	KeySpec                        string
	NumberOfBytes                  int
	GranteePrincipal               string
	RetiringPrincipal              string
	ConstraintEquals               map[string]string // constraints.encryptionContextEquals
	ConstraintSubset               map[string]string // constraints.encryptionContextSubset
	Operations                     []string
	GrantID                        string
	PolicyName, Policy             string
	BypassPolicyLockoutSafetyCheck *bool
	SourceEncryptionAlgorithm      string
	SourceEncryptionContext        map[string]string
	DestinationKeyID               string
	DestinationEncryptionAlgorithm string
	DestinationEncryptionContext   map[string]string
}

// Response is a key-management call's responseElements; empty fields are absent.
type Response struct {
	GrantID, KeyID, KeyState, DeletionDate string
}

func (k *KMS) emit(ev Event) {
	if k.OnCall != nil {
		k.OnCall(ev)
	}
}

// New makes an empty KMS for an account and Region.
func New(account, region string, ids Identities, rand io.Reader, now func() time.Time) *KMS {
	return &KMS{Region: region, Account: account, Identities: ids, Rand: rand, Now: now, keys: map[string]*Key{}, byARN: map[string]*Key{}, aliases: map[string]string{}}
}

// CreateKey makes a key with the policy (a key policy is required; AWS would apply its default
// one) and returns it. id may be "" for a random UUID.
func (k *KMS) CreateKey(id string, p *policy.Policy, description string) (*Key, error) {
	if p == nil {
		return nil, errorf("MalformedPolicyDocumentException", "a key needs a key policy")
	}
	if id == "" {
		var b [16]byte
		if _, err := io.ReadFull(k.Rand, b[:]); err != nil {
			return nil, err
		}
		b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
		id = fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	}
	if _, dup := k.keys[id]; dup {
		return nil, errorf("AlreadyExistsException", "key %s already exists", id)
	}
	key := &Key{ID: id, ARN: fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", k.Region, k.Account, id), Account: k.Account, Region: k.Region,
		Description: description, Policy: p, State: Enabled, Created: k.Now(), material: make([]byte, 32)}
	if _, err := io.ReadFull(k.Rand, key.material); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(k.Rand, key.materialID[:]); err != nil {
		return nil, err
	}
	k.keys[id] = key
	k.byARN[key.ARN] = key
	k.order = append(k.order, id)
	return key, nil
}

// CreateAlias points alias/NAME at a key.
func (k *KMS) CreateAlias(name, keyID string) error {
	if !strings.HasPrefix(name, "alias/") || strings.HasPrefix(name, "alias/aws/") {
		return errorf("ValidationException", "Alias must start with the prefix \"alias/\" and must not begin with \"alias/aws/\"")
	}
	key, err := k.lookup(keyID)
	if err != nil {
		return err
	}
	if _, dup := k.aliases[name]; dup {
		return errorf("AlreadyExistsException", "An alias with the name arn:aws:kms:%s:%s:%s already exists", k.Region, k.Account, name)
	}
	k.aliases[name] = key.ID
	return nil
}

// Aliases lists the aliases, sorted.
func (k *KMS) Aliases() map[string]string {
	out := make(map[string]string, len(k.aliases))
	for a, id := range k.aliases {
		out[a] = id
	}
	return out
}

// awsManagedPolicy is the documented key policy of an AWS managed key for a service (aws/s3):
// any principal of the account, through the service only, plus key metadata for the account.
const awsManagedPolicy = `{"Version":"2012-10-17","Id":"auto-%[1]s-2","Statement":[
{"Sid":"Allow access through %[3]s for all principals in the account that are authorized to use %[3]s","Effect":"Allow","Principal":{"AWS":"*"},
 "Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*",
 "Condition":{"StringEquals":{"kms:CallerAccount":"%[2]s","kms:ViaService":"%[1]s.%[4]s.amazonaws.com"}}},
{"Sid":"Allow direct access to key metadata to the account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%[2]s:root"},
 "Action":["kms:Describe*","kms:Get*","kms:List*"],"Resource":"*"}]}`

// awsManaged returns the AWS managed key of a service (alias/aws/SERVICE), creating it on
// first use as AWS does.
func (k *KMS) awsManaged(service string) (*Key, error) {
	alias := "alias/aws/" + service
	if id, ok := k.aliases[alias]; ok {
		return k.keys[id], nil
	}
	names := map[string]string{"s3": "S3", "ebs": "EBS", "rds": "RDS", "lambda": "Lambda", "secretsmanager": "Secrets Manager"}
	name := names[service]
	if name == "" {
		return nil, errorf("NotFoundException", "Alias arn:aws:kms:%s:%s:%s is not found.", k.Region, k.Account, alias)
	}
	p, err := policy.Parse("aws/"+service+" key policy", policy.Key, []byte(fmt.Sprintf(awsManagedPolicy, service, k.Account, name, k.Region)))
	if err != nil {
		return nil, err
	}
	key, err := k.CreateKey("", p, "Default key that protects my "+name+" objects when no other key is defined")
	if err != nil {
		return nil, err
	}
	key.AWSManaged = true
	k.aliases[alias] = key.ID
	return key, nil
}

// lookup resolves a key id, key ARN, alias name or alias ARN, as KMS accepts them.
func (k *KMS) lookup(ref string) (*Key, error) {
	if svc, ok := strings.CutPrefix(ref, "alias/aws/"); ok {
		return k.awsManaged(svc)
	}
	id := ref
	switch {
	case strings.HasPrefix(ref, "arn:"):
		resource, ok := arnResource(ref)
		if rest, isKey := strings.CutPrefix(resource, "key/"); ok && isKey {
			id = rest
		} else if ok && strings.HasPrefix(resource, "alias/") {
			id = k.aliases[resource]
		}
	case strings.HasPrefix(ref, "alias/"):
		id = k.aliases[ref]
	}
	if key := k.keys[id]; key != nil && id != "" {
		return key, nil
	}
	if strings.HasPrefix(ref, "alias/") || strings.Contains(ref, ":alias/") {
		return nil, errorf("NotFoundException", "Alias %s is not found.", aliasARN(k, ref))
	}
	return nil, errorf("NotFoundException", "Invalid keyId '%s'", ref)
}

// arnResource is the part of an ARN after its fifth colon ("key/ID", "alias/NAME").
func arnResource(arn string) (string, bool) {
	for range 5 {
		c := strings.IndexByte(arn, ':')
		if c < 0 {
			return "", false
		}
		arn = arn[c+1:]
	}
	return arn, true
}

func aliasARN(k *KMS, ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		return ref
	}
	return fmt.Sprintf("arn:aws:kms:%s:%s:%s", k.Region, k.Account, ref)
}

// Key returns a key by id, ARN or alias.
func (k *KMS) Key(ref string) (*Key, error) { return k.lookup(ref) }

// usable checks the key state for a cryptographic operation.
func usable(key *Key) error {
	switch key.State {
	case Disabled:
		return errorf("DisabledException", "%s is disabled.", key.ARN)
	case PendingDeletion:
		return errorf("KMSInvalidStateException", "%s is pending deletion.", key.ARN)
	}
	return nil
}

// authorize decides the call through policy.Evaluate with the context keys KMS supplies.
func (k *KMS) authorize(c Call, action string, key *Key, ec map[string]string) error {
	set := &policy.Set{Resource: key.Policy, Grants: key.Grants}
	if k.Identities != nil {
		set.Identity, set.Boundary, set.Session = k.Identities.PolicySet(c.Caller)
	}
	req := &k.req // reused: no decision keeps its request
	req.Context.Reset()
	*req = policy.Request{Principal: c.Caller, Action: action, Resource: key.ARN, Time: k.Now(), Context: req.Context}
	for name, vals := range c.Context {
		req.Context.Set(name, vals...)
	}
	if c.ViaService != "" {
		if len(k.via) != 1 || k.via[0] != c.ViaService {
			k.via = []string{c.ViaService}
		}
		req.Context.Set("kms:ViaService", k.via...)
	}
	for name, v := range ec { // the order of context keys does not matter to the evaluator
		req.Context.Set("kms:EncryptionContext:"+name, v)
	}
	if set.Evaluate(req).Outcome == policy.Allow {
		return nil
	}
	x := set.Explain(req) // the explanation, only for a denial
	why := denialReason(x, action)
	return &Error{Code: "AccessDeniedException", Decision: x,
		Message: fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s because %s", c.Caller.ARN, action, key.ARN, why)}
}

// denialReason words a denial as AWS's access-denied messages do.
func denialReason(x *policy.Explanation, action string) string {
	d := x.Decision
	if d.Outcome == policy.ExplicitDeny {
		kind := "an identity-based policy"
		if st := d.Statements(); len(st) > 0 {
			switch st[0].Policy.Kind {
			case policy.Key, policy.Resource:
				kind = "a resource-based policy"
			case policy.SCP:
				kind = "a service control policy"
			case policy.RCP:
				kind = "a resource control policy"
			case policy.Endpoint:
				kind = "a VPC endpoint policy"
			}
		}
		return "with an explicit deny in " + kind
	}
	switch d.Gap {
	case policy.GapIdentity, policy.GapCrossAccountKey:
		return "no identity-based policy allows the " + action + " action"
	case policy.GapBoundary:
		return "no permissions boundary allows the " + action + " action"
	case policy.GapSession:
		return "no session policy allows the " + action + " action"
	case policy.GapSCP:
		return "no service control policy allows the " + action + " action"
	case policy.GapEndpoint:
		return "no VPC endpoint policy allows the " + action + " action"
	}
	return "no resource-based policy allows the " + action + " action"
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// SetState enables or disables a key (EnableKey / DisableKey, authorized).
func (k *KMS) SetState(c Call, ref string, enabled bool) (err error) {
	name := "DisableKey"
	if enabled {
		name = "EnableKey"
	}
	var arn string
	defer func() {
		k.emit(Event{Call: c, Name: name, KeyARN: arn, Parameters: Params{KeyID: ref}, Err: err})
	}()
	key, err := k.lookup(ref)
	if err != nil {
		return err
	}
	arn = key.ARN
	action := "kms:DisableKey"
	if enabled {
		action = "kms:EnableKey"
	}
	if err := k.authorize(c, action, key, nil); err != nil {
		return err
	}
	if key.State == PendingDeletion {
		return errorf("KMSInvalidStateException", "%s is pending deletion.", key.ARN)
	}
	key.State = Disabled
	if enabled {
		key.State = Enabled
	}
	return nil
}

// ScheduleKeyDeletion puts a key in PendingDeletion for 7 to 30 days.
func (k *KMS) ScheduleKeyDeletion(c Call, ref string, days int) (when time.Time, err error) {
	var arn string
	defer func() {
		ev := Event{Call: c, Name: "ScheduleKeyDeletion", KeyARN: arn, Parameters: Params{PendingWindowInDays: days, KeyID: ref}, Err: err}
		if err == nil {
			// KMS formats dates in responseElements its own way: "Apr 12, 2021 6:58:30 PM".
			ev.Response = &Response{KeyID: arn, KeyState: string(PendingDeletion), DeletionDate: when.UTC().Format("Jan 2, 2006 3:04:05 PM")}
		}
		k.emit(ev)
	}()
	key, err := k.lookup(ref)
	if err != nil {
		return time.Time{}, err
	}
	arn = key.ARN
	if days < 7 || days > 30 {
		return time.Time{}, errorf("ValidationException", "1 validation error detected: Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30 and greater than or equal to 7", days)
	}
	if err := k.authorize(c, "kms:ScheduleKeyDeletion", key, nil); err != nil {
		return time.Time{}, err
	}
	if key.State == PendingDeletion {
		return time.Time{}, errorf("KMSInvalidStateException", "%s is pending deletion.", key.ARN)
	}
	key.State, key.DeletionDate = PendingDeletion, k.Now().Add(time.Duration(days)*24*time.Hour)
	return key.DeletionDate, nil
}

// CancelKeyDeletion returns a key pending deletion to Disabled, as KMS does.
func (k *KMS) CancelKeyDeletion(c Call, ref string) (err error) {
	var arn string
	defer func() {
		ev := Event{Call: c, Name: "CancelKeyDeletion", KeyARN: arn, Parameters: Params{KeyID: ref}, Err: err}
		if err == nil {
			ev.Response = &Response{KeyID: arn}
		}
		k.emit(ev)
	}()
	key, err := k.lookup(ref)
	if err != nil {
		return err
	}
	arn = key.ARN
	if err := k.authorize(c, "kms:CancelKeyDeletion", key, nil); err != nil {
		return err
	}
	if key.State != PendingDeletion {
		return errorf("KMSInvalidStateException", "%s is not pending deletion.", key.ARN)
	}
	key.State, key.DeletionDate = Disabled, time.Time{}
	return nil
}
