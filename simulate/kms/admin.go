package kms

import (
	"encoding/hex"
	"fmt"
	"io"

	"github.com/keytrail/keytrail/policy"
)

// GrantRequest is CreateGrant's input.
type GrantRequest struct {
	Grantee           string
	RetiringPrincipal string
	Operations        []string
	Name              string
	// Constraints: at most one of the two.
	EncryptionContextEquals map[string]string
	EncryptionContextSubset map[string]string
}

// CreateGrant adds a grant to a key, authorized as kms:CreateGrant with the context keys KMS
// supplies: kms:GrantOperations, kms:GranteePrincipal, kms:RetiringPrincipal,
// kms:GrantIsForAWSResource (true when an AWS service calls for the caller), and the
// constraint's kms:EncryptionContext:* and kms:GrantConstraintType. It returns the grant id
// and token.
func (k *KMS) CreateGrant(c Call, ref string, g GrantRequest) (id, token string, err error) {
	var arn string
	defer func() {
		ev := Event{Call: c, Name: "CreateGrant", KeyARN: arn, Parameters: Params{KeyID: ref, GranteePrincipal: g.Grantee, RetiringPrincipal: g.RetiringPrincipal,
			ConstraintEquals: g.EncryptionContextEquals, ConstraintSubset: g.EncryptionContextSubset, Operations: g.Operations}, Err: err}
		if err == nil {
			ev.Response = &Response{GrantID: id, KeyID: arn}
		}
		k.emit(ev)
	}()
	key, err := k.lookup(ref)
	if err != nil {
		return "", "", err
	}
	arn = key.ARN
	if len(g.Operations) == 0 {
		return "", "", errorf("ValidationException", "1 validation error detected: Value null at 'operations' failed to satisfy constraint: Member must not be null")
	}
	grant := &policy.Grant{GranteePrincipal: g.Grantee, RetiringPrincipal: g.RetiringPrincipal, Operations: g.Operations, Name: g.Name,
		EncryptionContextEquals: g.EncryptionContextEquals, EncryptionContextSubset: g.EncryptionContextSubset}
	if err := grant.Compile(); err != nil {
		return "", "", errorf("ValidationException", "%v", err)
	}
	ctx := map[string][]string{"kms:GrantOperations": g.Operations, "kms:GranteePrincipal": {g.Grantee},
		"kms:GrantIsForAWSResource": {fmt.Sprint(c.ViaService != "")}}
	if g.RetiringPrincipal != "" {
		ctx["kms:RetiringPrincipal"] = []string{g.RetiringPrincipal}
	}
	ec := g.EncryptionContextSubset
	switch {
	case g.EncryptionContextEquals != nil:
		ctx["kms:GrantConstraintType"], ec = []string{"EncryptionContextEquals"}, g.EncryptionContextEquals
	case g.EncryptionContextSubset != nil:
		ctx["kms:GrantConstraintType"] = []string{"EncryptionContextSubset"}
	}
	for name, v := range c.Context {
		ctx[name] = v
	}
	c.Context = ctx
	if err := k.authorize(c, "kms:CreateGrant", key, ec); err != nil {
		return "", "", err
	}
	if err := usable(key); err != nil {
		return "", "", err
	}
	var b [32]byte
	io.ReadFull(k.Rand, b[:])
	grant.ID = hex.EncodeToString(b[:])
	io.ReadFull(k.Rand, b[:])
	token = "AQpAM2" + hex.EncodeToString(b[:])
	if k.tokens == nil {
		k.tokens = map[string]grantRef{}
	}
	k.tokens[token] = grantRef{keyID: key.ID, grantID: grant.ID}
	if err := grant.Compile(); err != nil {
		return "", "", err
	}
	key.Grants = append(key.Grants, grant)
	return grant.ID, token, nil
}

// grantRef is the grant a token stands for.
type grantRef struct{ keyID, grantID string }

// ListGrants returns a key's grants (authorized as kms:ListGrants).
func (k *KMS) ListGrants(c Call, ref string) ([]*policy.Grant, error) {
	key, err := k.lookup(ref)
	if err != nil {
		return nil, err
	}
	if err := k.authorize(c, "kms:ListGrants", key, nil); err != nil {
		return nil, err
	}
	return append([]*policy.Grant(nil), key.Grants...), nil
}

