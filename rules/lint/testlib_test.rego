# Builders for the rule tests: a normalized statement and document with defaults.
package keytrail.lint.testlib

default_stmt := {
	"index": 0, "ref": 0, "sid": "", "effect": "Allow", "line": 3, "col": 5,
	"structural_error": false, "condition_broken": false,
	"principal": {"present": true, "not": false, "wildcard": false, "aws": [], "service": [], "federated": [], "canonical": []},
	"actions": {"not": false, "values": ["kms:Decrypt"]},
	"covers": ["kms:decrypt"],
	"uses": [], "admin": false, "named": [], "accounts": [], "duplicate_of": null, "redundant_actions": [],
	"resources": {"not": false, "values": ["*"]},
	"conditions": [],
	
}

# stmt builds a statement and derives the facts keytrail computes in Go (named, accounts,
# uses, admin) from its principal and covers.
stmt(o) := object.union(s, derived(s)) if s := object.union(default_stmt, o)

derived(s) := {
	"named": [p.value | some p in s.principal.aws; p.kind in {"user", "role", "session", "federated-user"}],
	"accounts": [p.account | some p in s.principal.aws; p.kind == "account"],
	"uses": [a | some a in s.covers; a in data.keytrail.lint.lib.crypto_use],
	"admin": count({a | some a in s.covers; a in data.keytrail.lint.lib.admin}) > 0,
}

doc(typ, stmts) := {
	"file": "p.json", "type": typ, "version": "2012-10-17", "key_arn": "",
	"owner_account": "111122223333", "structural_errors": false,
	"statements": [object.union(s, {"index": i, "ref": i}) | some i, s in stmts],
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
