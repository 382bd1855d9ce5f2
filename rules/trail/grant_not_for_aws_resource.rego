# METADATA
# title: Grant not made for an AWS resource, or to a foreign account
# description: |
#   CreateGrant lets its grantee use the key without the key policy naming it. Grants that AWS
#   services create for your resources (EBS volumes, RDS instances) are expected. The record does
#   not say whether kms:GrantIsForAWSResource held, so it is inferred: a grant is for an AWS
#   resource when a service made the call (invokedBy, or a service name as source address or
#   user agent), the grantee is a service or infrastructure principal, or its encryption context
#   constraint names an aws:<service>: key. Other grants are warnings; grants whose grantee is in
#   an account other than the key's (and not in --data trusted_accounts) are errors.
# custom:
#   id: grant-not-for-aws-resource
#   severity: warning
#   select:
#     - eventSource: kms.amazonaws.com
#       eventName: CreateGrant
package keytrail.trail.grant_not_for_aws_resource

import data.keytrail.trail.lib

grants contains i if {
	some i, r in input.records
	lib.kms(r, "CreateGrant")
}

deny contains {"record": i, "message": sprintf("%s granted %s on %s to %s, in foreign account %s", [lib.principal(r), ops(r), lib.key(r), grantee(r), a])} if {
	some i in grants
	r := input.records[i]
	a := lib.account_of(grantee(r))
	lib.foreign(r, a)
}

warn contains {"record": i, "message": sprintf("%s granted %s on %s to %s, not for an AWS resource", [lib.principal(r), ops(r), lib.key(r), grantee(r)])} if {
	some i in grants
	r := input.records[i]
	not for_resource(r)
	not foreign_grantee(r)
}

foreign_grantee(r) if lib.foreign(r, lib.account_of(grantee(r)))

# grantee is the grant's grantee as logged (granteePrincipal; a service principal grant may
# log granteeServicePrincipal instead).
grantee(r) := r.requestParameters.granteePrincipal

grantee(r) := r.requestParameters.granteeServicePrincipal if not r.requestParameters.granteePrincipal

grantee(r) := "(a grantee not logged)" if {
	not r.requestParameters.granteePrincipal
	not r.requestParameters.granteeServicePrincipal
}

ops(r) := concat(", ", r.requestParameters.operations) if is_array(r.requestParameters.operations)
else := "operations"

service_name(s) if endswith(s, ".amazonaws.com")

for_resource(r) if r.userIdentity.invokedBy

for_resource(r) if r.requestParameters.granteeServicePrincipal

for_resource(r) if service_name(r.sourceIPAddress)

for_resource(r) if service_name(r.userAgent)

for_resource(r) if service_name(grantee(r))

for_resource(r) if regex.match(`^[0-9]{12}:aws:[a-z0-9-]+-infrastructure:`, grantee(r))

for_resource(r) if {
	some kind in ["encryptionContextSubset", "encryptionContextEquals"]
	some k, _ in r.requestParameters.constraints[kind]
	regex.match(`^aws:[a-z0-9-]+:`, k)
}
