# METADATA
# title: kms:* to a named principal
# description: |
#   kms:* or * granted in a key policy to a named principal other than an account (a user,
#   role, session or federated user): every key operation, administration included. The KMS
#   docs give key administrators and key users separate, listed actions.
# custom:
#   id: kms-star-non-root
#   severity: warning
package keytrail.lint.kms_star_non_root

import data.keytrail.lint.lib

deny contains f if {
	input.type == "key"
	some st in input.statements
	st.effect == "Allow"
	not st.actions.not
	stars := {a | some a in st.actions.values; lower(a) in {"kms:*", "*"}}
	count(stars) > 0
	who := lib.named(st)
	count(who) > 0
	f := lib.finding(st, sprintf("%s grants every KMS operation on the key to %s", [lib.sorted_join(stars), lib.sorted_join(who)]))
}
