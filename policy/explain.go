package policy

import (
	"fmt"
	"strings"
	"time"
)

// Explanation is a Decision with the reasons: a summary, what each statement did, and, when
// the answer hinges on condition keys the request lacks, the conditions that would change it.
type Explanation struct {
	Decision Decision
	Summary  string
	Steps    []Step  // every statement of every policy, in evaluation-chain order
	Grants   []Trace // every grant
	// Requirements are the conditions on missing keys that decide the answer: for a deny,
	// those that would allow the request if true ("allowed only if ..."); for an allow, those
	// of Deny statements that would deny it if true ("allowed unless ...").
	Requirements []Requirement
	Notes        []string
}

// Step is the trace of one statement.
type Step struct {
	Layer     string // "key policy", "identity policy", "SCP level 0", ...
	Statement *Statement
	Trace
}

// Trace says whether a statement or grant applied and why.
type Trace struct {
	Applies bool
	// Missing is set when only conditions on keys absent from the request stood in the way.
	Missing bool
	Match   string // how the principal matched in resource policies: exact, wildcard, account
	Why     string
}

// Requirement is a condition on a key the request did not carry. Negated requirements must
// be false: the condition of a Deny that must not apply, or of an Allow that would stop
// applying.
type Requirement struct {
	Statement *Statement
	Operator  string
	Key       string
	Values    []string
	Negated   bool
}

func (r Requirement) String() string {
	s := fmt.Sprintf("%s %s %s", r.Key, r.Operator, strings.Join(r.Values, " | "))
	if r.Negated {
		return "not (" + s + ")"
	}
	return s
}

// Explain evaluates the request like Evaluate and explains the answer.
func (s *Set) Explain(req *Request) *Explanation {
	if req.Time.IsZero() { // one clock for the decision and its explanation
		r := *req
		r.Time = time.Now().UTC()
		req = &r
	}
	d := s.Evaluate(req)
	x := &Explanation{Decision: d}
	e := newEnv(req)
	e.hasBoundary = s.Boundary != nil
	kms := isKMSKey(req)
	resName := "resource policy"
	if kms {
		resName = "key policy"
	}
	s.walk(func(layer string, p *Policy) {
		if layer == "resource" {
			layer = resName
		}
		for _, st := range p.Statements {
			x.Steps = append(x.Steps, Step{Layer: layer, Statement: st, Trace: st.trace(&e)})
		}
	})
	if kms {
		for _, g := range s.Grants {
			x.Grants = append(x.Grants, g.trace(&e))
		}
	}
	if d.DependsOnMissingKeys {
		x.Requirements = s.requirements(&e, &d)
	}
	x.Summary = x.summary(req, kms)
	x.notes()
	if e.resourceAccount == "" && req.Resource != "*" {
		x.Notes = append(x.Notes, fmt.Sprintf("the resource's account is unknown (%s carries none): taken to be the caller's; give the resource account for a cross-account answer", req.Resource))
	}
	return x
}

// requirements lists the conditions on absent keys that decide the answer: for a deny, those
// that would have to hold for it to become an allow; for an allow, those under which it would
// be denied.
func (s *Set) requirements(e *env, d *Decision) []Requirement {
	var ls layers
	s.fill(&ls, e)
	alt := Decision{Grant: d.Grant}
	m, want := modeOptimistic, EffectAllow
	if d.Outcome == Allow {
		m, want = modePessimistic, EffectDeny
	}
	s.decide(&ls, e, m, &alt)
	var out []Requirement
	seen := map[*Statement]bool{}
	// Statements the alternative answer uses that do not apply now: their absent-key
	// conditions would have to be true.
	for _, st := range alt.Statements() {
		if r, _ := st.eval(e); st.Effect == want && r == stmtMaybe && !seen[st] {
			seen[st] = true
			out = append(out, st.absentConditions(e, false)...)
		}
	}
	// Statements that apply now only thanks to absent keys and stand in the way (denies of a
	// deny, allows of an allow): their absent-key conditions would have to be false.
	s.walk(func(_ string, p *Policy) {
		for _, st := range p.Statements {
			if r, _ := st.eval(e); st.Effect != want && r == stmtApplies && !seen[st] {
				seen[st] = true
				out = append(out, st.absentConditions(e, true)...)
			}
		}
	})
	return out
}

