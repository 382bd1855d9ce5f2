package policy

import (
	"fmt"
	"strings"

	"github.com/keytrail/keytrail/policy/internal/jsontree"
)

// PrincipalType is the kind of caller making a request.
type PrincipalType uint8

// The principal types.
const (
	Anonymous     PrincipalType = iota // an unauthenticated caller
	Root                               // an account's root user
	User                               // an IAM user
	Role                               // an IAM role, named by its role ARN (treated as a session of it)
	AssumedRole                        // a role session: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
	FederatedUser                      // arn:aws:sts::ACCOUNT:federated-user/NAME
	Service                            // an AWS service principal such as s3.amazonaws.com
)

var principalTypeNames = [...]string{"Anonymous", "Account", "User", "AssumedRole", "AssumedRole", "FederatedUser", "Service"}

// String is the value of aws:PrincipalType for the type.
func (t PrincipalType) String() string { return principalTypeNames[t] }

// Principal is the caller of a request.
type Principal struct {
	ARN          string // as identified: the ARN, the service name, or "anonymous"
	Type         PrincipalType
	Partition    string
	Account      string
	Name         string // user name, role name, federated user name or service name (no path)
	Session      string // role session name
	PrincipalARN string // the value of aws:PrincipalArn (the role ARN for a role session)
}

// ParsePrincipal reads a caller: an IAM user, role, assumed-role session or federated user
// ARN, an account root ARN or bare 12-digit account id, a service principal
// ("s3.amazonaws.com") or "anonymous".
func ParsePrincipal(s string) (Principal, error) {
	switch {
	case s == "anonymous" || s == "*":
		return Principal{ARN: "anonymous", Type: Anonymous}, nil
	case isAccountID(s):
		arn := "arn:aws:iam::" + s + ":root"
		return Principal{ARN: arn, Type: Root, Partition: "aws", Account: s, PrincipalARN: arn}, nil
	case isServicePrincipal(s):
		name, _, _ := strings.Cut(s, ".")
		return Principal{ARN: s, Type: Service, Name: name}, nil
	}
	parts, ok := arnSegments(s)
	if !ok {
		return Principal{}, fmt.Errorf("invalid principal %q: expected an IAM or STS ARN, a 12-digit account id, a service principal (s3.amazonaws.com) or \"anonymous\"", s)
	}
	p := Principal{ARN: s, Partition: parts[1], Account: parts[4], PrincipalARN: s}
	if isCloudFrontOAI(s) {
		p.Type, p.Name = User, lastPathElem(parts[5][len("user/"):])
		return p, nil
	}
	if !isAccountID(p.Account) || parts[3] != "" {
		return Principal{}, fmt.Errorf("invalid principal ARN %q: expected arn:%s:%s::ACCOUNT:... with a 12-digit account", s, parts[1], parts[2])
	}
	res := parts[5]
	typ, rest, _ := strings.Cut(res, "/")
	switch {
	case parts[2] == "iam" && res == "root":
		p.Type = Root
	case parts[2] == "iam" && typ == "user" && rest != "":
		p.Type, p.Name = User, lastPathElem(rest)
	case parts[2] == "iam" && typ == "role" && rest != "":
		p.Type, p.Name = Role, lastPathElem(rest)
	case parts[2] == "sts" && typ == "assumed-role" && strings.Count(rest, "/") == 1:
		p.Type = AssumedRole
		p.Name, p.Session, _ = strings.Cut(rest, "/")
		if p.Name == "" || p.Session == "" {
			return Principal{}, fmt.Errorf("invalid assumed-role ARN %q: expected assumed-role/ROLE/SESSION", s)
		}
		p.PrincipalARN = "arn:" + p.Partition + ":iam::" + p.Account + ":role/" + p.Name
	case parts[2] == "sts" && typ == "federated-user" && rest != "" && !strings.Contains(rest, "/"):
		p.Type, p.Name = FederatedUser, rest
	default:
		return Principal{}, fmt.Errorf("invalid principal ARN %q: expected :root, :user/NAME, :role/NAME, sts :assumed-role/ROLE/SESSION or :federated-user/NAME", s)
	}
	if strings.ContainsAny(s, "*?") {
		return Principal{}, fmt.Errorf("invalid principal %q: a caller cannot contain wildcards", s)
	}
	return p, nil
}

