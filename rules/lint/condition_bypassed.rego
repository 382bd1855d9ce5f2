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

# The pairing (the conditioned statement, an unconditioned one naming the same principal and
# covering some of its actions on the same or broader resources) is computed once in Go:
# statements[].bypassed_by.
deny contains lib.finding(st, sprintf("its condition restricts nothing for %s: statement %v already allows %s without one", [b.principal, b.statement, lib.sorted_join(b.actions)])) if {
	some st in input.statements
	b := st.bypassed_by
	b != null
}
