# METADATA
# title: Anyone can decrypt with the key
# description: |
#   A key-policy statement that is effectively public (per wildcard-principal, or Allow with
#   NotPrincipal) and grants a decrypt-capable action: kms:Decrypt, kms:ReEncryptFrom or
#   kms:CreateGrant, directly or through a wildcard. Reported in addition to
#   wildcard-principal / notprincipal-allow.
# custom:
#   id: public-decrypt
#   severity: error
package keytrail.lint.public_decrypt

import data.keytrail.lint.lib

deny contains f if {
	input.type == "key"
	some st in input.statements
	lib.public(st)
	actions := {a | some a in st.covers; a in lib.decrypt_capable}
	count(actions) > 0
	f := lib.finding(st, sprintf("any principal can use %s with this key: whoever holds its ciphertexts can read them", [lib.sorted_join(actions)]))
}
