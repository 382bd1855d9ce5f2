# METADATA
# title: CreateGrant without a grant condition
# description: |
#   An explicit kms:CreateGrant to a non-account principal with no kms:GrantIsForAWSResource
#   true, kms:ViaService, kms:GrantOperations or kms:GranteePrincipal condition: the principal
#   can create grants for anyone, for any operation.
# custom:
#   id: grant-without-aws-resource-condition
#   severity: warning
package keytrail.lint.grant_without_aws_resource_condition

import data.keytrail.lint.lib

deny contains lib.finding(st, "kms:CreateGrant with no condition on kms:GrantIsForAWSResource, kms:ViaService, kms:GrantOperations or kms:GranteePrincipal: the grantee can delegate any operation to anyone") if {
	some st in input.statements
	st.effect == "Allow"
	not st.actions.not
	some a in st.actions.values
	lower(a) == "kms:creategrant"
	not st.condition_broken
	non_account(st)
	not constrained(st)
}

non_account(st) if st.principal.wildcard

non_account(st) if count(lib.named(st)) > 0

non_account(st) if count(st.principal.service) > 0

constrained(st) if lib.has_condition_key(st, {"kms:viaservice", "kms:grantoperations", "kms:granteeprincipal"})

constrained(st) if {
	some c in st.conditions
	c.key_lower == "kms:grantisforawsresource"
	c.operator in {"Bool", "StringEquals", "StringEqualsIgnoreCase"}
	some v in c.values
	lower(v) == "true"
}