// walk visits the set's policies in evaluation-chain order.
func (s *Set) walk(f func(layer string, p *Policy)) {
	for i, lvl := range s.SCPs {
		for _, p := range lvl {
			f(fmt.Sprintf("SCP level %d", i), p)
		}
	}
	for i, lvl := range s.RCPs {
		for _, p := range lvl {
			f(fmt.Sprintf("RCP level %d", i), p)
		}
	}
	if s.Endpoint != nil {
		f("VPC endpoint policy", s.Endpoint)
	}
	if s.Resource != nil {
		f("resource", s.Resource)
	}
	for _, p := range s.Identity {
		f("identity policy", p)
	}
	if s.Boundary != nil {
		f("permissions boundary", s.Boundary)
	}
	if s.Session != nil {
		f("session policy", s.Session)
	}
}

// trace is eval with reasons.
func (s *Statement) trace(e *env) Trace {
	req := e.req
	if !s.matchesAction(req.Action) {
		if s.notAction {
			return Trace{Why: fmt.Sprintf("NotAction %s excludes %s", list(s.actionText), req.Action)}
		}
		return Trace{Why: fmt.Sprintf("action %s is not in %s", req.Action, list(s.actionText))}
	}
	mk := s.matchPrincipal(e)
	if mk == matchNone {
		if s.notPrincipal {
			return Trace{Why: fmt.Sprintf("NotPrincipal excludes %s", req.Principal.ARN)}
		}
		return Trace{Why: fmt.Sprintf("principal %s is not named", req.Principal.ARN)}
	}
	t := Trace{}
	if s.principal != nil {
		t.Match = mk.String()
	}
	if !s.matchesResource(e) {
		var pats []string
		for _, p := range s.resources {
			pats = append(pats, p.text)
		}
		if s.notResource {
			t.Why = fmt.Sprintf("NotResource %s excludes %s", list(pats), req.Resource)
		} else {
			t.Why = fmt.Sprintf("resource %s is not in %s", req.Resource, list(pats))
		}
		return t
	}
	var failed, missing []string
	for _, c := range s.conditions {
		switch c.eval(e) {
		case condFalse:
			failed = append(failed, c.describe(e))
		case condAbsent:
			missing = append(missing, c.describe(e))
		}
	}
	switch {
	case len(failed) > 0:
		t.Why = "condition false: " + strings.Join(failed, "; ")
	case len(missing) > 0:
		t.Missing = true
		t.Why = "condition key not in the request: " + strings.Join(missing, "; ")
	default:
		t.Applies = true
		t.Why = "applies"
		if mk == matchAccount {
			t.Why = fmt.Sprintf("applies to account %s: delegates to the account's IAM policies", req.Principal.Account)
		}
		if len(s.conditions) > 0 {
			t.Why += fmt.Sprintf(" (%d condition(s) true)", len(s.conditions))
		}
	}
	return t
}

// describe renders a condition with the request's values for it.
func (c *condition) describe(e *env) string {
	var pv []string
	for _, v := range c.values {
		pv = append(pv, v.pat.text)
	}
	vals := e.get(c.keyLower)
	got := "absent"
	if n := vals.len(); n > 0 {
		var rv []string
		for i := 0; i < n; i++ {
			rv = append(rv, vals.at(i))
		}
		got = "request has " + list(rv)
	}
	return fmt.Sprintf("%s %s %s (%s)", c.op, c.key, list(pv), got)
}

// absentConditions returns the statement's conditions on absent keys that are true (negated)
// or false (not negated) now.
func (s *Statement) absentConditions(e *env, negated bool) []Requirement {
	var out []Requirement
	for _, c := range s.conditions {
		r := c.eval(e)
		if r&condAbsent == 0 || (r&condTrue != 0) != negated {
			continue
		}
		req := Requirement{Statement: s, Operator: c.op, Key: c.key, Negated: negated}
		for _, v := range c.values {
			req.Values = append(req.Values, v.pat.text)
		}
		out = append(out, req)
	}
	return out
}

