# METADATA
# title: Key used by a principal --data does not allow
# description: |
#   Decrypt, GenerateDataKey* or ReEncrypt on a key that --data lists in key_users, by a
#   principal matching none of the key's patterns. key_users maps key ARN patterns to principal
#   patterns (globs; * matches anything). A call matches by the caller's ARN, its role's ARN
#   (sessionContext.sessionIssuer.arn, for assumed roles), or for AWS services acting for
#   themselves their service name (cloudtrail.amazonaws.com). Denied calls are reported too.
#   Each key, caller, operation and outcome is reported once, with the number of such calls.
# custom:
#   id: unexpected-key-user
#   severity: error
#   requires: [key_users]
#   select:
#     - eventSource: kms.amazonaws.com
#       eventName: [Decrypt, GenerateDataKey*, ReEncrypt]
#       keytrail.key: data.key_users
#   once_per: [keytrail.key, keytrail.principal, userIdentity.sessionContext.sessionIssuer.arn, userIdentity.invokedBy, eventName, errorCode]
package keytrail.trail.unexpected_key_user

import data.keytrail.trail.lib

ops := {"Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"}

deny contains {"record": i, "message": sprintf("%s called %s on %s%s: not a principal --data key_users allows for this key", [lib.principal(r), r.eventName, lib.key(r), lib.outcome(r)])} if {
	users := object.get(lib.config, "key_users", {})
	some i, r in input.records
	r.eventSource == "kms.amazonaws.com"
	r.eventName in ops
	patterns := [p | some k, ps in users; glob.match(k, null, lib.key(r)); some p in ps]
	count([k | some k, _ in users; glob.match(k, null, lib.key(r))]) > 0
	not allowed(patterns, r)
}

allowed(patterns, r) if {
	some id in identities(r)
	lib.listed(patterns, id)
}

identities(r) := {x |
	some path in [["arn"], ["sessionContext", "sessionIssuer", "arn"], ["invokedBy"]]
	x := object.get(r.userIdentity, path, "")
	x != ""
} | {lib.principal(r)}
