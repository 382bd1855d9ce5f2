package policy

// stmtResult is whether a statement applies, and whether keys absent from the request could
// change that.
type stmtResult uint8

const (
	stmtNever   stmtResult = iota // does not apply, whatever keys the request carried
	stmtMaybe                     // does not apply, but would if absent keys had suitable values
	stmtApplies                   // applies (AWS's reading of absent keys), but might not if they were given
	stmtSure                      // applies, whatever keys the request carried
)

// eval decides whether the statement applies to the request and, for statements with a
// Principal, how the principal matched.
func (s *Statement) eval(e *env) (stmtResult, matchKind) {
	if !s.matchesAction(e.req.Action) {
		return stmtNever, matchNone
	}
	mk := s.matchPrincipal(e)
	if mk == matchNone {
		return stmtNever, matchNone
	}
	if !s.matchesResource(e) {
		return stmtNever, matchNone
	}
	return s.evalConditions(e), mk
}

func (s *Statement) matchesAction(action string) bool {
	for i, p := range s.actions {
		var ok bool
		switch {
		case i >= len(s.actionKinds) || s.actionKinds[i] == patternGlob:
			ok = matchAction(p, action)
		case s.actionKinds[i] == patternExact:
			ok = len(p) == len(action) && foldEqual(p, action)
		default: // patternPrefix: the name up to a final '*'
			n := len(p) - 1
			ok = len(action) >= n && foldEqual(p[:n], action[:n])
		}
		if ok {
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
		if s.principal.notPrincipalApplies(&e.req.Principal, e.hasBoundary) {
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

func (s *Statement) evalConditions(e *env) stmtResult {
	res := stmtSure
	for _, c := range s.conditions {
		switch c.eval(e) {
		case condFalse:
			return stmtNever
		case condAbsent: // false for now
			res = stmtMaybe
		case condTrue | condAbsent: // true for now
			if res == stmtSure {
				res = stmtApplies
			}
		}
	}
	return res
}
