package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/keytrail/keytrail/fixtures"
	"github.com/keytrail/keytrail/policy"
)

// policyFlags are the policy inputs shared by can and who.
type policyFlags struct {
	keyPolicy       string
	policies        []string
	authDetails     string
	grants          string
	scps            []string
	rcps            []string
	boundary        string
	session         string
	endpoint        string
	context         []string
	time            string
	resourceAccount string

	// set by check
	ctxKeys []string            // context keys in order of first appearance
	ctxVals map[string][]string // by lower-cased key
	reqTime time.Time
}

func (f *policyFlags) register(fs *pflag.FlagSet, identity bool) {
	fs.StringVar(&f.keyPolicy, "key-policy", "", "key or bucket policy `FILE` (policy JSON or get-key-policy/get-bucket-policy --output json); default: the embedded seed key policy; - reads stdin")
	if identity {
		fs.StringArrayVar(&f.policies, "policy", nil, "identity policy `FILE` of the caller (repeatable)")
	}
	fs.StringVar(&f.authDetails, "auth-details", "", "aws iam get-account-authorization-details output `FILE`: users, roles, groups and their policies")
	fs.StringVar(&f.grants, "grants", "", "aws kms list-grants output `FILE`")
	fs.StringArrayVar(&f.scps, "scp", nil, "the SCP `FILES` of one organization level, comma-separated; repeat per level, root first (FullAWSAccess is not implied)")
	fs.StringArrayVar(&f.rcps, "rcp", nil, "the RCP `FILES` of one organization level, comma-separated; repeat per level (RCPFullAWSAccess is implied)")
	if identity {
		fs.StringVar(&f.boundary, "boundary", "", "permissions boundary policy `FILE` of the caller")
		fs.StringVar(&f.session, "session-policy", "", "session policy `FILE` of the caller's role session")
	}
	fs.StringVar(&f.endpoint, "endpoint-policy", "", "VPC endpoint policy `FILE` the request goes through")
	fs.StringArrayVarP(&f.context, "context", "c", nil, "request context `KEY=VALUE` (repeat a key for a multivalued key), e.g. -c kms:GrantIsForAWSResource=true")
	fs.StringVar(&f.time, "time", "", "request time, RFC 3339 (aws:CurrentTime); default now")
	fs.StringVar(&f.resourceAccount, "resource-account", "", "the account that owns RESOURCE when its ARN has none (S3)")
}

// check validates the request and the flags that need no file: problems here are usage
// errors, not invalid input. It parses --context and --time once.
func (f *policyFlags) check(action, resource string, seed bool) error {
	if svc, name, ok := strings.Cut(action, ":"); !ok || svc == "" || name == "" || strings.ContainsAny(action, "*? ") {
		return fmt.Errorf("invalid ACTION %q: expected one action as service:Action, such as kms:Decrypt", action)
	}
	if resource != "*" && policy.AccountOf(resource) == "" && strings.Count(resource, ":") < 5 {
		return fmt.Errorf("invalid RESOURCE %q: expected an ARN (arn:partition:service:region:account:resource) or * for actions that take no resource", resource)
	}
	if seed && resource != "*" && resource != fixtures.SeedKeyARN && resource != "arn:aws:kms:us-east-1:"+fixtures.SeedAccount+":"+fixtures.SeedAlias {
		return fmt.Errorf("the embedded seed key policy governs %s only; give --key-policy for %s", fixtures.SeedKeyARN, resource)
	}
	if a := f.resourceAccount; a != "" {
		if len(a) != 12 || strings.Trim(a, "0123456789") != "" {
			return fmt.Errorf("invalid --resource-account %q: expected a 12-digit account id", a)
		}
		if own := policy.AccountOf(resource); own != "" && own != a {
			return fmt.Errorf("--resource-account %s contradicts RESOURCE, which is in account %s", a, own)
		}
	}
	for _, group := range [][]string{f.scps, f.rcps} {
		for _, spec := range group {
			for _, p := range strings.Split(spec, ",") {
				if strings.TrimSpace(p) == "" {
					return fmt.Errorf("empty file name in --scp/--rcp %q", spec)
				}
			}
		}
	}
	f.ctxVals = map[string][]string{}
	f.ctxKeys = nil
	for _, kv := range f.context {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("invalid --context %q: expected KEY=VALUE", kv)
		}
		lower := strings.ToLower(k) // key names are case-insensitive: one key, several values
		if _, seen := f.ctxVals[lower]; !seen {
			f.ctxKeys = append(f.ctxKeys, k)
		}
		f.ctxVals[lower] = append(f.ctxVals[lower], v)
	}
	if f.time != "" {
		t, err := time.Parse(time.RFC3339, f.time)
		if err != nil {
			return fmt.Errorf("invalid --time %q: expected RFC 3339 such as 2026-11-29T12:00:00Z", f.time)
		}
		f.reqTime = t
	}
	return nil
}

// account is the resource's account: its ARN's, else --resource-account, else the seed's
// when the seed key policy is in use.
func (f *policyFlags) account(resource string, seed bool) string {
	switch a := policy.AccountOf(resource); {
	case a != "":
		return a
	case f.resourceAccount != "":
		return f.resourceAccount
	case seed:
		return fixtures.SeedAccount
	}
	return ""
}

// inputs are the loaded policies.
type inputs struct {
	set      policy.Set // the resource side and organization; identity policies are per caller
	identity []*policy.Policy
	dir      *policy.Directory
	seed     bool // the key policy is the embedded seed
}

// reader reads input files, reading stdin at most once.
type reader struct {
	stdin     io.Reader
	stdinUsed bool
}

