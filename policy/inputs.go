package policy

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/keytrail/keytrail/policy/internal/jsontree"
)

// parseTree parses JSON text into a tree, with errors positioned in file.
func parseTree(file string, data []byte) (*jsontree.Node, error) {
	root, err := jsontree.Parse(data)
	if err != nil {
		var se *jsontree.SyntaxError
		if errors.As(err, &se) {
			return nil, &Error{File: file, Pos: Position(se.Pos), Msg: "invalid JSON: " + se.Msg}
		}
		return nil, &Error{File: file, Msg: err.Error()}
	}
	return root, nil
}

func errAt(file string, n *jsontree.Node, format string, args ...any) error {
	e := &Error{File: file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Pos = Position(n.Pos)
	}
	return e
}

// ParseResource reads a key policy (kind Key) or bucket policy (kind Resource) as AWS prints
// it: the policy document itself (`aws kms get-key-policy --output text`), or the
// `--output json` wrapper {"Policy": "<policy text>"} that get-key-policy and
// get-bucket-policy print. Positions in errors about a wrapped policy are within the policy
// text.
func ParseResource(file string, kind Kind, data []byte) (*Policy, error) {
	root, err := parseTree(file, data)
	if err != nil {
		return nil, err
	}
	if inner := wrappedPolicy(root); inner != nil {
		return Parse(file+" (Policy)", kind, []byte(inner.Str))
	}
	return compile(file, kind, root)
}

// ResourceKind is the kind of the resource policy that governs an ARN: Key for KMS keys and
// aliases, Resource otherwise.
func ResourceKind(arn string) Kind {
	if parts, ok := arnSegments(arn); ok && parts[2] == "kms" {
		return Key
	}
	return Resource
}

// AccountOf returns the account field of an ARN, or "".
func AccountOf(arn string) string {
	parts, _ := arnSegments(arn)
	return parts[4]
}

// wrappedPolicy returns the "Policy" string of a {"Policy": "...", "PolicyName": ...} wrapper.
func wrappedPolicy(root *jsontree.Node) *jsontree.Node {
	if root.Kind != jsontree.Object || root.Get("Statement") != nil {
		return nil
	}
	p := root.Get("Policy")
	if p == nil || p.Kind != jsontree.String {
		return nil
	}
	for _, m := range root.Members {
		if m.Key != "Policy" && m.Key != "PolicyName" {
			return nil
		}
	}
	return p
}

// ParseGrants reads `aws kms list-grants` output ({"Grants": [...]}) or a bare array of grants.
func ParseGrants(file string, data []byte) ([]*Grant, error) {
	root, err := parseTree(file, data)
	if err != nil {
		return nil, err
	}
	return grantsFromTree(file, root)
}

