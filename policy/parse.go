package policy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/keytrail/keytrail/policy/internal/jsontree"
)

// MaxPolicySize bounds the policy text Parse accepts (AWS's own limits are far smaller:
// 32 KiB for a key policy, 20 KiB for a bucket policy).
const MaxPolicySize = 16 << 20

// Parse parses and compiles policy text of the given kind. name labels the policy in errors
// and reasons (usually the file name). Every error is an *Error with a position.
func Parse(name string, kind Kind, data []byte) (*Policy, error) {
	if len(data) > MaxPolicySize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("policy is %d bytes, over the %d-byte limit", len(data), MaxPolicySize)}
	}
	root, err := jsontree.Parse(data)
	if err != nil {
		var se *jsontree.SyntaxError
		if errors.As(err, &se) {
			return nil, &Error{File: name, Pos: Position(se.Pos), Msg: "invalid JSON: " + se.Msg}
		}
		return nil, &Error{File: name, Msg: "invalid JSON: " + err.Error()}
	}
	return compile(name, kind, root)
}

// MustParse is Parse that panics on error, for tests and embedded policies.
func MustParse(name string, kind Kind, text string) *Policy {
	p, err := Parse(name, kind, []byte(text))
	if err != nil {
		panic(err)
	}
	return p
}

type compiler struct {
	file string
	p    *Policy
}

func (c *compiler) errAt(pos jsontree.Pos, format string, args ...any) error {
	return &Error{File: c.file, Pos: Position(pos), Msg: fmt.Sprintf(format, args...)}
}

// members checks an object's member names against the allowed element names (exact case) and
// rejects duplicates. It returns the members by name.
func (c *compiler) members(obj *jsontree.Node, what string, allowed ...string) (map[string]jsontree.Member, error) {
	out := make(map[string]jsontree.Member, len(obj.Members))
	for _, m := range obj.Members {
		if _, dup := out[m.Key]; dup {
			return nil, c.errAt(m.KeyPos, "duplicate member %q in %s", m.Key, what)
		}
		known := false
		for _, a := range allowed {
			if m.Key == a {
				known = true
				break
			}
		}
		if !known {
			hint := ""
			for _, a := range allowed {
				if strings.EqualFold(m.Key, a) {
					hint = fmt.Sprintf(" (did you mean %q? element names are case-sensitive)", a)
				}
			}
			return nil, c.errAt(m.KeyPos, "unknown element %q in %s%s; expected one of %s", m.Key, what, hint, strings.Join(allowed, ", "))
		}
		out[m.Key] = m
	}
	return out, nil
}

func compile(file string, kind Kind, root *jsontree.Node) (*Policy, error) {
	c := &compiler{file: file, p: &Policy{Name: file, Kind: kind}}
	if root.Kind != jsontree.Object {
		return nil, c.errAt(root.Pos, "a policy must be a JSON object, not %s", article(root.Kind))
	}
	top, err := c.members(root, "the policy", "Version", "Id", "Statement")
	if err != nil {
		return nil, err
	}
	if m, ok := top["Version"]; ok {
		if m.Value.Kind != jsontree.String {
			return nil, c.errAt(m.Value.Pos, "Version must be a string, not %s", article(m.Value.Kind))
		}
		if v := m.Value.Str; v != Version2012 && v != Version2008 {
			return nil, c.errAt(m.Value.Pos, "invalid Version %q: expected %q or %q", v, Version2012, Version2008)
		}
		c.p.Version = m.Value.Str
	}
	if m, ok := top["Id"]; ok {
		if m.Value.Kind != jsontree.String {
			return nil, c.errAt(m.Value.Pos, "Id must be a string, not %s", article(m.Value.Kind))
		}
		c.p.ID = m.Value.Str
	}
	m, ok := top["Statement"]
	if !ok {
		return nil, c.errAt(root.Pos, "the policy has no Statement")
	}
	var stmts []*jsontree.Node
	switch m.Value.Kind {
	case jsontree.Object:
		stmts = []*jsontree.Node{m.Value}
	case jsontree.Array:
		stmts = m.Value.Elems
		if len(stmts) == 0 {
			return nil, c.errAt(m.Value.Pos, "Statement is empty")
		}
	default:
		return nil, c.errAt(m.Value.Pos, "Statement must be an object or an array of objects, not %s", article(m.Value.Kind))
	}
	sids := map[string]bool{}
	for i, n := range stmts {
		s, err := c.statement(i, n)
		if err != nil {
			return nil, err
		}
		if s.Sid != "" && (kind == Identity || kind == SCP) {
			if sids[s.Sid] {
				return nil, c.errAt(jsontree.Pos(s.Pos), "duplicate Sid %q: statement ids must be unique in %s policies", s.Sid, kind)
			}
			sids[s.Sid] = true
		}
		c.p.Statements = append(c.p.Statements, s)
	}
	return c.p, nil
}

