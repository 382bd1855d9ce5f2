package policy

import (
	"fmt"
	"strings"
)

// Grant is a KMS grant on the key being evaluated, as `aws kms list-grants` prints it.
type Grant struct {
	ID                string
	Name              string
	GranteePrincipal  string
	RetiringPrincipal string
	Operations        []string // "Decrypt", "GenerateDataKey", ...
	// Constraints, keys as given. Keys compare case-insensitively, values case-sensitively.
	EncryptionContextEquals map[string]string
	EncryptionContextSubset map[string]string

	grantee  principalEntry
	retiring *principalEntry
	equals   map[string]string // "kms:encryptioncontext:<lower key>" → value
	subset   map[string]string
}

// grantOperations are the operations a grant can allow, and whether each takes an
// encryption context (constraints apply only to those).
var grantOperations = map[string]bool{
	"Decrypt": true, "Encrypt": true, "GenerateDataKey": true, "GenerateDataKeyWithoutPlaintext": true,
	"GenerateDataKeyPair": true, "GenerateDataKeyPairWithoutPlaintext": true,
	"ReEncryptFrom": true, "ReEncryptTo": true,
	"CreateGrant": false, "RetireGrant": false, "DescribeKey": false, "GetPublicKey": false,
	"Sign": false, "Verify": false, "GenerateMac": false, "VerifyMac": false, "DeriveSharedSecret": false,
}

// Compile checks the grant and prepares it for evaluation. It must be called before the grant
// is used in a Set (ParseGrants does it).
func (g *Grant) Compile() error {
	if g.GranteePrincipal == "" {
		return fmt.Errorf("grant %s has no GranteePrincipal", g.label())
	}
	e, err := grantPrincipal(g.GranteePrincipal)
	if err != nil {
		return fmt.Errorf("grant %s: %w", g.label(), err)
	}
	g.grantee = e
	if g.RetiringPrincipal != "" {
		r, err := grantPrincipal(g.RetiringPrincipal)
		if err != nil {
			return fmt.Errorf("grant %s: RetiringPrincipal: %w", g.label(), err)
		}
		g.retiring = &r
	}
	if len(g.Operations) == 0 {
		return fmt.Errorf("grant %s has no Operations", g.label())
	}
	for _, op := range g.Operations {
		if _, ok := grantOperations[op]; !ok {
			return fmt.Errorf("grant %s: unknown grant operation %q", g.label(), op)
		}
	}
	if g.EncryptionContextEquals != nil && g.EncryptionContextSubset != nil {
		return fmt.Errorf("grant %s has both EncryptionContextEquals and EncryptionContextSubset", g.label())
	}
	g.equals = lowerContext(g.EncryptionContextEquals)
	g.subset = lowerContext(g.EncryptionContextSubset)
	return nil
}

// grantPrincipal reads a grantee or retiring principal: an AWS principal ARN or a service
// principal.
func grantPrincipal(s string) (principalEntry, error) {
	if isServicePrincipal(s) {
		return principalEntryOf("Service", s)
	}
	return principalEntryOf("AWS", s)
}

func lowerContext(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[ecPrefix+strings.ToLower(k)] = v
	}
	return out
}

func (g *Grant) label() string {
	switch {
	case g.ID != "":
		return g.ID
	case g.Name != "":
		return fmt.Sprintf("%q", g.Name)
	}
	return "(unnamed)"
}

// grantMiss says why a grant did not apply.
type grantMiss uint8

const (
	grantApplies grantMiss = iota
	grantOtherGrantee
	grantOtherOperation
	grantConstraint
	grantNotKey
)

// check reports whether the grant allows the request. Its retiring principal may retire it
// (kms:RetireGrant) without holding the operation.
func (g *Grant) check(e *env) grantMiss {
	p := &e.req.Principal
	if g.retiring != nil && e.retireGrant {
		if m := g.retiring.match(p); m == matchExact || m == matchWildcard {
			return grantApplies
		}
	}
	if m := g.grantee.match(p); m != matchExact && m != matchWildcard {
		return grantOtherGrantee
	}
	action := e.req.Action
	if len(action) < 4 || !strings.EqualFold(action[:4], "kms:") {
		return grantOtherOperation
	}
	op := action[4:]
	for _, o := range g.Operations {
		if !strings.EqualFold(o, op) {
			continue
		}
		if strings.EqualFold(op, "CreateGrant") && !g.childNoBroader(e) {
			return grantConstraint
		}
		if !grantOperations[o] {
			return grantApplies // no encryption context: constraints do not apply
		}
		if g.constraintsHold(e) {
			return grantApplies
		}
		return grantConstraint
	}
	return grantOtherOperation
}

func (g *Grant) constraintsHold(e *env) bool {
	ctx := &e.req.Context
	if g.equals != nil {
		n := 0
		for _, ce := range ctx.entries {
			if ce.isEncryptionContext() {
				n++
				if want, ok := g.equals[strings.ToLower(ce.name)]; !ok || len(ce.values) != 1 || ce.values[0] != want {
					return false
				}
			}
		}
		return n == len(g.equals)
	}
	for k, want := range g.subset {
		ce := ctx.lookup(k)
		if ce == nil || len(ce.values) != 1 || ce.values[0] != want {
			return false
		}
	}
	return true
}

// childNoBroader checks a CreateGrant made through this grant: KMS lets a grantee "only
// delegate the permissions that they were granted", and "the grant constraints in child grants
// must be equally restrictive or more restrictive than those in the parent grant". The child
// grant is described by the request's kms:GrantOperations, kms:GrantConstraintType and
// kms:EncryptionContext:* keys; a request without kms:GrantOperations cannot be checked and is
// refused.
func (g *Grant) childNoBroader(e *env) bool {
	ops := e.get("kms:grantoperations")
	if ops.len() == 0 {
		return false
	}
	for i := 0; i < ops.len(); i++ {
		ok := false
		for _, o := range g.Operations {
			ok = ok || strings.EqualFold(o, ops.at(i))
		}
		if !ok {
			return false
		}
	}
	parent := g.subset
	if g.equals != nil {
		parent = g.equals
	}
	if parent == nil {
		return true
	}
	ctype := e.get("kms:grantconstrainttype")
	if ctype.len() == 0 || g.equals != nil && ctype.at(0) != "EncryptionContextEquals" {
		return false
	}
	n := 0
	for _, ce := range e.req.Context.entries {
		if ce.isEncryptionContext() {
			n++
			if want, ok := parent[strings.ToLower(ce.name)]; ok && (len(ce.values) != 1 || ce.values[0] != want) {
				return false
			}
		}
	}
	for k := range parent {
		if e.req.Context.lookup(k) == nil {
			return false
		}
	}
	return g.equals == nil || n == len(parent)
}
