package policy

import (
	"sort"
	"strings"

	"github.com/keytrail/keytrail/policy/internal/jsontree"
)

// lintActions are the actions the judgement checks ask about; each statement's input lists
// those it allows or denies ("covers"), wildcards and NotAction resolved as AWS evaluates them.
var lintActions = []string{
	// KMS: cryptographic use, administration, grants
	"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
	"kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
	"kms:Sign", "kms:Verify", "kms:GenerateMac", "kms:VerifyMac", "kms:DeriveSharedSecret",
	"kms:DescribeKey", "kms:GetPublicKey", "kms:CreateGrant", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion",
	// IAM privilege escalation (Parliament's method sets)
	"iam:PassRole", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:CreateAccessKey",
	"iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:AttachUserPolicy", "iam:AttachGroupPolicy",
	"iam:AttachRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy", "iam:PutRolePolicy",
	"iam:AddUserToGroup", "iam:UpdateAssumeRolePolicy", "sts:AssumeRole", "ec2:RunInstances",
	"lambda:CreateFunction", "lambda:InvokeFunction", "lambda:UpdateFunctionCode", "lambda:CreateEventSourceMapping",
	"cloudformation:CreateStack", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition",
	"glue:CreateDevEndpoint", "glue:UpdateDevEndpoint", "dynamodb:CreateTable", "dynamodb:PutItem",
}

// cryptoUse are the cryptographic operations that count as using a key (admin-can-use-key).
var cryptoUse = map[string]bool{
	"kms:encrypt": true, "kms:decrypt": true, "kms:reencryptfrom": true, "kms:reencryptto": true,
	"kms:generatedatakey": true, "kms:generatedatakeywithoutplaintext": true, "kms:generatedatakeypair": true,
	"kms:generatedatakeypairwithoutplaintext": true, "kms:sign": true, "kms:verify": true, "kms:generatemac": true,
	"kms:verifymac": true, "kms:derivesharedsecret": true,
}

// input builds the normalized document the Rego checks read (see rules/lint/README.md).
func (d *lintDoc) input(l *linter) map[string]any {
	stmts := make([]any, 0, len(d.stmts))
	first := map[string]any{} // signature → ref of the first statement with it
	for _, st := range d.stmts {
		in := st.input()
		sig := st.signature()
		in["duplicate_of"] = nil
		if ref, seen := first[sig]; seen && !st.structural && !st.condBroken {
			in["duplicate_of"] = ref
		} else if !seen {
			first[sig] = st.ref
		}
		stmts = append(stmts, in)
	}
	d.bypasses(stmts)
	return map[string]any{
		"file":              l.file,
		"type":              string(l.typ),
		"version":           d.version,
		"id":                d.id,
		"aws_managed":       strings.HasPrefix(d.id, "auto-"),
		"key_arn":           l.opt.KeyARN,
		"owner_account":     d.ownerAccount(l),
		"structural_errors": d.structural,
		"statements":        stmts,
		"admin_statements":  d.adminStatements(),
	}
}

// adminStatements maps each named principal to the first Allow statement that gives it an
// administrative capability (kms:PutKeyPolicy or kms:ScheduleKeyDeletion), for
// admin-can-use-key.
func (d *lintDoc) adminStatements() map[string]any {
	out := map[string]any{}
	for _, st := range d.stmts {
		if st.effect != "Allow" || st.notPrinc || !(st.covers("kms:PutKeyPolicy") || st.covers("kms:ScheduleKeyDeletion")) {
			continue
		}
		for _, p := range st.principalEntries() {
			e := p.(map[string]any)
			switch e["kind"] {
			case "user", "role", "session", "federated-user":
				if _, seen := out[e["value"].(string)]; !seen {
					out[e["value"].(string)] = st.ref
				}
			}
		}
	}
	return out
}