func (r *reader) read(path, what string) ([]byte, string, error) {
	if path == "-" {
		if r.stdinUsed {
			return nil, "", fmt.Errorf("stdin (-) can be read only once")
		}
		r.stdinUsed = true
		data, err := io.ReadAll(io.LimitReader(r.stdin, policy.MaxPolicySize+1))
		if err != nil {
			return nil, "<stdin>", fmt.Errorf("failed to read stdin: %w", err)
		}
		return data, "<stdin>", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, path, fmt.Errorf("failed to read %s: %w", what, err)
	}
	return data, path, nil
}

// load reads the policy files; resourceKind is the kind of the resource policy (policy.Key
// for a KMS key's, policy.Resource for a bucket's).
func (f *policyFlags) load(s *stdio, resourceKind policy.Kind) (*inputs, error) {
	r := &reader{stdin: s.in}
	in := &inputs{}
	parse := func(path string, kind policy.Kind) (*policy.Policy, error) {
		if path == "" {
			return nil, nil
		}
		data, name, err := r.read(path, "policy")
		if err != nil {
			return nil, err
		}
		if kind == policy.Resource || kind == policy.Key {
			return policy.ParseResource(name, kind, data)
		}
		return policy.Parse(name, kind, data)
	}
	var err error
	if f.keyPolicy == "" {
		in.seed = true
		in.set.Resource, err = policy.ParseResource("seed-key-policy.json (embedded)", policy.Key, fixtures.SeedKeyPolicy)
	} else {
		in.set.Resource, err = parse(f.keyPolicy, resourceKind)
	}
	if err != nil {
		return nil, err
	}
	for _, p := range f.policies {
		pol, err := parse(p, policy.Identity)
		if err != nil {
			return nil, err
		}
		in.identity = append(in.identity, pol)
	}
	if in.set.Boundary, err = parse(f.boundary, policy.Identity); err != nil {
		return nil, err
	}
	if in.set.Session, err = parse(f.session, policy.Identity); err != nil {
		return nil, err
	}
	if in.set.Endpoint, err = parse(f.endpoint, policy.Endpoint); err != nil {
		return nil, err
	}
	levels := func(specs []string, kind policy.Kind) ([][]*policy.Policy, error) {
		var out [][]*policy.Policy
		for _, spec := range specs {
			var lvl []*policy.Policy
			for _, path := range strings.Split(spec, ",") {
				p, err := parse(strings.TrimSpace(path), kind)
				if err != nil {
					return nil, err
				}
				lvl = append(lvl, p)
			}
			out = append(out, lvl)
		}
		return out, nil
	}
	if in.set.SCPs, err = levels(f.scps, policy.SCP); err != nil {
		return nil, err
	}
	if in.set.RCPs, err = levels(f.rcps, policy.RCP); err != nil {
		return nil, err
	}
	if f.grants != "" {
		data, name, err := r.read(f.grants, "grants")
		if err != nil {
			return nil, err
		}
		if in.set.Grants, err = policy.ParseGrants(name, data); err != nil {
			return nil, err
		}
	}
	if f.authDetails != "" {
		data, name, err := r.read(f.authDetails, "authorization details")
		if err != nil {
			return nil, err
		}
		if in.dir, err = policy.ParseAuthorizationDetails(name, data); err != nil {
			return nil, err
		}
	}
	if err := in.set.Validate(); err != nil {
		return nil, err
	}
	return in, nil
}

// request builds a request for a caller, adding the caller's identity policies, boundary and
// tags from --auth-details. check must have run.
func (f *policyFlags) request(in *inputs, p policy.Principal, action, resource string) (*policy.Set, *policy.Request) {
	req := &policy.Request{Principal: p, Action: action, Resource: resource, ResourceAccount: f.resourceAccount, Time: f.reqTime}
	set := in.set
	set.Identity = append([]*policy.Policy(nil), in.identity...)
	if id := in.dir.Lookup(p); id != nil {
		set.Identity = append(set.Identity, id.Policies...)
		if set.Boundary == nil {
			set.Boundary = id.Boundary
		}
		for k, v := range id.Tags {
			req.Context.Set("aws:PrincipalTag/"+k, v)
		}
	}
	for _, k := range f.ctxKeys {
		req.Context.Set(k, f.ctxVals[strings.ToLower(k)]...)
	}
	return &set, req
}

// resolvePrincipal reads a caller: a full ARN, an account id, a service principal,
// "anonymous", or a shorthand resolved against account: root, user/NAME, role/NAME,
// assumed-role/ROLE/SESSION, federated-user/NAME. A shorthand without an account is a usage
// error (usage true).
func resolvePrincipal(s, account string) (p policy.Principal, usage bool, err error) {
	if p, err := policy.ParsePrincipal(s); err == nil {
		return p, false, nil
	}
	typ, _, _ := strings.Cut(s, "/")
	var arn string
	switch {
	case s == "root":
		arn = "arn:aws:iam::" + account + ":root"
	case typ == "user" || typ == "role":
		arn = "arn:aws:iam::" + account + ":" + s
	case typ == "assumed-role" || typ == "federated-user":
		arn = "arn:aws:sts::" + account + ":" + s
	default:
		_, err := policy.ParsePrincipal(s)
		return policy.Principal{}, false, fmt.Errorf("%w (or a shorthand: root, user/NAME, role/NAME, assumed-role/ROLE/SESSION)", err)
	}
	if account == "" {
		return policy.Principal{}, true, fmt.Errorf("PRINCIPAL %q is a shorthand, but RESOURCE names no account: give a full ARN or --resource-account", s)
	}
	p, err = policy.ParsePrincipal(arn)
	return p, false, err
}
