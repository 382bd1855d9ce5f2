# METADATA
# title: Trail changed so that it stops seeing KMS
# description: |
#   A change to CloudTrail that blinds a KMS audit: StopLogging and DeleteTrail; UpdateTrail
#   setting KmsKeyId (an empty value removes the log files' encryption); PutEventSelectors whose
#   selectors drop management events (KMS calls are management events), exclude
#   kms.amazonaws.com, or keep only read-only or write-only events; advanced event selectors
#   without a Management selector, or whose Management selector excludes kms.amazonaws.com or
#   filters readOnly. Failed calls are not reported.
# custom:
#   id: trail-tampering
#   severity: error
#   select:
#     - eventSource: cloudtrail.amazonaws.com
#       eventName: [StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors]
package keytrail.trail.trail_tampering

import data.keytrail.trail.lib

call(r, name) if {
	r.eventSource == "cloudtrail.amazonaws.com"
	r.eventName == name
	lib.succeeded(r)
}

trail_name(r) := object.get(r.requestParameters, "name", object.get(r.requestParameters, "trailName", "(unnamed)"))

deny contains {"record": i, "message": sprintf("%s stopped logging on trail %s", [lib.principal(r), trail_name(r)])} if {
	some i, r in input.records
	call(r, "StopLogging")
}

deny contains {"record": i, "message": sprintf("%s deleted trail %s", [lib.principal(r), trail_name(r)])} if {
	some i, r in input.records
	call(r, "DeleteTrail")
}

deny contains {"record": i, "message": sprintf("%s removed the KMS encryption of trail %s's log files (KmsKeyId set empty)", [lib.principal(r), trail_name(r)])} if {
	some i, r in input.records
	call(r, "UpdateTrail")
	r.requestParameters.kmsKeyId == ""
}

warn contains {"record": i, "message": sprintf("%s changed the KMS key of trail %s's log files to %s", [lib.principal(r), trail_name(r), r.requestParameters.kmsKeyId])} if {
	some i, r in input.records
	call(r, "UpdateTrail")
	r.requestParameters.kmsKeyId != ""
}

deny contains {"record": i, "message": sprintf("%s changed the event selectors of trail %s: %s", [lib.principal(r), trail_name(r), concat("; ", sort(blinds(r)))])} if {
	some i, r in input.records
	call(r, "PutEventSelectors")
	count(blinds(r)) > 0
}

blinds(r) := (basic(r) | advanced(r)) | no_management(r)

basic(r) := {why |
	some s in object.get(r.requestParameters, "eventSelectors", [])
	some why in selector_problems(s)
}

selector_problems(s) := {why |
	some check in [
		[s.includeManagementEvents == false, "a selector drops management events, which include every KMS call"],
		["kms.amazonaws.com" in object.get(s, "excludeManagementEventSources", []), "a selector excludes kms.amazonaws.com"],
		[object.get(s, "readWriteType", "All") != "All", sprintf("a selector keeps only %s events", [object.get(s, "readWriteType", "")])],
	]
	check[0] == true
	why := check[1]
}

# With basic selectors, management events are logged if any selector includes them (the
# default); with advanced selectors, only if a selector has eventCategory = Management.
no_management(r) := {"no event selector includes management events"} if {
	sels := object.get(r.requestParameters, "eventSelectors", [])
	count(sels) > 0
	every s in sels {
		s.includeManagementEvents == false
	}
} else := {"no advanced event selector selects management events"} if {
	adv := object.get(r.requestParameters, "advancedEventSelectors", [])
	count(adv) > 0
	not some_management(adv)
} else := set()

some_management(adv) if {
	some a in adv
	management(a)
}

management(a) if {
	some f in a.fieldSelectors
	f.field == "eventCategory"
	"Management" in object.get(f, "equals", [])
}

advanced(r) := {why |
	some a in object.get(r.requestParameters, "advancedEventSelectors", [])
	management(a)
	some f in a.fieldSelectors
	some why in field_problems(f)
}

field_problems(f) := {why |
	f.field == "eventSource"
	"kms.amazonaws.com" in object.get(f, "notEquals", [])
	why := "the management selector excludes kms.amazonaws.com"
} | {why |
	f.field == "readOnly"
	why := "the management selector filters on readOnly"
}