// bypasses sets each conditioned Allow statement's "bypassed_by" for condition-bypassed: the
// first unconditioned Allow naming one of its principals (not "*") that grants some of its
// actions on the same or broader resources, with the principal and the actions; null
// otherwise. Candidates are indexed by principal, so the pass stays near-linear.
func (d *lintDoc) bypasses(stmts []any) {
	plain := map[string][]*lintStmt{} // principal → unconditioned Allow statements naming it
	for _, st := range d.stmts {
		if st.effect == "Allow" && !st.hasCondition && !st.notAction && !st.notPrinc && !st.structural {
			for _, p := range st.principalEntries() {
				v := p.(map[string]any)["value"].(string)
				plain[v] = append(plain[v], st)
			}
		}
	}
	for i, a := range d.stmts {
		in := stmts[i].(map[string]any)
		in["bypassed_by"] = nil
		if a.effect != "Allow" || !a.hasCondition || a.notAction || a.notPrinc || a.structural {
			continue
		}
	found:
		for _, p := range a.principalEntries() {
			v := p.(map[string]any)["value"].(string)
			for _, b := range plain[v] {
				if b == a || !b.broader(a) {
					continue
				}
				var acts []any
				for _, x := range a.actions {
					if b.coversPattern(x) {
						acts = append(acts, x)
					}
				}
				if len(acts) > 0 {
					in["bypassed_by"] = map[string]any{"statement": b.ref, "principal": v, "actions": acts}
					break found
				}
			}
		}
	}
}

// broader reports whether b's resources include all of a's.
func (b *lintStmt) broader(a *lintStmt) bool {
	if b.notRes || a.notRes {
		return false
	}
	for _, r := range b.resources {
		if r == "*" {
			return true
		}
	}
	for _, r := range a.resources {
		found := false
		for _, q := range b.resources {
			found = found || q == r
		}
		if !found {
			return false
		}
	}
	return len(a.resources) > 0
}

// coversPattern reports whether one of the statement's action patterns covers the action
// entry x (itself perhaps a pattern, compared as written).
func (st *lintStmt) coversPattern(x string) bool {
	lx := strings.ToLower(x)
	for _, p := range st.actions {
		if lp := strings.ToLower(p); lp == lx || matchAction(lp, lx) {
			return true
		}
	}
	return false
}

// ownerAccount is the account that owns the resource: the key ARN's, else the account
// principal that holds kms:PutKeyPolicy (key policies), else "".
func (d *lintDoc) ownerAccount(l *linter) string {
	if a := AccountOf(l.opt.KeyARN); a != "" {
		return a
	}
	for _, st := range d.stmts {
		if st.effect != "Allow" || st.principal == nil || st.notPrinc || !st.covers("kms:PutKeyPolicy") {
			continue
		}
		for _, p := range st.principalEntries() {
			if e := p.(map[string]any); e["kind"] == "account" {
				return e["account"].(string)
			}
		}
	}
	return ""
}

func (st *lintStmt) input() map[string]any {
	conds := make([]any, 0, len(st.conds))
	for _, c := range st.conds {
		vals := make([]any, len(c.values))
		for i, v := range c.values {
			vals[i] = v
		}
		conds = append(conds, map[string]any{"operator": c.op, "key": c.key, "key_lower": strings.ToLower(c.key),
			"values": vals, "line": c.pos.Line, "col": c.pos.Col})
	}
	var covers, uses []any
	admin := false
	for _, a := range lintActions {
		if st.covers(a) {
			lower := strings.ToLower(a)
			covers = append(covers, lower)
			if cryptoUse[lower] {
				uses = append(uses, lower)
			}
			admin = admin || lower == "kms:putkeypolicy" || lower == "kms:schedulekeydeletion"
		}
	}
	var named, accounts []any
	for _, p := range st.grantees() {
		e := p.(map[string]any)
		switch e["kind"] {
		case "account":
			accounts = append(accounts, e["account"])
		case "user", "role", "session", "federated-user":
			named = append(named, e["value"])
		}
	}
	return map[string]any{
		"index": st.index, "ref": st.ref, "sid": st.sid, "effect": st.effect,
		"line": st.pos.Line, "col": st.pos.Col,
		"structural_error": st.structural, "condition_broken": st.condBroken,
		"principal":         st.principalInput(),
		"actions":           map[string]any{"not": st.notAction, "values": anyList(st.actions)},
		"covers":            nonNil(covers),
		"uses":              nonNil(uses),
		"admin":             admin,
		"named":             nonNil(named),
		"redundant_actions": nonNil(st.redundantActions()),
		"accounts":          nonNil(accounts),
		"resources":         map[string]any{"not": st.notRes, "values": anyList(st.resources)},
		"conditions":        conds,
		"has_condition":     st.hasCondition,
	}
}

