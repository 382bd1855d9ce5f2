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

# admin_statement[p] is the first Allow statement giving the named principal p an admin
# capability.
admin_statement[p] := ref if {
	some p in {q | some st in input.statements; st.effect == "Allow"; st.admin; some q in st.named}
	ref := [st.ref | some st in input.statements; st.effect == "Allow"; st.admin; p in st.named][0]
}

deny contains f if {
	input.type == "key"
	some use in input.statements
	use.effect == "Allow"
	count(use.uses) > 0
	some p in use.named
	adm := admin_statement[p]
	f := lib.finding(use, sprintf("%s administers the key (statement %v) and can also use it (%s)", [p, adm, lib.sorted_join(use.uses)]))
}
