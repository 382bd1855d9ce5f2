# Builders for the rule tests: a normalized statement and document with defaults.
package keytrail.lint.testlib

default_stmt := {
	"index": 0, "ref": 0, "sid": "", "effect": "Allow", "line": 3, "col": 5,
	"structural_error": false, "condition_broken": false,
	"principal": {"present": true, "not": false, "wildcard": false, "aws": [], "service": [], "federated": [], "canonical": []},
	"actions": {"not": false, "values": ["kms:Decrypt"]},
	"covers": ["kms:decrypt"],
	"uses": [], "admin": false, "named": [], "accounts": [], "duplicate_of": null, "redundant_actions": [], "bypassed_by": null, "has_condition": false,
	"resources": {"not": false, "values": ["*"]},
	"conditions": [],
	
}

# stmt builds a statement and derives the facts keytrail computes in Go (named, accounts,
# uses, admin) from its principal and covers.
stmt(o) := object.union(s, derived(s)) if s := object.union(default_stmt, o)

derived(s) := {
	"named": [p.value | some p in s.principal.aws; p.kind in {"user", "role", "session", "federated-user"}],
	"accounts": [p.account | some p in s.principal.aws; p.kind == "account"],
	"uses": [a | some a in s.covers; a in crypto_use],
	"admin": count({a | some a in s.covers; a in {"kms:putkeypolicy", "kms:schedulekeydeletion"}}) > 0,
	"has_condition": count(s.conditions) > 0,
}

crypto_use := {
	"kms:encrypt", "kms:decrypt", "kms:reencryptfrom", "kms:reencryptto", "kms:generatedatakey",
	"kms:generatedatakeywithoutplaintext", "kms:generatedatakeypair", "kms:generatedatakeypairwithoutplaintext",
	"kms:sign", "kms:verify", "kms:generatemac", "kms:verifymac", "kms:derivesharedsecret",
}

# admin_statements is what keytrail computes in Go: the first admin statement per named principal.
admin_statements(stmts) := {p: i |
	some i, s in stmts
	s.effect == "Allow"
	count({a | some a in s.covers; a in {"kms:putkeypolicy", "kms:schedulekeydeletion"}}) > 0
	some p in [e.value | some e in s.principal.aws; e.kind in {"user", "role", "session", "federated-user"}]
	not earlier_admin(stmts, i, p)
}

earlier_admin(stmts, i, p) if {
	some j, s in stmts
	j < i
	s.effect == "Allow"
	count({a | some a in s.covers; a in {"kms:putkeypolicy", "kms:schedulekeydeletion"}}) > 0
	p in [e.value | some e in s.principal.aws]
}

doc(typ, stmts) := {
	"file": "p.json", "type": typ, "version": "2012-10-17", "key_arn": "",
	"owner_account": "111122223333", "structural_errors": false,
	"statements": [object.union(s, {"index": i, "ref": i}) | some i, s in stmts],
	"admin_statements": admin_statements(stmts),
}

aws(values) := [{"value": v, "kind": kind(v), "account": acct(v)} | some v in values]

kind(v) := "account" if regex.match(`^\d{12}$|:root$`, v)

kind(v) := "role" if contains(v, ":role/")

kind(v) := "user" if contains(v, ":user/")

acct(v) := v if regex.match(`^\d{12}$`, v)

acct(v) := split(v, ":")[4] if startswith(v, "arn:")

principal(values) := {"present": true, "not": false, "wildcard": false, "aws": aws(values), "service": [], "federated": [], "canonical": []}

wildcard := {"present": true, "not": false, "wildcard": true, "aws": [], "service": [], "federated": [], "canonical": []}

cond(op, key, values) := {"operator": op, "key": key, "key_lower": lower(key), "values": values, "line": 9, "col": 9}

ids(findings) := {f.statement | some f in findings}