func grantsFromTree(file string, root *jsontree.Node) ([]*Grant, error) {
	list := root
	if root.Kind == jsontree.Object {
		list = root.Get("Grants")
		if list == nil {
			return nil, errAt(file, root, "expected list-grants output: an object with \"Grants\" or an array of grants")
		}
	}
	if list.Kind != jsontree.Array {
		return nil, errAt(file, list, "Grants must be an array, not %s", article(list.Kind))
	}
	var out []*Grant
	for _, n := range list.Elems {
		g, err := grantFromTree(file, n)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

func grantFromTree(file string, n *jsontree.Node) (*Grant, error) {
	if n.Kind != jsontree.Object {
		return nil, errAt(file, n, "a grant must be an object, not %s", article(n.Kind))
	}
	g := &Grant{ID: n.Get("GrantId").Text(), Name: n.Get("Name").Text(),
		GranteePrincipal: n.Get("GranteePrincipal").Text(), RetiringPrincipal: n.Get("RetiringPrincipal").Text()}
	ops := n.Get("Operations")
	if ops == nil || ops.Kind != jsontree.Array {
		return nil, errAt(file, n, "grant %s: Operations must be an array of operation names", g.label())
	}
	for _, o := range ops.Elems {
		if o.Kind != jsontree.String {
			return nil, errAt(file, o, "grant %s: operations must be strings", g.label())
		}
		g.Operations = append(g.Operations, o.Str)
	}
	if c := n.Get("Constraints"); c != nil {
		if c.Kind != jsontree.Object {
			return nil, errAt(file, c, "grant %s: Constraints must be an object", g.label())
		}
		for _, m := range c.Members {
			ctx, err := stringMap(file, m.Value)
			if err != nil {
				return nil, err
			}
			switch m.Key {
			case "EncryptionContextEquals":
				g.EncryptionContextEquals = ctx
			case "EncryptionContextSubset":
				g.EncryptionContextSubset = ctx
			default:
				return nil, errAt(file, m.Value, "grant %s: unsupported constraint %q (expected EncryptionContextEquals or EncryptionContextSubset)", g.label(), m.Key)
			}
		}
	}
	if err := g.Compile(); err != nil {
		return nil, errAt(file, n, "%v", err)
	}
	return g, nil
}

func stringMap(file string, n *jsontree.Node) (map[string]string, error) {
	if n.Kind != jsontree.Object {
		return nil, errAt(file, n, "expected an object of strings, not %s", article(n.Kind))
	}
	out := make(map[string]string, len(n.Members))
	for _, m := range n.Members {
		if m.Value.Kind != jsontree.String {
			return nil, errAt(file, m.Value, "the value of %q must be a string", m.Key)
		}
		out[m.Key] = m.Value.Str
	}
	return out, nil
}

// Directory is an account's IAM principals and their policies, from
// `aws iam get-account-authorization-details`.
type Directory struct {
	Identities []*IdentityInfo
	byARN      map[string]*IdentityInfo
}

// IdentityInfo is one IAM user or role with every identity policy that applies to it (its
// own inline and managed policies and, for users, its groups') and its boundary.
type IdentityInfo struct {
	ARN      string
	Type     PrincipalType // User or Role
	Name     string
	Groups   []string
	Policies []*Policy
	Boundary *Policy
	Tags     map[string]string
}

// Lookup finds the user or role of a caller (a role session finds its role).
func (d *Directory) Lookup(p Principal) *IdentityInfo {
	if d == nil {
		return nil
	}
	if id := d.byARN[p.ARN]; id != nil {
		return id
	}
	for _, id := range d.Identities {
		if (p.Type == AssumedRole || p.Type == Role) && id.Type == Role && id.Name == p.Name && AccountOf(id.ARN) == p.Account {
			return id
		}
	}
	return nil
}

// ParseAuthorizationDetails reads `aws iam get-account-authorization-details` output. Policy
// documents may be JSON objects (as the CLI prints them) or URL-encoded strings (as the API
// returns them).
func ParseAuthorizationDetails(file string, data []byte) (*Directory, error) {
	root, err := parseTree(file, data)
	if err != nil {
		return nil, err
	}
	if root.Kind != jsontree.Object || (root.Get("UserDetailList") == nil && root.Get("RoleDetailList") == nil) {
		return nil, errAt(file, root, "expected get-account-authorization-details output with UserDetailList or RoleDetailList")
	}
	r := &authReader{file: file, managed: map[string]*jsontree.Node{}, compiled: map[string]*Policy{}}
	// Managed policies: the default version's document.
	for _, p := range elems(root.Get("Policies")) {
		arn := p.Get("Arn").Text()
		for _, v := range elems(p.Get("PolicyVersionList")) {
			if b := v.Get("IsDefaultVersion"); b != nil && b.Kind == jsontree.Bool && b.Bool {
				r.managed[arn] = v.Get("Document")
			}
		}
	}
	groups := map[string]*jsontree.Node{}
	for _, g := range elems(root.Get("GroupDetailList")) {
		groups[g.Get("GroupName").Text()] = g
	}
	d := &Directory{byARN: map[string]*IdentityInfo{}}
	add := func(n *jsontree.Node, typ PrincipalType, nameKey, inlineKey string) error {
		id := &IdentityInfo{ARN: n.Get("Arn").Text(), Type: typ, Name: n.Get(nameKey).Text(), Tags: tags(n.Get("Tags"))}
		if p, err := ParsePrincipal(id.ARN); err != nil || p.Type != typ {
			return errAt(file, n.Get("Arn"), "%s %q: Arn %q is not an IAM %s ARN", nameKey, id.Name, id.ARN, strings.ToLower(typ.String()))
		}
		if err := r.collect(id, n, inlineKey); err != nil {
			return err
		}
		for _, gn := range elems(n.Get("GroupList")) {
			id.Groups = append(id.Groups, gn.Text())
			if g := groups[gn.Text()]; g != nil {
				if err := r.collect(id, g, "GroupPolicyList"); err != nil {
					return err
				}
			}
		}
		if b := n.Get("PermissionsBoundary"); b != nil {
			arn := b.Get("PermissionsBoundaryArn").Text()
			p, err := r.managedPolicy(arn, b)
			if err != nil {
				return err
			}
			id.Boundary = p
		}
		d.Identities = append(d.Identities, id)
		d.byARN[id.ARN] = id
		return nil
	}
	for _, u := range elems(root.Get("UserDetailList")) {
		if err := add(u, User, "UserName", "UserPolicyList"); err != nil {
			return nil, err
		}
	}
	for _, ro := range elems(root.Get("RoleDetailList")) {
		if err := add(ro, Role, "RoleName", "RolePolicyList"); err != nil {
			return nil, err
		}
	}
	sort.Slice(d.Identities, func(i, j int) bool { return d.Identities[i].ARN < d.Identities[j].ARN })
	return d, nil
}

type authReader struct {
	file     string
	managed  map[string]*jsontree.Node
	compiled map[string]*Policy
}

// collect adds an entity's inline and attached managed policies to id.
func (r *authReader) collect(id *IdentityInfo, n *jsontree.Node, inlineKey string) error {
	owner := n.Get("UserName").Text() + n.Get("GroupName").Text() + n.Get("RoleName").Text()
	for _, ip := range elems(n.Get(inlineKey)) {
		name := fmt.Sprintf("%s:%s/inline/%s", r.file, owner, ip.Get("PolicyName").Text())
		p, err := r.document(name, ip.Get("PolicyDocument"), ip)
		if err != nil {
			return err
		}
		id.Policies = append(id.Policies, p)
	}
	for _, mp := range elems(n.Get("AttachedManagedPolicies")) {
		p, err := r.managedPolicy(mp.Get("PolicyArn").Text(), mp)
		if err != nil {
			return err
		}
		id.Policies = append(id.Policies, p)
	}
	return nil
}

func (r *authReader) managedPolicy(arn string, at *jsontree.Node) (*Policy, error) {
	if p := r.compiled[arn]; p != nil {
		return p, nil
	}
	doc := r.managed[arn]
	if doc == nil {
		return nil, errAt(r.file, at, "managed policy %s is attached but its document is not in the file's Policies list (AWS managed policies are listed only with --filter AWSManagedPolicy or no filter)", arn)
	}
	p, err := r.document(r.file+":"+arn, doc, at)
	if err != nil {
		return nil, err
	}
	r.compiled[arn] = p
	return p, nil
}

// document compiles a policy document given as an object or a URL-encoded string.
func (r *authReader) document(name string, doc, at *jsontree.Node) (*Policy, error) {
	switch {
	case doc == nil:
		return nil, errAt(r.file, at, "%s: no policy document", name)
	case doc.Kind == jsontree.String:
		// The API returns documents URL-encoded (RFC 3986: "+" is a plus sign).
		text, err := url.PathUnescape(doc.Str)
		if err != nil {
			return nil, errAt(r.file, doc, "%s: the policy document is neither JSON nor URL-encoded JSON: %v", name, err)
		}
		return Parse(name, Identity, []byte(text))
	}
	return compile(name, Identity, doc)
}

func elems(n *jsontree.Node) []*jsontree.Node {
	if n == nil || n.Kind != jsontree.Array {
		return nil
	}
	return n.Elems
}

func tags(n *jsontree.Node) map[string]string {
	out := map[string]string{}
	for _, t := range elems(n) {
		out[t.Get("Key").Text()] = t.Get("Value").Text()
	}
	return out
}
