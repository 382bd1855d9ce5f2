package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/keytrail/keytrail/fixtures"
	"github.com/keytrail/keytrail/policy"
)

const whoHelp = `
Usage: keytrail who ACTION [RESOURCE] [--key-policy FILE] [flags]

Lists every principal that can, can under conditions, or cannot do ACTION on RESOURCE: the
principals the key (or bucket) policy names, the grantees of --grants, every user and role of
--auth-details, and the resource account's root user. Each answer is evaluated exactly as
'keytrail can' would, with the principal's own policies from --auth-details.

Where the key policy delegates to an account (arn:aws:iam::ACCOUNT:root) and --auth-details does
not list that account's users and roles, a row "ACCOUNT:* (IAM principals)" says what any of
them could do if their IAM policies allowed it.

Examples:
  keytrail who kms:Decrypt                                   # the embedded seed key policy
  keytrail who kms:Decrypt KEY_ARN --key-policy key.json --auth-details auth.json
  keytrail who kms:CreateGrant -c kms:GrantIsForAWSResource=true -o json

Exit status: 0 listed, 2 usage error, 3 invalid input.
`

type whoRow struct {
	Principal    string   `json:"principal"`
	Answer       string   `json:"answer"` // can | via IAM | conditional | cannot
	Decision     string   `json:"decision"`
	Why          string   `json:"why"`
	Requirements []string `json:"requirements,omitempty"`
}

func runWho(args []string, s *stdio) int {
	var pf policyFlags
	var output string
	fs := newFlags("who", whoHelp, s)
	pf.register(fs, false)
	fs.VarP(newOutputFlag(&output), "output", "o", "output format: table or json")
	if done, code := parseFlags(fs, args, s); done {
		return code
	}
	pos := fs.Args()
	if len(pos) < 1 || len(pos) > 2 {
		return usageError(s, "who", "expected ACTION [RESOURCE]")
	}
	seed := pf.keyPolicy == ""
	action, resource := pos[0], fixtures.SeedKeyARN
	switch {
	case len(pos) == 2:
		resource = pos[1]
	case !seed:
		return usageError(s, "who", "RESOURCE is required with --key-policy")
	}
	if err := pf.check(action, resource, seed); err != nil {
		return usageError(s, "who", err.Error())
	}
	in, err := pf.load(s, policy.ResourceKind(resource))
	if err != nil {
		return inputError(s, err)
	}
	account := pf.account(resource, seed)
	kms := policy.ResourceKind(resource) == policy.Key
	var rows []whoRow
	for _, c := range candidates(in, account, kms) {
		row, err := pf.whoRow(in, c, action, resource)
		if err != nil {
			return inputError(s, err)
		}
		rows = append(rows, row)
	}
	rank := map[string]int{"can": 0, "via IAM": 1, "conditional": 2, "cannot": 3}
	sort.SliceStable(rows, func(i, j int) bool { return rank[rows[i].Answer] < rank[rows[j].Answer] })
	if output == "json" {
		if err := writeJSONIndent(s.out, rows); err != nil {
			return inputError(s, err)
		}
		return exitOK
	}
	fmt.Fprintf(s.out, "who can %s on %s\n", action, resource)
	var tr [][]string
	for _, r := range rows {
		why := r.Why
		if len(r.Requirements) > 0 {
			why = strings.Join(r.Requirements, "; ")
		}
		tr = append(tr, []string{r.Principal, r.Answer, why})
	}
	if err := table(s.out, []string{"PRINCIPAL", "ANSWER", "WHY"}, tr); err != nil {
		return inputError(s, err)
	}
	return exitOK
}

// candidate is a caller to try: an ARN, or an account whose IAM principals are tried as a
// class (any, with an IAM policy allowing the action).
type candidate struct {
	arn       string
	label     string // shown instead of arn
	anyOfAcct string
}

func candidates(in *inputs, account string, kms bool) []candidate {
	var out []candidate
	seen := map[string]bool{}
	add := func(c candidate) {
		key := c.arn + "|" + c.anyOfAcct
		if !seen[key] {
			seen[key] = true
			out = append(out, c)
		}
	}
	listed := map[string]bool{} // accounts whose principals --auth-details lists
	if in.dir != nil {
		for _, id := range in.dir.Identities {
			listed[policy.AccountOf(id.ARN)] = true
		}
	}
	if account != "" {
		add(candidate{arn: "arn:aws:iam::" + account + ":root"})
	}
	if in.set.Resource != nil {
		for _, p := range in.set.Resource.Principals() {
			switch {
			case p == "*" && kms:
				// KMS accepts only authenticated callers: "*" is any principal; try one of the
				// key's account with no IAM policy of its own.
				if account != "" {
					add(candidate{arn: "arn:aws:iam::" + account + ":user/any-principal", label: "* (any authenticated principal, without IAM policies)"})
				}
			case p == "*":
				add(candidate{arn: "anonymous", label: "* (anyone, including anonymous)"})
			default:
				add(candidate{arn: p})
				if strings.HasSuffix(p, ":root") && !listed[policy.AccountOf(p)] {
					add(candidate{anyOfAcct: policy.AccountOf(p)})
				}
			}
		}
	}
	for _, g := range in.set.Grants {
		add(candidate{arn: g.GranteePrincipal})
	}
	if in.dir != nil {
		for _, id := range in.dir.Identities {
			add(candidate{arn: id.ARN})
		}
	}
	return out
}

// anyIAMAllow stands for "an identity policy that allows the action": what an account's
// administrator could attach.
var anyIAMAllow = policy.MustParse("(any IAM policy allowing the action)", policy.Identity,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)

func (pf *policyFlags) whoRow(in *inputs, c candidate, action, resource string) (whoRow, error) {
	name, pstr := c.arn, c.arn
	if c.label != "" {
		name = c.label
	}
	if c.anyOfAcct != "" {
		name = c.anyOfAcct + ":* (IAM principals)"
		pstr = "arn:aws:iam::" + c.anyOfAcct + ":user/any-iam-principal"
	}
	p, err := policy.ParsePrincipal(pstr)
	if err != nil {
		return whoRow{}, err
	}
	set, req := pf.request(in, p, action, resource)
	if c.anyOfAcct != "" {
		set.Identity = append(set.Identity, anyIAMAllow)
	}
	x := set.Explain(req)
	row := whoRow{Principal: name, Decision: x.Decision.Outcome.String(), Why: x.Summary}
	switch {
	case x.Decision.Outcome == policy.Allow && !x.Decision.DependsOnMissingKeys:
		row.Answer = "can"
	case x.Decision.DependsOnMissingKeys:
		row.Answer = "conditional"
		row.Requirements = []string{conditional(x)}
	default:
		row.Answer = "cannot"
	}
	if c.anyOfAcct != "" && row.Answer == "can" {
		row.Answer = "via IAM"
		var by []string
		for _, st := range x.Decision.Statements() {
			if st.Policy != anyIAMAllow {
				by = append(by, st.Ref())
			}
		}
		row.Why = "any IAM user or role of the account whose IAM policies allow " + action + "; delegated by " + strings.Join(by, "; ")
	}
	return row, nil
}
