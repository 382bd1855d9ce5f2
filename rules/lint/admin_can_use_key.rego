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
	uses := {a | some a in use.covers; a in lib.crypto_use}
	count(uses) > 0
	some p in lib.named(use)
	some adm in input.statements
	adm.effect == "Allow"
	p in lib.named(adm)
	lib.covers_any(adm, lib.admin)
	f := lib.finding(use, sprintf("%s administers the key (statement %v) and can also use it (%s)", [p, adm.ref, lib.sorted_join(uses)]))
}
