# METADATA
# title: Service principal without a source condition
# description: |
#   An Allow to a Service principal with none of aws:SourceAccount, aws:SourceArn,
#   aws:SourceOrgID, aws:SourceOrgPaths, kms:EncryptionContext:*, kms:CallerAccount or
#   kms:ViaService: the service may act for any customer (the confused-deputy problem).
# custom:
#   id: service-principal-unscoped
#   severity: warning
package keytrail.lint.service_principal_unscoped

import data.keytrail.lint.lib

deny contains f if {
	some st in input.statements
	st.effect == "Allow"
	count(st.principal.service) > 0
	not scoped(st)
	f := lib.finding(st, sprintf("%s may act on behalf of any account: add an aws:SourceAccount or aws:SourceArn condition", [lib.sorted_join(st.principal.service)]))
}

scoped(st) if lib.has_condition_key(st, {"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths", "kms:calleraccount", "kms:viaservice"})

scoped(st) if {
	some c in st.conditions
	startswith(c.key_lower, "kms:encryptioncontext:")
}
