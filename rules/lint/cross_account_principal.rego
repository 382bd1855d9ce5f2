# METADATA
# title: Principal in another account
# description: |
#   A principal ARN or account id in a different account from the owning account (the key
#   ARN's, or the account principal that holds kms:PutKeyPolicy): external access to review.
# custom:
#   id: cross-account-principal
#   severity: info
package keytrail.lint.cross_account_principal

import data.keytrail.lint.lib

deny contains f if {
	not input.structural_errors
	input.owner_account != ""
	some st in input.statements
	external := {p.value | some p in st.principal.aws; p.account != ""; p.account != input.owner_account}
	count(external) > 0
	f := lib.finding(st, sprintf("principals outside account %s: %s", [input.owner_account, lib.sorted_join(external)]))
}
