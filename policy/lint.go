package policy

import (
	"fmt"
	"strings"

	"github.com/keytrail/keytrail/policy/catalog"
	"github.com/keytrail/keytrail/policy/internal/jsontree"
)

// LintType is the policy type lint checks a document against.
type LintType string

// The lint types.
const (
	LintKey      LintType = "key"
	LintBucket   LintType = "bucket"
	LintIdentity LintType = "identity"
	LintSCP      LintType = "scp"
)

// ParseLintType reads key, bucket, identity or scp.
func ParseLintType(s string) (LintType, error) {
	switch t := LintType(s); t {
	case LintKey, LintBucket, LintIdentity, LintSCP:
		return t, nil
	}
	return "", fmt.Errorf("invalid policy type %q: expected key, bucket, identity or scp", s)
}

func (t LintType) resourcePolicy() bool { return t == LintKey || t == LintBucket }

// Issue is a structural finding of Lint: a check id from StructuralChecks, a message, the
// position, and the statement (its Sid, its 0-based index, or nil for the document).
type Issue struct {
	ID        string
	Severity  string // overrides the check's default severity when set
	Message   string
	Pos       Position
	Statement any
	Fix       string
}

// LintOptions configure Lint.
type LintOptions struct {
	Catalog *catalog.Catalog // required
	KeyARN  string           // the key a key policy belongs to (key-policy-resource)
}

// LintResult is what Lint found, and the normalized policy the Rego checks read (nil when
// the analysis stopped early).
type LintResult struct {
	Issues []Issue
	Input  map[string]any
}

// linter walks a policy document token tree, tolerant of errors, collecting issues.
type linter struct {
	file   string
	typ    LintType
	opt    LintOptions
	issues []Issue
	data   []byte
}

func (l *linter) add(id string, pos jsontree.Pos, stmt any, msg, fix string) {
	is := Issue{ID: id, Message: msg, Pos: Position(pos), Statement: stmt, Fix: fix}
	if id == "empty-principal" && l.typ != LintKey {
		is.Severity = "warning" // an error only in key policies, which PutKeyPolicy refuses
	}
	l.issues = append(l.issues, is)
}

// Lint runs the structural checks of LINT-CHECKS.md on policy text: JSON and grammar,
// element types, the catalog's services, actions, ARN formats and condition keys, and
// condition operators and values. A get-key-policy / get-bucket-policy wrapper
// ({"Policy": "..."}) is unwrapped (positions are then within the policy text).
func Lint(file string, typ LintType, data []byte, opt LintOptions) *LintResult {
	l := &linter{file: file, typ: typ, opt: opt, data: data}
	res := &LintResult{}
	root, err := jsontree.Parse(data)
	if err != nil {
		pos := jsontree.Pos{}
		msg := err.Error()
		if se, ok := err.(*jsontree.SyntaxError); ok {
			pos, msg = se.Pos, se.Msg
		}
		l.add("invalid-json", pos, nil, "not valid JSON: "+msg, "")
		res.Issues = l.issues
		return res
	}
	if inner := wrappedPolicy(root); inner != nil {
		return Lint(file, typ, []byte(inner.Str), opt)
	}
	if root.Kind == jsontree.Object {
		l.size()
	}
	doc := l.document(root)
	res.Issues = l.issues
	if doc != nil {
		res.Input = doc.input(l)
	}
	return res
}

// size applies the policy-size quotas and KMS's character set.
func (l *linter) size() {
	switch l.typ {
	case LintKey:
		if len(l.data) > 32768 {
			l.add("policy-too-large", jsontree.Pos{Line: 1, Col: 1}, nil, fmt.Sprintf("the key policy is %d bytes; KMS accepts at most 32,768", len(l.data)), "")
		}
	case LintBucket:
		if len(l.data) > 20*1024 {
			l.add("policy-too-large", jsontree.Pos{Line: 1, Col: 1}, nil, fmt.Sprintf("the bucket policy is %d bytes; S3 accepts at most 20 KB", len(l.data)), "")
		}
	case LintIdentity:
		n := 0
		for _, r := range string(l.data) {
			if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
				n++
			}
		}
		if n > 6144 {
			l.add("policy-too-large", jsontree.Pos{Line: 1, Col: 1}, nil, fmt.Sprintf("the policy has %d non-whitespace characters; an IAM managed policy may have at most 6,144", n), "")
		}
	}
}

// lintDoc is the normalized document.
type lintDoc struct {
	id         string
	version    string
	stmts      []*lintStmt
	structural bool
}

