# METADATA
# title: iam:PassRole on every role
# description: |
#   iam:PassRole, directly or through a wildcard, on Resource "*" without iam:PassedToService:
#   the principal can hand any role to any service.
# custom:
#   id: pass-role-star
#   severity: warning
package keytrail.lint.pass_role_star

import data.keytrail.lint.lib

deny contains lib.finding(st, "iam:PassRole on every role: limit Resource to the roles to pass, or add iam:PassedToService") if {
	input.type == "identity"
	some st in input.statements
	st.effect == "Allow"
	"iam:passrole" in st.covers
	lib.all_resources(st)
	not lib.has_condition_key(st, {"iam:passedtoservice"})
}