func (c *compiler) statement(index int, n *jsontree.Node) (*Statement, error) {
	if n.Kind != jsontree.Object {
		return nil, c.errAt(n.Pos, "statement %d must be an object, not %s", index, article(n.Kind))
	}
	el, err := c.members(n, fmt.Sprintf("statement %d", index),
		"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition")
	if err != nil {
		return nil, err
	}
	s := &Statement{Policy: c.p, Index: index, Pos: Position(n.Pos)}
	if m, ok := el["Sid"]; ok {
		if m.Value.Kind != jsontree.String {
			return nil, c.errAt(m.Value.Pos, "Sid must be a string, not %s", article(m.Value.Kind))
		}
		s.Sid = m.Value.Str
		if (c.p.Kind == Identity || c.p.Kind == SCP) && !isAlnum(s.Sid) {
			return nil, c.errAt(m.Value.Pos, "invalid Sid %q: in %s policies a Sid may contain only letters and digits", s.Sid, c.p.Kind)
		}
	}
	what := fmt.Sprintf("statement %d", index)
	if s.Sid != "" {
		what = fmt.Sprintf("statement %q", s.Sid)
	}
	m, ok := el["Effect"]
	if !ok {
		return nil, c.errAt(n.Pos, "%s has no Effect", what)
	}
	if m.Value.Kind != jsontree.String {
		return nil, c.errAt(m.Value.Pos, "Effect must be a string, not %s", article(m.Value.Kind))
	}
	switch m.Value.Str {
	case "Allow":
		s.Effect = EffectAllow
	case "Deny":
		s.Effect = EffectDeny
	default:
		return nil, c.errAt(m.Value.Pos, "invalid Effect %q: expected \"Allow\" or \"Deny\" (case-sensitive)", m.Value.Str)
	}

	// Action / NotAction
	am, hasA := el["Action"]
	nam, hasNA := el["NotAction"]
	switch {
	case hasA && hasNA:
		return nil, c.errAt(nam.KeyPos, "%s has both Action and NotAction", what)
	case !hasA && !hasNA:
		return nil, c.errAt(n.Pos, "%s has no Action or NotAction", what)
	case hasNA:
		am, s.notAction = nam, true
	}
	if s.actions, err = c.actions(am); err != nil {
		return nil, err
	}
	s.actionKinds = make([]patternKind, len(s.actions))
	for i, a := range s.actions {
		s.actionKinds[i] = kindOf(a)
	}
	s.actionText = make([]string, len(s.actions))
	for i, n := range mustList(am) {
		s.actionText[i] = n.Str
	}

	// Resource / NotResource
	rm, hasR := el["Resource"]
	nrm, hasNR := el["NotResource"]
	switch {
	case hasR && hasNR:
		return nil, c.errAt(nrm.KeyPos, "%s has both Resource and NotResource", what)
	case !hasR && !hasNR:
		return nil, c.errAt(n.Pos, "%s has no Resource or NotResource", what)
	case hasNR:
		rm, s.notResource = nrm, true
	}
	if s.resources, err = c.resources(rm); err != nil {
		return nil, err
	}

	// Principal / NotPrincipal
	pm, hasP := el["Principal"]
	npm, hasNP := el["NotPrincipal"]
	switch {
	case hasP && hasNP:
		return nil, c.errAt(npm.KeyPos, "%s has both Principal and NotPrincipal", what)
	case (hasP || hasNP) && !c.p.Kind.needsPrincipal():
		k := pm
		if hasNP {
			k = npm
		}
		return nil, c.errAt(k.KeyPos, "%s: %s is not allowed in %s policies", what, k.Key, c.p.Kind)
	case !hasP && !hasNP && c.p.Kind.needsPrincipal():
		return nil, c.errAt(n.Pos, "%s has no Principal or NotPrincipal (required in %s policies)", what, c.p.Kind)
	case hasNP && c.p.Kind == RCP:
		return nil, c.errAt(npm.KeyPos, "%s: NotPrincipal is not supported in RCPs", what)
	case hasNP:
		if s.Effect == EffectAllow {
			return nil, c.errAt(npm.KeyPos, "%s: NotPrincipal with \"Effect\": \"Allow\" is not supported by AWS; name the principals in Principal", what)
		}
		pm, s.notPrincipal = npm, true
		hasP = true
	}
	if hasP {
		if s.principal, err = c.principals(pm); err != nil {
			return nil, err
		}
	}

	if m, ok := el["Condition"]; ok {
		if s.conditions, err = c.conditions(m.Value); err != nil {
			return nil, err
		}
	}
	if c.p.Kind == RCP {
		if err := c.checkRCP(s, n, what); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// checkRCP applies the RCP grammar: NotAction is not supported, and Allow only in
// RCPFullAWSAccess (Principal "*", Action "*", Resource "*", no Condition).
func (c *compiler) checkRCP(s *Statement, n *jsontree.Node, what string) error {
	if s.notAction {
		return c.errAt(n.Pos, "%s: NotAction is not supported in RCPs", what)
	}
	if s.principal != nil && (!s.principal.any || len(s.principal.entries) > 0) {
		return c.errAt(n.Pos, "%s: an RCP's Principal can only be \"*\"", what)
	}
	fullAccess := s.principal != nil && s.principal.any && len(s.principal.entries) == 0 &&
		len(s.actions) == 1 && s.actions[0] == "*" && !s.notResource &&
		len(s.resources) == 1 && s.resources[0].text == "*" && len(s.conditions) == 0
	if s.Effect == EffectAllow && !fullAccess {
		return c.errAt(n.Pos, "%s: RCPs support Allow only in RCPFullAWSAccess (Principal, Action and Resource \"*\", no Condition)", what)
	}
	for _, a := range s.actions {
		if s.Effect == EffectDeny && a == "*" {
			return c.errAt(n.Pos, "%s: a customer managed RCP cannot use \"*\" in Action; name the services' actions", what)
		}
	}
	return nil
}

// mustList returns the string nodes of a member already checked by stringList.
func mustList(m jsontree.Member) []*jsontree.Node {
	if m.Value.Kind == jsontree.Array {
		return m.Value.Elems
	}
	return []*jsontree.Node{m.Value}
}

// stringList reads a string or a non-empty array of strings.
func (c *compiler) stringList(m jsontree.Member) ([]*jsontree.Node, error) {
	v := m.Value
	switch v.Kind {
	case jsontree.String:
		return []*jsontree.Node{v}, nil
	case jsontree.Array:
		if len(v.Elems) == 0 {
			return nil, c.errAt(v.Pos, "%s is an empty array", m.Key)
		}
		for _, e := range v.Elems {
			if e.Kind != jsontree.String {
				return nil, c.errAt(e.Pos, "%s values must be strings, not %s", m.Key, article(e.Kind))
			}
		}
		return v.Elems, nil
	}
	return nil, c.errAt(v.Pos, "%s must be a string or an array of strings, not %s", m.Key, article(v.Kind))
}

func (c *compiler) actions(m jsontree.Member) ([]string, error) {
	nodes, err := c.stringList(m)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		a := n.Str
		if a != "*" {
			svc, name, ok := strings.Cut(a, ":")
			if !ok || svc == "" || name == "" || strings.ContainsAny(svc, "*?") && !isWildcardOnly(svc) || !isActionText(a) {
				return nil, c.errAt(n.Pos, "invalid action %q: expected \"*\" or \"service:Action\" (wildcards * and ? allowed)", a)
			}
		}
		out = append(out, strings.ToLower(a))
	}
	return out, nil
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isWildcardOnly(s string) bool { return strings.Trim(s, "*") == "" }

// isActionText reports whether s has only the characters action names use.
func isActionText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(":*?-_.", c) >= 0) {
			return false
		}
	}
	return true
}