// lintStmt is one statement as lint sees it.
type lintStmt struct {
	index        int
	ref          any
	sid          string
	pos          jsontree.Pos
	effect       string
	principal    *jsontree.Member
	notPrinc     bool
	actions      []string
	lowerActions []string // lower-cased actions, computed by covers
	notAction    bool
	resources    []string
	notRes       bool
	conds        []lintCond
	hasCondition bool // a Condition element with at least one operator, parsed or not
	structural   bool // a structural error (convention 4)
	condBroken   bool // a broken condition (convention 6)
}

type lintCond struct {
	op, key string
	values  []string
	pos     jsontree.Pos
}

func (l *linter) document(root *jsontree.Node) *lintDoc {
	if root.Kind != jsontree.Object {
		l.add("invalid-element-type", root.Pos, nil, fmt.Sprintf("a policy must be a JSON object, not %s", article(root.Kind)), "")
		return nil
	}
	seen := map[string]bool{}
	for _, m := range root.Members {
		if seen[m.Key] {
			l.add("duplicate-key", m.KeyPos, nil, fmt.Sprintf("the policy repeats the member %q", m.Key), "keep one copy")
			return nil
		}
		seen[m.Key] = true
	}
	doc := &lintDoc{}
	if id := root.Get("Id"); id != nil && id.Kind == jsontree.String {
		doc.id = id.Str
	}
	var stmtNode *jsontree.Node
	for _, m := range root.Members {
		switch m.Key {
		case "Version":
			switch {
			case m.Value.Kind != jsontree.String:
				l.add("invalid-element-type", m.Value.Pos, nil, fmt.Sprintf("Version must be a string, not %s", article(m.Value.Kind)), `"Version": "2012-10-17"`)
			case m.Value.Str == Version2008:
				doc.version = Version2008
				l.add("old-version", m.Value.Pos, nil, `Version 2008-10-17 treats policy variables such as ${aws:username} as literal text`, `use "Version": "2012-10-17"`)
			case m.Value.Str != Version2012:
				l.add("invalid-version", m.Value.Pos, nil, fmt.Sprintf("invalid Version %q: expected 2012-10-17 or 2008-10-17", m.Value.Str), `"Version": "2012-10-17"`)
			default:
				doc.version = Version2012
			}
		case "Id":
			if m.Value.Kind != jsontree.String {
				l.add("invalid-element-type", m.Value.Pos, nil, fmt.Sprintf("Id must be a string, not %s", article(m.Value.Kind)), "")
			}
		case "Statement":
			stmtNode = m.Value
		default:
			l.add("unknown-element", m.KeyPos, nil, fmt.Sprintf("%q is not a policy element (expected Version, Id, Statement; names are case-sensitive)", m.Key), "")
		}
	}
	if !seen["Version"] {
		l.add("missing-version", root.Pos, nil, "no Version: policy variables are not expanded", `add "Version": "2012-10-17"`)
	}
	var nodes []*jsontree.Node
	switch {
	case stmtNode == nil:
		l.add("missing-statement", root.Pos, nil, "the policy has no Statement", "")
		return nil
	case stmtNode.Kind == jsontree.Object:
		l.add("statement-not-array", stmtNode.Pos, nil, "Statement is a single object; AWS accepts it, an array is the usual form", "")
		nodes = []*jsontree.Node{stmtNode}
	case stmtNode.Kind == jsontree.Array && len(stmtNode.Elems) == 0:
		l.add("missing-statement", stmtNode.Pos, nil, "Statement is empty", "")
		return nil
	case stmtNode.Kind == jsontree.Array:
		nodes = stmtNode.Elems
	default:
		l.add("invalid-element-type", stmtNode.Pos, nil, fmt.Sprintf("Statement must be an object or an array of objects, not %s", article(stmtNode.Kind)), "")
		return nil
	}
	refs := statementRefs(nodes)
	l.invalidCharacters(nodes, refs)
	sidsSeen := map[string]bool{}
	if strings.HasPrefix(doc.id, "auto-") {
		sidsSeen = nil // AWS managed key policies repeat Sids (LINT-CHECKS convention 10)
	}
	for i, n := range nodes {
		st := l.statement(i, n, refs[i], sidsSeen)
		doc.stmts = append(doc.stmts, st)
		doc.structural = doc.structural || st.structural
	}
	return doc
}

// statementRefs names statements per convention 1: the Sid when it is non-empty printable
// ASCII and unique in the document, else the 0-based index.
func statementRefs(nodes []*jsontree.Node) []any {
	count := map[string]int{}
	sids := make([]string, len(nodes))
	for i, n := range nodes {
		if s := n.Get("Sid"); s != nil && s.Kind == jsontree.String {
			sids[i] = s.Str
			count[s.Str]++
		}
	}
	refs := make([]any, len(nodes))
	for i, sid := range sids {
		refs[i] = i
		if sid != "" && count[sid] == 1 && isPrintableASCII(sid) {
			refs[i] = sid
		}
	}
	return refs
}