func lastPathElem(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isServicePrincipal(s string) bool {
	if strings.HasPrefix(s, "arn:") || strings.ContainsAny(s, " */:?") {
		return false
	}
	return strings.HasSuffix(s, ".amazonaws.com") || strings.HasSuffix(s, ".amazonaws.com.cn") ||
		strings.HasSuffix(s, ".amazon.com") || strings.HasSuffix(s, ".c2s.ic.gov") || strings.HasSuffix(s, ".sc2s.sgov.gov")
}

// entryKind is the kind of one value of a Principal or NotPrincipal element.
type entryKind uint8

const (
	entAccount entryKind = iota
	entUser
	entRole
	entSession
	entFederatedUser
	entService
	entFederated
	entCanonical
	entUniqueID // an IAM unique id (AIDA…, AROA…): left by AWS when a principal is deleted; matches nobody
)

type principalEntry struct {
	kind    entryKind
	account string
	name    string // role name for entRole
	value   string // the text as written (account entries: the account id)
	text    string // the text as written
	typ     string // the element key: AWS, Service, Federated, CanonicalUser
}

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	any     bool // "*" or {"AWS": "*"}
	entries []principalEntry
}

// matchKind says how a Principal element matched a caller. The order matters: a higher kind
// is a more specific grant.
type matchKind uint8

const (
	matchNone     matchKind = iota
	matchAccount            // the caller's account: delegation to the account's IAM policies
	matchWildcard           // "*" or the role of a role session: limited by boundaries and session policies
	matchExact              // the caller itself: user ARN, session ARN, the root user, a service
)

var matchKindNames = [...]string{"none", "account", "wildcard", "exact"}

func (m matchKind) String() string { return matchKindNames[m] }

func (c *compiler) principals(m jsontree.Member) (*principalSet, error) {
	v := m.Value
	ps := &principalSet{}
	switch v.Kind {
	case jsontree.String:
		if v.Str != "*" {
			return nil, c.errAt(v.Pos, "invalid %s %q: use \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:root\"}", m.Key, v.Str)
		}
		ps.any = true
		return ps, nil
	case jsontree.Object:
	default:
		return nil, c.errAt(v.Pos, "%s must be \"*\" or an object, not %s", m.Key, article(v.Kind))
	}
	el, err := c.members(v, m.Key, "AWS", "Service", "Federated", "CanonicalUser")
	if err != nil {
		return nil, err
	}
	if len(el) == 0 {
		return nil, c.errAt(v.Pos, "%s is empty", m.Key)
	}
	for _, typ := range []string{"AWS", "Service", "Federated", "CanonicalUser"} {
		mm, ok := el[typ]
		if !ok {
			continue
		}
		nodes, err := c.stringList(mm)
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			if typ == "AWS" && n.Str == "*" {
				ps.any = true
				continue
			}
			e, err := principalEntryOf(typ, n.Str)
			if err != nil {
				return nil, c.errAt(n.Pos, "%v", err)
			}
			e.text, e.typ = n.Str, typ
			ps.entries = append(ps.entries, e)
		}
	}
	return ps, nil
}

func principalEntryOf(typ, s string) (principalEntry, error) {
	if s == "" {
		return principalEntry{}, fmt.Errorf("empty %s principal", typ)
	}
	if strings.ContainsAny(s, "*?") {
		return principalEntry{}, fmt.Errorf("invalid %s principal %q: wildcards are not allowed in a principal, except \"*\" alone", typ, s)
	}
	switch typ {
	case "Service":
		return principalEntry{kind: entService, value: s}, nil
	case "Federated":
		return principalEntry{kind: entFederated, value: s}, nil
	case "CanonicalUser":
		return principalEntry{kind: entCanonical, value: s}, nil
	}
	if isAccountID(s) {
		return principalEntry{kind: entAccount, account: s, value: s}, nil
	}
	if isUniqueID(s) {
		return principalEntry{kind: entUniqueID, value: s}, nil
	}
	p, err := ParsePrincipal(s)
	if err != nil || p.Type == Service || p.Type == Anonymous {
		return principalEntry{}, fmt.Errorf("invalid AWS principal %q: expected \"*\", a 12-digit account id, or an account root, IAM user, role, assumed-role or federated-user ARN", s)
	}
	e := principalEntry{account: p.Account, name: p.Name, value: s}
	switch p.Type {
	case Root:
		e.kind, e.value = entAccount, p.Account
	case User:
		e.kind = entUser
	case Role:
		e.kind = entRole
	case AssumedRole:
		e.kind = entSession
	case FederatedUser:
		e.kind = entFederatedUser
	}
	return e, nil
}

// ServiceLinked reports whether the caller is a service-linked role (path /aws-service-role/,
// or a session of a role named AWSServiceRoleFor...): SCPs and RCPs do not restrict it.
func (p *Principal) ServiceLinked() bool {
	return (p.Type == Role || p.Type == AssumedRole) &&
		(strings.Contains(p.ARN, ":role/aws-service-role/") || strings.HasPrefix(p.Name, "AWSServiceRoleFor"))
}

