# Helpers shared by the lint rules. The input is the normalized policy that keytrail builds
# (see README.md beside this file).
package keytrail.lint.lib

# finding is a finding on a statement.
finding(st, msg) := {"statement": st.ref, "line": st.line, "col": st.col, "message": msg}

# document_finding is a finding on the whole document (statement null).
document_finding(msg) := {"statement": null, "line": 1, "col": 1, "message": msg}

# restricting_keys fix who may use a "*" grant when compared to a fixed value.
restricting_keys := {
	"kms:calleraccount", "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths",
	"aws:principalarn", "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner",
	"aws:sourcevpce", "aws:sourcevpc", "aws:userid",
}

# exact_operators compare to fixed values; ForAllValues is not one: it is true when the key is absent.
exact_operators := {
	"StringEquals", "StringEqualsIgnoreCase", "ArnEquals", "StringLike", "ArnLike",
	"ForAnyValue:StringEquals", "ForAnyValue:StringLike",
}

has_wildcard(v) if contains(v, "*")

has_wildcard(v) if contains(v, "?")

# restricted(st): a condition fixes who may use the statement.
restricted(st) if {
	some c in st.conditions
	c.key_lower in restricting_keys
	c.operator in exact_operators
	every v in c.values {
		not has_wildcard(v)
	}
}

restricted(st) if {
	some c in st.conditions
	c.key_lower == "aws:principalisawsservice"
	c.operator == "Bool"
	c.values == ["true"]
}

# public(st): an Allow any principal can use (per wildcard-principal), or Allow+NotPrincipal.
public(st) if {
	st.effect == "Allow"
	st.principal.wildcard
	not st.principal.not
	not st.condition_broken
	not restricted(st)
}

public(st) if {
	st.effect == "Allow"
	st.principal.not
}

# named(st) are the named principals other than accounts: users, roles, sessions, federated users.
named(st) := {p | some p in st.named}

accounts(st) := {a | some a in st.accounts}

decrypt_capable := {"kms:decrypt", "kms:reencryptfrom", "kms:creategrant"}

all_resources(st) if {
	not st.resources.not
	"*" in st.resources.values
}

has_condition_key(st, keys) if {
	some c in st.conditions
	c.key_lower in keys
}

sorted_join(s) := concat(", ", sort([x | some x in s]))
