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
}

func (f *policyFlags) register(fs *pflag.FlagSet, identity bool) {
	fs.StringVar(&f.keyPolicy, "key-policy", "", "key or bucket policy `FILE` (policy JSON or get-key-policy/get-bucket-policy --output json); default: the embedded seed key policy; - reads stdin")
	if identity {
		fs.StringArrayVar(&f.policies, "policy", nil, "identity policy `FILE` of the caller (repeatable)")
	}
	fs.StringVar(&f.authDetails, "auth-details", "", "aws iam get-account-authorization-details output `FILE`: users, roles, groups and their policies")
	fs.StringVar(&f.grants, "grants", "", "aws kms list-grants output `FILE`")
	fs.StringArrayVar(&f.scps, "scp", nil, "SCP `FILE[,FILE...]` for one organization level, root first (repeat per level; FullAWSAccess is not implied)")
	fs.StringArrayVar(&f.rcps, "rcp", nil, "RCP `FILE[,FILE...]` for one organization level (RCPFullAWSAccess is implied)")
	if identity {
		fs.StringVar(&f.boundary, "boundary", "", "permissions boundary policy `FILE` of the caller")
		fs.StringVar(&f.session, "session-policy", "", "session policy `FILE` of the caller's role session")
	}
	fs.StringVar(&f.endpoint, "endpoint-policy", "", "VPC endpoint policy `FILE` the request goes through")
	fs.StringArrayVarP(&f.context, "context", "c", nil, "request context `KEY=VALUE` (repeat a key for a multivalued key), e.g. -c kms:GrantIsForAWSResource=true")
	fs.StringVar(&f.time, "time", "", "request time, RFC 3339 (aws:CurrentTime); default now")
	fs.StringVar(&f.resourceAccount, "resource-account", "", "the account that owns RESOURCE when its ARN has none (S3)")
}

// validate checks the flags that need no file: a usage error, not an input error.
func (f *policyFlags) validate() error {
	for _, kv := range f.context {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Errorf("invalid --context %q: expected KEY=VALUE", kv)
		}
	}
	if f.time != "" {
		if _, err := time.Parse(time.RFC3339, f.time); err != nil {
			return fmt.Errorf("invalid --time %q: expected RFC 3339 such as 2026-11-29T12:00:00Z", f.time)
		}
	}
	return nil
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

func (r *reader) read(path string) ([]byte, string, error) {
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
		return nil, path, fmt.Errorf("failed to read policy: %w", err)
	}
	return data, path, nil
}

func (f *policyFlags) load(s *stdio) (*inputs, error) {
	r := &reader{stdin: s.in}
	in := &inputs{}
	parse := func(path string, kind policy.Kind) (*policy.Policy, error) {
		if path == "" {
			return nil, nil
		}
		data, name, err := r.read(path)
		if err != nil {
			return nil, err
		}
		if kind == policy.Resource {
			return policy.ParseResource(name, data)
		}
		return policy.Parse(name, kind, data)
	}
	var err error
	if f.keyPolicy == "" {
		in.seed = true
		in.set.Resource, err = policy.ParseResource("seed-key-policy.json (embedded)", fixtures.SeedKeyPolicy)
	} else {
		in.set.Resource, err = parse(f.keyPolicy, policy.Resource)
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
		data, name, err := r.read(f.grants)
		if err != nil {
			return nil, err
		}
		if in.set.Grants, err = policy.ParseGrants(name, data); err != nil {
			return nil, err
		}
	}
	if f.authDetails != "" {
		data, name, err := r.read(f.authDetails)
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
// tags from --auth-details.
func (f *policyFlags) request(in *inputs, p policy.Principal, action, resource string) (*policy.Set, *policy.Request, error) {
	req := &policy.Request{Principal: p, Action: action, Resource: resource, ResourceAccount: f.resourceAccount}
	if f.time != "" {
		t, err := time.Parse(time.RFC3339, f.time)
		if err != nil {
			return nil, nil, fmt.Errorf("invalid --time %q: expected RFC 3339 such as 2026-11-29T12:00:00Z", f.time)
		}
		req.Time = t
	}
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
	multi := map[string][]string{}
	var order []string
	for _, kv := range f.context {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, nil, fmt.Errorf("invalid context %q: expected KEY=VALUE", kv)
		}
		if _, seen := multi[k]; !seen {
			order = append(order, k)
		}
		multi[k] = append(multi[k], v)
	}
	for _, k := range order {
		req.Context.Set(k, multi[k]...)
	}
	return &set, req, nil
}

// resolvePrincipal reads a caller: a full ARN, an account id, a service principal,
// "anonymous", or a shorthand resolved against account: root, user/NAME, role/NAME,
// assumed-role/ROLE/SESSION, federated-user/NAME.
func resolvePrincipal(s, account string) (policy.Principal, error) {
	if p, err := policy.ParsePrincipal(s); err == nil {
		return p, nil
	}
	if account == "" {
		account = fixtures.SeedAccount
	}
	typ, _, _ := strings.Cut(s, "/")
	switch {
	case s == "root":
		return policy.ParsePrincipal("arn:aws:iam::" + account + ":root")
	case typ == "user" || typ == "role":
		return policy.ParsePrincipal("arn:aws:iam::" + account + ":" + s)
	case typ == "assumed-role" || typ == "federated-user":
		return policy.ParsePrincipal("arn:aws:sts::" + account + ":" + s)
	}
	_, err := policy.ParsePrincipal(s)
	return policy.Principal{}, fmt.Errorf("%w (or a shorthand: root, user/NAME, role/NAME, assumed-role/ROLE/SESSION)", err)
}

// accountOfARN returns an ARN's account field.
func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 {
		return parts[4]
	}
	return ""
}
