# METADATA
# title: Allow to every principal
# description: |
#   An Allow to "*" (or {"AWS": "*"}) with no condition that fixes who may use it: any principal
#   of any account. Restricting conditions compare kms:CallerAccount, aws:PrincipalAccount,
#   aws:PrincipalOrgID/OrgPaths, aws:PrincipalArn, aws:SourceAccount/SourceArn/SourceOwner,
#   aws:SourceVpce/SourceVpc or aws:userid to fixed values, or require
#   aws:PrincipalIsAWSService=true. kms:ViaService alone does not restrict.
# custom:
#   id: wildcard-principal
#   severity: error
package keytrail.lint.wildcard_principal

import data.keytrail.lint.lib

deny contains lib.finding(st, "Allow to every principal (\"*\") with no condition that restricts who may use it") if {
	some st in input.statements
	st.effect == "Allow"
	st.principal.wildcard
	not st.principal.not
	not st.condition_broken
	not lib.restricted(st)
}
