package policy

// eval decides whether the statement applies to the request: condTrue, condFalse, or
// condMissing when only conditions on keys absent from the request stood in the way. For
// statements with a Principal it also says how the principal matched.
func (s *Statement) eval(e *env) (condResult, matchKind) {
	if !s.matchesAction(e.req.Action) {
		return condFalse, matchNone
	}
	mk := s.matchPrincipal(e)
	if mk == matchNone {
		return condFalse, matchNone
	}
	if !s.matchesResource(e) {
		return condFalse, matchNone
	}
	return s.evalConditions(e), mk
}

func (s *Statement) matchesAction(action string) bool {
	for _, p := range s.actions {
		if matchAction(p, action) {
			return !s.notAction
		}
	}
	return s.notAction
}

func (s *Statement) matchPrincipal(e *env) matchKind {
	switch {
	case s.principal == nil: // identity policies, SCPs: the policy's own principal
		return matchExact
	case s.notPrincipal:
		if s.principal.notPrincipalApplies(&e.req.Principal, s.Effect, e.hasBoundary) {
			return matchWildcard
		}
		return matchNone
	}
	return s.principal.match(&e.req.Principal)
}

func (s *Statement) matchesResource(e *env) bool {
	for i := range s.resources {
		if s.resources[i].matchResource(e) {
			return !s.notResource
		}
	}
	return s.notResource
}

func (p *pattern) matchResource(e *env) bool {
	if p.tmpl == nil {
		return matchARN(p.text, e.req.Resource, false, true)
	}
	pat, ok, _ := p.expand(e, true)
	return ok && matchARN(pat, e.req.Resource, true, true)
}

func (s *Statement) evalConditions(e *env) condResult {
	res := condTrue
	for _, c := range s.conditions {
		switch c.eval(e) {
		case condFalse:
			return condFalse
		case condMissing:
			res = condMissing
		}
	}
	return res
}
