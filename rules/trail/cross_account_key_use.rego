# METADATA
# title: Key used from another account
# description: |
#   A KMS call on a key by a caller in another account (userIdentity.accountId differs from the
#   key's account, taken from the key ARN). When both accounts log the call, CloudTrail delivers
#   two records with one sharedEventID; they are reported once. Accounts --data lists in
#   trusted_accounts are not reported. Anonymous callers are root-or-anonymous-kms's finding.
# custom:
#   id: cross-account-key-use
#   severity: warning
#   select:
#     - eventSource: kms.amazonaws.com
#       keytrail.cross_account: "true"
package keytrail.trail.cross_account_key_use

import data.keytrail.trail.lib

warn contains {"record": i, "dedupe": object.get(r, "sharedEventID", r.eventID), "message": sprintf("%s in account %s called %s on %s, a key of account %s%s", [lib.principal(r), caller, r.eventName, lib.key(r), r.keytrail.key_account, lib.outcome(r)])} if {
	some i, r in input.records
	r.eventSource == "kms.amazonaws.com"
	caller := r.userIdentity.accountId
	lib.foreign(r, caller)
	regex.match(`^[0-9]{12}$`, caller)
}