// firstDuplicate finds a repeated member name in n or any object nested in it.
func firstDuplicate(n *jsontree.Node) *jsontree.Member {
	seen := map[string]bool{}
	for i := range n.Members {
		m := &n.Members[i]
		if seen[m.Key] {
			return m
		}
		seen[m.Key] = true
	}
	for _, m := range n.Members {
		if d := firstDuplicate(m.Value); d != nil {
			return d
		}
	}
	for _, e := range n.Elems {
		if d := firstDuplicate(e); d != nil {
			return d
		}
	}
	return nil
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

var statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

func (l *linter) statement(i int, n *jsontree.Node, ref any, sidsSeen map[string]bool) *lintStmt {
	st := &lintStmt{index: i, ref: ref, pos: n.Pos}
	if n.Kind != jsontree.Object {
		l.add("invalid-element-type", n.Pos, ref, fmt.Sprintf("statement %d must be an object, not %s", i, article(n.Kind)), "")
		st.structural = true
		return st
	}
	if dup := firstDuplicate(n); dup != nil {
		l.add("duplicate-key", dup.KeyPos, ref, fmt.Sprintf("the statement repeats the member %q (parsers disagree on which copy wins)", dup.Key), "keep one copy")
		st.structural = true
		return st
	}
	el := map[string]jsontree.Member{}
	for _, m := range n.Members {
		el[m.Key] = m
	}
	for _, m := range n.Members {
		known := false
		for _, e := range statementElements {
			known = known || m.Key == e
		}
		if !known {
			l.add("unknown-element", m.KeyPos, ref, fmt.Sprintf("%q is not a statement element (names are case-sensitive)", m.Key), "")
			st.structural = true
		}
	}
	if m, ok := el["Sid"]; ok {
		if m.Value.Kind != jsontree.String {
			l.add("invalid-element-type", m.Value.Pos, ref, fmt.Sprintf("Sid must be a string, not %s", article(m.Value.Kind)), "")
			st.structural = true
		} else {
			st.sid = m.Value.Str
			if (l.typ == LintIdentity || l.typ == LintSCP) && !isAlnum(st.sid) {
				l.add("invalid-sid", m.Value.Pos, ref, fmt.Sprintf("Sid %q: %s policies allow only letters and digits", st.sid, l.typ), "")
			}
			if st.sid != "" && sidsSeen[st.sid] {
				l.add("duplicate-sid", m.Value.Pos, ref, fmt.Sprintf("Sid %q is used by an earlier statement", st.sid), "give each statement its own Sid")
			}
			if sidsSeen != nil {
				sidsSeen[st.sid] = true
			}
		}
	}
	l.effect(st, el, n)
	l.principal(st, el, n)
	l.actions(st, el, n)
	l.resources(st, el, n)
	if m, ok := el["Condition"]; ok {
		st.hasCondition = m.Value.Kind != jsontree.Object || len(m.Value.Members) > 0
		l.conditions(st, m.Value)
	}
	return st
}

func (l *linter) effect(st *lintStmt, el map[string]jsontree.Member, n *jsontree.Node) {
	m, ok := el["Effect"]
	switch {
	case !ok:
		l.add("missing-effect", n.Pos, st.ref, "the statement has no Effect", `add "Effect": "Allow" or "Deny"`)
		st.structural = true
	case m.Value.Kind != jsontree.String:
		l.add("invalid-element-type", m.Value.Pos, st.ref, fmt.Sprintf("Effect must be a string, not %s", article(m.Value.Kind)), "")
		st.structural = true
	case m.Value.Str != "Allow" && m.Value.Str != "Deny":
		l.add("invalid-effect", m.Value.Pos, st.ref, fmt.Sprintf("invalid Effect %q: expected \"Allow\" or \"Deny\" (case-sensitive)", m.Value.Str), "")
		st.structural = true
	default:
		st.effect = m.Value.Str
	}
}

// pair reads an element that has a Not form (Action/NotAction, ...).
func (l *linter) pair(st *lintStmt, el map[string]jsontree.Member, name string) (jsontree.Member, bool, bool) {
	m, has := el[name]
	nm, hasNot := el["Not"+name]
	if has && hasNot {
		l.add("conflicting-elements", nm.KeyPos, st.ref, fmt.Sprintf("the statement has both %s and Not%s", name, name), "")
		st.structural = true
		return m, true, false
	}
	if hasNot {
		return nm, true, true
	}
	return m, has, false
}

// strings reads a string or non-empty array of strings; nil and an issue otherwise.
func (l *linter) strings(st *lintStmt, m jsontree.Member) ([]string, []*jsontree.Node) {
	v := m.Value
	switch v.Kind {
	case jsontree.String:
		return []string{v.Str}, []*jsontree.Node{v}
	case jsontree.Array:
		var out []string
		for _, e := range v.Elems {
			if e.Kind != jsontree.String {
				l.add("invalid-element-type", e.Pos, st.ref, fmt.Sprintf("%s values must be strings, not %s", m.Key, article(e.Kind)), "")
				st.structural = true
				return nil, nil
			}
			out = append(out, e.Str)
		}
		return out, v.Elems
	}
	l.add("invalid-element-type", v.Pos, st.ref, fmt.Sprintf("%s must be a string or an array of strings, not %s", m.Key, article(v.Kind)), "")
	st.structural = true
	return nil, nil
}

func (l *linter) actions(st *lintStmt, el map[string]jsontree.Member, n *jsontree.Node) {
	m, ok, not := l.pair(st, el, "Action")
	if !ok {
		l.add("missing-action", n.Pos, st.ref, "the statement has neither Action nor NotAction", "")
		st.structural = true
		return
	}
	st.notAction = not
	vals, nodes := l.strings(st, m)
	if len(nodes) == 0 && vals == nil && m.Value.Kind == jsontree.Array && len(m.Value.Elems) == 0 {
		l.add("missing-action", m.Value.Pos, st.ref, m.Key+" is an empty array", "")
		st.structural = true
	}
	st.actions = vals
	l.catalogActions(st, vals, nodes)
}

func (l *linter) resources(st *lintStmt, el map[string]jsontree.Member, n *jsontree.Node) {
	m, ok, not := l.pair(st, el, "Resource")
	if !ok {
		l.add("missing-resource", n.Pos, st.ref, "the statement has neither Resource nor NotResource", `add "Resource": "*"`)
		st.structural = true
		return
	}
	st.notRes = not
	vals, nodes := l.strings(st, m)
	if m.Value.Kind == jsontree.Array && len(m.Value.Elems) == 0 {
		l.add("missing-resource", m.Value.Pos, st.ref, m.Key+" is an empty array", `"Resource": "*"`)
		st.structural = true
	}
	st.resources = vals
	l.catalogResources(st, vals, nodes)
}

func (l *linter) principal(st *lintStmt, el map[string]jsontree.Member, n *jsontree.Node) {
	m, ok, not := l.pair(st, el, "Principal")
	if !l.typ.resourcePolicy() {
		if ok {
			l.add("principal-in-identity-policy", m.KeyPos, st.ref, fmt.Sprintf("%s is not allowed in %s policies", m.Key, l.typ), "remove it; attach the policy to the principal instead")
			st.structural = true
		}
		return
	}
	if !ok {
		l.add("missing-principal", n.Pos, st.ref, "a resource-policy statement needs Principal or NotPrincipal", "")
		st.structural = true
		return
	}
	st.principal, st.notPrinc = &m, not
	v := m.Value
	switch v.Kind {
	case jsontree.String:
		if v.Str != "*" {
			l.add("invalid-principal", v.Pos, st.ref, fmt.Sprintf("%s %q: use \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:root\"}", m.Key, v.Str), "")
			st.structural = true
		}
		return
	case jsontree.Object:
	case jsontree.Array:
		if len(v.Elems) == 0 {
			l.add("empty-principal", v.Pos, st.ref, m.Key+" is an empty array", "")
			st.structural = true
			return
		}
		fallthrough
	default:
		l.add("invalid-element-type", v.Pos, st.ref, fmt.Sprintf("%s must be \"*\" or an object, not %s", m.Key, article(v.Kind)), "")
		st.structural = true
		return
	}
	if len(v.Members) == 0 {
		l.add("empty-principal", v.Pos, st.ref, m.Key+" is an empty object", "")
		st.structural = true
		return
	}
	for _, pm := range v.Members {
		switch pm.Key {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			l.add("invalid-principal", pm.KeyPos, st.ref, fmt.Sprintf("unknown principal type %q (expected AWS, Service, Federated or CanonicalUser)", pm.Key), "")
			st.structural = true
			continue
		}
		if pm.Value.Kind == jsontree.Array && len(pm.Value.Elems) == 0 {
			l.add("empty-principal", pm.Value.Pos, st.ref, fmt.Sprintf("%s principal list is empty", pm.Key), "")
			st.structural = true
			continue
		}
		_, nodes := l.strings(st, pm)
		for _, pn := range nodes {
			if pm.Key == "AWS" && pn.Str == "*" {
				continue
			}
			if _, err := principalEntryOf(pm.Key, pn.Str); err != nil {
				l.add("invalid-principal", pn.Pos, st.ref, err.Error(), "")
				st.structural = true
			}
		}
	}
}

// latin1Printable reports whether r is in KMS's key-policy character set: printable ASCII,
// printable Latin-1 supplement, tab, LF, CR.
func latin1Printable(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0x7e || r >= 0xa0 && r <= 0xff
}
