# METADATA
# title: A key administrator can also use the key
# description: |
#   A named principal (not "*", not an account) holds an administrative capability
#   (kms:PutKeyPolicy or kms:ScheduleKeyDeletion, directly or by wildcard) and also a
#   cryptographic use of the key. Separation of duties would keep them apart (an administrator
#   can grant itself use anyway). Reported on the statement granting the use.
# custom:
#   id: admin-can-use-key
#   severity: info
package keytrail.lint.admin_can_use_key

import data.keytrail.lint.lib

deny contains f if {
	input.type == "key"
	some use in input.statements
	use.effect == "Allow"
	count(use.uses) > 0
	admins := {sprintf("%s (statement %v)", [p, input.admin_statements[p]]) | some p in use.named; input.admin_statements[p]}
	count(admins) > 0
	f := lib.finding(use, sprintf("%s administer the key and can also use it (%s)", [lib.sorted_join(admins), lib.sorted_join(use.uses)]))
}