func (c *compiler) resources(m jsontree.Member) ([]pattern, error) {
	nodes, err := c.stringList(m)
	if err != nil {
		return nil, err
	}
	out := make([]pattern, 0, len(nodes))
	for _, n := range nodes {
		r := n.Str
		if r != "*" && !strings.HasPrefix(r, "arn:") {
			return nil, c.errAt(n.Pos, "invalid resource %q: expected \"*\" or an ARN (arn:partition:service:region:account:resource)", r)
		}
		if r != "*" && strings.Count(r, ":") < 5 && !strings.HasSuffix(r, "*") {
			return nil, c.errAt(n.Pos, "invalid resource ARN %q: an ARN has six colon-separated parts", r)
		}
		var p pattern
		if resourcePartHasVariables(r) {
			if p, err = c.pattern(n); err != nil {
				return nil, err
			}
		} else {
			p = pattern{text: r}
		}
		out = append(out, p)
	}
	return out, nil
}

// resourcePartHasVariables reports whether "${" appears after the fifth colon of an ARN: IAM
// expands policy variables only in the resource part of an ARN.
func resourcePartHasVariables(arn string) bool {
	rest := arn
	for i := 0; i < 5; i++ {
		c := strings.IndexByte(rest, ':')
		if c < 0 {
			return false
		}
		if strings.Contains(rest[:c], "${") {
			return false
		}
		rest = rest[c+1:]
	}
	return strings.Contains(rest, "${")
}

// pattern compiles a Resource or condition value that may hold policy variables.
func (c *compiler) pattern(n *jsontree.Node) (pattern, error) {
	if !c.p.variables() {
		return pattern{text: n.Str}, nil
	}
	t, err := parseTemplate(n.Str)
	if err != nil {
		return pattern{}, c.errAt(n.Pos, "%v", err)
	}
	return pattern{text: n.Str, tmpl: t}, nil
}

func article(k jsontree.Kind) string {
	switch k {
	case jsontree.Array, jsontree.Object:
		return "an " + k.String()
	case jsontree.Null:
		return "null"
	}
	return "a " + k.String()
}
