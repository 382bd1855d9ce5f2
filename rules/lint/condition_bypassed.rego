# METADATA
# title: A condition that restricts nothing
# description: |
#   An Allow statement's condition restricts nothing for a principal it names (any but "*"):
#   another unconditioned Allow naming the same principal grants it the same action (directly
#   or by wildcard) on the same or broader resources. An account principal's grant does not
#   cover the account's users and roles (it delegates to IAM). Example: the console key policy
#   of a user who is both key administrator and key user, where kms:Create* already allows
#   kms:CreateGrant, so the kms:GrantIsForAWSResource condition restricts nothing for that user.
# custom:
#   id: condition-bypassed
#   severity: info
package keytrail.lint.condition_bypassed

import data.keytrail.lint.lib

# unconditioned[p] are the unconditioned Allow statements (without NotAction/NotPrincipal)
# that name the principal p.
unconditioned[p] := [b |
	some b in input.statements
	b.effect == "Allow"
	count(b.conditions) == 0
	not b.actions.not
	not b.principal.not
	some q in b.principal.aws
	q.value == p
] if {
	some p in {q.value | some st in input.statements; count(st.conditions) > 0; some q in st.principal.aws}
}

deny contains f if {
	some a in input.statements
	a.effect == "Allow"
	count(a.conditions) > 0
	not a.actions.not
	some p in a.principal.aws
	some b in unconditioned[p.value]
	b.index != a.index
	broader(b, a)
	actions := {x | some x in a.actions.values; covered(b, x)}
	count(actions) > 0
	f := lib.finding(a, sprintf("its condition restricts nothing for %s: statement %v already allows %s without one", [p.value, b.ref, lib.sorted_join(actions)]))
}

covered(b, x) if {
	some p in b.actions.values
	lower(p) == lower(x)
}

covered(b, x) if {
	some p in b.actions.values
	lib.has_wildcard(p)
	glob.match(lower(p), [], lower(x))
}

broader(b, a) if lib.all_resources(b)

broader(b, a) if {
	not b.resources.not
	not a.resources.not
	every r in a.resources.values {
		r in b.resources.values
	}
}
