package main

import (
	"fmt"

	"github.com/keytrail/keytrail/fixtures"
	"github.com/keytrail/keytrail/policy"
)

const canHelp = `
Usage: keytrail can PRINCIPAL ACTION [RESOURCE] [flags]

Decides whether PRINCIPAL may do ACTION on RESOURCE, exactly as AWS evaluates it, and says why:
explicit deny beats allow beats implicit deny; every SCP level must allow; a KMS key's policy is
required and IAM policies count only where the key policy trusts the account; grants allow
their operations. When the answer hinges on a condition key the request did not carry, the
answer says so ("allowed only if kms:GrantIsForAWSResource is true").

PRINCIPAL is an ARN (user, role, assumed-role session, federated user, root), an account id, a
service principal (s3.amazonaws.com), "anonymous", or a shorthand resolved against RESOURCE's
account: root, user/NAME, role/NAME, assumed-role/ROLE/SESSION.
RESOURCE defaults to the seed key when --key-policy is not given; give it otherwise.

With no arguments, can answers the seed walkthrough's questions on the embedded seed key policy
(alias/myFirstKey, account 526262051452): a tour of what the evaluator decides and why.

Examples:
  keytrail can                                           # the tour of the seed key policy
  keytrail can user/K kms:Decrypt                        # the embedded seed key policy
  keytrail can role/app kms:CreateGrant -c kms:GrantIsForAWSResource=true
  keytrail can user/Bob kms:Decrypt --policy bob.json --explain
  keytrail can arn:aws:iam::111122223333:role/x kms:Decrypt KEY_ARN --key-policy key.json -o json

Exit status: 0 allowed, 1 denied (explicitly, implicitly or only conditionally allowed),
2 usage error, 3 invalid input.
`

func runCan(args []string, s *stdio) int {
	var pf policyFlags
	var explain bool
	var output string
	fs := newFlags("can", canHelp, s)
	pf.register(fs, true)
	fs.BoolVar(&explain, "explain", false, "show what every statement and grant did")
	fs.VarP(newOutputFlag(&output), "output", "o", "output format: table or json")
	if done, code := parseFlags(fs, args, s); done {
		return code
	}
	pos := fs.Args()
	if len(pos) == 0 && pf.keyPolicy == "" {
		return runCanTour(&pf, output, s)
	}
	if len(pos) < 2 || len(pos) > 3 {
		return usageError(s, "can", "expected PRINCIPAL ACTION [RESOURCE]")
	}
	seed := pf.keyPolicy == ""
	resource := fixtures.SeedKeyARN
	switch {
	case len(pos) == 3:
		resource = pos[2]
	case !seed:
		return usageError(s, "can", "RESOURCE is required with --key-policy (the key or object ARN, or * for actions without a resource)")
	}
	if err := pf.check(pos[1], resource, seed); err != nil {
		return usageError(s, "can", err.Error())
	}
	p, usage, err := resolvePrincipal(pos[0], pf.account(resource, seed))
	switch {
	case usage:
		return usageError(s, "can", err.Error())
	case err != nil:
		return inputError(s, err)
	}
	in, err := pf.load(s, policy.ResourceKind(resource))
	if err != nil {
		return inputError(s, err)
	}
	set, req := pf.request(in, p, pos[1], resource)
	x := set.Explain(req)
	if output == "json" {
		err = writeJSONIndent(s.out, newDecisionOut(req, x, explain))
	} else {
		err = writeDecision(s.out, req, x, explain)
	}
	if err != nil {
		return inputError(s, err)
	}
	if x.Decision.Outcome == policy.Allow {
		return exitOK
	}
	return exitDenied
}

// tourQuestions are the seed walkthrough's questions, asked with no arguments.
var tourQuestions = []struct {
	principal, action string
}{
	{"user/K", "kms:Decrypt"},
	{"user/K", "kms:GenerateDataKey"},
	{"user/K", "kms:CreateGrant"},
	{"user/K", "kms:ScheduleKeyDeletion"},
	{"user/Bob", "kms:Decrypt"},
	{"root", "kms:PutKeyPolicy"},
	{"arn:aws:iam::111122223333:role/x", "kms:Decrypt"},
	{"anonymous", "kms:Decrypt"},
}

func runCanTour(pf *policyFlags, output string, s *stdio) int {
	if err := pf.check("kms:Decrypt", fixtures.SeedKeyARN, true); err != nil {
		return usageError(s, "can", err.Error())
	}
	in, err := pf.load(s, policy.Key)
	if err != nil {
		return inputError(s, err)
	}
	var outs []decisionOut
	var rows [][]string
	for _, q := range tourQuestions {
		p, _, err := resolvePrincipal(q.principal, fixtures.SeedAccount)
		if err != nil {
			return inputError(s, err)
		}
		set, req := pf.request(in, p, q.action, fixtures.SeedKeyARN)
		x := set.Explain(req)
		outs = append(outs, newDecisionOut(req, x, false))
		why := x.Summary
		if c := conditional(x); c != "" {
			why += "; " + c
		}
		rows = append(rows, []string{q.principal, q.action, x.Decision.Outcome.String(), why})
	}
	if output == "json" {
		if err := writeJSONIndent(s.out, outs); err != nil {
			return inputError(s, err)
		}
		return exitOK
	}
	fmt.Fprintf(s.out, "The seed key policy (%s, %s), embedded:\n", fixtures.SeedAlias, fixtures.SeedKeyARN)
	if err := table(s.out, []string{"PRINCIPAL", "ACTION", "DECISION", "WHY"}, rows); err != nil {
		return inputError(s, err)
	}
	fmt.Fprintln(s.out, "Ask your own: keytrail can PRINCIPAL ACTION [RESOURCE] [--key-policy FILE] [--explain]; see keytrail can --help")
	return exitOK
}
