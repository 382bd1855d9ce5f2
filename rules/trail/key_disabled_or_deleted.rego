# METADATA
# title: Key disabled or scheduled for deletion
# description: |
#   DisableKey or ScheduleKeyDeletion succeeded: data encrypted under the key stops decrypting,
#   and after the waiting period it is lost for good. A later EnableKey resolves a DisableKey and
#   a later CancelKeyDeletion resolves a ScheduleKeyDeletion (both also when read from another
#   file). DeleteKey, logged by KMS itself when the waiting period ends, cannot be undone.
# custom:
#   id: key-disabled-or-deleted
#   severity: warning
#   select:
#     - eventSource: kms.amazonaws.com
#       eventName: [DisableKey, ScheduleKeyDeletion, EnableKey, CancelKeyDeletion, DeleteKey]
package keytrail.trail.key_disabled_or_deleted

import data.keytrail.trail.lib

warn contains {
	"record": i, "resolve_key": concat(" ", ["disable", lib.key(r)]),
	"message": sprintf("%s disabled key %s: data encrypted under it cannot be decrypted until it is enabled", [lib.principal(r), lib.key(r)]),
} if {
	some i, r in input.records
	lib.kms(r, "DisableKey")
}

deny contains {
	"record": i, "resolve_key": concat(" ", ["delete", lib.key(r)]),
	"message": sprintf("%s scheduled key %s for deletion%s: data encrypted under it is lost when the waiting period ends unless CancelKeyDeletion", [lib.principal(r), lib.key(r), days(r)]),
} if {
	some i, r in input.records
	lib.kms(r, "ScheduleKeyDeletion")
}

deny contains {"record": i, "message": sprintf("key %s was deleted at the end of its waiting period: data encrypted under it can no longer be decrypted", [lib.key(r)])} if {
	some i, r in input.records
	lib.kms(r, "DeleteKey")
}

resolve contains {"record": i, "key": concat(" ", ["disable", lib.key(r)])} if {
	some i, r in input.records
	lib.kms(r, "EnableKey")
}

resolve contains {"record": i, "key": concat(" ", ["delete", lib.key(r)])} if {
	some i, r in input.records
	lib.kms(r, "CancelKeyDeletion")
}

days(r) := sprintf(" (in %v days)", [r.requestParameters.pendingWindowInDays]) if r.requestParameters.pendingWindowInDays
else := " (in 30 days, the default)"