// isCloudFrontOAI recognizes a CloudFront origin access identity's legacy principal ARN,
// arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity <id> (S3 bucket policies).
func isCloudFrontOAI(s string) bool {
	const mid = ":iam::cloudfront:user/CloudFront Origin Access Identity "
	i := strings.Index(s, mid)
	return i > len("arn:") && strings.HasPrefix(s, "arn:") && !strings.Contains(s[4:i], ":") && len(s) > i+len(mid)
}

// isUniqueID recognizes IAM unique ids (AIDA…, AROA…, AIPA…).
func isUniqueID(s string) bool {
	if len(s) < 16 || s[0] != 'A' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// match says how the Principal element matches the caller.
func (ps *principalSet) match(p *Principal) matchKind {
	best := matchNone
	if ps.any {
		best = matchWildcard
	}
	for i := range ps.entries {
		if m := ps.entries[i].match(p); m > best {
			best = m
		}
	}
	return best
}

func (e *principalEntry) match(p *Principal) matchKind {
	switch e.kind {
	case entAccount:
		if p.Account != e.account || p.Type == Service || p.Type == Anonymous {
			return matchNone
		}
		if p.Type == Root {
			return matchExact
		}
		return matchAccount
	case entUser, entSession, entFederatedUser:
		if p.ARN == e.value {
			return matchExact
		}
	case entRole:
		if p.Account == e.account && p.Name == e.name {
			if p.Type == Role {
				return matchExact
			}
			if p.Type == AssumedRole {
				return matchWildcard
			}
		}
	case entService, entFederated, entCanonical:
		if p.ARN == e.value {
			return matchExact
		}
	}
	return matchNone
}

// names reports whether one entry names the given identity of the caller's chain exactly.
func (ps *principalSet) names(id identity) bool {
	if ps.any {
		return true
	}
	for i := range ps.entries {
		e := &ps.entries[i]
		switch {
		case id.kind == entAccount && e.kind == entAccount:
			if e.account == id.account {
				return true
			}
		case id.kind == entRole && e.kind == entRole:
			if e.account == id.account && e.name == id.name {
				return true
			}
		case id.kind == e.kind && e.value == id.value:
			return true
		}
	}
	return false
}

// identity is one link of a caller's chain: the account, then the role, then the session
// (or the user). AWS applies a NotPrincipal statement to each link.
type identity struct {
	kind          entryKind
	account, name string
	value         string
}

// chain returns the caller's identities, outermost first. Anonymous callers have none.
func (p *Principal) chain(buf *[3]identity) []identity {
	acct := identity{kind: entAccount, account: p.Account}
	switch p.Type {
	case Root:
		buf[0] = acct
		return buf[:1]
	case User:
		buf[0], buf[1] = acct, identity{kind: entUser, value: p.ARN}
		return buf[:2]
	case Role:
		buf[0], buf[1] = acct, identity{kind: entRole, account: p.Account, name: p.Name}
		return buf[:2]
	case AssumedRole:
		buf[0], buf[1] = acct, identity{kind: entRole, account: p.Account, name: p.Name}
		buf[2] = identity{kind: entSession, value: p.ARN}
		return buf[:3]
	case FederatedUser:
		buf[0], buf[1] = acct, identity{kind: entFederatedUser, value: p.ARN}
		return buf[:2]
	case Service:
		buf[0] = identity{kind: entService, value: p.ARN}
		return buf[:1]
	}
	return buf[:0]
}

// notPrincipalApplies reports whether a NotPrincipal statement (always a Deny: the parser
// rejects NotPrincipal with Allow, as AWS does) applies to the caller. It applies unless every
// identity in the caller's chain is listed: AWS documents that the account must be listed
// along with the user or the role and its session.
func (ps *principalSet) notPrincipalApplies(p *Principal, hasBoundary bool) bool {
	if hasBoundary && p.Type != Root {
		// IAM documents that a NotPrincipal Deny always applies to a principal that has a
		// permissions boundary, whatever the element lists.
		return true
	}
	var buf [3]identity
	ids := p.chain(&buf)
	if len(ids) == 0 { // anonymous: only "*" names it
		return !ps.any
	}
	for _, id := range ids {
		if !ps.names(id) {
			return true
		}
	}
	return false
}

// Principals lists the callers the policy's Principal elements name, as ARNs: account
// entries as the account's root ARN, "*" as "*". NotPrincipal elements are not included.
func (p *Policy) Principals() []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, s := range p.Statements {
		if s.principal == nil || s.notPrincipal {
			continue
		}
		if s.principal.any {
			add("*")
		}
		for _, e := range s.principal.entries {
			switch e.kind {
			case entAccount:
				add("arn:aws:iam::" + e.account + ":root")
			case entUniqueID, entFederated, entCanonical:
			default:
				add(e.value)
			}
		}
	}
	return out
}
