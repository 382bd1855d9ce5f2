# METADATA
# title: Decrypt with any key
# description: |
#   An identity policy allows kms:Decrypt or kms:ReEncryptFrom (or a wildcard covering them) on
#   "*" or key/* with no kms:ViaService, kms:CallerAccount or aws:ResourceAccount limit: every
#   key whose policy delegates to IAM, in any account that trusts this one.
# custom:
#   id: kms-decrypt-any-key
#   severity: warning
package keytrail.lint.kms_decrypt_any_key

import data.keytrail.lint.lib

deny contains f if {
	input.type == "identity"
	some st in input.statements
	st.effect == "Allow"
	actions := {a | some a in st.covers; a in {"kms:decrypt", "kms:reencryptfrom"}}
	count(actions) > 0
	any_key(st)
	not lib.has_condition_key(st, {"kms:viaservice", "kms:calleraccount", "aws:resourceaccount"})
	f := lib.finding(st, sprintf("%s on every key: limit Resource to the keys needed, or add kms:ViaService", [lib.sorted_join(actions)]))
}

any_key(st) if lib.all_resources(st)

any_key(st) if {
	not st.resources.not
	some r in st.resources.values
	endswith(r, ":key/*")
}
