package policy

import (
	"fmt"
	"strings"
)

// Set is every policy that bears on a request: the resource's policy, the caller's policies,
// the organization's, and the key's grants. Nil and empty fields are absent policies.
type Set struct {
	Resource *Policy   // the key policy or bucket policy
	Identity []*Policy // the caller's identity policies (user, group and role policies)
	Boundary *Policy   // the caller's permissions boundary
	Session  *Policy   // the session policy of a role session or federated user
	Endpoint *Policy   // the VPC endpoint policy the request goes through
	// SCPs and RCPs hold one slice of policies per organization level, root first. Every SCP
	// level must allow. RCPFullAWSAccess is implicit at every RCP level, so RCPs only deny.
	SCPs   [][]*Policy
	RCPs   [][]*Policy
	Grants []*Grant
}

// MaxLevels is the deepest organization (SCP or RCP levels) a Set may hold: the root, five
// levels of OUs and the account.
const MaxLevels = 7

// Validate checks the set's shape: the policy kinds and the number of levels.
func (s *Set) Validate() error {
	check := func(p *Policy, want Kind, what string) error {
		if p != nil && p.Kind != want && !(want == Resource && p.Kind == Key) {
			return fmt.Errorf("%s %s is a %s policy, expected %s", what, p.Name, p.Kind, want)
		}
		return nil
	}
	present := func(p *Policy, what string) error {
		if p == nil {
			return fmt.Errorf("%s: a nil policy", what)
		}
		return nil
	}
	errs := []error{check(s.Resource, Resource, "resource policy"), check(s.Boundary, Identity, "permissions boundary"),
		check(s.Session, Identity, "session policy"), check(s.Endpoint, Endpoint, "VPC endpoint policy")}
	for _, p := range s.Identity {
		errs = append(errs, present(p, "identity policy"), check(p, Identity, "identity policy"))
	}
	for _, g := range s.Grants {
		if g == nil {
			errs = append(errs, fmt.Errorf("grants: a nil grant"))
		}
	}
	if len(s.SCPs) > MaxLevels || len(s.RCPs) > MaxLevels {
		errs = append(errs, fmt.Errorf("at most %d organization levels of SCPs and RCPs", MaxLevels))
	}
	for _, lvl := range s.SCPs {
		for _, p := range lvl {
			errs = append(errs, present(p, "SCP"), check(p, SCP, "SCP"))
		}
	}
	for _, lvl := range s.RCPs {
		for _, p := range lvl {
			errs = append(errs, present(p, "RCP"), check(p, RCP, "RCP"))
		}
	}
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// Outcome is the answer to a request.
type Outcome uint8

// The outcomes.
const (
	ImplicitDeny Outcome = iota // nothing allowed it
	Allow                       // allowed
	ExplicitDeny                // a Deny statement applied
)

var outcomeNames = [...]string{"ImplicitDeny", "Allow", "ExplicitDeny"}

func (o Outcome) String() string { return outcomeNames[o] }

// ParseOutcome reads "Allow", "ExplicitDeny" or "ImplicitDeny".
func ParseOutcome(s string) (Outcome, error) {
	for i, n := range outcomeNames {
		if n == s {
			return Outcome(i), nil
		}
	}
	return 0, fmt.Errorf("invalid decision %q: expected Allow, ExplicitDeny or ImplicitDeny", s)
}

// Gap says which step of the evaluation chain denied a request implicitly.
type Gap uint8

// The gaps.
const (
	GapNone            Gap = iota
	GapNoAllow             // no policy allows the request
	GapSCP                 // an SCP level allows nothing that matches (Decision.Level)
	GapEndpoint            // the VPC endpoint policy does not allow it
	GapBoundary            // the permissions boundary does not allow it
	GapSession             // the session policy does not allow it
	GapNoKeyPolicy         // a KMS key request with no key policy
	GapKeyPolicyTrust      // identity policies allow, but the key policy does not allow the caller's account this action
	GapIdentity            // the resource policy delegates to the caller's account, but no identity policy allows
	GapResourcePolicy      // cross-account: identity policies allow, but no resource policy allows the caller
	GapCrossAccountKey     // cross-account KMS: the key policy allows, but the caller's identity policies do not
	GapAnonymousKMS        // KMS does not accept unauthenticated requests
)

// Decision is the answer to a request and the statements that decided it.
type Decision struct {
	Outcome Outcome
	Gap     Gap // why an ImplicitDeny
	Level   int // the SCP level, for GapSCP
	// DependsOnMissingKeys is set when the answer would change if the request carried
	// condition keys it lacks: a deny that some missing keys could turn into an allow, or an
	// allow that a Deny conditioned on missing keys could overturn. Explain says which.
	DependsOnMissingKeys bool
	Grant                *Grant // the grant that allowed the request
	by                   [maxBy]*Statement
	nBy                  int
}

const maxBy = 12

// Statements returns the statements that decided: the Deny statements of an ExplicitDeny, or
// the Allow statements each required step used.
func (d *Decision) Statements() []*Statement { return d.by[:d.nBy] }

func (d *Decision) add(s *Statement) {
	if s == nil || d.nBy == maxBy {
		return
	}
	for _, x := range d.by[:d.nBy] {
		if x == s {
			return
		}
	}
	d.by[d.nBy] = s
	d.nBy++
}

// bits record what a policy's statements did for a request.
type bits uint8

const (
	bDeny          bits = 1 << iota
	bAllowAccount       // allowed the caller's account (delegation)
	bAllowWildcard      // allowed "*" or the caller's role
	bAllowExact         // allowed the caller itself (or: an identity-side policy allowed)
	bAllowAny      = bAllowAccount | bAllowWildcard | bAllowExact
)

func bitIndex(b bits) int {
	switch b {
	case bDeny:
		return 0
	case bAllowAccount:
		return 1
	case bAllowWildcard:
		return 2
	}
	return 3
}

// layer is what one step of the chain (all the policies of one kind) did. sure ⊆ def ⊆ maybe:
// def is what applied, sure what would apply whatever absent condition keys were, maybe
// what could apply if they had suitable values.
type layer struct {
	def, sure, maybe bits
	first            [4]*Statement // the first statement that set each def bit
	potFirst         [4]*Statement // the first that could set each bit without setting it
}

func (l *layer) firstAllow(b bits) *Statement {
	for _, x := range []bits{bAllowExact, bAllowWildcard, bAllowAccount} {
		if b&x != 0 && l.first[bitIndex(x)] != nil {
			return l.first[bitIndex(x)]
		}
	}
	return nil
}

const (
	lResource = iota
	lIdentity
	lBoundary
	lSession
	lEndpoint
	lRCP
	lSCP
	nLayers = lSCP + MaxLevels
)

type layers [nLayers]layer

func (l *layer) add(p *Policy, e *env) {
	if p == nil {
		return
	}
	for _, s := range p.Statements {
		r, mk := s.eval(e)
		if r == stmtNever {
			continue
		}
		b := bDeny
		if s.Effect == EffectAllow {
			switch mk {
			case matchAccount:
				b = bAllowAccount
			case matchWildcard:
				b = bAllowWildcard
			default:
				b = bAllowExact
			}
		}
		i := bitIndex(b)
		l.maybe |= b
		switch r {
		case stmtSure:
			l.sure |= b
			fallthrough
		case stmtApplies:
			l.def |= b
			if l.first[i] == nil {
				l.first[i] = s
			}
		default:
			if l.potFirst[i] == nil {
				l.potFirst[i] = s
			}
		}
	}
}

// mode selects which statements count: those that apply, or the best case for the caller
// (allows that could apply, denies that must), or the worst (allows that must apply, denies
// that could), over the values absent condition keys could take.
type mode uint8

const (
	modeActual mode = iota
	modeOptimistic
	modePessimistic
)

func (l *layer) bits(m mode) bits {
	switch m {
	case modeOptimistic:
		return l.maybe&bAllowAny | l.sure&bDeny
	case modePessimistic:
		return l.sure&bAllowAny | l.maybe&bDeny
	}
	return l.def
}

// Evaluate decides the request as AWS documents it: an explicit Deny in any policy wins;
// every SCP level must allow; the VPC endpoint policy must allow; then the resource policy
// and the caller's identity policies (with the permissions boundary and session policy)
// decide, by the same-account and cross-account rules. A KMS key's policy is required, and
// identity policies count only where the key policy allows the caller's account. Grants
// allow their operations to their grantee. Evaluate is safe for concurrent use and does not
// allocate unless policies use variables, aws:CurrentTime/aws:EpochTime or a derived
// kms:EncryptionContextKeys.
func (s *Set) Evaluate(req *Request) Decision {
	e := newEnv(req)
	e.hasBoundary = s.Boundary != nil
	var ls layers
	s.fill(&ls, &e)
	var d Decision
	if e.kmsKey && req.Principal.Type != Anonymous {
		for _, g := range s.Grants {
			if g == nil {
				continue
			}
			if g.check(&e) == grantApplies {
				d.Grant = g
				break
			}
		}
	}
	s.decide(&ls, &e, modeActual, &d)
	flexible := false
	for i := range ls {
		flexible = flexible || ls[i].sure != ls[i].maybe
	}
	if flexible {
		alt := Decision{Grant: d.Grant}
		if d.Outcome == Allow {
			s.decide(&ls, &e, modePessimistic, &alt)
			d.DependsOnMissingKeys = alt.Outcome != Allow
		} else {
			s.decide(&ls, &e, modeOptimistic, &alt)
			d.DependsOnMissingKeys = alt.Outcome == Allow
		}
	}
	return d
}

func (s *Set) fill(ls *layers, e *env) {
	// A resource policy governs requests on its resource; a request on no resource
	// ("*", as kms:CreateKey) is decided by identity policies alone. KMS documents that
	// kms:RetireGrant is not effective in a key policy or an RCP.
	retire := e.retireGrant
	if e.req.Resource != "*" && !retire {
		ls[lResource].add(s.Resource, e)
	}
	for _, p := range s.Identity {
		ls[lIdentity].add(p, e)
	}
	ls[lBoundary].add(s.Boundary, e)
	ls[lSession].add(s.Session, e)
	ls[lEndpoint].add(s.Endpoint, e)
	// SCPs and RCPs do not restrict service-linked roles (Organizations user guide).
	slr := e.req.Principal.ServiceLinked()
	for _, lvl := range s.RCPs {
		for _, p := range lvl {
			if !retire && !slr {
				ls[lRCP].add(p, e)
			}
		}
	}
	for i, lvl := range s.SCPs {
		if i >= MaxLevels || slr {
			break
		}
		for _, p := range lvl {
			ls[lSCP+i].add(p, e)
		}
	}
}

// isKMSKey reports whether the request is a KMS action on a KMS key (or alias) ARN: the
// requests for which KMS requires the key policy.
func isKMSKey(req *Request) bool {
	parts, ok := arnSegments(req.Resource)
	return ok && kmsKeyRequest(req.Action, &parts)
}

// kmsKeyRequest reports a KMS action on the ARN of parts.
func kmsKeyRequest(action string, parts *[6]string) bool {
	return len(action) >= 4 && strings.EqualFold(action[:4], "kms:") && parts[2] == "kms"
}

// retiringAccount reports whether a grant names the account as its retiring principal.
func (s *Set) retiringAccount(account string) bool {
	for _, g := range s.Grants {
		if g != nil && g.retiring != nil && g.retiring.kind == entAccount && g.retiring.account == account {
			return true
		}
	}
	return false
}

func (s *Set) decide(ls *layers, e *env, m mode, d *Decision) {
	p := &e.req.Principal
	// SCPs limit the IAM users and roles (and root users) of the organization's accounts:
	// not anonymous callers or AWS service principals, whose Deny statements they cannot
	// reach either. Nor a CloudFront origin access identity, which has no identity policies.
	iam := p.Type != Anonymous && p.Type != Service && p.Account != "cloudfront"
	for i := range ls {
		if i >= lSCP && !iam {
			continue
		}
		if ls[i].bits(m)&bDeny != 0 {
			d.Outcome = ExplicitDeny
			d.add(ls[i].first[0])
			if d.nBy == 0 || m == modePessimistic {
				d.add(ls[i].potFirst[0])
			}
		}
	}
	if d.Outcome == ExplicitDeny {
		return
	}
	implicit := func(g Gap) { d.Outcome, d.Gap = ImplicitDeny, g }
	allowed := func(b bits) bool { return b&bAllowAny != 0 }
	if iam && !p.ServiceLinked() {
		for lvl := range s.SCPs {
			if lvl >= MaxLevels {
				break
			}
			if !allowed(ls[lSCP+lvl].bits(m)) {
				implicit(GapSCP)
				d.Level = lvl
				return
			}
		}
	}
	if s.Endpoint != nil && !allowed(ls[lEndpoint].bits(m)) {
		implicit(GapEndpoint)
		return
	}
	r := ls[lResource].bits(m)
	hasResourcePolicy := s.Resource != nil && e.req.Resource != "*"
	idAllow := allowed(ls[lIdentity].bits(m))
	bOK := s.Boundary == nil || allowed(ls[lBoundary].bits(m))
	// A federated user (GetFederationToken) session has no identity-based permissions unless a
	// session policy was passed; a role session without one keeps the role's permissions.
	sOK := s.Session == nil && p.Type != FederatedUser || s.Session != nil && allowed(ls[lSession].bits(m))
	idOK := idAllow && bOK && sOK
	same := e.resourceAccount == "" || p.Account == e.resourceAccount
	kms := e.kmsKey
	direct := r&bAllowExact != 0 || r&bAllowWildcard != 0 && bOK && sOK

	allow := func(steps ...int) {
		d.Outcome = Allow
		for lvl := range s.SCPs {
			if lvl < MaxLevels {
				d.add(ls[lSCP+lvl].firstAllow(ls[lSCP+lvl].bits(m)))
			}
		}
		if s.Endpoint != nil {
			d.add(ls[lEndpoint].firstAllow(ls[lEndpoint].bits(m)))
		}
		for _, st := range steps {
			d.add(ls[st].firstAllow(ls[st].bits(m)))
			if m == modeOptimistic {
				d.add(ls[st].firstPotAllow())
			}
		}
	}
	identitySteps := []int{lIdentity, lBoundary, lSession}
	idGap := func() Gap {
		switch {
		case !idAllow:
			return GapIdentity
		case !bOK:
			return GapBoundary
		}
		return GapSession
	}

	switch {
	case kms && p.Type == Anonymous: // KMS accepts only authenticated requests
		implicit(GapAnonymousKMS)
	case e.retireGrant:
		// KMS: "The kms:RetireGrant permission alone does not allow principals to retire a
		// grant." The retiring principal, a grantee holding RetireGrant, or the key's account
		// may; the key's account and an account named as retiring principal delegate to their IAM
		// policies.
		switch {
		case d.Grant != nil:
			allow()
		case p.Type == Root && same:
			d.Outcome = Allow
		case iam && idOK && (same || s.retiringAccount(p.Account)):
			allow(identitySteps...)
		default:
			implicit(GapNoAllow)
		}
	case !iam: // anonymous callers, service principals, OAIs: only the resource policy can allow
		if r&(bAllowExact|bAllowWildcard) != 0 || d.Grant != nil {
			allow(lResource)
			return
		}
		implicit(GapNoAllow)
	case kms && !hasResourcePolicy && d.Grant == nil:
		implicit(GapNoKeyPolicy)
	case p.Type == Root:
		// The root user is not subject to identity policies. It has full access to its own
		// account's resources, except KMS keys, whose key policy must allow it.
		switch {
		case d.Grant != nil || allowed(r):
			allow(lResource)
		case same && !kms:
			d.Outcome = Allow
		case kms:
			implicit(GapNoAllow)
		default:
			implicit(GapResourcePolicy)
		}
	case d.Grant != nil:
		allow()
	case kms && same:
		switch {
		case r&bAllowExact != 0:
			allow(lResource)
		case direct:
			allow(lResource, lBoundary, lSession)
		case r&bAllowAccount != 0 && idOK:
			allow(append([]int{lResource}, identitySteps...)...)
		case r&bAllowWildcard != 0:
			implicit(idGap())
			if d.Gap == GapIdentity {
				d.Gap = GapBoundary
				if bOK {
					d.Gap = GapSession
				}
			}
		case r&bAllowAccount != 0:
			implicit(idGap())
		case idOK:
			implicit(GapKeyPolicyTrust)
		default:
			implicit(GapNoAllow)
		}
	case kms: // cross-account: the key policy and the caller's identity policies must both allow
		switch {
		case allowed(r) && idOK:
			allow(append([]int{lResource}, identitySteps...)...)
		case allowed(r):
			implicit(GapCrossAccountKey)
			if idAllow {
				d.Gap = idGap()
			}
		case idOK:
			implicit(GapKeyPolicyTrust)
		default:
			implicit(GapNoAllow)
		}
	case same:
		switch {
		case r&bAllowExact != 0:
			allow(lResource)
		case direct:
			allow(lResource, lBoundary, lSession)
		case idOK:
			allow(identitySteps...)
		case idAllow:
			implicit(idGap())
		case r&bAllowWildcard != 0: // allowed to the role or "*", which the boundary or session policy limits
			implicit(GapSession)
			if !bOK {
				implicit(GapBoundary)
			}
		case r&bAllowAccount != 0:
			implicit(GapIdentity)
		default:
			implicit(GapNoAllow)
		}
	default: // cross-account, not KMS: the resource policy must allow the caller as well
		switch {
		case allowed(r) && idOK:
			allow(append([]int{lResource}, identitySteps...)...)
		case allowed(r):
			implicit(idGap())
		case idOK:
			implicit(GapResourcePolicy)
		default:
			implicit(GapNoAllow)
		}
	}
}

func (l *layer) firstPotAllow() *Statement {
	for _, i := range []int{3, 2, 1} {
		if l.potFirst[i] != nil {
			return l.potFirst[i]
		}
	}
	return nil
}