// redundantActions are the action entries that an earlier identical entry, or another
// entry's wildcard, already covers.
func (st *lintStmt) redundantActions() []any {
	var out []any
	for i, a := range st.actions {
		la := strings.ToLower(a)
		for j, b := range st.actions {
			lb := strings.ToLower(b)
			if j < i && la == lb || j != i && la != lb && strings.ContainsAny(lb, "*?") && matchAction(lb, la) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// covers reports whether the statement's Action (or NotAction) element takes in the action.
func (st *lintStmt) covers(action string) bool {
	if st.lowerActions == nil {
		st.lowerActions = make([]string, len(st.actions))
		for i, p := range st.actions {
			st.lowerActions[i] = strings.ToLower(p)
		}
	}
	for _, p := range st.lowerActions {
		if matchAction(p, action) {
			return !st.notAction
		}
	}
	return st.notAction && len(st.actions) > 0
}

func (st *lintStmt) principalInput() map[string]any {
	in := map[string]any{"present": st.principal != nil, "not": st.notPrinc, "wildcard": false, "excluded": []any{},
		"aws": []any{}, "service": []any{}, "federated": []any{}, "canonical": []any{}}
	if st.principal == nil {
		return in
	}
	v := st.principal.Value
	if v.Kind == jsontree.String && v.Str == "*" {
		in["wildcard"] = true
		return in
	}
	for _, m := range v.Members {
		key := map[string]string{"AWS": "aws", "Service": "service", "Federated": "federated", "CanonicalUser": "canonical"}[m.Key]
		if key == "" {
			continue
		}
		for _, n := range mustList(m) {
			if n.Str == "*" && m.Key == "AWS" {
				in["wildcard"] = true
				continue
			}
			if key == "aws" {
				continue
			}
			in[key] = append(in[key].([]any), n.Str)
		}
	}
	in["aws"] = st.grantees()
	if st.notPrinc {
		in["excluded"] = st.principalEntries() // NotPrincipal lists exclusions, not grantees
	}
	return in
}

// grantees are the AWS principals a Principal element grants to (none for NotPrincipal).
func (st *lintStmt) grantees() []any {
	if st.notPrinc {
		return []any{}
	}
	return st.principalEntries()
}

// principalEntries classifies the AWS principals: account, user, role, session,
// federated-user, unique-id, or invalid.
func (st *lintStmt) principalEntries() []any {
	out := []any{}
	if st.principal == nil || st.principal.Value.Get("AWS") == nil {
		return out
	}
	for _, n := range mustList(jsontree.Member{Key: "AWS", Value: st.principal.Value.Get("AWS")}) {
		if n.Str == "*" {
			continue
		}
		e, err := principalEntryOf("AWS", n.Str)
		kind := map[entryKind]string{entAccount: "account", entUser: "user", entRole: "role", entSession: "session",
			entFederatedUser: "federated-user", entUniqueID: "unique-id"}[e.kind]
		if err != nil {
			kind = "invalid"
		}
		out = append(out, map[string]any{"value": n.Str, "kind": kind, "account": e.account, "line": n.Pos.Line, "col": n.Pos.Col})
	}
	return out
}

// signature is the statement without its Sid, with arrays sorted: equal signatures are
// redundant statements.
func (st *lintStmt) signature() string {
	norm := func(xs []string, lower bool) string {
		c := append([]string(nil), xs...)
		for i := range c {
			if lower {
				c[i] = strings.ToLower(c[i])
			}
		}
		sort.Strings(c)
		return strings.Join(c, "\x1f")
	}
	var b strings.Builder
	b.WriteString(st.effect + "|" + boolText(st.notAction) + norm(st.actions, true) + "|" + boolText(st.notRes) + norm(st.resources, false) + "|")
	if st.principal != nil {
		b.WriteString(boolText(st.notPrinc))
		for _, m := range st.principal.Value.Members {
			var vals []string
			for _, n := range mustList(m) {
				vals = append(vals, n.Str)
			}
			b.WriteString(m.Key + "=" + norm(vals, false) + ";")
		}
		if st.principal.Value.Kind == jsontree.String {
			b.WriteString(st.principal.Value.Str)
		}
	}
	var conds []string
	for _, c := range st.conds {
		conds = append(conds, c.op+"\x1e"+strings.ToLower(c.key)+"\x1e"+norm(c.values, false))
	}
	sort.Strings(conds)
	b.WriteString("|" + strings.Join(conds, "\x1d"))
	return b.String()
}

func boolText(b bool) string {
	if b {
		return "not:"
	}
	return ""
}

func anyList(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func nonNil(xs []any) []any {
	if xs == nil {
		return []any{}
	}
	return xs
}