func (k *KMS) removeGrant(key *Key, id string) error {
	for i, g := range key.Grants {
		if g.ID == id {
			key.Grants = append(key.Grants[:i], key.Grants[i+1:]...)
			return nil
		}
	}
	return errorf("NotFoundException", "Grant ID %s not found", id)
}

// RetireGrant retires a grant, named by its grant token (CreateGrant's) or by the key and the
// grant id: its retiring principal, a grantee holding RetireGrant, or an IAM principal of the
// key's account with kms:RetireGrant may (the evaluator applies KMS's rules: kms:RetireGrant is
// not effective in a key policy). CloudTrail logs no request parameters for it (a token is a
// credential): the key answers in responseElements, the grant id in additionalEventData.
func (k *KMS) RetireGrant(c Call, ref, grantID, token string) (err error) {
	var arn string
	defer func() {
		ev := Event{Call: c, Name: "RetireGrant", KeyARN: arn, NoParameters: true, GrantID: grantID, Err: err}
		if err == nil {
			ev.Response = &Response{KeyID: arn}
		}
		k.emit(ev)
	}()
	if token != "" {
		t, ok := k.tokens[token]
		if ok && ref != "" { // a key given with the token must be the token's (by any name)
			named, err := k.lookup(ref)
			ok = err == nil && named.ID == t.keyID
		}
		if !ok || grantID != "" && grantID != t.grantID {
			return errorf("InvalidGrantTokenException", "The request was rejected because the specified grant token is not valid.")
		}
		ref, grantID = t.keyID, t.grantID
	}
	key, err := k.lookup(ref)
	if err != nil {
		return err
	}
	arn = key.ARN
	var target *policy.Grant
	for _, g := range key.Grants {
		if g.ID == grantID {
			target = g
		}
	}
	if target == nil {
		return errorf("NotFoundException", "Grant ID %s not found", grantID)
	}
	// Only the grant being retired speaks for the caller.
	only := &Key{ARN: key.ARN, Policy: key.Policy, Grants: []*policy.Grant{target}}
	if err := k.authorize(c, "kms:RetireGrant", only, nil); err != nil {
		return err
	}
	return k.removeGrant(key, grantID)
}

// RevokeGrant revokes a grant (authorized as kms:RevokeGrant).
func (k *KMS) RevokeGrant(c Call, ref, grantID string) (err error) {
	var arn string
	defer func() {
		k.emit(Event{Call: c, Name: "RevokeGrant", KeyARN: arn, Parameters: Params{KeyID: ref, GrantID: grantID}, Err: err})
	}()
	key, err := k.lookup(ref)
	if err != nil {
		return err
	}
	arn = key.ARN
	if err := k.authorize(c, "kms:RevokeGrant", key, nil); err != nil {
		return err
	}
	return k.removeGrant(key, grantID)
}

// PutKeyPolicy replaces a key's policy. Unless bypass is set, KMS's lockout safety check
// requires that the caller could change the policy again under the new one.
func (k *KMS) PutKeyPolicy(c Call, ref string, text []byte, bypass bool) (err error) {
	var arn string
	defer func() {
		k.emit(Event{Call: c, Name: "PutKeyPolicy", KeyARN: arn, Parameters: Params{KeyID: ref, PolicyName: "default",
			Policy: string(text), BypassPolicyLockoutSafetyCheck: &bypass}, Err: err})
	}()
	key, err := k.lookup(ref)
	if err != nil {
		return err
	}
	arn = key.ARN
	if key.AWSManaged {
		return &Error{Code: "AccessDeniedException", Message: fmt.Sprintf("User: %s is not authorized to perform: kms:PutKeyPolicy on resource: %s (an AWS managed key's policy cannot be changed)", c.Caller.ARN, key.ARN)}
	}
	if err := k.authorize(c, "kms:PutKeyPolicy", key, nil); err != nil {
		return err
	}
	p, perr := policy.Parse("key policy of "+key.ID, policy.Key, text)
	if perr != nil {
		return errorf("MalformedPolicyDocumentException", "%v", perr)
	}
	if !bypass {
		next := &Key{ARN: key.ARN, Policy: p, Grants: key.Grants}
		if k.authorize(c, "kms:PutKeyPolicy", next, nil) != nil {
			return errorf("MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.")
		}
	}
	key.Policy = p
	return nil
}