func (g *Grant) trace(e *env) Trace {
	switch g.check(e) {
	case grantApplies:
		return Trace{Applies: true, Why: fmt.Sprintf("grant %s allows %s to %s", g.label(), strings.Join(g.Operations, ", "), g.GranteePrincipal)}
	case grantOtherGrantee:
		return Trace{Why: fmt.Sprintf("grant %s is for %s", g.label(), g.GranteePrincipal)}
	case grantOtherOperation:
		return Trace{Why: fmt.Sprintf("grant %s allows only %s", g.label(), strings.Join(g.Operations, ", "))}
	}
	return Trace{Why: fmt.Sprintf("grant %s: the request's encryption context does not meet its constraints", g.label())}
}

func list(xs []string) string {
	if len(xs) == 1 {
		return fmt.Sprintf("%q", xs[0])
	}
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func refs(ss []*Statement) string {
	r := make([]string, len(ss))
	for i, s := range ss {
		r[i] = s.Ref()
	}
	return strings.Join(r, "; ")
}

func (x *Explanation) summary(req *Request, kms bool) string {
	d := &x.Decision
	p := req.Principal.ARN
	switch d.Outcome {
	case ExplicitDeny:
		return fmt.Sprintf("explicitly denied by %s", refs(d.Statements()))
	case Allow:
		switch {
		case d.Grant != nil:
			return fmt.Sprintf("allowed by grant %s", d.Grant.label())
		case d.nBy == 0:
			return fmt.Sprintf("allowed: %s is the root user of the account that owns the resource", p)
		}
		return fmt.Sprintf("allowed by %s", refs(d.Statements()))
	}
	acct := req.Principal.Account
	switch d.Gap {
	case GapSCP:
		return fmt.Sprintf("implicitly denied: no SCP at organization level %d allows %s", d.Level, req.Action)
	case GapEndpoint:
		return fmt.Sprintf("implicitly denied: the VPC endpoint policy does not allow %s", req.Action)
	case GapBoundary:
		return fmt.Sprintf("implicitly denied: the permissions boundary does not allow %s", req.Action)
	case GapSession:
		return fmt.Sprintf("implicitly denied: the session policy does not allow %s", req.Action)
	case GapNoKeyPolicy:
		return "implicitly denied: no key policy was given, and KMS requires one"
	case GapKeyPolicyTrust:
		return fmt.Sprintf("implicitly denied: identity policies allow %s, but the key policy does not allow account %s (arn:aws:iam::%s:root) to use IAM policies for it", req.Action, acct, acct)
	case GapIdentity:
		rp := "resource policy"
		if kms {
			rp = "key policy"
		}
		return fmt.Sprintf("implicitly denied: the %s delegates %s to account %s, but no identity policy of %s allows it", rp, req.Action, acct, p)
	case GapResourcePolicy:
		return fmt.Sprintf("implicitly denied: cross-account access needs the resource policy to allow %s, and it does not", p)
	case GapAnonymousKMS:
		return "implicitly denied: AWS KMS accepts only authenticated requests"
	case GapCrossAccountKey:
		return fmt.Sprintf("implicitly denied: the key policy allows %s, but cross-account use also needs an identity policy in account %s that allows %s", p, acct, req.Action)
	}
	what := "policy"
	if kms {
		what = "key policy, grant"
	}
	return fmt.Sprintf("implicitly denied: no %s or identity policy allows %s to %s", what, p, req.Action)
}

// notes points out conditions that did not matter: an Allow whose condition failed or was
// missing while another statement allowed the request without it.
func (x *Explanation) notes() {
	d := &x.Decision
	if d.Outcome != Allow || d.nBy == 0 {
		return
	}
	for _, st := range x.Steps {
		if st.Statement.Effect != EffectAllow || st.Applies || !strings.HasPrefix(st.Why, "condition") {
			continue
		}
		x.Notes = append(x.Notes, fmt.Sprintf("the condition of %s restricts nothing for this caller: %s already allows the request",
			st.Statement.Ref(), refs(d.Statements())))
	}
}
