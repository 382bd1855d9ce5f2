# METADATA
# title: Root or anonymous use of KMS
# description: |
#   A KMS call by the account's root user (userIdentity.type Root, also for centralized root
#   sessions) or by an anonymous caller (accountId ANONYMOUS_PRINCIPAL, principalId anonymous,
#   or a denial naming "User: anonymous", as when a CloudFront origin access identity reads an
#   SSE-KMS object through S3). Root should not do day-to-day work; anonymous callers should
#   never reach a key.
# custom:
#   id: root-or-anonymous-kms
#   severity: error
#   select:
#     - eventSource: kms.amazonaws.com
#       userIdentity.type: Root
#     - eventSource: kms.amazonaws.com
#       userIdentity.accountId: ANONYMOUS_PRINCIPAL
#     - eventSource: kms.amazonaws.com
#       userIdentity.principalId: anonymous
#     - eventSource: kms.amazonaws.com
#       errorMessage: "User: anonymous *"
package keytrail.trail.root_or_anonymous_kms

import data.keytrail.trail.lib

deny contains {"record": i, "message": sprintf("the root user of account %s called %s on %s%s", [r.userIdentity.accountId, r.eventName, key(r), lib.outcome(r)])} if {
	some i, r in input.records
	r.eventSource == "kms.amazonaws.com"
	r.userIdentity.type == "Root"
}

deny contains {"record": i, "message": sprintf("an anonymous caller%s reached KMS: %s on %s%s", [via(r), r.eventName, key(r), lib.outcome(r)])} if {
	some i, r in input.records
	r.eventSource == "kms.amazonaws.com"
	anonymous(r)
}

anonymous(r) if r.userIdentity.accountId == "ANONYMOUS_PRINCIPAL"

anonymous(r) if {
	r.userIdentity.principalId == "anonymous"
	not r.userIdentity.accountId == "ANONYMOUS_PRINCIPAL"
}

anonymous(r) if {
	startswith(r.errorMessage, "User: anonymous ")
	not r.userIdentity.principalId == "anonymous"
	not r.userIdentity.accountId == "ANONYMOUS_PRINCIPAL"
}

via(r) := sprintf(" (through %s)", [r.userIdentity.invokedBy]) if r.userIdentity.invokedBy
else := ""

key(r) := lib.key(r) if lib.key(r) != ""
else := "a key"
